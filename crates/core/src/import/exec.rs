//! Approving exec credential plugins with eyes open.
//!
//! The preview shows each plugin's command line ([`ExecPreview`]: command, arguments,
//! environment variable names) and a hash over all of it, environment values included
//! (they may be secrets, so they are hashed, never shown). Approval names hashes
//! ([`ImportPlan::approve_exec`]): a hash approves exactly the command line it was
//! computed from, and a hash that matches nothing refuses the whole import, so a bare
//! "yes" can never approve a plugin nobody saw.

use super::approval::Approval;
use super::{ImportError, ImportPlan};
use crate::secret::Secret;
use serde::Serialize;

/// What a site's exec plugin runs, as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecPreview {
    pub command: String,
    pub args: Vec<String>,
    pub env_names: Vec<String>,
    /// SHA-256 (hex) of the context, API version, command, arguments and environment
    /// names and values: what an approval names.
    pub hash: String,
}

impl ExecPreview {
    /// The command line in one line, as shown ([`crate::registry::command_line`]).
    pub fn command_line(&self) -> String {
        crate::registry::command_line(&self.command, &self.args, &self.env_names)
    }
}

/// The approval hash of a plugin (see [`ExecPreview::hash`]).
pub(super) fn hash(
    context: &str,
    api_version: &str,
    command: &str,
    args: &[String],
    env: &[(String, Secret)],
) -> String {
    let mut h = Approval::new("outpost-exec-v1");
    h.field(context.as_bytes());
    h.field(api_version.as_bytes());
    h.field(command.as_bytes());
    h.field(&(args.len() as u64).to_be_bytes());
    for a in args {
        h.field(a.as_bytes());
    }
    h.field(&(env.len() as u64).to_be_bytes());
    for (name, value) in env {
        h.field(name.as_bytes());
        h.field(value.expose());
    }
    h.hex()
}

impl ImportPlan {
    /// The exec plugins of this plan, with their site names.
    pub fn exec_plugins(&self) -> Vec<(&str, &ExecPreview)> {
        self.sites
            .iter()
            .filter_map(|p| p.exec.as_ref().map(|e| (p.site.name.as_str(), e)))
            .collect()
    }

    /// Approves the plugins whose hashes are in `hashes`. Refuses (changing nothing)
    /// when a hash matches no plugin of the plan: what was shown is not what would run.
    pub fn approve_exec(&mut self, hashes: &[String]) -> Result<(), ImportError> {
        for h in hashes {
            if !self.exec_plugins().iter().any(|(_, e)| &e.hash == h) {
                return Err(ImportError::ExecApprovalMismatch { hash: h.clone() });
            }
        }
        for p in &mut self.sites {
            if let Some(e) = &p.exec
                && hashes.contains(&e.hash)
            {
                p.site.credentials.exec_approved = true;
                p.exec_needs_approval = false;
                tracing::info!(site = %p.site.name, command = %e.command, "exec plugin approved");
            }
        }
        Ok(())
    }
}
