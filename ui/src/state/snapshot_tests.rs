//! Native tests of the snapshot reducers and texts.

use super::*;
use outpost_ipc::snapshot::BundleSummary;
use outpost_ipc::{ErrorKind, IpcError};
use std::collections::BTreeMap;

fn summary() -> BundleSummary {
    BundleSummary {
        site: "lyon-1".into(),
        display_name: "Lyon 1".into(),
        taken_at_ms: 1_795_550_400_000,
        age_secs: Some(60),
        distro: Some(outpost_ipc::Distro::K3s),
        version: Some("v1.31.4+k3s1".into()),
        outpost_version: "0.1.0".into(),
        format: 1,
        encrypted: false,
        counts: BTreeMap::new(),
        log_tails: 3,
        redacted_secrets: 1,
        redacted_values: 0,
    }
}

fn entry(kind: DiffKind, subject: &str, from: Option<&str>, to: Option<&str>) -> DiffEntry {
    DiffEntry {
        kind,
        subject: subject.into(),
        from: from.map(Into::into),
        to: to.map(Into::into),
    }
}

#[test]
fn export_form_clears_the_passphrase_and_ignores_double_starts() {
    let s = Rc::new(Export::default());
    let s = s.reduce(ExportAction::Toggle);
    assert!(s.open);
    let s = s.reduce(ExportAction::Passphrase("hunter2".into()));
    let s = s.reduce(ExportAction::Start);
    assert_eq!(s.step, Step::Busy);
    let again = s.clone().reduce(ExportAction::Start);
    assert!(Rc::ptr_eq(&s, &again));
    // Closing while busy is refused: the result must land somewhere.
    assert!(s.clone().reduce(ExportAction::Toggle).open);
    let b = ExportedBundle {
        path: "/home/u/Downloads/outpost-snapshot-lyon-1.opsnap".into(),
        bytes: 2048,
        encrypted: true,
        from_snapshot: false,
        summary: summary(),
    };
    let cancelled = s
        .clone()
        .reduce(ExportAction::Finished(Box::new(Err(IpcError::new(
            ErrorKind::Cancelled,
            "no file chosen",
        )))));
    assert_eq!(cancelled.step, Step::Idle);
    let s = s.reduce(ExportAction::Finished(Box::new(Ok(b.clone()))));
    assert_eq!(s.passphrase, "");
    assert_eq!(s.step, Step::Done(b.clone()));
    assert_eq!(
        exported_text(&b),
        "Saved /home/u/Downloads/outpost-snapshot-lyon-1.opsnap (2.0 KiB, encrypted)"
    );
    let offline = ExportedBundle {
        from_snapshot: true,
        encrypted: false,
        bytes: 10,
        ..b
    };
    assert!(
        exported_text(&offline).ends_with(
            "(10 bytes) from the stored snapshot as of 2026-11-24 20:00:00 UTC: the site did not answer"
        ),
        "{}",
        exported_text(&offline)
    );
}

#[test]
fn changes_read_as_sentences() {
    assert_eq!(
        change_text(&entry(
            DiffKind::Image,
            "Deployment/shop/web:app",
            Some("web:1"),
            Some("web:2")
        )),
        "Image of Deployment/shop/web:app: web:1 → web:2"
    );
    assert_eq!(
        change_text(&entry(
            DiffKind::Replicas,
            "Deployment/shop/web",
            Some("2"),
            Some("3")
        )),
        "Replicas of Deployment/shop/web: 2 → 3"
    );
    assert_eq!(
        change_text(&entry(DiffKind::NodeAdded, "Node/edge-2", None, None)),
        "Node added: edge-2"
    );
    assert_eq!(
        change_text(&entry(DiffKind::Version, "site", Some("v1.30"), None)),
        "Kubernetes version: v1.30 → —"
    );
    assert_eq!(
        change_class(DiffKind::CrashLoopStarted),
        "change change-bad"
    );
    assert_eq!(Changes::loaded(Ok(None)), Changes::NoSnapshot);
    let e = IpcError::new(ErrorKind::Unreachable, "offline");
    assert_eq!(Changes::loaded(Err(e.clone())), Changes::Failed(e));
}

#[test]
fn import_form_bounds_uploads_and_keeps_the_file_on_failure() {
    let s = Rc::new(ImportForm::default()).reduce(ImportAction::Toggle);
    assert!(s.open && !s.can_start());
    let big = s.clone().reduce(ImportAction::Picked(
        "huge.opsnap".into(),
        MAX_UPLOAD_BYTES + 1,
    ));
    assert!(
        big.refusal().is_some_and(|r| r.contains("32.0 MiB")),
        "{:?}",
        big.refusal()
    );
    assert!(Rc::ptr_eq(&big, &big.clone().reduce(ImportAction::Start)));
    let s = s.reduce(ImportAction::Picked("lyon.opsnap".into(), 4096));
    let s = s.reduce(ImportAction::Passphrase("pw".into()));
    let s = s.reduce(ImportAction::Start);
    assert_eq!(s.step, Step::Busy);
    let s = s.reduce(ImportAction::Finished(Err(IpcError::new(
        ErrorKind::Auth,
        "wrong passphrase, or the bundle is corrupt",
    ))));
    assert_eq!(s.file, Some(("lyon.opsnap".into(), 4096)));
    assert!(s.can_start());
    let r = ImportResult {
        summary: summary(),
        registered: true,
    };
    let s = s
        .reduce(ImportAction::Start)
        .reduce(ImportAction::Finished(Ok(r.clone())));
    assert_eq!(s.passphrase, "");
    assert_eq!(
        imported_text(&r),
        "Imported Lyon 1: offline snapshot as of 2026-11-24 20:00:00 UTC (new site, without credentials: shown from the snapshot)"
    );
    let closed = s.reduce(ImportAction::Toggle);
    assert_eq!(*closed, ImportForm::default());
}

