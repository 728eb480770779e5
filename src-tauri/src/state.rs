//! State shared by all commands.

use outpost_core::paths::Home;

/// Managed by Tauri; commands get it through `State<'_, AppState>`.
pub struct AppState {
    pub home: Home,
}

impl AppState {
    pub fn new(home: Home) -> Self {
        Self { home }
    }
}
