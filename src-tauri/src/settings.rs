//! Settings and the site count, kept in the profile's store file (`outpost.json`, the
//! tauri-plugin-store format) that the CLI's site registry shares.
//!
//! Reads go through tauri-plugin-store (reloaded first, since the CLI may have written
//! the file). Writes go through `outpost_core::registry::SiteStore`, which takes the
//! store's lock and writes atomically, so the app and the CLI never lose each other's
//! changes and a crash mid-write leaves the old file intact.

use crate::error;
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_ipc::{ErrorKind, IpcError, Settings};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

/// Store key holding [`Settings`].
pub const SETTINGS_KEY: &str = "settings";

/// The saved settings, or defaults. Invalid saved settings are reported in the log and
/// replaced by defaults in memory only: the file is left as it is until the user saves.
pub fn load<R: Runtime>(app: &AppHandle<R>, home: &Home) -> Result<Settings, IpcError> {
    let store = app.store(home.store_file()).map_err(error::store)?;
    if home.store_file().exists() {
        store.reload().map_err(error::store)?;
    }
    let Some(raw) = store.get(SETTINGS_KEY) else {
        return Ok(Settings::default());
    };
    match serde_json::from_value::<Settings>(raw) {
        Ok(s) if s.validate().is_ok() => Ok(s),
        Ok(_) | Err(_) => {
            tracing::warn!(file = %home.store_file().display(), "saved settings are invalid; using defaults");
            Ok(Settings::default())
        }
    }
}

/// Validates and persists `s`.
pub fn save<R: Runtime>(
    app: &AppHandle<R>,
    home: &Home,
    s: Settings,
) -> Result<Settings, IpcError> {
    s.validate()
        .map_err(|e| IpcError::new(ErrorKind::InvalidInput, e.to_string()))?;
    let value = serde_json::to_value(&s)
        .map_err(|e| IpcError::new(ErrorKind::Internal, format!("encode settings: {e}")))?;
    SiteStore::new(home)
        .set_key(SETTINGS_KEY, value)
        .map_err(|e| error::core(e.kind(), e))?;
    // Keep the plugin's in-memory copy in step with the file.
    app.store(home.store_file())
        .and_then(|st| st.reload())
        .map_err(error::store)?;
    Ok(s)
}