#[test]
fn notices_are_newest_first_bounded_and_dismissable() {
    let mut s = Rc::new(Notices::default());
    for i in 0..7 {
        s = s.reduce(NoticeAction::Add(Box::new(Notice {
            path: format!("/tmp/b{i}.opsnap"),
            preview: None,
            imported: None,
            error: Some(IpcError::new(
                ErrorKind::InvalidInput,
                "the bundle is truncated",
            )),
        })));
    }
    assert_eq!(s.items.len(), MAX_NOTICES);
    assert_eq!(s.items[0].1.path, "/tmp/b6.opsnap");
    assert_eq!(
        notice_text(&s.items[0].1),
        "b6.opsnap was not imported (invalid_input): the bundle is truncated"
    );
    let first = s.items[0].0;
    let s = s.reduce(NoticeAction::Dismiss(first));
    assert_eq!(s.items.len(), MAX_NOTICES - 1);
    assert!(s.items.iter().all(|(i, _)| *i != first));
    let ok = Notice {
        path: "C:\\x\\lyon.opsnap".into(),
        preview: None,
        imported: Some(ImportResult {
            summary: summary(),
            registered: false,
        }),
        error: None,
    };
    assert_eq!(
        notice_text(&ok),
        "lyon.opsnap: Imported Lyon 1: offline snapshot as of 2026-11-24 20:00:00 UTC"
    );
    assert_eq!(size_text(3 << 20), "3.0 MiB");
}

fn preview(registered: Option<&str>) -> ImportPreview {
    ImportPreview {
        summary: summary(),
        endpoint: "https://10.0.0.9:6443".into(),
        registered_endpoint: registered.map(str::to_string),
        endpoint_differs: registered.is_some_and(|r| r != "https://10.0.0.9:6443"),
    }
}

/// Nothing is imported before the bundle was read and the user confirmed; another
/// endpoint than the registered site's needs a new site name.
#[test]
fn importing_needs_a_preview_and_a_confirmation() {
    let s = Rc::new(ImportForm::default())
        .reduce(ImportAction::Toggle)
        .reduce(ImportAction::Picked("lyon.opsnap".into(), 4096));
    assert!(!s.can_confirm(), "confirmable before the bundle was read");
    assert!(Rc::ptr_eq(&s, &s.clone().reduce(ImportAction::Confirm)));
    let s = s
        .reduce(ImportAction::Start)
        .reduce(ImportAction::Previewed(Ok(preview(Some(
            "https://10.0.0.1:6443",
        )))));
    assert_eq!(s.step, Step::Idle);
    assert!(!s.can_start(), "read twice");
    assert!(
        !s.can_confirm(),
        "another endpoint confirmed without a new name"
    );
    let text = preview_text(s.preview.as_ref().unwrap());
    assert!(
        text.contains("lyon-1 is registered at https://10.0.0.1:6443")
            && text.contains("only be imported as a new site"),
        "{text}"
    );
    let s = s.reduce(ImportAction::NewName("  lyon-2 ".into()));
    assert!(s.can_confirm());
    assert_eq!(
        confirm_name(s.preview.as_ref().unwrap(), &s.new_name),
        Ok(Some("lyon-2".to_string()))
    );
    let s = s.reduce(ImportAction::Confirm);
    assert_eq!(s.step, Step::Busy);
    let same = preview(Some("https://10.0.0.9:6443"));
    assert_eq!(confirm_name(&same, ""), Ok(None));
    assert!(preview_text(&same).contains("replaces the snapshot"));
    // A re-picked file drops the old preview.
    let s = Rc::new(ImportForm::default())
        .reduce(ImportAction::Picked("a.opsnap".into(), 1))
        .reduce(ImportAction::Start)
        .reduce(ImportAction::Previewed(Ok(same)))
        .reduce(ImportAction::Picked("b.opsnap".into(), 1));
    assert!(s.preview.is_none() && s.can_start());
}

#[test]
fn a_dropped_bundle_waits_for_its_confirmation() {
    let s = Rc::new(Notices::default()).reduce(NoticeAction::Add(Box::new(Notice {
        path: "/tmp/lyon.opsnap".into(),
        preview: Some(preview(None)),
        imported: None,
        error: None,
    })));
    let id = s.items[0].0;
    assert!(notice_text(&s.items[0].1).starts_with("lyon.opsnap: import Lyon 1 (lyon-1)"));
    let s = s.reduce(NoticeAction::Confirming(id));
    assert!(s.busy.contains(&id));
    let s = s.reduce(NoticeAction::Resolved(
        id,
        Box::new(Err(IpcError::new(ErrorKind::Conflict, "already exists"))),
    ));
    assert!(!s.busy.contains(&id) && s.items[0].1.preview.is_some());
    let s = s.reduce(NoticeAction::NewName(id, "lyon-3".into()));
    assert_eq!(s.names.get(&id).map(String::as_str), Some("lyon-3"));
    let done = ImportResult {
        summary: summary(),
        registered: true,
    };
    let s = s.reduce(NoticeAction::Resolved(id, Box::new(Ok(done))));
    let n = &s.items[0].1;
    assert!(n.preview.is_none() && n.error.is_none() && n.imported.is_some());
}
