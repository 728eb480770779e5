//! Typed calls to the backend. Each command is described once in `outpost-ipc`, so a
//! renamed field or command fails to compile here and in `src-tauri` alike.

pub mod channel;
mod invoke;
pub mod logs;
pub mod rollouts;
pub mod snapshot;
pub mod upgrades;

use outpost_ipc::{
    AppInfo, AppInfoCmd, AppInfoRequest, FleetUpdate, GetSettingsCmd, GetSettingsRequest,
    ImportApplyCmd, ImportPreview, ImportPreviewCmd, ImportRequest, IpcError, LeaveDemoCmd,
    LeaveDemoRequest, ListSitesCmd, ListSitesRequest, OpenDemoCmd, OpenDemoRequest, SetSettingsCmd,
    Settings, SiteDetail, SiteDetailCmd, SiteDetailRequest, SiteSummary, WATCH_FLEET_CHANNEL_ARG,
    WatchFleetCmd, WatchFleetRequest,
};

pub use channel::Channel;
pub use invoke::{call, call_with};

/// Streams fleet changes to `on_update` for as long as the returned channel lives.
pub async fn watch_fleet(on_update: impl Fn(FleetUpdate) + 'static) -> Result<Channel, IpcError> {
    let ch = Channel::new(on_update);
    call_with::<WatchFleetCmd>(
        &WatchFleetRequest {},
        &[(WATCH_FLEET_CHANNEL_ARG, ch.arg())],
    )
    .await?;
    Ok(ch)
}

/// Copies the app's log file to the Downloads folder.
pub async fn export_app_log() -> Result<outpost_ipc::ExportedFile, IpcError> {
    call::<outpost_ipc::ExportAppLogCmd>(&outpost_ipc::ExportAppLogRequest {}).await
}

/// What was changed at a site from Outpost, newest first.
pub async fn change_journal(
    name: &str,
) -> Result<Vec<outpost_ipc::rollout::ChangeEntry>, IpcError> {
    call::<outpost_ipc::ChangeJournalCmd>(&SiteDetailRequest { name: name.into() }).await
}

/// Starts the built-in demo fleet and switches to it.
pub async fn open_demo() -> Result<AppInfo, IpcError> {
    call::<OpenDemoCmd>(&OpenDemoRequest {}).await
}

/// Leaves the demo for the user's own sites.
pub async fn leave_demo() -> Result<AppInfo, IpcError> {
    call::<LeaveDemoCmd>(&LeaveDemoRequest {}).await
}

/// What importing would do.
pub async fn import_preview(req: &ImportRequest) -> Result<ImportPreview, IpcError> {
    call::<ImportPreviewCmd>(req).await
}

/// Imports; answers the new sites' names.
pub async fn import_apply(req: &ImportRequest) -> Result<Vec<String>, IpcError> {
    call::<ImportApplyCmd>(req).await
}

pub async fn app_info() -> Result<AppInfo, IpcError> {
    call::<AppInfoCmd>(&AppInfoRequest {}).await
}

pub async fn get_settings() -> Result<Settings, IpcError> {
    call::<GetSettingsCmd>(&GetSettingsRequest {}).await
}

pub async fn set_settings(s: &Settings) -> Result<Settings, IpcError> {
    call::<SetSettingsCmd>(s).await
}

/// Every site of the active profile.
pub async fn list_sites() -> Result<Vec<SiteSummary>, IpcError> {
    call::<ListSitesCmd>(&ListSitesRequest {}).await
}

/// One site in depth.
pub async fn site_detail(name: &str) -> Result<SiteDetail, IpcError> {
    call::<SiteDetailCmd>(&SiteDetailRequest { name: name.into() }).await
}
