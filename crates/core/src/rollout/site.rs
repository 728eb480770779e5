//! One site's step of a rollout: read its state, write the new images once, follow the
//! rollout through the health gate; and rolling a failed site back.

use super::RolloutError;
use super::engine::Run;
use super::journal::{Entry, SiteOutcome};
use crate::actions::{
    self, Action, ActionError, ChangeRecord, FailReason, RolloutState, WatchOptions, WorkloadState,
};
use futures::StreamExt;
use std::sync::Arc;
use tracing::Instrument;

enum Step {
    Done,
    /// Not started: a pause or abort was requested.
    Skipped,
}

/// Runs `sites` (at most `parallel` at a time); returns true when some were skipped
/// because of a pause/abort request.
pub(super) async fn run_sites(run: &Arc<Run>, sites: Vec<String>) -> Result<bool, RolloutError> {
    let parallel = run.opts.parallel.max(1);
    let results: Vec<Result<Step, RolloutError>> = futures::stream::iter(sites)
        .map(|s| {
            let run = run.clone();
            let span = tracing::info_span!("site", site = %s);
            async move {
                let (pause, abort) = run.controls();
                if pause || abort {
                    return Ok(Step::Skipped);
                }
                update(&run, &s).await.map(|()| Step::Done)
            }
            .instrument(span)
        })
        .buffer_unordered(parallel)
        .collect()
        .await;
    let mut skipped = false;
    for r in results {
        skipped |= matches!(r?, Step::Skipped);
    }
    Ok(skipped)
}

fn note(run: &Run, site: &str, what: String, result: String) {
    let plan = run.plan();
    let rec = ChangeRecord {
        at: jiff::Timestamp::now(),
        user: actions::os_user(),
        site: site.to_string(),
        object: plan.workload.to_string(),
        what,
        result,
        rollout: Some(plan.id),
    };
    if let Err(e) = run.changes.record(&rec) {
        tracing::warn!(site = %site, error = %e, "change journal not written");
    }
}

fn client(run: &Run, site: &str) -> Result<kube::Client, ActionError> {
    let s = run
        .sites
        .get(site)
        .ok_or_else(|| ActionError::Invalid(format!("site {site:?} is not registered")))?;
    Ok(run.clients.get(s)?.requests)
}

fn pending(run: &Run, site: &str, why: String) -> Result<(), RolloutError> {
    tracing::info!(site = %site, reason = %why, "site pending (offline)");
    note(run, site, describe(run), "pending (offline)".into());
    run.record(Entry::SitePending {
        site: site.to_string(),
        reason: why,
    })
}

fn failed(run: &Run, site: &str, reason: FailReason, message: String) -> Result<(), RolloutError> {
    tracing::info!(site = %site, %reason, %message, "site failed");
    note(
        run,
        site,
        describe(run),
        format!("failed: {reason}: {message}"),
    );
    run.record(Entry::SiteDone {
        site: site.to_string(),
        outcome: SiteOutcome::Failed { reason, message },
        after: None,
    })
}

fn describe(run: &Run) -> String {
    Action::SetImage {
        images: run.plan().images,
    }
    .describe()
}

/// Whether an error means "try again later" rather than "this site refuses".
fn transient(e: &ActionError) -> bool {
    e.is_unreachable() || matches!(e, ActionError::Client(c) if c.kind() == "api")
}

async fn update(run: &Arc<Run>, site: &str) -> Result<(), RolloutError> {
    let plan = run.plan();
    let target = &plan.workload;
    let client = match client(run, site) {
        Ok(c) => c,
        Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()),
    };
    let state = match actions::current(&client, target).await {
        Ok(s) => s,
        Err(e) if transient(&e) => return pending(run, site, e.to_string()),
        Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()),
    };
    let at_target = plan
        .images
        .iter()
        .all(|(c, i)| state.images.get(c) == Some(i));
    let writes = run.lock().site(site).map(|s| s.writes).unwrap_or(0);
    if !at_target && writes > 0 {
        // This rollout already wrote the new images here and someone changed them since:
        // never write twice.
        return failed(
            run,
            site,
            FailReason::Rejected,
            format!(
                "the images changed after this rollout updated the site (now {:?}); not updating it twice",
                state.images
            ),
        );
    }
    let wave = run.lock().site(site).map(|s| s.wave).unwrap_or(0);
    run.record(Entry::SiteStarted {
        site: site.to_string(),
        wave,
        before: state.clone(),
    })?;
    let (changed, conflicts) = if at_target {
        (false, 0)
    } else {
        let action = Action::SetImage {
            images: plan.images.clone(),
        };
        match actions::apply(&client, target, &action).await {
            Ok(a) => (a.changed, a.conflicts),
            Err(e) if transient(&e) => return pending(run, site, e.to_string()),
            Err(ActionError::Conflict { attempts }) => {
                return failed(
                    run,
                    site,
                    FailReason::Conflict,
                    format!("the deployment kept changing ({attempts} attempts)"),
                );
            }
            Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()),
        }
    };
    run.record(Entry::SiteApplied {
        site: site.to_string(),
        changed,
        revision_before: state.revision,
        conflicts,
    })?;
    gate(run, &client, site).await
}

