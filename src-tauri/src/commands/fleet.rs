//! Fleet commands: the site list, one site in depth, the live stream, and switching
//! to and from the demo fleet.

use super::{Req, Res};
use crate::{error, state::AppState, stream};
use outpost_ipc::{
    ChangeJournalCmd, FleetUpdate, LeaveDemoCmd, ListSitesCmd, OpenDemoCmd, SiteDetailCmd,
    WatchFleetCmd,
};
use tauri::State;
use tauri::ipc::Channel;

/// Every site of the active profile with its health now.
#[tauri::command]
pub async fn list_sites(state: State<'_, AppState>, req: Req<ListSitesCmd>) -> Res<ListSitesCmd> {
    let _ = req;
    Ok(state.profiles.ready().await?.session.summaries())
}

/// One site: live when it answers, else its last snapshot (flagged stale).
#[tauri::command]
pub async fn site_detail(
    state: State<'_, AppState>,
    req: Req<SiteDetailCmd>,
) -> Res<SiteDetailCmd> {
    super::check_name(&req.name)?;
    let active = state.profiles.ready().await?;
    active
        .session
        .detail(&req.name)
        .await
        .map_err(|e| error::core(e.kind(), e))
}

/// The site's change journal, newest first.
#[tauri::command]
pub async fn change_journal(
    state: State<'_, AppState>,
    req: Req<ChangeJournalCmd>,
) -> Res<ChangeJournalCmd> {
    super::check_name(&req.name)?;
    let active = state.profiles.ready().await?;
    let entries = active.session.change_journal(&req.name).await;
    entries.map_err(|e| error::core(e.kind(), e))
}

/// Streams fleet changes to `on_update` until the window goes away.
#[tauri::command(rename_all = "snake_case")]
pub async fn watch_fleet(
    state: State<'_, AppState>,
    req: Req<WatchFleetCmd>,
    on_update: Channel<FleetUpdate>,
) -> Res<WatchFleetCmd> {
    let _ = req;
    tauri::async_runtime::spawn(stream::forward_fleet(state.profiles.clone(), on_update));
    Ok(())
}

/// Starts the simulated demo fleet and switches to it.
#[tauri::command]
pub async fn open_demo(state: State<'_, AppState>, req: Req<OpenDemoCmd>) -> Res<OpenDemoCmd> {
    let _ = req;
    let active = state.profiles.open_demo().await?;
    super::info(&active)
}

/// Stops the demo and switches back to the user's own sites.
#[tauri::command]
pub async fn leave_demo(state: State<'_, AppState>, req: Req<LeaveDemoCmd>) -> Res<LeaveDemoCmd> {
    let _ = req;
    let active = state.profiles.open_default().await?;
    super::info(&active)
}
