//! The import wizard's commands: preview (changes nothing) and apply (all or nothing).

use super::{Req, Res};
use crate::{error, state::AppState};
use outpost_core::import::{self, ImportOptions, ImportPlan, Input, SanCheck, Selection};
use outpost_core::registry::SiteStore;
use outpost_ipc::{
    ErrorKind, ExecInfo, FileRefInfo, ImportApplyCmd, ImportPreview, ImportPreviewCmd,
    ImportRequest, ImportSource, IpcError, PlannedSiteInfo, RenameInfo,
};
use std::path::PathBuf;
use tauri::State;

/// Largest pasted kubeconfig accepted.
const MAX_TEXT: usize = 4 * 1024 * 1024;

/// The core's options and input for a wizard request. Pasted or dropped text may name
/// no file; a path is read with its own folder's files only (the wizard approves none).
fn options(req: &ImportRequest) -> Result<(Input, ImportOptions), IpcError> {
    let input = match &req.source {
        ImportSource::Path { path } if path.trim().is_empty() => {
            return Err(IpcError::new(
                ErrorKind::InvalidInput,
                "choose a kubeconfig file",
            ));
        }
        ImportSource::Path { path } => Input::Path(PathBuf::from(path.trim())),
        ImportSource::Text { text } if text.trim().is_empty() => {
            return Err(IpcError::new(
                ErrorKind::InvalidInput,
                "paste a kubeconfig first",
            ));
        }
        ImportSource::Text { text } if text.len() > MAX_TEXT => {
            return Err(IpcError::new(
                ErrorKind::InvalidInput,
                "that is not a kubeconfig: over 4 MiB",
            ));
        }
        ImportSource::Text { text } => Input::Text { text: text.clone() },
    };
    let selection = match (&req.context, req.all) {
        (_, true) => Selection::All,
        (Some(c), false) if !c.trim().is_empty() => Selection::Context(c.trim().to_string()),
        _ => Selection::Current,
    };
    let some = |s: &Option<String>| {
        s.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Ok((
        input,
        ImportOptions {
            selection,
            name: some(&req.name),
            address: some(&req.address),
            location: req.location,
            tags: req
                .tags
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            insecure_skip_tls_verify: req.insecure_skip_tls_verify,
            approved_files: req.approved_files.clone(),
            ..ImportOptions::default()
        },
    ))
}

/// The plan in the wizard's terms (no secret in it: the plan never serializes them).
fn preview(plan: &ImportPlan) -> ImportPreview {
    ImportPreview {
        source: plan.source.clone(),
        sites: plan
            .sites
            .iter()
            .map(|p| {
                let (san_ok, san_detail) = match &p.san_check {
                    SanCheck::Covered { name, sans } => (
                        Some(true),
                        format!("the certificate covers {name} ({})", sans.join(", ")),
                    ),
                    SanCheck::NotRun { reason } => (None, format!("not checked: {reason}")),
                    SanCheck::Skipped { reason } => (None, format!("skipped: {reason}")),
                };
                PlannedSiteInfo {
                    context: p.context.clone(),
                    name: p.site.name.clone(),
                    display_name: p.site.display_name.clone(),
                    renames: p
                        .renames
                        .iter()
                        .map(|r| RenameInfo {
                            entry: r.entry.to_string(),
                            from: r.from.clone(),
                            to: r.to.clone(),
                        })
                        .collect(),
                    server_before: p.server_before.clone(),
                    server_after: p.server_after.clone(),
                    san_ok,
                    san_detail,
                    credential_kind: p.credential_kind,
                    exec: p.exec.as_ref().map(|e| ExecInfo {
                        command: e.command.clone(),
                        args: e.args.clone(),
                        env_names: e.env_names.clone(),
                        command_line: e.command_line(),
                        hash: e.hash.clone(),
                    }),
                    exec_needs_approval: p.exec_needs_approval,
                    file_refs: p
                        .file_refs
                        .iter()
                        .map(|f| FileRefInfo {
                            field: f.field.to_string(),
                            kind: f.kind.into(),
                            path: f.path.display().to_string(),
                            size: f.size,
                            outside: f.outside,
                            approved: f.approved,
                            approval: f.approval.clone(),
                        })
                        .collect(),
                    client_cert_expires_ms: p.client_cert_expires.map(|t| t.as_millisecond()),
                    warnings: p.warnings.clone(),
                }
            })
            .collect(),
    }
}

/// The plan, with exactly the exec plugins whose hashes the request carries approved
/// (a hash matching nothing refuses it).
async fn plan(state: &AppState, req: &ImportRequest) -> Result<ImportPlan, IpcError> {
    let active = state.profiles.ready().await?;
    let (input, opts) = options(req)?;
    let mut plan = import::plan(&input, &opts, &active.session.sites())
        .await
        .map_err(|e| error::core(e.kind(), e))?;
    plan.approve_exec(&req.approved_exec)
        .map_err(|e| error::core(e.kind(), e))?;
    Ok(plan)
}

/// What importing would do: renames, rewritten address, SAN check, exec approval.
#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    req: Req<ImportPreviewCmd>,
) -> Res<ImportPreviewCmd> {
    Ok(preview(&plan(&state, &req).await?))
}

/// Imports every planned site or none, then starts watching them.
#[tauri::command]
pub async fn import_apply(
    state: State<'_, AppState>,
    req: Req<ImportApplyCmd>,
) -> Res<ImportApplyCmd> {
    let plan = plan(&state, &req).await?;
    let active = state.profiles.ready().await?;
    let (store, vault) = (SiteStore::new(active.session.home()), active.vault.clone());
    let names = tokio::task::spawn_blocking(move || import::apply(plan, &store, &vault))
        .await
        .map_err(error::join)?
        .map_err(|e| error::core(e.kind(), e))?;
    state.profiles.reload().await?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(source: ImportSource) -> ImportRequest {
        ImportRequest {
            source,
            context: None,
            all: false,
            name: Some("  ".into()),
            address: Some(" 10.0.0.5 ".into()),
            location: Some((48.1, 11.5)),
            tags: vec![" eu ".into(), "".into()],
            approved_exec: vec![],
            approved_files: vec![],
            insecure_skip_tls_verify: false,
        }
    }

    #[test]
    fn empty_sources_are_refused_and_fields_trimmed() {
        let e = options(&req(ImportSource::Text { text: " \n".into() })).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        let e = options(&req(ImportSource::Path { path: "".into() })).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        let (_, o) = options(&req(ImportSource::Text { text: "x".into() })).unwrap();
        assert_eq!(o.name, None);
        assert_eq!(o.address.as_deref(), Some("10.0.0.5"));
        assert_eq!(o.tags, ["eu"]);
        assert_eq!(o.selection, Selection::Current);
        let mut all = req(ImportSource::Text { text: "x".into() });
        all.all = true;
        assert_eq!(options(&all).unwrap().1.selection, Selection::All);
    }
}