async fn gate(run: &Arc<Run>, client: &kube::Client, site: &str) -> Result<(), RolloutError> {
    let plan = run.plan();
    let target = &plan.workload;
    let opts = WatchOptions {
        poll: run.opts.poll,
        deadline: plan.gate.deadline,
        ..WatchOptions::default()
    };
    let end = actions::wait(client, target, opts, |s| {
        run.progress(site, s.progress.clone())
    })
    .await;
    let end = match end {
        Ok(s) => s,
        Err(e) if transient(&e) => {
            return pending(run, site, format!("went offline during its rollout: {e}"));
        }
        Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()),
    };
    if let RolloutState::Failed { reason, message } = end.state {
        return failed(run, site, reason, message);
    }
    match actions::soak(client, target, plan.gate.soak, run.opts.poll).await {
        Ok(Some((reason, message))) => return failed(run, site, reason, message),
        Ok(None) => {}
        Err(e) if transient(&e) => {
            return pending(run, site, format!("went offline during the soak: {e}"));
        }
        Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()),
    }
    let after = actions::current(client, target).await.ok();
    note(run, site, describe(run), "ok".into());
    run.record(Entry::SiteDone {
        site: site.to_string(),
        outcome: SiteOutcome::Updated,
        after,
    })
}

/// Rolls back every failed site of `wave` to the state it had before the rollout.
pub(super) async fn roll_back_failed(run: &Arc<Run>, wave: usize) -> Result<(), RolloutError> {
    let failed: Vec<(String, Option<WorkloadState>)> = run
        .lock()
        .sites
        .iter()
        .filter(|s| s.wave == wave && s.status == super::SiteStatus::Failed)
        .map(|s| (s.site.clone(), s.before.clone()))
        .collect();
    let parallel = run.opts.parallel.max(1);
    let results: Vec<Result<(), RolloutError>> = futures::stream::iter(failed)
        .map(|(site, before)| {
            let run = run.clone();
            let span = tracing::info_span!("site", site = %site);
            async move { roll_back(&run, &site, before).await }.instrument(span)
        })
        .buffer_unordered(parallel)
        .collect()
        .await;
    results.into_iter().collect()
}

async fn roll_back(
    run: &Arc<Run>,
    site: &str,
    before: Option<WorkloadState>,
) -> Result<(), RolloutError> {
    let plan = run.plan();
    let target = &plan.workload;
    let Some(before) = before else {
        // Never touched (refused before any write): nothing to undo.
        return run.record(Entry::RollbackDone {
            site: site.to_string(),
            ok: true,
            message: "nothing was changed".into(),
        });
    };
    run.record(Entry::RollbackStarted {
        site: site.to_string(),
        to_revision: before.revision,
    })?;
    let result = async {
        let client = client(run, site)?;
        let now = actions::current(&client, target).await?;
        if now.images != before.images {
            let undo = Action::Rollback {
                to_revision: Some(before.revision),
            };
            match actions::apply(&client, target, &undo).await {
                Ok(_) => {}
                Err(ActionError::NoRevision(_)) => {
                    let set = Action::SetImage {
                        images: before.images.clone(),
                    };
                    actions::apply(&client, target, &set).await?;
                }
                Err(e) => return Err(e),
            }
        }
        let opts = WatchOptions {
            poll: run.opts.poll,
            deadline: plan.gate.deadline,
            ..WatchOptions::default()
        };
        let end = actions::wait(&client, target, opts, |s| {
            run.progress(site, s.progress.clone())
        })
        .await?;
        Ok(end)
    }
    .await;
    let (ok, message) = match result {
        Ok(s) => match s.state {
            RolloutState::Complete => (true, format!("back at revision {}", before.revision)),
            RolloutState::Failed { reason, message } => (false, format!("{reason}: {message}")),
            RolloutState::Progressing => (false, "still progressing".into()),
        },
        Err(e) => (false, e.to_string()),
    };
    note(
        run,
        site,
        format!("roll back to revision {} ({})", before.revision, plan.id),
        if ok {
            "ok".into()
        } else {
            format!("failed: {message}")
        },
    );
    run.record(Entry::RollbackDone {
        site: site.to_string(),
        ok,
        message,
    })
}
