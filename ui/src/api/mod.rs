//! Typed calls to the backend. Each command is described once in `outpost-ipc`, so a
//! renamed field or command fails to compile here and in `src-tauri` alike.

mod invoke;

use outpost_ipc::{
    AppInfo, AppInfoCmd, AppInfoRequest, GetSettingsCmd, GetSettingsRequest, IpcError,
    ListSitesCmd, ListSitesRequest, SetSettingsCmd, Settings, SiteDetail, SiteDetailCmd,
    SiteDetailRequest, SiteSummary,
};

pub use invoke::call;

pub async fn app_info() -> Result<AppInfo, IpcError> {
    call::<AppInfoCmd>(&AppInfoRequest {}).await
}

pub async fn get_settings() -> Result<Settings, IpcError> {
    call::<GetSettingsCmd>(&GetSettingsRequest {}).await
}

pub async fn set_settings(s: &Settings) -> Result<Settings, IpcError> {
    call::<SetSettingsCmd>(s).await
}

/// Every site of the active profile. Fails (typed) until the backend registers it.
pub async fn list_sites() -> Result<Vec<SiteSummary>, IpcError> {
    call::<ListSitesCmd>(&ListSitesRequest {}).await
}

/// One site in depth.
pub async fn site_detail(name: &str) -> Result<SiteDetail, IpcError> {
    call::<SiteDetailCmd>(&SiteDetailRequest { name: name.into() }).await
}
