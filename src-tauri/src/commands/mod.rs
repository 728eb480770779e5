//! IPC commands. Each is a few lines: validate, one call, map the error. Request and
//! response types come from `outpost-ipc` through its `Command` descriptions, so the UI
//! and the backend cannot disagree on a field name.

pub mod fleet;
pub mod import;

use crate::profiles::Active;
use crate::{error, settings, state::AppState};
use outpost_core::registry::Site;
use outpost_ipc::{
    AppInfo, AppInfoCmd, Command, ErrorKind, ExportAppLogCmd, GetSettingsCmd, IpcError,
    SetSettingsCmd,
};
use tauri::{AppHandle, Runtime, State};

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// Refuses a site name that cannot be one (before it reaches the core).
pub(crate) fn check_name(name: &str) -> Result<(), IpcError> {
    if outpost_core::registry::is_dns_label(name) {
        Ok(())
    } else {
        Err(IpcError::new(
            ErrorKind::InvalidInput,
            format!("{name:?} is not a site name"),
        ))
    }
}

/// Refuses any of `names` that cannot be a site name.
pub(crate) fn check_names(names: &[String]) -> Result<(), IpcError> {
    names.iter().try_for_each(|n| check_name(n))
}

/// The site record named `name` (checked first), or `not_found`.
pub(crate) fn site_of(sites: &[Site], name: &str) -> Result<Site, IpcError> {
    check_name(name)?;
    sites
        .iter()
        .find(|s| s.name == name)
        .cloned()
        .ok_or_else(|| IpcError::new(ErrorKind::NotFound, format!("no site named {name:?}")))
}

/// What the status bar shows about the active profile.
fn info(active: &Active) -> Result<AppInfo, IpcError> {
    let home = active.session.home();
    let dir = home.ensure().map_err(error::paths)?;
    Ok(AppInfo {
        version: outpost_core::VERSION.to_string(),
        data_dir: dir.display().to_string(),
        site_count: active.session.sites().len(),
        profile: home.profile().to_string(),
        platform: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
    })
}

/// Version, data directory and site count, shown in the status bar.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>, req: Req<AppInfoCmd>) -> Res<AppInfoCmd> {
    let _ = req;
    state.first_paint();
    info(&*state.profiles.ready().await?)
}

/// Copies the newest log file to the Downloads folder.
#[tauri::command]
pub async fn export_app_log<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Req<ExportAppLogCmd>,
) -> Res<ExportAppLogCmd> {
    let _ = req;
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
    let dest = crate::save::choose(&app, &format!("outpost-desktop-log-{stamp}"), "log").await?;
    let logs = state.home.log_dir();
    tokio::task::spawn_blocking(move || crate::logging::export(&logs, &dest))
        .await
        .map_err(error::join)?
}

#[tauri::command]
pub async fn get_settings(
    state: State<'_, AppState>,
    req: Req<GetSettingsCmd>,
) -> Res<GetSettingsCmd> {
    let _ = req;
    settings::load(&state.home)
}

#[tauri::command]
pub async fn set_settings(
    state: State<'_, AppState>,
    req: Req<SetSettingsCmd>,
) -> Res<SetSettingsCmd> {
    settings::save(&state.home, req)
}
