//! Rollouts view commands: list, preview, start, watch, pause, resume, abort, report.
//! Each validates, makes one `outpost_core::rollout` call and maps the error. Rollouts
//! run in the background ([`runner`]); `rollout_watch` streams their state over a
//! `tauri::ipc::Channel<RolloutInfo>` at most every [`MIN_INTERVAL`].

mod runner;

pub use runner::RolloutsState;

use crate::profiles::Active;
use crate::{error, state::AppState};
use outpost_core::rollout::ipc::{info, plan_from_request};
use outpost_core::rollout::{Control, Report, RolloutError, RolloutStore, RolloutView};
use outpost_ipc::rollout::{
    ReportFormat, RolloutAbortCmd, RolloutInfo, RolloutPauseCmd, RolloutPlanPreview,
    RolloutPlanPreviewCmd, RolloutReportCmd, RolloutReportText, RolloutResumeCmd, RolloutStartCmd,
    RolloutWatchCmd, RolloutsListCmd,
};
use outpost_ipc::{Command, IpcError, ReachabilityState};
use std::sync::Arc;
use std::time::Duration;
use tauri::State;
use tauri::ipc::Channel;

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// Shortest time between two updates of a watched rollout.
const MIN_INTERVAL: Duration = Duration::from_millis(250);
/// How often a rollout run by another process (the CLI) is re-read from its journal.
const POLL: Duration = Duration::from_secs(1);

fn fail(e: RolloutError) -> IpcError {
    error::core(e.kind(), e)
}

async fn profile(state: &AppState) -> Result<(Arc<Active>, RolloutStore), IpcError> {
    let active = state.profiles.ready().await?;
    let store = RolloutStore::new(active.session.home());
    Ok((active, store))
}

/// The rollout's state as the view shows it.
fn current(runs: &RolloutsState, store: &RolloutStore, id: &str) -> Result<RolloutInfo, IpcError> {
    let v = store.view(id).map_err(fail)?;
    Ok(info(&v, runs.running(store, id)))
}

/// Every rollout of the active profile, newest first.
#[tauri::command]
pub async fn rollouts_list(
    state: State<'_, AppState>,
    runs: State<'_, RolloutsState>,
    req: Req<RolloutsListCmd>,
) -> Res<RolloutsListCmd> {
    let _ = req;
    let (_, store) = profile(&state).await?;
    let list = store.list().map_err(fail)?;
    Ok(list
        .iter()
        .map(|v| info(v, runs.running(&store, &v.plan.id)))
        .collect())
}

/// The waves a plan would have, and which targeted sites are unreachable now.
#[tauri::command]
pub async fn rollout_plan_preview(
    state: State<'_, AppState>,
    req: Req<RolloutPlanPreviewCmd>,
) -> Res<RolloutPlanPreviewCmd> {
    let (active, _) = profile(&state).await?;
    let plan = plan_from_request(&req, &active.session.sites()).map_err(fail)?;
    let offline = active
        .session
        .summaries()
        .into_iter()
        .filter(|s| plan.sites().any(|(_, n)| *n == s.name))
        .filter(|s| {
            matches!(
                s.reachability.state,
                ReachabilityState::Unreachable | ReachabilityState::Timeout
            )
        })
        .map(|s| s.name)
        .collect();
    Ok(RolloutPlanPreview {
        workload: plan.workload.to_string(),
        waves: plan.waves,
        offline,
    })
}

/// Creates the rollout (its journal first) and runs it in the background.
#[tauri::command]
pub async fn rollout_start(
    state: State<'_, AppState>,
    runs: State<'_, RolloutsState>,
    req: Req<RolloutStartCmd>,
) -> Res<RolloutStartCmd> {
    let (active, store) = profile(&state).await?;
    let plan = plan_from_request(&req, &active.session.sites()).map_err(fail)?;
    let id = plan.id.clone();
    tracing::info!(rollout = %id, workload = %plan.workload, sites = plan.sites().count(), "rollout created");
    store.create(plan).map_err(fail)?;
    runs.spawn(&active, &id).map_err(fail)?;
    current(&runs, &store, &id)
}

