//! The Rollouts view's state: the rollouts of the profile, the new-rollout form, its
//! wave preview and the confirmation, the watched rollout's live state, and its report.
//! Pure: no DOM, no IPC.

use super::Load;
use super::form_errors::RolloutFormError;
use outpost_ipc::IpcError;
use outpost_ipc::rollout::{
    OnFailure, RolloutInfo, RolloutPlanPreview, RolloutPlanRequest, RolloutReportText,
    RolloutStatus, RolloutTargets, SiteProgress, SiteRolloutStatus,
};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::Reducible;

/// The default waves: one canary site, then up to 25 %, then the rest.
pub const DEFAULT_WAVES: &str = "1,25%,100%";

/// Which sites the form targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetKind {
    #[default]
    All,
    Tag,
    Sites,
}

/// The new-rollout form, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// `namespace/name`.
    pub workload: String,
    pub container: String,
    pub image: String,
    pub target: TargetKind,
    pub tag: String,
    /// Picked sites (target `Sites`), in the order picked.
    pub sites: Vec<String>,
    pub waves: String,
    /// Seconds.
    pub soak: String,
    /// Seconds.
    pub deadline: String,
    pub max_failures: String,
    pub on_failure: OnFailure,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            workload: String::new(),
            container: String::new(),
            image: String::new(),
            target: TargetKind::All,
            tag: String::new(),
            sites: Vec::new(),
            waves: DEFAULT_WAVES.into(),
            soak: "60".into(),
            deadline: "600".into(),
            max_failures: "0".into(),
            on_failure: OnFailure::Rollback,
        }
    }
}

/// One edit of the form.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Workload(String),
    Container(String),
    Image(String),
    Target(TargetKind),
    Tag(String),
    /// Picks or unpicks a site.
    Site(String, bool),
    Waves(String),
    Soak(String),
    Deadline(String),
    MaxFailures(String),
    OnFailure(OnFailure),
}

/// Milliseconds from seconds (`30`, `30s`) in `min..=86400`, else `err`.
fn secs(s: &str, min: f64, err: RolloutFormError) -> Result<u64, RolloutFormError> {
    match s.trim().trim_end_matches('s').trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= min && v <= 86_400.0 => Ok((v * 1000.0).round() as u64),
        _ => Err(err),
    }
}

impl Form {
    pub fn apply(&mut self, e: Edit) {
        match e {
            Edit::Workload(v) => self.workload = v,
            Edit::Container(v) => self.container = v,
            Edit::Image(v) => self.image = v,
            Edit::Target(t) => self.target = t,
            Edit::Tag(v) => self.tag = v,
            Edit::Site(s, picked) => {
                let had = self.sites.contains(&s);
                if picked && !had {
                    self.sites.push(s);
                } else if !picked {
                    self.sites.retain(|x| *x != s);
                }
            }
            Edit::Waves(v) => self.waves = v,
            Edit::Soak(v) => self.soak = v,
            Edit::Deadline(v) => self.deadline = v,
            Edit::MaxFailures(v) => self.max_failures = v,
            Edit::OnFailure(v) => self.on_failure = v,
        }
    }

    /// The request, or what is missing (the backend checks names and waves again).
    pub fn request(&self) -> Result<RolloutPlanRequest, RolloutFormError> {
        let workload = self.workload.trim();
        match workload.split_once('/') {
            Some((ns, n)) if !ns.is_empty() && !n.is_empty() => {}
            _ => return Err(RolloutFormError::Workload),
        }
        let (container, image) = (self.container.trim(), self.image.trim());
        if container.is_empty() {
            return Err(RolloutFormError::Container);
        }
        if image.is_empty() || image.contains(char::is_whitespace) {
            return Err(RolloutFormError::Image);
        }
        let targets = match self.target {
            TargetKind::All => RolloutTargets::All,
            TargetKind::Tag if self.tag.trim().is_empty() => {
                return Err(RolloutFormError::Tag);
            }
            TargetKind::Tag => RolloutTargets::Tag(self.tag.trim().into()),
            TargetKind::Sites if self.sites.is_empty() => {
                return Err(RolloutFormError::Sites);
            }
            TargetKind::Sites => RolloutTargets::Sites(self.sites.clone()),
        };
        let waves = if self.waves.trim().is_empty() {
            DEFAULT_WAVES.to_string()
        } else {
            self.waves.trim().to_string()
        };
        let max_failures = self
            .max_failures
            .trim()
            .parse::<u32>()
            .map_err(|_| RolloutFormError::FailureBudget)?;
        Ok(RolloutPlanRequest {
            workload: workload.into(),
            images: BTreeMap::from([(container.to_string(), image.to_string())]),
            targets,
            waves,
            deadline_ms: secs(&self.deadline, 1.0, RolloutFormError::Deadline)?,
            soak_ms: secs(&self.soak, 0.0, RolloutFormError::Soak)?,
            max_failures,
            on_failure: self.on_failure,
        })
    }
}

