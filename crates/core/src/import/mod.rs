//! Kubeconfig import: [`plan`] turns a kubeconfig into an [`ImportPlan`] (a preview the
//! UI shows: names, rewritten addresses, SAN check, credentials, warnings), and
//! [`apply`] writes it: keyring entries first, then one registry write, rolling the
//! keyring back on any failure so nothing is half-imported.

use crate::error::ErrorKind;

mod apply;
mod approval;
pub mod certs;
mod creds;
mod exec;
mod files;
pub mod kubeconfig;
mod plan;
pub mod sitesfile;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_hostile;
mod tlscheck;

pub use apply::apply;
pub use exec::ExecPreview;
pub use files::{FileKind, FileRef, MAX_REF_BYTES};
pub use plan::plan;
pub use tlscheck::SanCheck;

use crate::credentials::{CredentialError, Item};
use crate::registry::{CredentialKind, RegistryError, Site};
use crate::secret::Secret;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// Errors from planning or applying an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{source_name}: invalid kubeconfig YAML at line {line}, column {column}: {message}")]
    Yaml {
        source_name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {path}: {reason}")]
    Input { path: PathBuf, reason: String },
    #[error("{0}: the kubeconfig has no contexts")]
    NoContexts(String),
    #[error("no current-context is set: pass --context (one of: {})", .available.join(", "))]
    NoCurrentContext { available: Vec<String> },
    #[error("context {context:?} not found; available: {}", .available.join(", "))]
    ContextNotFound {
        context: String,
        available: Vec<String>,
    },
    #[error("context {context:?}: {field} file {path} cannot be read: {reason}")]
    MissingFile {
        context: String,
        field: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("context {context:?}: {field} {path}: {reason}")]
    FileRefRefused {
        context: String,
        field: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error(
        "context {context:?}: {field} names {path}, outside the kubeconfig's folder: approve \
         this exact path to read it (in the import preview's checkbox; CLI: --allow-file {path})"
    )]
    FileRefNeedsApproval {
        context: String,
        field: &'static str,
        path: PathBuf,
    },
    #[error(
        "context {context:?}: the cluster sets proxy-url {proxy_url}, which Outpost does not \
         support yet: reach the site directly (VPN or LAN address via --address), or remove \
         proxy-url if the site is reachable without it"
    )]
    ProxyUnsupported { context: String, proxy_url: String },
    #[error("context {context:?}: {message}")]
    Invalid { context: String, message: String },
    #[error(
        "context {context:?}: the client certificate expired on {expired_at}; renew it (K3s: restart k3s or run `k3s certificate rotate`) and export the kubeconfig again"
    )]
    ExpiredClientCert {
        context: String,
        expired_at: jiff::Timestamp,
    },
    #[error(
        "context {context:?} sets insecure-skip-tls-verify: pass --insecure-skip-tls-verify to accept an unverified connection to this site"
    )]
    InsecureNotAllowed { context: String },
    #[error(
        "context {context:?}: the serving certificate of {endpoint} does not cover {name:?} (it covers: {sans}). {fix}"
    )]
    SanMismatch {
        context: String,
        endpoint: String,
        name: String,
        sans: String,
        fix: String,
    },
    #[error(
        "context {context:?}: the serving certificate of {endpoint} is not signed by the kubeconfig's CA ({detail}); is the address pointing at the right cluster?"
    )]
    CaMismatch {
        context: String,
        endpoint: String,
        detail: String,
    },
    #[error(
        "context {context:?}: the serving certificate of {endpoint} is not valid now ({detail})"
    )]
    ServingCertExpired {
        context: String,
        endpoint: String,
        detail: String,
    },
    #[error(
        "the approved exec plugin {hash} is not in this import: the command line changed \
         since the preview; preview again and approve what it shows"
    )]
    ExecApprovalMismatch { hash: String },
    #[error(
        "the approved file {hash} is not in this import: its path or size changed since \
         the preview; preview again and approve what it shows"
    )]
    FileApprovalMismatch { hash: String },
    #[error("{0}")]
    Duplicate(String),
    #[error("{0}")]
    Usage(String),
    #[error("sites file {path}: {reason}")]
    SitesFile { path: PathBuf, reason: String },
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl ImportError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ImportError::Yaml { .. }
            | ImportError::NoContexts(_)
            | ImportError::NoCurrentContext { .. }
            | ImportError::Invalid { .. }
            | ImportError::Usage(_)
            | ImportError::FileRefRefused { .. }
            | ImportError::ProxyUnsupported { .. }
            | ImportError::SitesFile { .. } => ErrorKind::InvalidInput,
            ImportError::Input { .. }
            | ImportError::ContextNotFound { .. }
            | ImportError::MissingFile { .. } => ErrorKind::NotFound,
            ImportError::ExpiredClientCert { .. } => ErrorKind::Auth,
            ImportError::InsecureNotAllowed { .. }
            | ImportError::FileRefNeedsApproval { .. }
            | ImportError::ExecApprovalMismatch { .. }
            | ImportError::FileApprovalMismatch { .. } => ErrorKind::Denied,
            ImportError::SanMismatch { .. }
            | ImportError::CaMismatch { .. }
            | ImportError::ServingCertExpired { .. } => ErrorKind::Tls,
            ImportError::Duplicate(_) => ErrorKind::AlreadyExists,
            ImportError::Credentials(e) => e.kind(),
            ImportError::Registry(e) => e.kind(),
        }
    }
}

