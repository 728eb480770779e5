//! One site's step of a rollout: read its state, write the new images once, follow the
//! rollout through the health gate; and rolling a failed site back.

use super::RolloutError;
use super::engine::Run;
use super::journal::{Entry, SiteOutcome};
use crate::actions::{
    self, Action, ActionError, ChangeRecord, FailReason, RolloutState, WatchOptions, WorkloadState,
};
use crate::error::ErrorKind;
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

async fn note(run: &Run, site: &str, what: String, result: String) {
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
    let changes = run.changes.clone();
    let r = tokio::task::spawn_blocking(move || changes.record(&rec)).await;
    if let Ok(Err(e)) = r {
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

async fn pending(run: &Run, site: &str, why: String) -> Result<(), RolloutError> {
    tracing::info!(site = %site, reason = %why, "site pending (offline)");
    note(run, site, describe(run), "pending (offline)".into()).await;
    run.record(Entry::SitePending {
        site: site.to_string(),
        reason: why,
    })
    .await
}

async fn failed(
    run: &Run,
    site: &str,
    reason: FailReason,
    message: String,
) -> Result<(), RolloutError> {
    tracing::info!(site = %site, %reason, %message, "site failed");
    note(
        run,
        site,
        describe(run),
        format!("failed: {reason}: {message}"),
    )
    .await;
    run.record(Entry::SiteDone {
        site: site.to_string(),
        outcome: SiteOutcome::Failed { reason, message },
        after: None,
    })
    .await
}

fn describe(run: &Run) -> String {
    Action::SetImage {
        images: run.plan().images,
    }
    .describe()
}

/// Whether an error means "try again later" rather than "this site refuses".
fn transient(e: &ActionError) -> bool {
    e.is_unreachable() || matches!(e, ActionError::Client(c) if c.kind() == ErrorKind::Api)
}

async fn update(run: &Arc<Run>, site: &str) -> Result<(), RolloutError> {
    let plan = run.plan();
    let target = &plan.workload;
    let client = match client(run, site) {
        Ok(c) => c,
        Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()).await,
    };
    let (state, deployment) = match actions::read(&client, target).await {
        Ok(s) => s,
        Err(e) if transient(&e) => return pending(run, site, e.to_string()).await,
        Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()).await,
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
        ).await;
    }
    let wave = run.lock().site(site).map(|s| s.wave).unwrap_or(0);
    run.record(Entry::SiteStarted {
        site: site.to_string(),
        wave,
        before: state.clone(),
    })
    .await?;
    let (changed, conflicts) = if at_target {
        (false, 0)
    } else {
        let action = Action::SetImage {
            images: plan.images.clone(),
        };
        match actions::apply_from(&client, target, &action, Some(deployment)).await {
            Ok(a) => (a.changed, a.conflicts),
            Err(e) if transient(&e) => return pending(run, site, e.to_string()).await,
            Err(ActionError::Conflict { attempts }) => {
                return failed(
                    run,
                    site,
                    FailReason::Conflict,
                    format!("the deployment kept changing ({attempts} attempts)"),
                )
                .await;
            }
            Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()).await,
        }
    };
    run.record(Entry::SiteApplied {
        site: site.to_string(),
        changed,
        revision_before: state.revision,
        conflicts,
    })
    .await?;
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
            return pending(run, site, format!("went offline during its rollout: {e}")).await;
        }
        Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()).await,
    };
    if let RolloutState::Failed { reason, message } = end.state {
        return failed(run, site, reason, message).await;
    }
    match actions::soak(client, target, plan.gate.soak, run.opts.poll).await {
        Ok(Some((reason, message))) => return failed(run, site, reason, message).await,
        Ok(None) => {}
        Err(e) if transient(&e) => {
            return pending(run, site, format!("went offline during the soak: {e}")).await;
        }
        Err(e) => return failed(run, site, FailReason::Rejected, e.to_string()).await,
    }
    let after = actions::current(client, target).await.ok();
    let (_, r) = tokio::join!(
        note(run, site, describe(run), "ok".into()),
        run.record(Entry::SiteDone {
            site: site.to_string(),
            outcome: SiteOutcome::Updated,
            after,
        })
    );
    r
}

/// Opens the connections of the sites of a coming wave (TLS handshakes) while the
/// current one runs; errors are ignored here (the wave itself reports them).
pub(super) fn warm_up(run: &Arc<Run>, sites: Vec<String>) {
    let run = run.clone();
    tokio::spawn(async move {
        let tasks = sites
            .into_iter()
            .filter_map(|s| client(&run, &s).ok())
            .map(|c| async move {
                let _ =
                    tokio::time::timeout(std::time::Duration::from_secs(5), c.apiserver_version())
                        .await;
            });
        futures::future::join_all(tasks).await;
    });
}

/// Rolls back every failed site of `wave` to the state it had before the rollout.
pub(super) async fn roll_back_failed(run: &Arc<Run>, wave: usize) -> Result<(), RolloutError> {
    let failed: Vec<(String, Option<WorkloadState>)> = run
        .lock()
        .sites
        .iter()
        .filter(|s| {
            s.wave == wave
                && matches!(
                    s.status,
                    super::SiteStatus::Failed | super::SiteStatus::RollingBack
                )
        })
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
        return run
            .record(Entry::RollbackDone {
                site: site.to_string(),
                ok: true,
                message: "nothing was changed".into(),
            })
            .await;
    };
    run.record(Entry::RollbackStarted {
        site: site.to_string(),
        to_revision: before.revision,
    })
    .await?;
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
    )
    .await;
    run.record(Entry::RollbackDone {
        site: site.to_string(),
        ok,
        message,
    })
    .await
}
