//! Unit tests of the snapshot commands' pure parts.

use super::*;

#[test]
fn bundle_errors_map_to_typed_ipc_errors() {
    let cases = [
        (BundleError::Truncated, ErrorKind::InvalidInput, "truncated"),
        (
            BundleError::NotABundle,
            ErrorKind::InvalidInput,
            "not an Outpost",
        ),
        (
            BundleError::UnsupportedVersion {
                found: 9,
                supported: 1,
            },
            ErrorKind::InvalidInput,
            "version 9",
        ),
        (
            BundleError::Corrupt("crc".into()),
            ErrorKind::InvalidInput,
            "corrupt",
        ),
        (
            BundleError::WrongPassphrase,
            ErrorKind::Auth,
            "wrong passphrase",
        ),
        (
            BundleError::PassphraseRequired,
            ErrorKind::Auth,
            "passphrase is needed",
        ),
        (
            BundleError::Older {
                site: "a".into(),
                bundle: jiff::Timestamp::UNIX_EPOCH,
                stored: jiff::Timestamp::UNIX_EPOCH,
            },
            ErrorKind::Conflict,
            "nothing was imported",
        ),
    ];
    for (e, kind, text) in cases {
        let i = fail(e);
        assert_eq!(i.kind, kind, "{i}");
        assert!(i.message.contains(text), "{i}");
    }
}

#[test]
fn uploads_are_bounded_and_removed() {
    let dir = std::env::temp_dir().join(format!("outpost-upload-test-{}", std::process::id()));
    let up = upload(&dir, "T1BTTkFQ").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read(&up.0).unwrap_or_default(), b"OPSNAP");
    let p = up.0.clone();
    drop(up);
    assert!(!p.exists());
    let big = "A".repeat((MAX_UPLOAD_BYTES / 3 * 4 + 8) as usize);
    assert_eq!(
        upload(&dir, &big).err().map(|e| e.kind),
        Some(ErrorKind::InvalidInput)
    );
    assert_eq!(
        upload(&dir, "not base64!").err().map(|e| e.kind),
        Some(ErrorKind::InvalidInput)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_names_are_free_and_dated() {
    let dir = std::env::temp_dir().join(format!("outpost-names-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let t: jiff::Timestamp = "2026-11-24T21:30:05Z"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let a = free_path(&dir, "lyon-1", t).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        a.ends_with("outpost-snapshot-lyon-1-20261124-213005.opsnap"),
        "{a:?}"
    );
    std::fs::write(&a, b"x").unwrap_or_default();
    let b = free_path(&dir, "lyon-1", t).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        b.ends_with("outpost-snapshot-lyon-1-20261124-213005-1.opsnap"),
        "{b:?}"
    );
    assert!(known_down(Some(Reach::Unreachable)) && !known_down(Some(Reach::Unknown)));
    let _ = std::fs::remove_dir_all(&dir);
}
