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
        (
            BundleError::EndpointMismatch {
                site: "a".into(),
                bundle: "https://10.0.0.9:6443".into(),
                registered: "https://10.0.0.1:6443".into(),
            },
            ErrorKind::Conflict,
            "import it as a new site",
        ),
        (
            BundleError::NameTaken("a".into()),
            ErrorKind::Conflict,
            "already exists",
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
fn a_site_known_down_is_not_read_live() {
    assert!(known_down(Some(Reach::Unreachable)) && known_down(Some(Reach::Timeout)));
    assert!(!known_down(Some(Reach::Unknown)) && !known_down(Some(Reach::Reachable)));
    assert!(!known_down(None));
}
