//! Files a kubeconfig names (`certificate-authority`, `client-certificate`,
//! `client-key`, `tokenFile`): shown in the preview and bounded.
//!
//! Pasted or dropped text may name no file at all. A kubeconfig read from a path may
//! name files inside its own folder (after resolving `..` and symlinks); any other
//! path must be approved exactly as the preview and the error show it: by its path
//! (the CLI's `--allow-file`) or by the [`FileRef::approval`] hash the preview shows
//! (the wizard), which binds the context, the field, the resolved path and the size.
//! An outside file not approved is not read: the plan lists it as pending and
//! [`super::apply`] refuses while one is. Only regular files of at most
//! [`MAX_REF_BYTES`] are read (`/dev/zero`, FIFOs and directories are refused before
//! being opened).

use super::approval::Approval;
use super::{ImportError, ImportPlan};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest file a kubeconfig may reference.
pub const MAX_REF_BYTES: u64 = 1 << 20;

/// What a referenced file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `certificate-authority`
    Ca,
    /// `client-certificate`
    ClientCert,
    /// `client-key`
    ClientKey,
    /// `tokenFile`
    Token,
}

impl FileKind {
    fn of(field: &str) -> FileKind {
        match field {
            "certificate-authority" => FileKind::Ca,
            "client-certificate" => FileKind::ClientCert,
            "client-key" => FileKind::ClientKey,
            _ => FileKind::Token,
        }
    }
}

impl From<FileKind> for outpost_ipc::FileRefKind {
    fn from(k: FileKind) -> Self {
        match k {
            FileKind::Ca => outpost_ipc::FileRefKind::Ca,
            FileKind::ClientCert => outpost_ipc::FileRefKind::ClientCert,
            FileKind::ClientKey => outpost_ipc::FileRefKind::ClientKey,
            FileKind::Token => outpost_ipc::FileRefKind::Token,
        }
    }
}

/// A file a kubeconfig entry names, as found for the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    /// The kubeconfig field (`client-key`, `tokenFile`…).
    pub field: &'static str,
    pub kind: FileKind,
    /// The path as resolved (absolute, `..` and symlinks resolved).
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Outside the kubeconfig's folder.
    pub outside: bool,
    /// Outside the kubeconfig's folder and read because the user approved it; an
    /// outside file with `approved == false` was not read and blocks the import.
    pub approved: bool,
    /// For an outside file: the hash that approves exactly this file (context, field,
    /// path and size), what the wizard sends back.
    pub approval: Option<String>,
}

impl FileRef {
    /// Outside the folder and not approved: not read, the import cannot apply.
    pub fn pending(&self) -> bool {
        self.outside && !self.approved
    }
}

/// The approval hash of an outside file (see [`FileRef::approval`]).
fn approval_hash(context: &str, field: &str, path: &Path, size: u64) -> String {
    let mut h = Approval::new("outpost-file-v1");
    h.field(context.as_bytes());
    h.field(field.as_bytes());
    h.field(path.as_os_str().as_encoded_bytes());
    h.field(&size.to_be_bytes());
    h.hex()
}

/// Reads the files a kubeconfig names, under the rules of the module doc.
#[derive(Debug)]
pub(super) struct RefReader {
    /// The kubeconfig's folder (canonical); `None` for pasted text.
    base: Option<PathBuf>,
    approved: Vec<PathBuf>,
    /// Approval hashes from the preview ([`FileRef::approval`]).
    approved_hashes: Vec<String>,
    /// Files found so far for the current context (read, or pending approval).
    pub(super) read: Vec<FileRef>,
}

