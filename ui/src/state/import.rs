//! The import wizard's state: the form, the preview and the outcome. Pure, so it is
//! unit-tested natively; the component only renders it and calls the backend.

use super::form_errors::ImportFormError;
use outpost_ipc::{ImportPreview, ImportRequest, ImportSource, IpcError};
use std::rc::Rc;
use yew::Reducible;

/// Where the kubeconfig text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceKind {
    #[default]
    File,
    Paste,
    /// A path on this computer: the backend reads the file, and the files it names
    /// (outside its folder only once approved).
    Path,
}

/// A form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Context,
    Name,
    Address,
    Tags,
    Latitude,
    Longitude,
    /// The kubeconfig's path ([`SourceKind::Path`]).
    Path,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Stage {
    #[default]
    Editing,
    /// Waiting for `import_preview`.
    Checking,
    Previewed(ImportPreview),
    /// Waiting for `import_apply`.
    Importing,
    Done(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportForm {
    pub source: SourceKind,
    /// File content or pasted text.
    pub text: String,
    /// The picked file's name, for display.
    pub file_name: Option<String>,
    /// The kubeconfig's path on this computer ([`SourceKind::Path`]).
    pub path: String,
    pub context: String,
    pub all: bool,
    pub name: String,
    pub address: String,
    pub tags: String,
    pub latitude: String,
    pub longitude: String,
    /// Hashes of the exec plugins approved in the current preview (see
    /// [`ImportAction::ApproveExec`]); sent with the import, checked by the backend.
    pub approved_exec: Vec<String>,
    /// Hashes of the files outside the kubeconfig's folder approved in the current
    /// preview (see [`ImportAction::ApproveFile`]); sent with the import, recomputed
    /// and checked by the backend.
    pub approved_files: Vec<String>,
    pub insecure: bool,
    pub stage: Stage,
    pub error: Option<IpcError>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportAction {
    Source(SourceKind),
    FileLoaded {
        name: String,
        text: String,
    },
    Paste(String),
    Set(Field, String),
    All(bool),
    /// Approve (or not) the exec plugin the preview shows with this hash.
    ApproveExec {
        hash: String,
        approved: bool,
    },
    /// Approve (or not) reading the outside file the preview shows with this hash.
    ApproveFile {
        hash: String,
        approved: bool,
    },
    Insecure(bool),
    /// A point picked on the map.
    Pick {
        lat: f64,
        lon: f64,
    },
    Check,
    Checked(Result<ImportPreview, IpcError>),
    Import,
    Imported(Result<Vec<String>, IpcError>),
}

/// Parses a coordinate in `range`; empty is `None`.
fn coord(s: &str, range: std::ops::RangeInclusive<f64>) -> Result<Option<f64>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if range.contains(&v) => Ok(Some(v)),
        _ => Err(()),
    }
}

impl ImportForm {
    /// The request for the backend, or what is wrong with the form.
    pub fn request(&self) -> Result<ImportRequest, ImportFormError> {
        let source = match self.source {
            SourceKind::Path if self.path.trim().is_empty() => {
                return Err(ImportFormError::NoPath);
            }
            SourceKind::Path => ImportSource::Path {
                path: self.path.trim().to_string(),
            },
            _ if self.text.trim().is_empty() => {
                return Err(match self.source {
                    SourceKind::Paste => ImportFormError::NothingPasted,
                    _ => ImportFormError::NoFile,
                });
            }
            _ => ImportSource::Text {
                text: self.text.clone(),
            },
        };
        let lat = coord(&self.latitude, -90.0..=90.0).map_err(|_| ImportFormError::Latitude)?;
        let lon = coord(&self.longitude, -180.0..=180.0).map_err(|_| ImportFormError::Longitude)?;
        let location = match (lat, lon) {
            (Some(a), Some(o)) => Some((a, o)),
            (None, None) => None,
            _ => return Err(ImportFormError::HalfLocation),
        };
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(ImportRequest {
            source,
            context: opt(&self.context),
            all: self.all,
            name: if self.all { None } else { opt(&self.name) },
            address: if self.all { None } else { opt(&self.address) },
            location,
            tags: self
                .tags
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            approved_exec: self.approved_exec.clone(),
            approved_files: self.approved_files.clone(),
            insecure_skip_tls_verify: self.insecure,
        })
    }

    /// Whether the backend is busy with this form.
    pub fn busy(&self) -> bool {
        matches!(self.stage, Stage::Checking | Stage::Importing)
    }

    pub fn apply(&self, a: ImportAction) -> ImportForm {
        let mut n = self.clone();
        let edited = !matches!(
            a,
            ImportAction::Check
                | ImportAction::Checked(_)
                | ImportAction::Import
                | ImportAction::Imported(_)
                | ImportAction::ApproveExec { .. }
                | ImportAction::ApproveFile { .. }
        );
        if edited && self.busy() {
            return n;
        }
        match a {
            ImportAction::Source(s) => n.source = s,
            ImportAction::FileLoaded { name, text } => {
                n.file_name = Some(name);
                n.text = text;
            }
            ImportAction::Paste(t) => n.text = t,
            ImportAction::Set(f, v) => match f {
                Field::Context => n.context = v,
                Field::Name => n.name = v,
                Field::Address => n.address = v,
                Field::Tags => n.tags = v,
                Field::Latitude => n.latitude = v,
                Field::Longitude => n.longitude = v,
                Field::Path => n.path = v,
            },
            ImportAction::All(b) => n.all = b,
            ImportAction::ApproveExec { hash, approved } => {
                // Only a plugin the current preview shows can be approved.
                let shown = matches!(&self.stage, Stage::Previewed(p)
                    if p.sites.iter().any(|s| s.exec.as_ref().is_some_and(|e| e.hash == hash)));
                n.approved_exec.retain(|h| *h != hash);
                if approved && shown && !self.busy() {
                    n.approved_exec.push(hash);
                }
            }
            ImportAction::ApproveFile { hash, approved } => {
                // Only a file the current preview shows as outside can be approved.
                let shown = matches!(&self.stage, Stage::Previewed(p)
                    if p.sites.iter().flat_map(|s| &s.file_refs)
                        .any(|f| f.approval.as_deref() == Some(hash.as_str())));
                n.approved_files.retain(|h| *h != hash);
                if approved && shown && !self.busy() {
                    n.approved_files.push(hash);
                }
            }
            ImportAction::Insecure(b) => n.insecure = b,
            ImportAction::Pick { lat, lon } => {
                n.latitude = format!("{lat:.4}");
                n.longitude = format!("{lon:.4}");
            }
            ImportAction::Check => {
                n.stage = Stage::Checking;
                n.error = None;
            }
            ImportAction::Checked(Ok(p)) => n.stage = Stage::Previewed(p),
            ImportAction::Checked(Err(e)) => {
                n.stage = Stage::Editing;
                n.error = Some(e);
            }
            ImportAction::Import => n.stage = Stage::Importing,
            ImportAction::Imported(Ok(names)) => n.stage = Stage::Done(names),
            ImportAction::Imported(Err(e)) => {
                n.stage = Stage::Editing;
                n.error = Some(e);
            }
        }
        if edited {
            // Any edit invalidates the preview, its approvals and the last error.
            n.error = None;
            n.approved_exec.clear();
            n.approved_files.clear();
            if matches!(n.stage, Stage::Previewed(_)) {
                n.stage = Stage::Editing;
            }
        }
        n
    }
}

impl Reducible for ImportForm {
    type Action = ImportAction;

    fn reduce(self: Rc<Self>, a: ImportAction) -> Rc<Self> {
        Rc::new(self.apply(a))
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