/// The view's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rollouts {
    pub list: Load<Vec<RolloutInfo>>,
    /// The new-rollout form is shown (instead of a rollout).
    pub creating: bool,
    pub form: Form,
    /// The preview of `form` as it was when asked; `None` while none or asked.
    pub preview: Option<(RolloutPlanRequest, Result<RolloutPlanPreview, IpcError>)>,
    pub previewing: bool,
    /// The start confirmation is open.
    pub confirming: bool,
    pub starting: bool,
    /// The rollout shown and watched.
    pub selected: Option<String>,
    /// Bumped whenever the watch must be (re)opened (selection, start, resume, abort).
    pub watch_gen: u32,
    /// A control request (pause, resume, abort) is in flight.
    pub busy: bool,
    pub report: Option<RolloutReportText>,
    pub error: Option<IpcError>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Listed(Result<Vec<RolloutInfo>, IpcError>),
    NewRollout,
    Edit(Edit),
    Previewing,
    Previewed(RolloutPlanRequest, Result<RolloutPlanPreview, IpcError>),
    Confirm,
    CancelConfirm,
    Starting,
    Started(Result<RolloutInfo, IpcError>),
    Select(String),
    /// A state from the watch channel.
    Update(RolloutInfo),
    ControlSent,
    /// The answer of pause/resume/abort; `rewatch` after resume and abort (the run
    /// starts again in the backend).
    ControlDone(Result<RolloutInfo, IpcError>, bool),
    Report(Result<RolloutReportText, IpcError>),
    CloseReport,
    DismissError,
}

impl Rollouts {
    /// The preview, if it still matches the form.
    pub fn current_preview(&self) -> Option<&Result<RolloutPlanPreview, IpcError>> {
        let req = self.form.request().ok()?;
        self.preview
            .as_ref()
            .filter(|(asked, _)| *asked == req)
            .map(|(_, r)| r)
    }

    /// The shown rollout.
    pub fn shown(&self) -> Option<&RolloutInfo> {
        let id = self.selected.as_ref()?;
        match &self.list {
            Load::Ready(l) => l.iter().find(|r| &r.id == id),
            _ => None,
        }
    }

    fn upsert(&mut self, info: RolloutInfo) {
        if !matches!(self.list, Load::Ready(_)) {
            self.list = Load::Ready(Vec::new());
        }
        if let Load::Ready(list) = &mut self.list {
            match list.iter_mut().find(|r| r.id == info.id) {
                Some(r) => *r = info,
                None => list.insert(0, info),
            }
        }
    }

