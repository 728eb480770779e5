//! The import rule: a bundle naming a registered site but taken from another endpoint
//! is refused unless imported as a new site; the preview says so before anything is
//! written.

use super::tests::sample;
use super::*;
use crate::paths::Home;
use crate::registry::SiteStore;

fn names(home: &Home) -> Vec<String> {
    let sites = SiteStore::new(home).list().unwrap_or_default();
    sites.into_iter().map(|s| s.name).collect()
}

#[test]
fn another_endpoint_is_refused_unless_imported_as_a_new_site() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let home = Home::at(tmp.path(), "default").unwrap_or_else(|e| panic!("{e}"));
    let first = tmp.path().join("first.opsnap");
    write_file(&sample(), &first, None).unwrap_or_else(|e| panic!("{e}"));
    let p = preview(&first, None, &home).unwrap_or_else(|e| panic!("{e}"));
    assert!(!p.known() && !p.endpoint_differs() && !p.encrypted);
    assert_eq!(p.manifest.endpoint, "https://127.0.0.1:6443");
    import(&first, None, &home, false).unwrap_or_else(|e| panic!("{e}"));

    // The same site, same endpoint (spelled with a trailing slash): fine.
    let mut again = sample();
    again.manifest.endpoint = "HTTPS://127.0.0.1:6443/".into();
    again.manifest.taken_at = jiff::Timestamp::from_second(1_700_000_100).unwrap_or_default();
    let same = tmp.path().join("same.opsnap");
    write_file(&again, &same, None).unwrap_or_else(|e| panic!("{e}"));
    import(&same, None, &home, false).unwrap_or_else(|e| panic!("{e}"));

    // Another cluster claiming the name: previewed as differing, refused as is.
    let mut other = sample();
    other.manifest.endpoint = "https://10.9.9.9:6443".into();
    other.manifest.taken_at = jiff::Timestamp::from_second(1_700_000_200).unwrap_or_default();
    let foreign = tmp.path().join("foreign.opsnap");
    write_file(&other, &foreign, None).unwrap_or_else(|e| panic!("{e}"));
    let p = preview(&foreign, None, &home).unwrap_or_else(|e| panic!("{e}"));
    assert!(p.known() && p.endpoint_differs());
    assert_eq!(
        p.registered_endpoint.as_deref(),
        Some("https://127.0.0.1:6443")
    );
    let e = import(&foreign, None, &home, true).map(|_| ()).unwrap_err();
    assert!(matches!(e, BundleError::EndpointMismatch { .. }), "{e}");
    assert!(e.to_string().contains("https://10.9.9.9:6443"), "{e}");
    let stored = crate::snapshot::SnapshotStore::new(&home)
        .read("lyon-1")
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|s| s.taken_at.as_second());
    assert_eq!(
        stored,
        Some(1_700_000_100),
        "the refused bundle changed nothing"
    );
    assert_eq!(names(&home), ["lyon-1"]);

    // Confirmed as a new site: its own name, snapshot and bundle; the old one kept.
    let e = import_as_new(&foreign, None, &home, false, "lyon-1")
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(e, BundleError::NameTaken(_)), "{e}");
    let e = import_as_new(&foreign, None, &home, false, "Bad Name")
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(e, BundleError::Invalid(_)), "{e}");
    let r = import_as_new(&foreign, None, &home, false, "lyon-2").unwrap_or_else(|e| panic!("{e}"));
    assert!(r.registered);
    assert_eq!(r.manifest.site, "lyon-2");
    assert_eq!(r.bundle_path, imported_path(&home, "lyon-2"));
    assert_eq!(names(&home), ["lyon-1", "lyon-2"]);
    let site = SiteStore::new(&home)
        .get("lyon-2")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(site.endpoint, "https://10.9.9.9:6443");
    assert_eq!(site.display_name, "Lyon 1 (lyon-2)");
    let snap = crate::snapshot::SnapshotStore::new(&home)
        .read("lyon-2")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(snap.map(|s| s.health.name), Some("lyon-2".to_string()));
}

/// An encrypted export leaves no plain copy: not as the stored bundle, not as a temp
/// file beside the output (also when writing fails), and the output itself holds no
/// plaintext.
#[test]
fn an_encrypted_export_keeps_no_plain_copy() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let home = Home::at(tmp.path().join("home"), "default").unwrap_or_else(|e| panic!("{e}"));
    let out_dir = tmp.path().join("out");
    let out = out_dir.join("lyon.opsnap");
    let pass = SecretString::from("correct horse");
    let b = sample();
    let kdf = super::tests::CHEAP;
    std::fs::create_dir_all(&out_dir).unwrap_or_else(|e| panic!("{e}"));
    let f = std::fs::File::create(&out).unwrap_or_else(|e| panic!("{e}"));
    content::write_with(&b, f, Some(&pass), kdf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        keep_stored(&b, &home, true).unwrap_or_else(|e| panic!("{e}")),
        None
    );
    assert!(
        !imported_path(&home, "lyon-1").exists(),
        "a plain stored copy was kept"
    );
    let bytes = std::fs::read(&out).unwrap_or_default();
    for plain in [&b"web-1"[..], b"line 1", b"Lyon 1"] {
        assert!(
            !bytes.windows(plain.len()).any(|w| w == plain),
            "plaintext {:?} in the encrypted file",
            String::from_utf8_lossy(plain)
        );
    }
    // The atomic writer's temp file is gone after success and after a failure (the
    // target is a directory, so the final rename fails).
    let blocked = out_dir.join("blocked.opsnap");
    std::fs::create_dir_all(blocked.join("x")).unwrap_or_else(|e| panic!("{e}"));
    assert!(write_file(&b, &blocked, Some(&pass)).is_err());
    let left: Vec<String> = std::fs::read_dir(&out_dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut left = left;
    left.sort();
    assert_eq!(
        left,
        ["blocked.opsnap", "lyon.opsnap"],
        "temp files left: {left:?}"
    );
    // Unencrypted: the plain stored copy is kept, as before.
    let kept = keep_stored(&b, &home, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept, Some(imported_path(&home, "lyon-1")));
}
