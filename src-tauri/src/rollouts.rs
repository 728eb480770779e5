//! Rollouts view commands: list, preview, start, watch, pause, resume, abort, report.
//! Each validates, makes one `Session` call and maps the error. Rollouts run in the
//! background in core (`outpost_core::session::Runner`), apart from any window;
//! `rollout_watch` pipes the session's stream of their state into a
//! `tauri::ipc::Channel<RolloutInfo>`.

use crate::{error, state::AppState, stream};
use outpost_core::rollout::RolloutError;
use outpost_ipc::rollout::{
    RolloutAbortCmd, RolloutInfo, RolloutPauseCmd, RolloutPlanPreviewCmd, RolloutReportCmd,
    RolloutResumeCmd, RolloutStartCmd, RolloutWatchCmd, RolloutsListCmd,
};
use outpost_ipc::{Command, IpcError};
use tauri::State;
use tauri::ipc::Channel;

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

fn fail(e: RolloutError) -> IpcError {
    error::core(e.kind(), e)
}

/// Every rollout of the active profile, newest first.
#[tauri::command]
pub async fn rollouts_list(
    state: State<'_, AppState>,
    req: Req<RolloutsListCmd>,
) -> Res<RolloutsListCmd> {
    let _ = req;
    let active = state.profiles.ready().await?;
    active.session.rollouts().await.map_err(fail)
}

/// The waves a plan would have, and which targeted sites are unreachable now.
#[tauri::command]
pub async fn rollout_plan_preview(
    state: State<'_, AppState>,
    req: Req<RolloutPlanPreviewCmd>,
) -> Res<RolloutPlanPreviewCmd> {
    let active = state.profiles.ready().await?;
    active.session.rollout_preview(&req).map_err(fail)
}

/// Creates the rollout (its journal first) and runs it in the background.
#[tauri::command]
pub async fn rollout_start(
    state: State<'_, AppState>,
    req: Req<RolloutStartCmd>,
) -> Res<RolloutStartCmd> {
    let active = state.profiles.ready().await?;
    active.session.rollout_start(&req).await.map_err(fail)
}

/// Streams the rollout's state to `on_update` until it stops (or the view goes away).
#[tauri::command(rename_all = "snake_case")]
pub async fn rollout_watch(
    state: State<'_, AppState>,
    req: Req<RolloutWatchCmd>,
    on_update: Channel<RolloutInfo>,
) -> Res<RolloutWatchCmd> {
    let active = state.profiles.ready().await?;
    let updates = active
        .session
        .rollout_updates(&req.id)
        .await
        .map_err(fail)?;
    tauri::async_runtime::spawn(stream::pipe(updates, on_update));
    Ok(())
}

/// Asks the rollout to stop after the sites in flight.
#[tauri::command]
pub async fn rollout_pause(
    state: State<'_, AppState>,
    req: Req<RolloutPauseCmd>,
) -> Res<RolloutPauseCmd> {
    let active = state.profiles.ready().await?;
    active.session.rollout_pause(&req.id).await.map_err(fail)
}

/// Carries on with a paused, pending or interrupted rollout, in the background.
#[tauri::command]
pub async fn rollout_resume(
    state: State<'_, AppState>,
    req: Req<RolloutResumeCmd>,
) -> Res<RolloutResumeCmd> {
    let active = state.profiles.ready().await?;
    active.session.rollout_resume(&req.id).await.map_err(fail)
}

/// Stops the rollout for good (run just long enough to journal it when no process
/// runs it).
#[tauri::command]
pub async fn rollout_abort(
    state: State<'_, AppState>,
    req: Req<RolloutAbortCmd>,
) -> Res<RolloutAbortCmd> {
    let active = state.profiles.ready().await?;
    active.session.rollout_abort(&req.id).await.map_err(fail)
}

/// The per-site report as JSON or CSV text.
#[tauri::command]
pub async fn rollout_report(
    state: State<'_, AppState>,
    req: Req<RolloutReportCmd>,
) -> Res<RolloutReportCmd> {
    let active = state.profiles.ready().await?;
    let session = &active.session;
    session
        .rollout_report(&req.id, req.format)
        .await
        .map_err(fail)
}