    pub fn apply(&self, action: Action) -> Rollouts {
        let mut n = self.clone();
        match action {
            Action::Listed(Ok(l)) => {
                n.creating = n.creating || (l.is_empty() && n.selected.is_none());
                if n.selected.is_none() && !n.creating {
                    n.selected = l.first().map(|r| r.id.clone());
                    n.watch_gen = n.watch_gen.wrapping_add(1);
                }
                n.list = Load::Ready(l);
            }
            Action::Listed(Err(e)) => n.list = Load::Failed(e),
            Action::NewRollout => {
                n.creating = true;
                n.confirming = false;
                n.report = None;
            }
            Action::Edit(e) => {
                n.form.apply(e);
                n.confirming = false;
            }
            Action::Previewing => {
                n.previewing = true;
                n.preview = None;
            }
            Action::Previewed(req, r) => {
                n.previewing = false;
                n.preview = Some((req, r));
            }
            Action::Confirm => {
                n.confirming = matches!(n.current_preview(), Some(Ok(p)) if !p.waves.is_empty());
            }
            Action::CancelConfirm => n.confirming = false,
            Action::Starting => {
                n.starting = true;
                n.error = None;
            }
            Action::Started(Ok(info)) => {
                n.starting = false;
                n.confirming = false;
                n.creating = false;
                n.preview = None;
                n.report = None;
                n.selected = Some(info.id.clone());
                n.watch_gen = n.watch_gen.wrapping_add(1);
                n.upsert(info);
            }
            Action::Started(Err(e)) => {
                n.starting = false;
                n.confirming = false;
                n.error = Some(e);
            }
            Action::Select(id) => {
                if n.selected.as_ref() != Some(&id) || n.creating {
                    n.report = None;
                }
                n.creating = false;
                n.confirming = false;
                n.selected = Some(id);
                n.watch_gen = n.watch_gen.wrapping_add(1);
            }
            Action::Update(info) => n.upsert(info),
            Action::ControlSent => {
                n.busy = true;
                n.error = None;
            }
            Action::ControlDone(r, rewatch) => {
                n.busy = false;
                match r {
                    Ok(info) => {
                        n.upsert(info);
                        if rewatch {
                            n.watch_gen = n.watch_gen.wrapping_add(1);
                        }
                    }
                    Err(e) => n.error = Some(e),
                }
            }
            Action::Report(Ok(r)) => n.report = Some(r),
            Action::Report(Err(e)) => n.error = Some(e),
            Action::CloseReport => n.report = None,
            Action::DismissError => n.error = None,
        }
        n
    }
}

impl Reducible for Rollouts {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

/// Whether a site in flight has completed its rollout and is in its crash-free soak.
pub fn soaking(s: &SiteProgress) -> bool {
    s.status == SiteRolloutStatus::Updating
        && s.progress
            .as_ref()
            .is_some_and(|p| p.fraction >= 1.0 && p.old == 0 && p.replicas == p.updated)
}

/// A site's status in words, and its CSS modifier.
pub fn site_status(s: &SiteProgress) -> (&'static str, &'static str) {
    match s.status {
        SiteRolloutStatus::Waiting => ("pending", "waiting"),
        SiteRolloutStatus::PendingOffline => ("pending (offline)", "offline"),
        SiteRolloutStatus::Updating if soaking(s) => ("soaking", "soaking"),
        SiteRolloutStatus::Updating => ("updating", "updating"),
        SiteRolloutStatus::Updated => ("done", "done"),
        SiteRolloutStatus::Failed => ("failed", "failed"),
        SiteRolloutStatus::RollingBack => ("rolling back", "updating"),
        SiteRolloutStatus::RolledBack => ("rolled back", "rolled-back"),
        SiteRolloutStatus::RollbackFailed => ("rollback failed", "failed"),
    }
}

/// A site's progress bar, 0..=100.
pub fn site_percent(s: &SiteProgress) -> u32 {
    let live = s
        .progress
        .as_ref()
        .map_or(0, |p| (p.fraction.clamp(0.0, 1.0) * 100.0).round() as u32);
    match s.status {
        SiteRolloutStatus::Updated | SiteRolloutStatus::RolledBack => 100,
        SiteRolloutStatus::Waiting | SiteRolloutStatus::PendingOffline => 0,
        _ => live,
    }
}

/// A rollout's status in words.
pub fn status_text(s: RolloutStatus) -> &'static str {
    match s {
        RolloutStatus::Running => "running",
        RolloutStatus::Interrupted => "interrupted (resume it)",
        RolloutStatus::Paused => "paused",
        RolloutStatus::Failed => "failed",
        RolloutStatus::Aborted => "aborted",
        RolloutStatus::Pending => "pending (offline sites left)",
        RolloutStatus::Completed => "completed",
        RolloutStatus::CompletedWithFailures => "completed with failures",
    }
}

/// Which controls apply: (pause, resume, abort).
pub fn controls(s: RolloutStatus) -> (bool, bool, bool) {
    match s {
        RolloutStatus::Running => (true, false, true),
        RolloutStatus::Paused | RolloutStatus::Pending | RolloutStatus::Interrupted => {
            (false, true, true)
        }
        RolloutStatus::Failed
        | RolloutStatus::Aborted
        | RolloutStatus::Completed
        | RolloutStatus::CompletedWithFailures => (false, false, false),
    }
}

#[path = "rollouts_map.rs"]
pub mod map;

#[cfg(test)]
#[path = "rollouts_tests.rs"]
mod tests;
