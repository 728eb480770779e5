//! The import wizard: preview what importing a kubeconfig will do, then do it.
//!
//! Both commands take the same [`ImportRequest`]; `import_preview` changes nothing,
//! `import_apply` writes every site or none.

use crate::{Command, CredentialKind};
use serde::{Deserialize, Serialize};

/// Where the kubeconfig comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ImportSource {
    /// A file on this machine (relative paths inside resolve against its folder).
    Path { path: String },
    /// Pasted text, or the content of a file picked in the window.
    Text { text: String },
}

/// The wizard's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub source: ImportSource,
    /// One context by name; `None` imports the current context, unless `all`.
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub all: bool,
    /// Site name (one context only).
    #[serde(default)]
    pub name: Option<String>,
    /// `HOST[:PORT]` the site is reached at, replacing `127.0.0.1`/`localhost`.
    #[serde(default)]
    pub address: Option<String>,
    /// `(latitude, longitude)`, e.g. picked on the map.
    #[serde(default)]
    pub location: Option<(f64, f64)>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The exec credential plugins approved, by the hashes the preview showed
    /// ([`ExecInfo::hash`]). A hash that matches no plugin refuses the import; there is
    /// no blanket "allow exec".
    #[serde(default)]
    pub approved_exec: Vec<String>,
    /// The files outside the kubeconfig's folder approved, by the hashes the preview
    /// showed ([`FileRefInfo::approval`]). The backend recomputes each from the file it
    /// would read (context, field, path, size): a hash that matches none refuses the
    /// import, and one not approved is never read.
    #[serde(default)]
    pub approved_files: Vec<String>,
    /// Opt in to `insecure-skip-tls-verify` for these sites.
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
}

/// A kubeconfig entry renamed to the site's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenameInfo {
    /// `cluster`, `user` or `context`.
    pub entry: String,
    pub from: String,
    pub to: String,
}

/// An exec credential plugin, as shown for approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecInfo {
    pub command: String,
    pub args: Vec<String>,
    /// Environment variable names (values may be secrets: never shown).
    pub env_names: Vec<String>,
    /// The command line in one line, as shown.
    pub command_line: String,
    /// What approving this plugin sends back ([`ImportRequest::approved_exec`]).
    pub hash: String,
}

/// What a file a kubeconfig names holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileRefKind {
    Ca,
    ClientCert,
    ClientKey,
    Token,
}

impl FileRefKind {
    /// In words, as the wizard shows it.
    pub fn label(self) -> &'static str {
        match self {
            FileRefKind::Ca => "CA certificate",
            FileRefKind::ClientCert => "client certificate",
            FileRefKind::ClientKey => "client key",
            FileRefKind::Token => "token",
        }
    }
}

/// A file the kubeconfig names that the import reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRefInfo {
    /// The kubeconfig field (`client-key`, `tokenFile`…).
    pub field: String,
    pub kind: FileRefKind,
    /// Resolved (absolute, symlinks followed).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Outside the kubeconfig's folder: read only once approved.
    pub outside: bool,
    /// Outside the kubeconfig's folder, approved by the user (and read).
    pub approved: bool,
    /// For an outside file: what approving it sends back
    /// ([`ImportRequest::approved_files`]).
    pub approval: Option<String>,
}

/// What importing one context will do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedSiteInfo {
    pub context: String,
    pub name: String,
    pub display_name: String,
    pub renames: Vec<RenameInfo>,
    pub server_before: String,
    pub server_after: String,
    /// Whether the serving certificate covers the address (`None`: not checked).
    pub san_ok: Option<bool>,
    /// The SAN check in words (what was checked, or how to fix a mismatch).
    pub san_detail: String,
    pub credential_kind: CredentialKind,
    /// The exec plugin, if the site's credentials come from one.
    pub exec: Option<ExecInfo>,
    pub exec_needs_approval: bool,
    /// Files the kubeconfig names (pasted text may name none).
    pub file_refs: Vec<FileRefInfo>,
    pub client_cert_expires_ms: Option<i64>,
    pub warnings: Vec<String>,
}

/// The preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportPreview {
    /// The file, or `pasted text`.
    pub source: String,
    pub sites: Vec<PlannedSiteInfo>,
}

/// `import_preview`: what the import would do; changes nothing.
pub struct ImportPreviewCmd;

impl Command for ImportPreviewCmd {
    const NAME: &'static str = "import_preview";
    type Request = ImportRequest;
    type Response = ImportPreview;
}

/// `import_apply`: imports every planned site or none; answers their names.
pub struct ImportApplyCmd;

impl Command for ImportApplyCmd {
    const NAME: &'static str = "import_apply";
    type Request = ImportRequest;
    type Response = Vec<String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_wire_shape() {
        let r: ImportRequest = serde_json::from_str(
            r#"{"source":{"type":"text","text":"apiVersion: v1"},"tags":["eu"]}"#,
        )
        .unwrap();
        assert_eq!(
            r.source,
            ImportSource::Text {
                text: "apiVersion: v1".into()
            }
        );
        assert_eq!((r.all, r.tags.as_slice()), (false, &["eu".to_string()][..]));
        assert!(
            serde_json::from_str::<ImportRequest>(
                r#"{"source":{"type":"path","path":"/x"},"bogus":1}"#
            )
            .is_err(),
            "unknown fields are refused"
        );
        assert!(
            serde_json::from_str::<ImportRequest>(
                r#"{"source":{"type":"text","text":"x"},"allow_exec":true}"#
            )
            .is_err(),
            "a bare exec approval is not a field: only hashes approve"
        );
    }
}
