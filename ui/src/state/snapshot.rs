//! Snapshot bundles in the UI: the site view's export form and "changes since the
//! snapshot" panel, the "Import snapshot…" dialog and the notices of files dropped on
//! the window. Pure: no DOM, no IPC.

use super::time::format_utc_secs;
use outpost_ipc::snapshot::{
    DiffEntry, DiffKind, ExportedBundle, ImportPreview, ImportResult, MAX_UPLOAD_BYTES, Notice,
    SnapshotDiff,
};
use outpost_ipc::{ErrorKind, IpcError};
use std::rc::Rc;
use yew::Reducible;

/// Where a one-shot action (export, import) stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Step<T> {
    #[default]
    Idle,
    Busy,
    Done(T),
    Failed(IpcError),
}

/// The export form of the site view.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Export {
    pub open: bool,
    pub passphrase: String,
    pub step: Step<ExportedBundle>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExportAction {
    Toggle,
    Passphrase(String),
    Start,
    Finished(Box<Result<ExportedBundle, IpcError>>),
}

impl Reducible for Export {
    type Action = ExportAction;

    fn reduce(self: Rc<Self>, action: ExportAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            ExportAction::Toggle if s.step == Step::Busy => {}
            ExportAction::Toggle => {
                s.open = !s.open;
                s.step = Step::Idle;
            }
            ExportAction::Passphrase(p) => s.passphrase = p,
            ExportAction::Start if s.step == Step::Busy => return self,
            ExportAction::Start => s.step = Step::Busy,
            ExportAction::Finished(r) => {
                // The passphrase is not kept once used.
                s.passphrase.clear();
                s.step = match *r {
                    Ok(b) => Step::Done(b),
                    // The save dialog was dismissed: nothing to report.
                    Err(e) if e.kind == ErrorKind::Cancelled => Step::Idle,
                    Err(e) => Step::Failed(e),
                };
            }
        }
        Rc::new(s)
    }
}

/// The "changes since the snapshot" panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Changes {
    /// The site is not live: nothing to compare yet.
    #[default]
    Waiting,
    Loading,
    /// No bundle is stored for the site.
    NoSnapshot,
    Ready(SnapshotDiff),
    Failed(IpcError),
}

impl Changes {
    /// The changes shown are since the state kept before the site came back (they can
    /// be dismissed, and follow the live state).
    pub fn is_reconnect(&self) -> bool {
        matches!(self, Changes::Ready(d) if d.reconnect)
    }

    pub fn loaded(r: Result<Option<SnapshotDiff>, IpcError>) -> Changes {
        match r {
            Ok(Some(d)) => Changes::Ready(d),
            Ok(None) => Changes::NoSnapshot,
            Err(e) => Changes::Failed(e),
        }
    }
}

/// One change as a sentence.
pub fn change_text(e: &DiffEntry) -> String {
    let arrow = || {
        format!(
            "{} → {}",
            e.from.as_deref().unwrap_or("—"),
            e.to.as_deref().unwrap_or("—")
        )
    };
    let subject = &e.subject;
    match e.kind {
        DiffKind::Version => format!("Kubernetes version: {}", arrow()),
        DiffKind::NodeAdded => format!("Node added: {}", node(subject)),
        DiffKind::NodeRemoved => format!("Node removed: {}", node(subject)),
        DiffKind::NodeReady => format!("Node {} ready: {}", node(subject), arrow()),
        DiffKind::NodeVersion => format!("Node {} kubelet: {}", node(subject), arrow()),
        DiffKind::WorkloadAdded => format!("Workload added: {subject}"),
        DiffKind::WorkloadRemoved => format!("Workload removed: {subject}"),
        DiffKind::Image => format!("Image of {subject}: {}", arrow()),
        DiffKind::Replicas => format!("Replicas of {subject}: {}", arrow()),
        DiffKind::CrashLoopStarted => format!("New crash loop: {subject}"),
        DiffKind::CrashLoopEnded => format!("Crash loop ended: {subject}"),
    }
}

fn node(subject: &str) -> &str {
    subject.strip_prefix("Node/").unwrap_or(subject)
}

