//! State shared by all commands.

use crate::profiles::Profiles;
use outpost_core::paths::Home;
use std::sync::Arc;

/// Managed by Tauri; commands get it through `State<'_, AppState>`.
pub struct AppState {
    /// The default profile: settings and the app's own log live here.
    pub home: Home,
    /// The active profile (the user's sites or the demo fleet).
    pub profiles: Arc<Profiles>,
}

impl AppState {
    pub fn new(home: Home) -> Self {
        let root = Some(home.root().to_path_buf());
        Self {
            home,
            profiles: Arc::new(Profiles::new(root)),
        }
    }
}
