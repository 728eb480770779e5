//! IPC commands. Each is a few lines: validate, one call, map the error. Request and
//! response types come from `outpost-ipc` through its `Command` descriptions, so the UI
//! and the backend cannot disagree on a field name.

use crate::{error, settings, state::AppState};
use outpost_ipc::{AppInfoCmd, Command, GetSettingsCmd, IpcError, SetSettingsCmd};
use tauri::{AppHandle, Runtime, State};

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// Version, data directory and site count, shown in the status bar.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>, req: Req<AppInfoCmd>) -> Res<AppInfoCmd> {
    let _ = req;
    let dir = state.home.ensure().map_err(error::paths)?;
    Ok(outpost_ipc::AppInfo {
        version: outpost_core::VERSION.to_string(),
        data_dir: dir.display().to_string(),
        site_count: settings::site_count(&state.home)?,
        profile: state.home.profile().to_string(),
        platform: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
    })
}

#[tauri::command]
pub async fn get_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Req<GetSettingsCmd>,
) -> Res<GetSettingsCmd> {
    let _ = req;
    settings::load(&app, &state.home)
}

#[tauri::command]
pub async fn set_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Req<SetSettingsCmd>,
) -> Res<SetSettingsCmd> {
    settings::save(&app, &state.home, req)
}
