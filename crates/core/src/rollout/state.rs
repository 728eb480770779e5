//! A rollout's state, rebuilt by replaying its journal.

use super::journal::{Control, Entry, Record, SiteOutcome};
use super::plan::Plan;
use crate::actions::{Progress, WorkloadState};
use serde::{Deserialize, Serialize};

/// Where a rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    /// Stopped on request or on a failed wave (with on-failure pause); `resume` continues.
    Paused,
    /// A wave exceeded its failure budget; the failed sites were rolled back.
    Failed,
    Aborted,
    /// Every reachable site is done; some sites were offline and are still to do.
    Pending,
    Completed,
    /// Every site was tried and the rollout went through every wave, but some sites
    /// failed within the failure budget (never reported as plain success). Derived when
    /// replaying the journal's `finished` entry, so old journals load unchanged.
    CompletedWithFailures,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Failed => "failed",
            Status::Aborted => "aborted",
            Status::Pending => "pending",
            Status::Completed => "completed",
            Status::CompletedWithFailures => "completed with failures",
        }
    }

    /// Whether `resume` has anything left to do.
    pub fn resumable(self) -> bool {
        matches!(self, Status::Running | Status::Paused | Status::Pending)
    }
}

/// Where one site stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteStatus {
    Waiting,
    Updating,
    Updated,
    Failed,
    /// Unreachable at its turn: retried when it answers again.
    PendingOffline,
    RollingBack,
    RolledBack,
    RollbackFailed,
}

impl SiteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteStatus::Waiting => "waiting",
            SiteStatus::Updating => "updating",
            SiteStatus::Updated => "updated",
            SiteStatus::Failed => "failed",
            SiteStatus::PendingOffline => "pending (offline)",
            SiteStatus::RollingBack => "rolling back",
            SiteStatus::RolledBack => "rolled back",
            SiteStatus::RollbackFailed => "rollback failed",
        }
    }

    /// Whether nothing more will happen to the site in this wave.
    pub fn settled(self) -> bool {
        matches!(
            self,
            SiteStatus::Updated
                | SiteStatus::Failed
                | SiteStatus::RolledBack
                | SiteStatus::RollbackFailed
        )
    }
}

/// One site of a rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteView {
    pub site: String,
    pub wave: usize,
    pub status: SiteStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The workload before the rollout first touched it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<WorkloadState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<WorkloadState>,
    /// How many times this rollout wrote the new template to the site (0 or 1).
    pub writes: u32,
    pub conflicts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<jiff::Timestamp>,
    /// Live progress (only from a running engine, never journaled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
}

/// Counts of sites per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub total: u32,
    pub waiting: u32,
    pub updating: u32,
    pub updated: u32,
    pub failed: u32,
    pub pending: u32,
    pub rolled_back: u32,
}

/// A rollout as its journal tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutView {
    pub plan: Plan,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub current_wave: Option<usize>,
    pub waves_done: Vec<bool>,
    pub sites: Vec<SiteView>,
    pub pause_requested: bool,
    pub abort_requested: bool,
    pub updated_at: jiff::Timestamp,
}

impl RolloutView {
    /// Replays a journal; `None` when it has no `created` entry.
    pub fn replay(records: &[Record]) -> Option<RolloutView> {
        let mut it = records.iter();
        let (plan, at) = it.by_ref().find_map(|r| match &r.entry {
            Entry::Created { plan } => Some(((**plan).clone(), r.at)),
            _ => None,
        })?;
        let sites = plan
            .sites()
            .map(|(wave, s)| SiteView {
                site: s.clone(),
                wave,
                status: SiteStatus::Waiting,
                reason: None,
                message: None,
                before: None,
                after: None,
                writes: 0,
                conflicts: 0,
                started_at: None,
                finished_at: None,
                progress: None,
            })
            .collect();
        let mut v = RolloutView {
            waves_done: vec![false; plan.waves.len()],
            plan,
            status: Status::Running,
            reason: None,
            current_wave: None,
            sites,
            pause_requested: false,
            abort_requested: false,
            updated_at: at,
        };
        for r in it {
            v.apply(r);
        }
        Some(v)
    }

    pub fn site(&self, name: &str) -> Option<&SiteView> {
        self.sites.iter().find(|s| s.site == name)
    }

