//! Rollouts run by this process: each one in a task on the Tauri async runtime, apart
//! from any window or view, so closing the Rollouts view never stops it. The engine's
//! journal is the source of truth; the live `watch` receivers only add progress that is
//! not journaled (replica counts) and spare watchers from re-reading the journal.

use crate::profiles::Active;
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::rollout::{Engine, EngineOptions, RolloutError, RolloutStore, RolloutView};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tracing::Instrument;

/// Attempts to take a rollout's run lock: a watcher's `is_running` probe holds it for an
/// instant, so a start that meets it tries again before giving up.
const LOCK_ATTEMPTS: u32 = 10;

/// A rollout, by its profile's rollouts directory and its id.
pub type Key = (PathBuf, String);

/// The rollouts this process runs now. Managed by Tauri.
#[derive(Default, Clone)]
pub struct RolloutsState {
    runs: Arc<Mutex<HashMap<Key, watch::Receiver<RolloutView>>>>,
}

/// How the engine paces itself in the app.
fn options() -> EngineOptions {
    EngineOptions {
        poll: Duration::from_millis(500),
        ..EngineOptions::default()
    }
}

impl RolloutsState {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, watch::Receiver<RolloutView>>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The live state of a rollout this process runs, if it runs it.
    pub fn live(&self, key: &Key) -> Option<watch::Receiver<RolloutView>> {
        self.lock().get(key).cloned()
    }

    /// Whether the rollout runs here or in another process (the CLI).
    pub fn running(&self, store: &RolloutStore, id: &str) -> bool {
        self.live(&key(store, id)).is_some() || store.is_running(id)
    }

    /// Runs (or resumes) rollout `id` of `active`'s profile in the background, unless
    /// it already runs here. Answers at once; the journal records what happens.
    pub fn spawn(&self, active: &Arc<Active>, id: &str) -> Result<(), RolloutError> {
        let home = active.session.home().clone();
        let store = RolloutStore::new(&home);
        let k = key(&store, id);
        let view = store.view(id)?;
        let (tx, rx) = watch::channel(view);
        {
            let mut runs = self.lock();
            if runs.contains_key(&k) {
                return Ok(());
            }
            runs.insert(k.clone(), rx);
        }
        let engine = Engine::new(
            &home,
            active.session.sites().to_vec(),
            ClientCache::new(active.vault.clone(), Timeouts::default()),
            options(),
        );
        let runs = self.clone();
        let id = id.to_string();
        let span = tracing::info_span!("rollout", id = %id);
        tauri::async_runtime::spawn(
            async move {
                let mut attempt = 0;
                let r = loop {
                    attempt += 1;
                    match engine.run(&id, Some(tx.clone())).await {
                        Err(RolloutError::Busy(_)) if attempt < LOCK_ATTEMPTS => {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        r => break r,
                    }
                };
                match r {
                    Ok(v) => tracing::info!(status = v.status.as_str(), "rollout stopped"),
                    Err(e) => tracing::warn!(error = %e, "rollout could not run"),
                }
                runs.lock().remove(&k);
            }
            .instrument(span),
        );
        Ok(())
    }
}

/// The key of rollout `id` in `store`.
pub fn key(store: &RolloutStore, id: &str) -> Key {
    (store.dir().to_path_buf(), id.to_string())
}