fn canonical(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

impl RefReader {
    /// For a kubeconfig at `base` (its folder; `None` for text), with the paths and
    /// the approval hashes the user approved.
    pub(super) fn new(base: Option<&Path>, approved: &[PathBuf], hashes: &[String]) -> Self {
        RefReader {
            base: base.map(|b| canonical(b).unwrap_or_else(|| b.to_path_buf())),
            approved: approved
                .iter()
                .map(|p| canonical(p).unwrap_or_else(|| p.clone()))
                .collect(),
            approved_hashes: hashes.to_vec(),
            read: Vec::new(),
        }
    }

    /// Reads `path` named by `field` of context `ctx`; `None` for a file outside the
    /// folder that is not approved (listed as pending, not read).
    pub(super) fn read(
        &mut self,
        path: &str,
        field: &'static str,
        ctx: &str,
    ) -> Result<Option<Vec<u8>>, ImportError> {
        let refused = |path: PathBuf, reason: String| ImportError::FileRefRefused {
            context: ctx.to_string(),
            field,
            path,
            reason,
        };
        let Some(base) = &self.base else {
            return Err(refused(
                PathBuf::from(path),
                "pasted or dropped text cannot reference files: embed it as *-data, or \
                 import the kubeconfig from its file"
                    .into(),
            ));
        };
        let p = PathBuf::from(path);
        let joined = if p.is_relative() { base.join(p) } else { p };
        let missing = |path: PathBuf, reason: String| ImportError::MissingFile {
            context: ctx.to_string(),
            field,
            path,
            reason,
        };
        let resolved =
            std::fs::canonicalize(&joined).map_err(|e| missing(joined.clone(), e.to_string()))?;
        let outside = !resolved.starts_with(base);
        // Only stat before approval: the size is part of what is shown and approved.
        let meta =
            std::fs::metadata(&resolved).map_err(|e| missing(resolved.clone(), e.to_string()))?;
        if !meta.is_file() {
            return Err(refused(resolved, "not a regular file".into()));
        }
        if meta.len() > MAX_REF_BYTES {
            return Err(refused(
                resolved,
                format!("larger than {MAX_REF_BYTES} bytes"),
            ));
        }
        let approval = outside.then(|| approval_hash(ctx, field, &resolved, meta.len()));
        let approved = approval
            .as_ref()
            .is_some_and(|h| self.approved.contains(&resolved) || self.approved_hashes.contains(h));
        let found = FileRef {
            field,
            kind: FileKind::of(field),
            path: resolved.clone(),
            size: meta.len(),
            outside,
            approved,
            approval,
        };
        if outside && !approved {
            tracing::info!(
                field,
                "file outside the kubeconfig's folder awaits approval"
            );
            self.read.push(found);
            return Ok(None);
        }
        let f =
            std::fs::File::open(&resolved).map_err(|e| missing(resolved.clone(), e.to_string()))?;
        let mut out = Vec::new();
        f.take(MAX_REF_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| missing(resolved.clone(), e.to_string()))?;
        if out.len() as u64 > MAX_REF_BYTES {
            return Err(refused(
                resolved,
                format!("larger than {MAX_REF_BYTES} bytes"),
            ));
        }
        if out.len() as u64 != meta.len() && outside {
            return Err(refused(
                resolved,
                "the file changed while it was read: preview again".into(),
            ));
        }
        self.read.push(found);
        Ok(Some(out))
    }
}

impl ImportPlan {
    /// The files outside the kubeconfig's folder that are not approved (not read).
    pub fn pending_files(&self) -> Vec<(&str, &FileRef)> {
        self.sites
            .iter()
            .flat_map(|p| p.file_refs.iter().map(move |f| (p.context.as_str(), f)))
            .filter(|(_, f)| f.pending())
            .collect()
    }

    /// Refuses while a file outside the kubeconfig's folder is not approved, naming
    /// the first one (the error the CLI prints, with its `--allow-file`).
    pub fn require_files_approved(&self) -> Result<(), ImportError> {
        match self.pending_files().first() {
            Some((ctx, f)) => Err(ImportError::FileRefNeedsApproval {
                context: ctx.to_string(),
                field: f.field,
                path: f.path.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Refuses when an approval hash matches no outside file of the plan: what the
    /// user approved is not what would be read (another path, or the file changed).
    pub(super) fn check_file_approvals(&self, hashes: &[String]) -> Result<(), ImportError> {
        for h in hashes {
            let shown = self
                .sites
                .iter()
                .flat_map(|p| &p.file_refs)
                .any(|f| f.approval.as_ref() == Some(h));
            if !shown {
                return Err(ImportError::FileApprovalMismatch { hash: h.clone() });
            }
        }
        Ok(())
    }
}
