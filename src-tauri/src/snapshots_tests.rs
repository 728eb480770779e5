//! Unit tests of the snapshot commands' own parts (the bundle error kinds and the
//! offline-source order are tested in core, `session::offline_error` and
//! `session::resolver`).

use super::upload::upload;
use outpost_ipc::ErrorKind;
use outpost_ipc::snapshot::MAX_UPLOAD_BYTES;

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
fn offline_errors_keep_their_kind_in_the_ui() {
    use outpost_core::bundle::BundleError;
    use outpost_core::session::OfflineError;
    let e = super::fail(OfflineError::Bundle(BundleError::PassphraseRequired));
    assert_eq!(e.kind, ErrorKind::Auth);
    let e = super::fail(OfflineError::Offline("a is offline".into()));
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Unreachable, "a is offline")
    );
}