/// A CSS class per kind of change (bad news stands out).
pub fn change_class(k: DiffKind) -> &'static str {
    match k {
        DiffKind::CrashLoopStarted | DiffKind::NodeRemoved | DiffKind::WorkloadRemoved => {
            "change change-bad"
        }
        DiffKind::CrashLoopEnded | DiffKind::NodeAdded | DiffKind::WorkloadAdded => {
            "change change-good"
        }
        _ => "change",
    }
}

/// Human file size.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

/// What an export wrote.
pub fn exported_text(b: &ExportedBundle) -> String {
    let mut s = format!("Saved {} ({}", b.path, size_text(b.bytes));
    if b.encrypted {
        s.push_str(", encrypted");
    }
    s.push(')');
    if b.from_snapshot {
        s.push_str(&format!(
            " from the stored snapshot as of {}: the site did not answer",
            format_utc_secs(b.summary.taken_at_ms)
        ));
    }
    s
}

/// What an import did.
pub fn imported_text(r: &ImportResult) -> String {
    let s = &r.summary;
    let mut t = format!(
        "Imported {}: offline snapshot as of {}",
        s.display_name,
        format_utc_secs(s.taken_at_ms)
    );
    if r.registered {
        t.push_str(" (new site, without credentials: shown from the snapshot)");
    }
    t
}

/// What the confirmation says about a bundle before it is imported.
pub fn preview_text(p: &ImportPreview) -> String {
    let s = &p.summary;
    let mut t = format!(
        "{} ({}), taken at {} from {}",
        s.display_name,
        s.site,
        format_utc_secs(s.taken_at_ms),
        p.endpoint
    );
    match (&p.registered_endpoint, p.endpoint_differs) {
        (Some(r), true) => t.push_str(&format!(
            ". {} is registered at {r}: this bundle may be another cluster, so it can only be imported as a new site.",
            s.site
        )),
        (Some(_), false) => t.push_str(". It replaces the snapshot of the registered site."),
        (None, _) => t.push_str(". A new site, registered without credentials."),
    }
    t
}

/// Why a confirmation cannot import yet: the bundle's endpoint differs from the
/// registered site's, so it needs a new site name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameNeeded;

/// The name a confirmation imports under: none for the site the bundle names, the
/// typed one when the endpoint differs ([`NameNeeded`] while none is typed).
pub fn confirm_name(p: &ImportPreview, typed: &str) -> Result<Option<String>, NameNeeded> {
    match (p.endpoint_differs, typed.trim()) {
        (false, _) => Ok(None),
        (true, "") => Err(NameNeeded),
        (true, n) => Ok(Some(n.to_string())),
    }
}

/// A notice as shown.
pub fn notice_text(n: &Notice) -> String {
    let file = n.path.rsplit(['/', '\\']).next().unwrap_or(&n.path);
    match (&n.imported, &n.error, &n.preview) {
        (Some(r), _, _) => format!("{file}: {}", imported_text(r)),
        (None, Some(e), _) => format!(
            "{file} was not imported ({}): {}",
            e.kind.as_str(),
            e.message
        ),
        (None, None, Some(p)) => format!("{file}: import {}?", preview_text(p)),
        (None, None, None) => format!("{file}: nothing happened"),
    }
}

/// The notices on screen, newest first, at most [`MAX_NOTICES`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notices {
    pub items: Vec<(u64, Notice)>,
    next: u64,
    /// New-site names typed for dropped bundles waiting for confirmation.
    pub names: std::collections::BTreeMap<u64, String>,
    /// Dropped bundles being imported after their confirmation.
    pub busy: std::collections::BTreeSet<u64>,
}

pub const MAX_NOTICES: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub enum NoticeAction {
    Add(Box<Notice>),
    Dismiss(u64),
    NewName(u64, String),
    /// The user confirmed the import of a dropped bundle.
    Confirming(u64),
    Resolved(u64, Box<Result<ImportResult, IpcError>>),
}

impl Reducible for Notices {
    type Action = NoticeAction;