/// Streams the rollout's state to `on_update` until it stops (or the view goes away).
#[tauri::command(rename_all = "snake_case")]
pub async fn rollout_watch(
    state: State<'_, AppState>,
    runs: State<'_, RolloutsState>,
    req: Req<RolloutWatchCmd>,
    on_update: Channel<RolloutInfo>,
) -> Res<RolloutWatchCmd> {
    let (_, store) = profile(&state).await?;
    store.view(&req.id).map_err(fail)?;
    let runs = (*runs).clone();
    tauri::async_runtime::spawn(forward(runs, store, req.id, on_update));
    Ok(())
}

/// Asks the rollout to stop after the sites in flight.
#[tauri::command]
pub async fn rollout_pause(
    state: State<'_, AppState>,
    runs: State<'_, RolloutsState>,
    req: Req<RolloutPauseCmd>,
) -> Res<RolloutPauseCmd> {
    let (_, store) = profile(&state).await?;
    store.request(&req.id, Control::Pause).map_err(fail)?;
    current(&runs, &store, &req.id)
}

/// Carries on with a paused, pending or interrupted rollout, in the background.
#[tauri::command]
pub async fn rollout_resume(
    state: State<'_, AppState>,
    runs: State<'_, RolloutsState>,
    req: Req<RolloutResumeCmd>,
) -> Res<RolloutResumeCmd> {
    let (active, store) = profile(&state).await?;
    if store.view(&req.id).map_err(fail)?.pause_requested {
        store.request(&req.id, Control::Resume).map_err(fail)?;
    }
    if !runs.running(&store, &req.id) {
        runs.spawn(&active, &req.id).map_err(fail)?;
    }
    current(&runs, &store, &req.id)
}

/// Stops the rollout for good. One that no process runs is run just long enough to
/// journal that it was aborted.
#[tauri::command]
pub async fn rollout_abort(
    state: State<'_, AppState>,
    runs: State<'_, RolloutsState>,
    req: Req<RolloutAbortCmd>,
) -> Res<RolloutAbortCmd> {
    let (active, store) = profile(&state).await?;
    store.request(&req.id, Control::Abort).map_err(fail)?;
    if !runs.running(&store, &req.id) {
        runs.spawn(&active, &req.id).map_err(fail)?;
    }
    current(&runs, &store, &req.id)
}

/// The per-site report as JSON or CSV text.
#[tauri::command]
pub async fn rollout_report(
    state: State<'_, AppState>,
    req: Req<RolloutReportCmd>,
) -> Res<RolloutReportCmd> {
    let (_, store) = profile(&state).await?;
    let report = Report::of(&store.view(&req.id).map_err(fail)?);
    let (text, ext) = match req.format {
        ReportFormat::Json => (report.to_json(), "json"),
        ReportFormat::Csv => (report.to_csv(), "csv"),
    };
    Ok(RolloutReportText {
        format: req.format,
        file_name: format!("{}.{ext}", req.id),
        text,
    })
}

/// Sends the rollout's state whenever it changes: from the live run when this process
/// runs it, else from its journal while another process runs it. Ends after the state
/// of a stopped rollout was sent, or when the channel is gone.
async fn forward(runs: RolloutsState, store: RolloutStore, id: String, ch: Channel<RolloutInfo>) {
    let key = runner::key(&store, &id);
    let mut last: Option<RolloutInfo> = None;
    loop {
        let live = runs.live(&key);
        let (view, running): (RolloutView, bool) = match &live {
            Some(rx) => (rx.borrow().clone(), true),
            None => match store.view(&id) {
                Ok(v) => (v, store.is_running(&id)),
                Err(e) => {
                    tracing::warn!(rollout = %id, error = %e, "rollout watch ended");
                    return;
                }
            },
        };
        let now = info(&view, running);
        if last.as_ref() != Some(&now) {
            if ch.send(now.clone()).is_err() {
                return;
            }
            last = Some(now);
        }
        match live {
            Some(mut rx) => {
                // Closed when the run ends: then the journal has the final word.
                let _ = rx.changed().await;
                tokio::time::sleep(MIN_INTERVAL).await;
            }
            None if running => tokio::time::sleep(POLL).await,
            None => return,
        }
    }
}