    fn site_mut(&mut self, name: &str) -> Option<&mut SiteView> {
        self.sites.iter_mut().find(|s| s.site == name)
    }

    /// Applies one journal record.
    pub fn apply(&mut self, r: &Record) {
        self.updated_at = r.at;
        match &r.entry {
            Entry::Created { .. } => {}
            Entry::Run { .. } => {
                self.status = Status::Running;
                self.reason = None;
            }
            Entry::WaveStarted { wave } => self.current_wave = Some(*wave),
            Entry::WaveDone { wave, .. } => {
                if let Some(d) = self.waves_done.get_mut(*wave) {
                    *d = true;
                }
            }
            Entry::SiteStarted { site, before, .. } => {
                if let Some(s) = self.site_mut(site) {
                    s.status = SiteStatus::Updating;
                    s.reason = None;
                    s.message = None;
                    s.before.get_or_insert_with(|| before.clone());
                    s.started_at.get_or_insert(r.at);
                }
            }
            Entry::SiteApplied {
                site,
                changed,
                conflicts,
                ..
            } => {
                if let Some(s) = self.site_mut(site) {
                    s.writes += u32::from(*changed);
                    s.conflicts += conflicts;
                }
            }
            Entry::SiteDone {
                site,
                outcome,
                after,
            } => {
                if let Some(s) = self.site_mut(site) {
                    s.after = after.clone();
                    s.finished_at = Some(r.at);
                    s.progress = None;
                    match outcome {
                        SiteOutcome::Updated => {
                            s.status = SiteStatus::Updated;
                            s.reason = None;
                            s.message = None;
                        }
                        SiteOutcome::Failed { reason, message } => {
                            s.status = SiteStatus::Failed;
                            s.reason = Some(reason.to_string());
                            s.message = Some(message.clone());
                        }
                    }
                }
            }
            Entry::SitePending { site, reason } => {
                if let Some(s) = self.site_mut(site) {
                    s.status = SiteStatus::PendingOffline;
                    s.reason = Some("offline".into());
                    s.message = Some(reason.clone());
                    s.progress = None;
                }
            }
            Entry::RollbackStarted { site, .. } => {
                if let Some(s) = self.site_mut(site) {
                    s.status = SiteStatus::RollingBack;
                }
            }
            Entry::RollbackDone { site, ok, message } => {
                if let Some(s) = self.site_mut(site) {
                    s.status = if *ok {
                        SiteStatus::RolledBack
                    } else {
                        SiteStatus::RollbackFailed
                    };
                    s.finished_at = Some(r.at);
                    if !*ok {
                        s.message = Some(message.clone());
                    }
                }
            }
            Entry::Control { request, .. } => match request {
                Control::Pause => self.pause_requested = true,
                Control::Resume => self.pause_requested = false,
                Control::Abort => self.abort_requested = true,
            },
            Entry::Halted { status, reason } => {
                self.status = *status;
                self.reason = Some(reason.clone());
            }
            Entry::Finished => {
                let failed = self.failed_sites();
                if failed.is_empty() {
                    self.status = Status::Completed;
                    self.reason = None;
                } else {
                    self.status = Status::CompletedWithFailures;
                    self.reason = Some(format!(
                        "{} site(s) failed within the failure budget: {}",
                        failed.len(),
                        failed.join(", ")
                    ));
                }
            }
        }
    }

    /// Sites that failed (including those rolled back or whose rollback failed).
    pub fn failed_sites(&self) -> Vec<String> {
        self.sites
            .iter()
            .filter(|s| {
                matches!(
                    s.status,
                    SiteStatus::Failed | SiteStatus::RolledBack | SiteStatus::RollbackFailed
                )
            })
            .map(|s| s.site.clone())
            .collect()
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            total: self.sites.len() as u32,
            ..Counts::default()
        };
        for s in &self.sites {
            match s.status {
                SiteStatus::Waiting => c.waiting += 1,
                SiteStatus::Updating | SiteStatus::RollingBack => c.updating += 1,
                SiteStatus::Updated => c.updated += 1,
                SiteStatus::Failed | SiteStatus::RollbackFailed => c.failed += 1,
                SiteStatus::PendingOffline => c.pending += 1,
                SiteStatus::RolledBack => c.rolled_back += 1,
            }
        }
        c
    }
}
