//! Files a kubeconfig names (`certificate-authority`, `client-certificate`,
//! `client-key`, `tokenFile`): shown in the preview and bounded.
//!
//! Pasted or dropped text may name no file at all. A kubeconfig read from a path may
//! name files inside its own folder (after resolving `..` and symlinks); any other
//! path must be approved exactly as the preview and the error show it. Only regular
//! files of at most [`MAX_REF_BYTES`] are read (`/dev/zero`, FIFOs and directories are
//! refused before being opened).

use super::ImportError;
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest file a kubeconfig may reference.
pub const MAX_REF_BYTES: u64 = 1 << 20;

/// A file a kubeconfig entry names, as read for the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    /// The kubeconfig field (`client-key`, `tokenFile`…).
    pub field: &'static str,
    /// The path as resolved (absolute, `..` and symlinks resolved).
    pub path: PathBuf,
    /// Outside the kubeconfig's folder, read because the user approved this path.
    pub approved: bool,
}

/// Reads the files a kubeconfig names, under the rules of the module doc.
#[derive(Debug)]
pub(super) struct RefReader {
    /// The kubeconfig's folder (canonical); `None` for pasted text.
    base: Option<PathBuf>,
    approved: Vec<PathBuf>,
    /// Files read so far for the current context.
    pub(super) read: Vec<FileRef>,
}

fn canonical(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

impl RefReader {
    /// For a kubeconfig at `base` (its folder; `None` for text), with the paths the
    /// user approved.
    pub(super) fn new(base: Option<&Path>, approved: &[PathBuf]) -> Self {
        RefReader {
            base: base.map(|b| canonical(b).unwrap_or_else(|| b.to_path_buf())),
            approved: approved
                .iter()
                .map(|p| canonical(p).unwrap_or_else(|| p.clone()))
                .collect(),
            read: Vec::new(),
        }
    }

    /// Reads `path` named by `field` of context `ctx`.
    pub(super) fn read(
        &mut self,
        path: &str,
        field: &'static str,
        ctx: &str,
    ) -> Result<Vec<u8>, ImportError> {
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
        let inside = resolved.starts_with(base);
        let approved = !inside && self.approved.contains(&resolved);
        if !inside && !approved {
            return Err(ImportError::FileRefNeedsApproval {
                context: ctx.to_string(),
                field,
                path: resolved,
            });
        }
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
        self.read.push(FileRef {
            field,
            path: resolved,
            approved,
        });
        Ok(out)
    }
}
