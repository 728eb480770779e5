//! Upgrades view commands: the fleet's version drift, starting a K3s upgrade on picked
//! sites, and their per-node progress piped from the session's stream into a
//! `tauri::ipc::Channel`. Each validates, makes one `Session` call and maps the error.
//!
//! One watch runs at a time: a new `upgrade_watch` (an empty one when the view goes
//! away) ends the previous one. A watch also ends once every watched site is done.

use crate::commands::check_names;
use crate::{error, state::AppState, stream};
use outpost_ipc::upgrade::{
    SiteUpgradeInfo, UpgradeStartCmd, UpgradeWatchCmd, UpgradesOverviewCmd,
};
use outpost_ipc::{Command, IpcError};
use std::sync::Mutex;
use tauri::State;
use tauri::async_runtime::JoinHandle;
use tauri::ipc::Channel;
use tokio::sync::mpsc::Receiver;

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// The Upgrades view's backend state: the task piping the current watch.
#[derive(Default)]
pub struct UpgradesState {
    current: Mutex<Option<JoinHandle<()>>>,
}

impl UpgradesState {
    /// Pipes `updates` into `ch` as the current watch.
    fn start(&self, updates: Receiver<Vec<SiteUpgradeInfo>>, ch: Channel<Vec<SiteUpgradeInfo>>) {
        self.replace(Some(tauri::async_runtime::spawn(stream::pipe(updates, ch))));
    }

    /// Ends the current watch (its stream ends with its receiver) and keeps `next`.
    fn replace(&self, next: Option<JoinHandle<()>>) {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = std::mem::replace(&mut *current, next) {
            old.abort();
        }
    }
}

/// Every site's distro and version, the newest of each distro, health and commands.
#[tauri::command]
pub async fn upgrades_overview(
    state: State<'_, AppState>,
    req: Req<UpgradesOverviewCmd>,
) -> Res<UpgradesOverviewCmd> {
    let _ = req;
    Ok(state.profiles.ready().await?.session.upgrades_overview())
}

/// Creates (or moves) the Plans on each picked site; per-site refusals are in the answer.
#[tauri::command]
pub async fn upgrade_start(
    state: State<'_, AppState>,
    req: Req<UpgradeStartCmd>,
) -> Res<UpgradeStartCmd> {
    check_names(&req.sites)?;
    let active = state.profiles.ready().await?;
    active
        .session
        .start_upgrade(&req)
        .await
        .map_err(|e| error::core(e.kind(), e))
}

/// Streams the picked K3s sites' progress to `on_update` (see the module doc).
#[tauri::command(rename_all = "snake_case")]
pub async fn upgrade_watch(
    state: State<'_, AppState>,
    watches: State<'_, UpgradesState>,
    req: Req<UpgradeWatchCmd>,
    on_update: Channel<Vec<SiteUpgradeInfo>>,
) -> Res<UpgradeWatchCmd> {
    check_names(&req.sites)?;
    watches.replace(None);
    if req.sites.is_empty() {
        return Ok(());
    }
    let active = state.profiles.ready().await?;
    let updates = active.session.watch_upgrades(&req.sites);
    watches.start(updates.map_err(|e| error::core(e.kind(), e))?, on_update);
    Ok(())
}
