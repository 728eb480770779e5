//! Rollouts run by this process: the live-runs registry and the busy retry, shared by
//! the desktop app (runs in the background, apart from any window) and the CLI (one
//! run in the foreground).
//!
//! The engine's journal is the source of truth; the live `watch` receivers only add
//! progress that is not journaled (replica counts) and spare watchers from re-reading
//! the journal. The registry is a cheap handle: its lock is never held across an
//! `.await`.

use crate::client::ClientCache;
use crate::paths::Home;
use crate::registry::Site;
use crate::rollout::{Engine, EngineOptions, RolloutError, RolloutStore, RolloutView};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;
use tracing::Instrument;

/// Attempts to take a rollout's run lock: a watcher's `is_running` probe holds it for an
/// instant, so a start that meets it tries again before giving up.
pub const LOCK_ATTEMPTS: u32 = 10;
/// Time between two attempts to take the run lock.
pub const LOCK_RETRY: Duration = Duration::from_millis(100);

/// A rollout, by its profile's rollouts directory and its id.
pub type RunKey = (PathBuf, String);

type Registry = HashMap<RunKey, watch::Receiver<RolloutView>>;

/// The rollouts this process runs now, with their live state. Clones share the list,
/// so it outlives a session that is reopened (an import, a profile switch).
#[derive(Default, Clone)]
pub struct LiveRuns {
    runs: Arc<Mutex<Registry>>,
}

impl LiveRuns {
    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The live state of rollout `id` of `store`, if this process runs it.
    pub fn live(&self, store: &RolloutStore, id: &str) -> Option<watch::Receiver<RolloutView>> {
        self.lock().get(&key(store, id)).cloned()
    }

    /// Whether the rollout runs here or in another process (the CLI). Blocking: the
    /// second half probes the run lock's file.
    pub fn running(&self, store: &RolloutStore, id: &str) -> bool {
        self.live(store, id).is_some() || store.is_running(id)
    }

    /// Registers a run; false when one of that rollout runs here already.
    fn claim(&self, k: &RunKey, rx: watch::Receiver<RolloutView>) -> bool {
        let mut runs = self.lock();
        if runs.contains_key(k) {
            return false;
        }
        runs.insert(k.clone(), rx);
        true
    }

    fn release(&self, k: &RunKey) {
        self.lock().remove(k);
    }
}

/// The key of rollout `id` in `store`.
pub fn key(store: &RolloutStore, id: &str) -> RunKey {
    (store.dir().to_path_buf(), id.to_string())
}

/// Runs the rollouts of one profile: builds the engine over the given sites and the
/// profile's client cache, registers each run, and retries a run lock a watcher holds.
#[derive(Clone)]
pub struct Runner {
    home: Home,
    clients: ClientCache,
    runs: LiveRuns,
    opts: EngineOptions,
}

impl Runner {
    pub fn new(home: Home, clients: ClientCache, runs: LiveRuns, opts: EngineOptions) -> Runner {
        Runner {
            home,
            clients,
            runs,
            opts,
        }
    }

    /// The profile's rollout journals.
    pub fn store(&self) -> RolloutStore {
        RolloutStore::new(&self.home)
    }

    /// The runs registry.
    pub fn runs(&self) -> &LiveRuns {
        &self.runs
    }

    fn engine(&self, sites: Vec<Site>) -> Engine {
        Engine::new(&self.home, sites, self.clients.clone(), self.opts)
    }

    /// Runs rollout `id` here until it stops, registered while it runs; `updates` gets
    /// every change. [`RolloutError::Busy`] when this process runs it already, or when
    /// another process still holds its lock after [`LOCK_ATTEMPTS`].
    pub async fn run(
        &self,
        sites: Vec<Site>,
        id: &str,
        updates: watch::Sender<RolloutView>,
    ) -> Result<RolloutView, RolloutError> {
        let k = key(&self.store(), id);
        if !self.runs.claim(&k, updates.subscribe()) {
            return Err(RolloutError::Busy(id.to_string()));
        }
        let r = run_retrying(&self.engine(sites), id, updates).await;
        self.runs.release(&k);
        r
    }

    /// Runs (or resumes) rollout `id` in a background task, unless this process runs it
    /// already. Answers at once; the journal records what happens. Blocking (reads the
    /// journal): call it from `spawn_blocking`, inside a Tokio runtime.
    pub fn spawn(&self, sites: Vec<Site>, id: &str) -> Result<(), RolloutError> {
        let store = self.store();
        let k = key(&store, id);
        let (tx, rx) = watch::channel(store.view(id)?);
        if !self.runs.claim(&k, rx) {
            return Ok(());
        }
        let engine = self.engine(sites);
        let runs = self.runs.clone();
        let id = id.to_string();
        let span = tracing::info_span!("rollout", id = %id);
        tokio::spawn(
            async move {
                match run_retrying(&engine, &id, tx).await {
                    Ok(v) => tracing::info!(status = v.status.as_str(), "rollout stopped"),
                    Err(e) => tracing::warn!(error = %e, "rollout could not run"),
                }
                runs.release(&k);
            }
            .instrument(span),
        );
        Ok(())
    }
}

/// `engine.run`, tried again while the rollout's lock is busy (at most
/// [`LOCK_ATTEMPTS`] times).
async fn run_retrying(
    engine: &Engine,
    id: &str,
    tx: watch::Sender<RolloutView>,
) -> Result<RolloutView, RolloutError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match engine.run(id, Some(tx.clone())).await {
            Err(RolloutError::Busy(_)) if attempt < LOCK_ATTEMPTS => {
                tracing::debug!(rollout = %id, attempt, "rollout lock busy; trying again");
                tokio::time::sleep(LOCK_RETRY).await;
            }
            r => return r,
        }
    }
}
