//! [`RegistryWatch`]: notices when another process (the CLI, a second app) changes a
//! profile's site list, so the open app follows without a restart.
//!
//! The profile directory is watched, not the file: every writer replaces `outpost.json`
//! by an atomic rename, which a watch on the old file would not see. Events for the store
//! file are debounced (a burst of writes is read once), then the list is read under the
//! store's lock with [`SiteStore::peek`] (never moving a half-edited file aside) and
//! published only when it differs from the last one. Changes to other keys (the
//! settings) publish nothing.

use crate::error::ErrorKind;

use super::{RegistryError, Site, SiteStore};
use notify::{EventKind, RecursiveMode, Watcher};
use std::ffi::OsString;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Default quiet time before a change is read.
pub const DEBOUNCE: Duration = Duration::from_millis(100);
/// A stream of writes is read at least this often.
const MAX_DELAY: Duration = Duration::from_millis(500);

/// Why a watch could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path} for changes: {source}")]
    Notify {
        path: std::path::PathBuf,
        source: notify::Error,
    },
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl WatchError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            WatchError::Notify { .. } => ErrorKind::Storage,
            WatchError::Registry(e) => e.kind(),
        }
    }
}

/// Stops the watcher and its reader task when the last handle goes.
struct Inner {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A running watch on one store file. Cheap to clone; clones share the watch and each
/// sees every published list ([`RegistryWatch::changed`]).
#[derive(Clone)]
pub struct RegistryWatch {
    rx: watch::Receiver<Arc<Vec<Site>>>,
    _inner: Arc<Inner>,
}

impl RegistryWatch {
    /// Starts watching `store` (inside a Tokio runtime). `current` is the list the
    /// caller has: only a list that differs from it is published.
    pub fn start(
        store: SiteStore,
        current: Vec<Site>,
        debounce: Duration,
    ) -> Result<RegistryWatch, WatchError> {
        let path = store.path().to_path_buf();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let file: OsString = path.file_name().map(Into::into).unwrap_or_default();
        let notify_err = |source| WatchError::Notify {
            path: dir.clone(),
            source,
        };
        let (ev_tx, ev_rx) = mpsc::unbounded_channel();
        let mut watcher =
            notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
                Ok(ev) => {
                    let ours = ev
                        .paths
                        .iter()
                        .any(|p| p.file_name() == Some(file.as_os_str()));
                    if ours && !matches!(ev.kind, EventKind::Access(_)) {
                        let _ = ev_tx.send(());
                    }
                }
                Err(e) => tracing::warn!(error = %e, "site registry watch error"),
            })
            .map_err(notify_err)?;
        std::fs::create_dir_all(&dir).map_err(|e| notify_err(notify::Error::io(e)))?;
        watcher
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(notify_err)?;
        let (tx, rx) = watch::channel(Arc::new(current));
        let task = tokio::spawn(read_changes(store, ev_rx, tx, debounce));
        Ok(RegistryWatch {
            rx,
            _inner: Arc::new(Inner {
                _watcher: watcher,
                task,
            }),
        })
    }

    /// The site list as last published.
    pub fn sites(&self) -> Arc<Vec<Site>> {
        self.rx.borrow().clone()
    }

    /// Waits for the next changed site list. `None` once the watch has stopped.
    pub async fn changed(&mut self) -> Option<Arc<Vec<Site>>> {
        self.rx.changed().await.ok()?;
        Some(self.rx.borrow_and_update().clone())
    }
}

/// Reads the list after each quiet burst of events and publishes it if it changed.
async fn read_changes(
    store: SiteStore,
    mut events: mpsc::UnboundedReceiver<()>,
    tx: watch::Sender<Arc<Vec<Site>>>,
    debounce: Duration,
) {
    while events.recv().await.is_some() {
        let until = tokio::time::Instant::now() + MAX_DELAY.max(debounce);
        loop {
            let quiet = tokio::time::Instant::now() + debounce;
            match tokio::time::timeout_at(quiet.min(until), events.recv()).await {
                Ok(Some(())) if tokio::time::Instant::now() < until => continue,
                Ok(None) => return,
                _ => break,
            }
        }
        let s = store.clone();
        let read = tokio::task::spawn_blocking(move || s.peek()).await;
        match read {
            Ok(Ok(sites)) => {
                tx.send_if_modified(|cur| {
                    if **cur == sites {
                        return false;
                    }
                    tracing::debug!(sites = sites.len(), "the site registry changed on disk");
                    *cur = Arc::new(sites);
                    true
                });
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, kind = ?e.kind(), "changed site registry not read; keeping the sites as they were")
            }
            Err(e) => tracing::warn!(error = %e, "site registry read failed"),
        }
        if tx.is_closed() {
            return;
        }
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
