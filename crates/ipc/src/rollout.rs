//! Fleet rollouts and K3s upgrades: what the Rollouts view shows (the plan, each wave's
//! and each site's progress, the report) and the per-site change journal.
//!
//! Times are Unix milliseconds (UTC); durations are milliseconds. The backend builds these
//! from `outpost_core::rollout` (its journal-replayed view plus live progress).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// The Rollouts view's command descriptions (desktop), in their own file.
mod cmds;
pub use cmds::*;

/// Which sites a rollout targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum RolloutTargets {
    All,
    Tag(String),
    Sites(Vec<String>),
}

/// What to do when a wave exceeds its failure budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    Pause,
    #[default]
    Rollback,
}

/// A rollout the user is about to start (what the form sends).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutPlanRequest {
    /// `namespace/name` of the Deployment, matched by name on every site.
    pub workload: String,
    /// Container → new image.
    pub images: BTreeMap<String, String>,
    pub targets: RolloutTargets,
    /// `1,25%,100%`: counts of sites, or cumulative shares.
    pub waves: String,
    pub deadline_ms: u64,
    pub soak_ms: u64,
    pub max_failures: u32,
    pub on_failure: OnFailure,
}

/// Where a rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloutStatus {
    Running,
    /// Its journal says running but no process runs it (killed): resume it.
    Interrupted,
    Paused,
    Failed,
    Aborted,
    /// Waiting for offline sites; never shown as success.
    Pending,
    Completed,
    /// Went through every wave, but some sites failed within the failure budget.
    CompletedWithFailures,
}

/// Where one site stands (the map overlay colours by this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteRolloutStatus {
    Waiting,
    Updating,
    Updated,
    Failed,
    /// Unreachable at its turn; retried when it returns.
    PendingOffline,
    RollingBack,
    RolledBack,
    RollbackFailed,
}

/// `kubectl rollout status` numbers of a site in flight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteProgressCounts {
    pub replicas: i32,
    pub updated: i32,
    pub available: i32,
    /// Pods of older revisions still present.
    pub old: i32,
    /// 0.0 ..= 1.0 for the progress bar.
    pub fraction: f64,
    pub message: String,
}

/// One site of a rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteProgress {
    pub site: String,
    pub status: SiteRolloutStatus,
    /// `ImagePullBackOff`, `CrashLoopBackOff`, `ProgressDeadlineExceeded`, `Conflict`,
    /// `Timeout`, `offline`…
    pub reason: Option<String>,
    pub message: Option<String>,
    pub progress: Option<SiteProgressCounts>,
    pub revision_before: Option<i64>,
    pub revision_after: Option<i64>,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
}

/// One wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveProgress {
    /// 0-based.
    pub index: usize,
    pub done: bool,
    pub current: bool,
    pub sites: Vec<SiteProgress>,
}

/// Counts of sites per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutCounts {
    pub total: u32,
    pub waiting: u32,
    pub updating: u32,
    pub updated: u32,
    pub failed: u32,
    pub pending: u32,
    pub rolled_back: u32,
}

/// A rollout as the Rollouts view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutInfo {
    pub id: String,
    pub workload: String,
    pub images: BTreeMap<String, String>,
    pub status: RolloutStatus,
    pub reason: Option<String>,
    pub created_ms: i64,
    pub created_by: String,
    pub max_failures: u32,
    pub on_failure: OnFailure,
    pub deadline_ms: u64,
    pub soak_ms: u64,
    pub counts: RolloutCounts,
    pub waves: Vec<WaveProgress>,
}

/// The export formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
}

/// One entry of a site's change journal (the site view lists them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub at_ms: i64,
    /// The OS user who made the change.
    pub user: String,
    pub site: String,
    pub object: String,
    pub what: String,
    pub result: String,
    pub rollout: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn info_json() -> serde_json::Value {
        json!({
            "id": "ro-20261124-120000-00ab",
            "workload": "retail/pos-terminal",
            "images": {"pos": "registry.local:5000/retail/pos-terminal:2.5.0"},
            "status": "pending",
            "reason": "1 site(s) offline",
            "created_ms": 1_764_000_000_000_i64,
            "created_by": "alice",
            "max_failures": 0,
            "on_failure": "rollback",
            "deadline_ms": 600_000,
            "soak_ms": 60_000,
            "counts": {"total": 2, "waiting": 0, "updating": 0, "updated": 1, "failed": 0, "pending": 1, "rolled_back": 0},
            "waves": [{
                "index": 0, "done": true, "current": false,
                "sites": [{
                    "site": "store-berlin-mitte", "status": "updated", "reason": null, "message": null,
                    "progress": null, "revision_before": 1, "revision_after": 2,
                    "started_ms": 1_764_000_001_000_i64, "finished_ms": 1_764_000_009_000_i64
                }, {
                    "site": "store-munich-schwabing", "status": "pending_offline", "reason": "offline",
                    "message": "unreachable: connection refused",
                    "progress": {"replicas": 2, "updated": 1, "available": 1, "old": 1, "fraction": 0.5,
                                 "message": "Waiting for rollout to finish"},
                    "revision_before": null, "revision_after": null, "started_ms": null, "finished_ms": null
                }]
            }]
        })
    }

    #[test]
    fn rollout_info_round_trips() {
        let v: RolloutInfo = serde_json::from_value(info_json()).unwrap();
        assert_eq!(v.status, RolloutStatus::Pending);
        assert_eq!(
            v.waves[0].sites[1].status,
            SiteRolloutStatus::PendingOffline
        );
        assert_eq!(serde_json::to_value(&v).unwrap(), info_json());
    }

    #[test]
    fn plan_request_and_targets_shapes() {
        let req = json!({
            "workload": "retail/pos-terminal",
            "images": {"pos": "reg/pos:2.5"},
            "targets": {"by": "tag", "value": "retail"},
            "waves": "1,25%,100%",
            "deadline_ms": 600_000, "soak_ms": 60_000, "max_failures": 1, "on_failure": "pause"
        });
        let r: RolloutPlanRequest = serde_json::from_value(req.clone()).unwrap();
        assert_eq!(r.targets, RolloutTargets::Tag("retail".into()));
        assert_eq!(r.on_failure, OnFailure::Pause);
        assert_eq!(serde_json::to_value(&r).unwrap(), req);
        assert_eq!(
            serde_json::to_value(RolloutTargets::All).unwrap(),
            json!({"by": "all"})
        );
        assert_eq!(
            serde_json::to_value(RolloutTargets::Sites(vec!["a".into()])).unwrap(),
            json!({"by": "sites", "value": ["a"]})
        );
        assert_eq!(
            serde_json::to_value(ReportFormat::Csv).unwrap(),
            json!("csv")
        );
    }

    #[test]
    fn change_entry_shape() {
        let c = json!({"at_ms": 1_764_000_000_000_i64, "user": "alice", "site": "store-berlin",
                       "object": "retail/pos-terminal", "what": "set image pos=reg/pos:2.5",
                       "result": "ok", "rollout": "ro-1"});
        let e: ChangeEntry = serde_json::from_value(c.clone()).unwrap();
        assert_eq!(serde_json::to_value(&e).unwrap(), c);
    }
}
