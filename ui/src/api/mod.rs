//! Typed calls to the backend. Each command is described once in `outpost-ipc`, so a
//! renamed field or command fails to compile here and in `src-tauri` alike.

mod invoke;

use outpost_ipc::{
    AppInfo, AppInfoCmd, AppInfoRequest, GetSettingsCmd, GetSettingsRequest, IpcError,
    SetSettingsCmd, Settings,
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
