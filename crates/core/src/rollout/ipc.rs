//! Conversions to and from the IPC types of the desktop Rollouts view.

use super::RolloutError;
use super::plan::{HealthGate, OnFailure, Plan, Targets, new_id, parse_waves, split_waves};
use super::state::{RolloutView, SiteStatus, Status};
use crate::actions::{ChangeRecord, WorkloadRef, parse_images};
use crate::registry::Site;
use outpost_ipc::rollout as ipc;
use std::time::Duration;

fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

fn ms_u64(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A plan from the Rollouts form; `sites` are the registered sites.
pub fn plan_from_request(
    req: &ipc::RolloutPlanRequest,
    sites: &[Site],
) -> Result<Plan, RolloutError> {
    let workload =
        WorkloadRef::parse(&req.workload).map_err(|e| RolloutError::Invalid(e.to_string()))?;
    let pairs: Vec<String> = req.images.iter().map(|(c, i)| format!("{c}={i}")).collect();
    let images = parse_images(&pairs).map_err(|e| RolloutError::Invalid(e.to_string()))?;
    let targets = match &req.targets {
        ipc::RolloutTargets::All => Targets::All,
        ipc::RolloutTargets::Tag(t) => Targets::Tag(t.clone()),
        ipc::RolloutTargets::Sites(s) => Targets::Sites(s.clone()),
    };
    let names = targets.resolve(sites)?;
    Ok(Plan {
        id: new_id(),
        workload,
        images,
        targets,
        waves: split_waves(&names, &parse_waves(&req.waves)?),
        gate: HealthGate {
            deadline: Duration::from_millis(req.deadline_ms),
            soak: Duration::from_millis(req.soak_ms),
        },
        max_failures: req.max_failures,
        on_failure: match req.on_failure {
            ipc::OnFailure::Pause => OnFailure::Pause,
            ipc::OnFailure::Rollback => OnFailure::Rollback,
        },
        created_at: jiff::Timestamp::now(),
        created_by: crate::actions::os_user(),
    })
}

/// The view as the Rollouts view shows it; `running` tells a live run from a killed one.
pub fn info(v: &RolloutView, running: bool) -> ipc::RolloutInfo {
    let c = v.counts();
    let status = match v.status {
        Status::Running if !running => ipc::RolloutStatus::Interrupted,
        Status::Running => ipc::RolloutStatus::Running,
        Status::Paused => ipc::RolloutStatus::Paused,
        Status::Failed => ipc::RolloutStatus::Failed,
        Status::Aborted => ipc::RolloutStatus::Aborted,
        Status::Pending => ipc::RolloutStatus::Pending,
        Status::Completed => ipc::RolloutStatus::Completed,
        Status::CompletedWithFailures => ipc::RolloutStatus::CompletedWithFailures,
    };
    let site = |s: &super::SiteView| ipc::SiteProgress {
        site: s.site.clone(),
        status: match s.status {
            SiteStatus::Waiting => ipc::SiteRolloutStatus::Waiting,
            SiteStatus::Updating => ipc::SiteRolloutStatus::Updating,
            SiteStatus::Updated => ipc::SiteRolloutStatus::Updated,
            SiteStatus::Failed => ipc::SiteRolloutStatus::Failed,
            SiteStatus::PendingOffline => ipc::SiteRolloutStatus::PendingOffline,
            SiteStatus::RollingBack => ipc::SiteRolloutStatus::RollingBack,
            SiteStatus::RolledBack => ipc::SiteRolloutStatus::RolledBack,
            SiteStatus::RollbackFailed => ipc::SiteRolloutStatus::RollbackFailed,
        },
        reason: s.reason.clone(),
        message: s.message.clone(),
        progress: s.progress.as_ref().map(|p| ipc::SiteProgressCounts {
            replicas: p.replicas,
            updated: p.updated,
            available: p.available,
            old: p.old,
            fraction: p.fraction(),
            message: p.message.clone(),
        }),
        revision_before: s.before.as_ref().map(|b| b.revision),
        revision_after: s.after.as_ref().map(|b| b.revision),
        started_ms: s.started_at.map(ms),
        finished_ms: s.finished_at.map(ms),
    };
    ipc::RolloutInfo {
        id: v.plan.id.clone(),
        workload: v.plan.workload.to_string(),
        images: v.plan.images.clone(),
        status,
        reason: v.reason.clone(),
        created_ms: ms(v.plan.created_at),
        created_by: v.plan.created_by.clone(),
        max_failures: v.plan.max_failures,
        on_failure: match v.plan.on_failure {
            OnFailure::Pause => ipc::OnFailure::Pause,
            OnFailure::Rollback => ipc::OnFailure::Rollback,
        },
        deadline_ms: ms_u64(v.plan.gate.deadline),
        soak_ms: ms_u64(v.plan.gate.soak),
        counts: ipc::RolloutCounts {
            total: c.total,
            waiting: c.waiting,
            updating: c.updating,
            updated: c.updated,
            failed: c.failed,
            pending: c.pending,
            rolled_back: c.rolled_back,
        },
        waves: (0..v.plan.waves.len())
            .map(|i| ipc::WaveProgress {
                index: i,
                done: v.waves_done.get(i).copied().unwrap_or(false),
                current: v.current_wave == Some(i),
                sites: v.sites.iter().filter(|s| s.wave == i).map(site).collect(),
            })
            .collect(),
    }
}

/// A change journal entry for the site view.
pub fn change(r: &ChangeRecord) -> ipc::ChangeEntry {
    ipc::ChangeEntry {
        at_ms: ms(r.at),
        user: r.user.clone(),
        site: r.site.clone(),
        object: r.object.clone(),
        what: r.what.clone(),
        result: r.result.clone(),
        rollout: r.rollout.clone(),
    }
}
