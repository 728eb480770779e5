//! State shared by all commands.

use crate::profiles::Profiles;
use outpost_core::paths::Home;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Managed by Tauri; commands get it through `State<'_, AppState>`.
pub struct AppState {
    /// The default profile: settings and the app's own log live here.
    pub home: Home,
    /// The active profile (the user's sites or the demo fleet).
    pub profiles: Arc<Profiles>,
    started: Instant,
    painted: AtomicBool,
}

impl AppState {
    pub fn new(home: Home) -> Self {
        let root = Some(home.root().to_path_buf());
        Self {
            home,
            profiles: Arc::new(Profiles::new(root)),
            started: Instant::now(),
            painted: AtomicBool::new(false),
        }
    }

    /// Logs, once, how long the window took to show the first interactive page: the
    /// UI calls `app_info` as soon as it has rendered (`bench/app.sh` reads this line).
    pub fn first_paint(&self) {
        if !self.painted.swap(true, Ordering::Relaxed) {
            let ms = self.started.elapsed().as_millis();
            tracing::info!(elapsed_ms = ms as u64, "first interactive paint");
        }
    }
}