    fn reduce(self: Rc<Self>, action: NoticeAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            NoticeAction::Add(n) => {
                s.items.insert(0, (s.next, *n));
                s.next += 1;
                s.items.truncate(MAX_NOTICES);
            }
            NoticeAction::Dismiss(id) => {
                s.items.retain(|(i, _)| *i != id);
                s.names.remove(&id);
                s.busy.remove(&id);
            }
            NoticeAction::NewName(id, name) => {
                s.names.insert(id, name);
            }
            NoticeAction::Confirming(id) => {
                s.busy.insert(id);
            }
            NoticeAction::Resolved(id, r) => {
                s.busy.remove(&id);
                if let Some((_, n)) = s.items.iter_mut().find(|(i, _)| *i == id) {
                    match *r {
                        Ok(done) => {
                            n.preview = None;
                            n.imported = Some(done);
                            n.error = None;
                        }
                        // Kept: the user can pick another name and confirm again.
                        Err(e) => n.error = Some(e),
                    }
                }
            }
        }
        Rc::new(s)
    }
}

/// The "Import snapshot…" dialog: pick a file, read it (preview), confirm.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportForm {
    pub open: bool,
    /// Name and size of the picked file.
    pub file: Option<(String, u64)>,
    pub passphrase: String,
    /// The picked bundle as read, waiting for the user's confirmation.
    pub preview: Option<ImportPreview>,
    /// The new site's name, when the bundle's endpoint differs from the registered one.
    pub new_name: String,
    pub step: Step<ImportResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportAction {
    Toggle,
    Picked(String, u64),
    Passphrase(String),
    NewName(String),
    /// Reading the picked file for its preview.
    Start,
    Previewed(Result<ImportPreview, IpcError>),
    /// The user confirmed the previewed import.
    Confirm,
    Finished(Result<ImportResult, IpcError>),
}

impl ImportForm {
    /// Why the picked file cannot be sent (over the upload bound), if it cannot.
    pub fn refusal(&self) -> Option<String> {
        let (_, size) = self.file.as_ref()?;
        (*size > MAX_UPLOAD_BYTES).then(|| {
            format!(
                "This file is {}; files over {} are imported by dropping them on the window.",
                size_text(*size),
                size_text(MAX_UPLOAD_BYTES)
            )
        })
    }

    /// The picked file can be read for its preview.
    pub fn can_start(&self) -> bool {
        self.file.is_some()
            && self.refusal().is_none()
            && self.step != Step::Busy
            && self.preview.is_none()
    }

    /// The previewed bundle can be imported (with a new name if it needs one).
    pub fn can_confirm(&self) -> bool {
        self.step != Step::Busy
            && !matches!(self.step, Step::Done(_))
            && self
                .preview
                .as_ref()
                .is_some_and(|p| confirm_name(p, &self.new_name).is_ok())
    }
}

impl Reducible for ImportForm {
    type Action = ImportAction;

    fn reduce(self: Rc<Self>, action: ImportAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            ImportAction::Toggle if s.step == Step::Busy => return self,
            ImportAction::Toggle => {
                let open = !s.open;
                s = ImportForm::default();
                s.open = open;
            }
            ImportAction::Picked(name, size) => {
                s.file = Some((name, size));
                s.preview = None;
                s.new_name.clear();
                s.step = Step::Idle;
            }
            ImportAction::Passphrase(p) => s.passphrase = p,
            ImportAction::NewName(n) => s.new_name = n,
            ImportAction::Start if !s.can_start() => return self,
            ImportAction::Confirm if !s.can_confirm() => return self,
            ImportAction::Start | ImportAction::Confirm => s.step = Step::Busy,
            ImportAction::Previewed(r) => match r {
                Ok(p) => {
                    s.preview = Some(p);
                    s.step = Step::Idle;
                }
                Err(e) => s.step = Step::Failed(e),
            },
            ImportAction::Finished(r) => {
                s.step = match r {
                    Ok(i) => {
                        s.passphrase.clear();
                        Step::Done(i)
                    }
                    // Kept on failure: a wrong passphrase is retyped, not the file re-picked.
                    Err(e) => Step::Failed(e),
                };
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
