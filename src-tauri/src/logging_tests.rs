//! Tests of the log export (permissions, newest file).

use super::*;

#[test]
fn exports_the_newest_log_and_reports_a_missing_one() {
    let logs = tempfile::tempdir().unwrap();
    let dest = tempfile::tempdir().unwrap();
    let e = export(logs.path(), &dest.path().join("x.log")).unwrap_err();
    assert_eq!(e.kind, outpost_ipc::ErrorKind::NotFound);
    std::fs::write(
        logs.path().join(format!("{LOG_FILE_PREFIX}.2026-11-23")),
        "old",
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(
        logs.path().join(format!("{LOG_FILE_PREFIX}.2026-11-24")),
        "newest",
    )
    .unwrap();
    std::fs::write(logs.path().join("unrelated.txt"), "no").unwrap();
    let f = export(logs.path(), &dest.path().join("x.log")).unwrap();
    assert_eq!(f.bytes, 6);
    assert_eq!(std::fs::read_to_string(&f.path).unwrap(), "newest");
    #[cfg(unix)]
    assert_eq!(mode(Path::new(&f.path)), 0o600);
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The day's file and the files of later days (made by the appender with the
/// umask's mode) end up 0600, in a 0700 directory.
#[cfg(unix)]
#[test]
fn log_files_are_private_also_after_rolling_over() {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs");
    let mut p = Private::open(&dir).unwrap();
    p.write_all(b"line\n").unwrap();
    p.flush().unwrap();
    let files = || {
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect::<Vec<_>>()
    };
    assert_eq!(mode(&dir), 0o700);
    assert!(!files().is_empty());
    assert!(files().iter().all(|f| mode(f) == 0o600), "{:?}", files());
    // A new day: the appender has just created tomorrow's file with 0644.
    let next = dir.join(format!("{LOG_FILE_PREFIX}.2999-01-01"));
    std::fs::write(&next, "").unwrap();
    std::fs::set_permissions(&next, std::fs::Permissions::from_mode(0o644)).unwrap();
    p.day -= 1;
    p.write_all(b"line\n").unwrap();
    assert_eq!(mode(&next), 0o600);
}
