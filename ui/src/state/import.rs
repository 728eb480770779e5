//! The import wizard's state: the form, the preview and the outcome. Pure, so it is
//! unit-tested natively; the component only renders it and calls the backend.

use outpost_ipc::{ImportPreview, ImportRequest, ImportSource, IpcError};
use std::rc::Rc;
use yew::Reducible;

/// Where the kubeconfig text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceKind {
    #[default]
    File,
    Paste,
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
    pub fn request(&self) -> Result<ImportRequest, String> {
        if self.text.trim().is_empty() {
            return Err(match self.source {
                SourceKind::File => "Choose a kubeconfig file first.".into(),
                SourceKind::Paste => "Paste a kubeconfig first.".into(),
            });
        }
        let lat = coord(&self.latitude, -90.0..=90.0)
            .map_err(|_| "Latitude must be a number between -90 and 90.".to_string())?;
        let lon = coord(&self.longitude, -180.0..=180.0)
            .map_err(|_| "Longitude must be a number between -180 and 180.".to_string())?;
        let location = match (lat, lon) {
            (Some(a), Some(o)) => Some((a, o)),
            (None, None) => None,
            _ => return Err("Give both latitude and longitude, or neither.".into()),
        };
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(ImportRequest {
            source: ImportSource::Text {
                text: self.text.clone(),
            },
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
            ImportAction::Insecure(b) => n.insecure = b,
            ImportAction::Pick { lat, lon } => {
                n.latitude = format!("{lat:.4}");
                n.longitude = format!("{lon:.4}");
            }
            ImportAction::Check => n.stage = Stage::Checking,
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
mod tests {
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
        assert!(
            ImportForm::default()
                .request()
                .unwrap_err()
                .contains("Choose")
        );
        let f = filled().apply(ImportAction::Set(Field::Latitude, "48.1".into()));
        assert!(f.request().unwrap_err().contains("both"));
        let f = f.apply(ImportAction::Set(Field::Longitude, "200".into()));
        assert!(f.request().unwrap_err().contains("Longitude"));
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
                credential_kind: "exec".into(),
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

    #[test]
    fn edits_are_ignored_while_busy() {
        let f = filled().apply(ImportAction::Check);
        assert_eq!(
            f.apply(ImportAction::Paste("x".into())).text,
            "apiVersion: v1"
        );
    }
}
