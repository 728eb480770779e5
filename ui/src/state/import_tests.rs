//! Tests of the import wizard's state.

use super::*;
use outpost_ipc::ErrorKind;

fn filled() -> ImportForm {
    ImportForm::default().apply(ImportAction::FileLoaded {
        name: "k3s.yaml".into(),
        text: "apiVersion: v1".into(),
    })
}

#[test]
fn request_needs_text_and_both_coordinates() {
    assert_eq!(
        ImportForm::default().request().unwrap_err(),
        ImportFormError::NoFile
    );
    let f = filled().apply(ImportAction::Set(Field::Latitude, "48.1".into()));
    assert_eq!(f.request().unwrap_err(), ImportFormError::HalfLocation);
    let f = f.apply(ImportAction::Set(Field::Longitude, "200".into()));
    assert_eq!(f.request().unwrap_err(), ImportFormError::Longitude);
    let f = f
        .apply(ImportAction::Pick {
            lat: 48.137_2,
            lon: 11.575_4,
        })
        .apply(ImportAction::Set(Field::Tags, " eu, shop ,,".into()))
        .apply(ImportAction::Set(Field::Name, " munich-1 ".into()));
    let r = f.request().unwrap();
    assert_eq!(r.location, Some((48.1372, 11.5754)));
    assert_eq!(r.tags, ["eu", "shop"]);
    assert_eq!(r.name.as_deref(), Some("munich-1"));
    let all = f.apply(ImportAction::All(true)).request().unwrap();
    assert_eq!(
        (all.all, all.name),
        (true, None),
        "a name applies to one context only"
    );
}

#[test]
fn edits_invalidate_the_preview_and_errors_keep_the_form() {
    let preview = ImportPreview {
        source: "pasted text".into(),
        sites: vec![],
    };
    let f = filled()
        .apply(ImportAction::Check)
        .apply(ImportAction::Checked(Ok(preview)));
    assert!(matches!(f.stage, Stage::Previewed(_)));
    let edited = f.apply(ImportAction::Set(Field::Address, "10.0.0.5".into()));
    assert_eq!(edited.stage, Stage::Editing);
    let failed = edited
        .apply(ImportAction::Import)
        .apply(ImportAction::Imported(Err(IpcError::new(
            ErrorKind::Tls,
            "SAN mismatch",
        ))));
    assert_eq!(failed.stage, Stage::Editing);
    assert_eq!(failed.address, "10.0.0.5");
    assert_eq!(failed.error.as_ref().map(|e| e.kind), Some(ErrorKind::Tls));
}

fn exec_preview(hash: &str) -> ImportPreview {
    ImportPreview {
        source: "pasted text".into(),
        sites: vec![outpost_ipc::PlannedSiteInfo {
            context: "dev".into(),
            name: "dev".into(),
            display_name: "dev".into(),
            renames: vec![],
            server_before: "https://10.0.0.5:6443".into(),
            server_after: "https://10.0.0.5:6443".into(),
            san_ok: None,
            san_detail: String::new(),
            credential_kind: outpost_ipc::CredentialKind::Exec,
            exec: Some(outpost_ipc::ExecInfo {
                command: "aws".into(),
                args: vec!["eks".into()],
                env_names: vec![],
                command_line: "aws eks".into(),
                hash: hash.into(),
            }),
            exec_needs_approval: true,
            client_cert_expires_ms: None,
            file_refs: vec![],
            warnings: vec![],
        }],
    }
}

#[test]
fn exec_approval_sends_the_hashes_shown_and_edits_withdraw_it() {
    let approve = |hash: &str| ImportAction::ApproveExec {
        hash: hash.into(),
        approved: true,
    };
    // Nothing previewed: nothing to approve.
    assert!(filled().apply(approve("h1")).approved_exec.is_empty());
    let f = filled()
        .apply(ImportAction::Check)
        .apply(ImportAction::Checked(Ok(exec_preview("h1"))));
    assert!(f.apply(approve("other")).approved_exec.is_empty());
    let f = f.apply(approve("h1"));
    assert!(
        matches!(f.stage, Stage::Previewed(_)),
        "approving is no edit"
    );
    assert_eq!(f.request().unwrap().approved_exec, ["h1"]);
    let off = f.apply(ImportAction::ApproveExec {
        hash: "h1".into(),
        approved: false,
    });
    assert!(off.request().unwrap().approved_exec.is_empty());
    let edited = f.apply(ImportAction::Set(Field::Tags, "eu".into()));
    assert!(edited.request().unwrap().approved_exec.is_empty());
}

fn file_preview(hash: &str) -> ImportPreview {
    let mut p = exec_preview("h1");
    p.sites[0].exec = None;
    p.sites[0].file_refs = vec![outpost_ipc::FileRefInfo {
        field: "tokenFile".into(),
        kind: outpost_ipc::FileRefKind::Token,
        path: "/home/tech/.vault-token".into(),
        size: 23,
        outside: true,
        approved: false,
        approval: Some(hash.into()),
    }];
    p
}

#[test]
fn a_path_source_sends_the_path_and_file_approvals_only_the_hashes_shown() {
    let f = ImportForm::default().apply(ImportAction::Source(SourceKind::Path));
    assert_eq!(f.request().unwrap_err(), ImportFormError::NoPath);
    let f = f.apply(ImportAction::Set(Field::Path, " /srv/kc/config ".into()));
    assert_eq!(
        f.request().unwrap().source,
        ImportSource::Path {
            path: "/srv/kc/config".into()
        }
    );
    let approve = |hash: &str, approved| ImportAction::ApproveFile {
        hash: hash.into(),
        approved,
    };
    assert!(f.apply(approve("f1", true)).approved_files.is_empty());
    let f = f
        .apply(ImportAction::Check)
        .apply(ImportAction::Checked(Ok(file_preview("f1"))));
    assert!(f.apply(approve("other", true)).approved_files.is_empty());
    let f = f.apply(approve("f1", true));
    assert!(matches!(f.stage, Stage::Previewed(_)));
    assert_eq!(f.request().unwrap().approved_files, ["f1"]);
    assert!(
        f.apply(approve("f1", false))
            .request()
            .unwrap()
            .approved_files
            .is_empty()
    );
    let edited = f.apply(ImportAction::Set(Field::Path, "/srv/other".into()));
    assert!(edited.request().unwrap().approved_files.is_empty());
}

#[test]
fn edits_are_ignored_while_busy() {
    let f = filled().apply(ImportAction::Check);
    assert_eq!(
        f.apply(ImportAction::Paste("x".into())).text,
        "apiVersion: v1"
    );
}