/// Where the kubeconfig comes from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file; it may name files in its own folder, others only once approved
    /// ([`ImportOptions::allowed_files`]).
    Path(PathBuf),
    /// Pasted text or stdin; it may name no file at all.
    Text { text: String },
}

/// Which contexts to import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Selection {
    /// The kubeconfig's `current-context`.
    #[default]
    Current,
    Context(String),
    All,
}

/// Import options (the CLI flags and the UI's form).
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub selection: Selection,
    /// Site name (one context only).
    pub name: Option<String>,
    /// `HOST[:PORT]` the site is reached at (one context only).
    pub address: Option<String>,
    pub location: Option<(f64, f64)>,
    pub tags: Vec<String>,
    pub sites_file: Option<PathBuf>,
    /// Files outside the kubeconfig's folder the user approved reading (exactly as
    /// the preview shows them).
    pub allowed_files: Vec<PathBuf>,
    /// Files outside the kubeconfig's folder the user approved in the preview, by
    /// their [`FileRef::approval`] hashes; a hash matching no file refuses the import.
    pub approved_files: Vec<String>,
    /// Per-site opt-in to skip TLS verification.
    pub insecure_skip_tls_verify: bool,
    /// Budget for fetching the serving certificate.
    pub tls_timeout: Duration,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            selection: Selection::Current,
            name: None,
            address: None,
            location: None,
            tags: Vec::new(),
            sites_file: None,
            allowed_files: Vec::new(),
            approved_files: Vec::new(),
            insecure_skip_tls_verify: false,
            tls_timeout: Duration::from_secs(3),
        }
    }
}

/// A kubeconfig entry renamed to the site's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    /// `cluster`, `user` or `context`.
    pub entry: &'static str,
    pub from: String,
    pub to: String,
}

/// What importing one context will do.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedSite {
    pub context: String,
    /// The record that will be written.
    pub site: Site,
    pub renames: Vec<Rename>,
    pub server_before: String,
    pub server_after: String,
    pub san_check: SanCheck,
    pub credential_kind: CredentialKind,
    /// The exec plugin, as shown for approval.
    pub exec: Option<ExecPreview>,
    /// An exec plugin that will not run until approved ([`ImportPlan::approve_exec`]).
    pub exec_needs_approval: bool,
    pub client_cert_expires: Option<jiff::Timestamp>,
    /// The files this site reads (outside ones pending approval are listed, not read).
    pub file_refs: Vec<FileRef>,
    pub warnings: Vec<String>,
    /// Keyring items to write (never serialized).
    #[serde(skip)]
    pub(crate) secrets: Vec<(Item, Secret)>,
}

impl PlannedSite {
    /// The keyring items this site will get.
    pub fn items(&self) -> Vec<Item> {
        self.secrets.iter().map(|(i, _)| *i).collect()
    }
}

/// The preview of an import.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPlan {
    pub source: String,
    pub sites: Vec<PlannedSite>,
}
