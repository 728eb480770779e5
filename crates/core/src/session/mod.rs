//! [`Session`]: one open profile, as the desktop app holds it: the registered sites,
//! their credentials, the snapshot cache and the live [`FleetMonitor`], plus the
//! one-site detail read the site view needs.
//!
//! Opening a session is cheap and never touches the network itself; the monitor's
//! site tasks do that in the background, a dead site never delaying the others.
//!
//! The session follows its profile's site registry ([`RegistryWatch`]): a site another
//! process (the CLI) imports or removes is added to or removed from the site list and the
//! health engine within a second, and subscribers see the change.

mod blocking;
mod import;
mod journal;
mod rollouts;
mod runs;
mod upgrades;

pub use runs::{LiveRuns, RunKey, Runner};
pub use upgrades::UpgradeWatchError;

use crate::error::ErrorKind;

use crate::client::{ClientCache, Timeouts};
use crate::credentials::Vault;
use crate::health::{FleetHealth, FleetMonitor, MonitorOptions};
use crate::paths::Home;
use crate::registry::{RegistryError, RegistryWatch, Site, SiteStore, watch as registry_watch};
use crate::snapshot::SnapshotStore;
use outpost_ipc as ipc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

mod detail;
mod logs;
mod offline_error;
pub mod resolver;
mod snapshots;

pub use logs::{OpenedLogs, save_logs};
pub use offline_error::OfflineError;
use tokio::sync::watch;

/// Why a profile could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl SessionError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            SessionError::Registry(e) => e.kind(),
        }
    }
}

/// The site list, shared with the task that follows the registry (never locked
/// across an `.await`).
type SharedSites = Arc<RwLock<Arc<Vec<Site>>>>;

/// An open profile with its health engine running. Dropping it stops the engine and
/// the registry watch.
pub struct Session {
    home: Home,
    sites: SharedSites,
    snapshots: SnapshotStore,
    clients: ClientCache,
    monitor: FleetMonitor,
    timeouts: Timeouts,
    vault: Arc<Vault>,
    runs: LiveRuns,
    follow: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(t) = self.follow.take() {
            t.abort();
        }
    }
}

impl Session {
    /// Loads the profile's sites and starts watching them and the registry (inside a
    /// Tokio runtime). Blocking file I/O: call it from `spawn_blocking` or at start-up.
    /// A registry watch that cannot start is logged; the session works without it.
    pub fn open(home: Home, vault: Arc<Vault>, opts: MonitorOptions) -> Result<Self, SessionError> {
        Self::open_scoped(home, vault, opts, None)
    }

    /// [`Session::open`] with the health engine on the sites named in `only` (all when
    /// `None`): a command about one site (the CLI) does not sweep the whole fleet. A
    /// scoped session does not follow the registry.
    pub fn open_scoped(
        home: Home,
        vault: Arc<Vault>,
        opts: MonitorOptions,
        only: Option<&[String]>,
    ) -> Result<Self, SessionError> {
        let store = SiteStore::new(&home);
        let sites = store.list()?;
        let snapshots = SnapshotStore::new(&home);
        let timeouts = opts.timeouts;
        let clients = ClientCache::new(vault.clone(), timeouts);
        let watched: Vec<Site> = match only {
            Some(names) => sites
                .iter()
                .filter(|s| names.contains(&s.name))
                .cloned()
                .collect(),
            None => sites.clone(),
        };
        let monitor = FleetMonitor::start(watched, vault.clone(), Some(snapshots.clone()), opts);
        let shared: SharedSites = Arc::new(RwLock::new(Arc::new(sites.clone())));
        let watch = match only {
            Some(_) => Ok(None),
            None => RegistryWatch::start(store, sites, registry_watch::DEBOUNCE).map(Some),
        };
        let follow = match watch {
            Ok(None) => None,
            Ok(Some(w)) => Some(tokio::spawn(follow(
                w,
                shared.clone(),
                monitor.clone(),
                clients.clone(),
            ))),
            Err(e) => {
                tracing::warn!(error = %e, kind = ?e.kind(), "changes other programs make to the sites will show after a restart only");
                None
            }
        };
        Ok(Session {
            home,
            sites: shared,
            snapshots,
            clients,
            monitor,
            timeouts,
            vault,
            runs: LiveRuns::default(),
            follow,
        })
    }

    pub fn home(&self) -> &Home {
        &self.home
    }

    /// The registered sites now, in registry order.
    pub fn sites(&self) -> Arc<Vec<Site>> {
        read(&self.sites)
    }

    /// Every change of the fleet's health.
    pub fn subscribe(&self) -> watch::Receiver<FleetHealth> {
        self.monitor.subscribe()
    }

    /// The map/list rows of every site, in registry order.
    pub fn summaries(&self) -> Vec<ipc::SiteSummary> {
        self.summaries_of(&self.monitor.current())
    }

    /// The rows for a given published health state.
    pub fn summaries_of(&self, fleet: &FleetHealth) -> Vec<ipc::SiteSummary> {
        self.sites()
            .iter()
            .map(|s| crate::detail::summary(s, fleet.sites.get(&s.name).map(|h| h.as_ref())))
            .collect()
    }

    /// Waits until every site was checked once, or `deadline` passes.
    pub async fn first_sweep(&self, deadline: Duration) -> FleetHealth {
        self.monitor.first_sweep(deadline).await
    }

    /// The health engine (for waiting on a site in the demo and in tests).
    pub fn monitor(&self) -> &FleetMonitor {
        &self.monitor
    }
}

fn read(sites: &SharedSites) -> Arc<Vec<Site>> {
    sites.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Applies each site list the registry watch publishes: the list first, then the
/// health engine (whose publishing wakes the subscribers, who then see the new list).
async fn follow(
    mut w: RegistryWatch,
    sites: SharedSites,
    monitor: FleetMonitor,
    clients: ClientCache,
) {
    while let Some(now) = w.changed().await {
        let before = read(&sites);
        for s in before.iter() {
            if !now.iter().any(|n| n == s) {
                clients.forget(&s.name);
            }
        }
        *sites.write().unwrap_or_else(|p| p.into_inner()) = now.clone();
        let m = monitor.clone();
        // Snapshot reads of added sites are blocking file I/O.
        match tokio::task::spawn_blocking(move || m.set_sites(&now)).await {
            Ok(ch) => tracing::info!(
                added = ch.added.len(),
                removed = ch.removed.len(),
                changed = ch.changed.len(),
                "followed a change of the site registry"
            ),
            Err(e) => tracing::warn!(error = %e, "site registry change not applied"),
        }
    }
}
