//! Importing kubeconfigs through the session, in the import wizard's terms: the
//! preview (changes nothing) and the apply (every planned site or none). The wizard's
//! request is checked and trimmed here; the keyring and the registry are written on the
//! blocking pool.

use super::Session;
use super::blocking::unblock;
use crate::import::{self, ImportError, ImportOptions, ImportPlan, Input, SanCheck, Selection};
use crate::registry::SiteStore;
use outpost_ipc::{
    ExecInfo, FileRefInfo, ImportPreview, ImportRequest, ImportSource, PlannedSiteInfo, RenameInfo,
};
use std::path::PathBuf;

impl Session {
    /// What importing would do: renames, rewritten address, SAN check, exec approval.
    pub async fn import_preview(&self, req: &ImportRequest) -> Result<ImportPreview, ImportError> {
        Ok(preview(&self.import_plan(req).await?))
    }

    /// Imports every planned site or none; answers the names imported. The session's
    /// registry watch then adds them to the site list and the health engine.
    pub async fn import_apply(&self, req: &ImportRequest) -> Result<Vec<String>, ImportError> {
        let plan = self.import_plan(req).await?;
        let (store, vault) = (SiteStore::new(&self.home), self.vault.clone());
        unblock(move || import::apply(plan, &store, &vault)).await
    }

    /// The plan, with exactly the exec plugins whose hashes the request carries approved
    /// (a hash matching nothing refuses it).
    async fn import_plan(&self, req: &ImportRequest) -> Result<ImportPlan, ImportError> {
        let (input, opts) = options(req)?;
        let mut plan = import::plan(&input, &opts, &self.sites()).await?;
        plan.approve_exec(&req.approved_exec)?;
        Ok(plan)
    }
}

/// Largest pasted kubeconfig accepted.
const MAX_TEXT: usize = 4 * 1024 * 1024;

/// The core's options and input for a wizard request. Pasted or dropped text may name
/// no file; a path is read with its own folder's files only (the wizard approves none).
fn options(req: &ImportRequest) -> Result<(Input, ImportOptions), ImportError> {
    let input = match &req.source {
        ImportSource::Path { path } if path.trim().is_empty() => {
            return Err(ImportError::Usage("choose a kubeconfig file".into()));
        }
        ImportSource::Path { path } => Input::Path(PathBuf::from(path.trim())),
        ImportSource::Text { text } if text.trim().is_empty() => {
            return Err(ImportError::Usage("paste a kubeconfig first".into()));
        }
        ImportSource::Text { text } if text.len() > MAX_TEXT => {
            return Err(ImportError::Usage(
                "that is not a kubeconfig: over 4 MiB".into(),
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
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
        let e = options(&req(ImportSource::Path { path: "".into() })).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
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
