//! Files dropped on the window: each is read as a bundle and its preview (the import
//! waits for the user's confirmation) or its refusal sent to every `watch_notices`
//! stream.

use super::fail;
use crate::state::AppState;
use outpost_ipc::snapshot::Notice;
use outpost_ipc::{ErrorKind, IpcError};
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::broadcast;

/// Managed by Tauri: the notices of dropped files, for every `watch_notices` stream.
pub struct SnapshotsState {
    notices: broadcast::Sender<Notice>,
}

impl Default for SnapshotsState {
    fn default() -> Self {
        SnapshotsState {
            notices: broadcast::channel(16).0,
        }
    }
}

impl SnapshotsState {
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }
}

/// Handles files dropped on the window (see the module doc).
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
        let app = window.app_handle().clone();
        let paths = paths.clone();
        tauri::async_runtime::spawn(async move {
            for p in paths {
                dropped(&app, p).await;
            }
        });
    }
}

async fn dropped<R: Runtime>(app: &AppHandle<R>, path: PathBuf) {
    let (Some(state), Some(snaps)) = (
        app.try_state::<AppState>(),
        app.try_state::<SnapshotsState>(),
    ) else {
        return;
    };
    let r = if path.is_dir() {
        Err(IpcError::new(
            ErrorKind::InvalidInput,
            "a folder is not a snapshot bundle",
        ))
    } else {
        match state.profiles.ready().await {
            Ok(a) => a
                .session
                .preview_bundle(path.clone(), None)
                .await
                .map_err(fail),
            Err(e) => Err(e),
        }
    };
    tracing::info!(ok = r.is_ok(), "dropped file read");
    let (preview, error) = match r {
        Ok(p) => (Some(p), None),
        Err(e) => (None, Some(e)),
    };
    let _ = snaps.notices.send(Notice {
        path: path.display().to_string(),
        preview,
        imported: None,
        error,
    });
}

/// Forwards the notices to `ch` until the webview stops listening.
pub fn forward(mut rx: broadcast::Receiver<Notice>, ch: Channel<Notice>) {
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(n) => {
                    if ch.send(n).is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}
