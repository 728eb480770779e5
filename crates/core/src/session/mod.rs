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
use crate::detail::{self, DetailError};
use crate::health::{FleetHealth, FleetMonitor, MonitorOptions, Reach};
use crate::paths::Home;
use crate::registry::{RegistryError, RegistryWatch, Site, SiteStore, watch as registry_watch};
use crate::snapshot::SnapshotStore;
use outpost_ipc as ipc;
use std::sync::{Arc, RwLock};
use std::time::Duration;
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
        let store = SiteStore::new(&home);
        let sites = store.list()?;
        let snapshots = SnapshotStore::new(&home);
        let timeouts = opts.timeouts;
        let clients = ClientCache::new(vault.clone(), timeouts);
        let monitor =
            FleetMonitor::start(sites.clone(), vault.clone(), Some(snapshots.clone()), opts);
        let shared: SharedSites = Arc::new(RwLock::new(Arc::new(sites.clone())));
        let follow = match RegistryWatch::start(store, sites, registry_watch::DEBOUNCE) {
            Ok(w) => Some(tokio::spawn(follow(
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
            .map(|s| detail::summary(s, fleet.sites.get(&s.name).map(|h| h.as_ref())))
            .collect()
    }

    /// One site in depth: read live when the engine last reached it, otherwise (or
    /// when the live read fails) from its snapshot, flagged stale. A site known to be
    /// down answers from the snapshot at once instead of waiting for a deadline.
    pub async fn detail(&self, name: &str) -> Result<ipc::SiteDetail, DetailError> {
        let sites = self.sites();
        let site = sites
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| DetailError::UnknownSite(name.to_string()))?;
        let health = self.monitor.site(name);
        let down = health
            .as_ref()
            .is_some_and(|h| !matches!(h.reach, Reach::Reachable | Reach::Unknown));
        let live = if down {
            None
        } else {
            let deadline = self.timeouts.request + Duration::from_secs(2);
            Some(detail::fetch(site, &self.clients, health.as_deref(), deadline).await)
        };
        match live {
            Some(Ok(d)) => Ok(d),
            Some(Err(e)) => {
                tracing::info!(site = %name, error = %e, "live read failed; using the snapshot");
                self.clients.forget(name);
                self.snapshot_detail(site, health.as_deref(), e)
            }
            None => {
                let why = health
                    .as_ref()
                    .and_then(|h| h.reach_reason.clone())
                    .unwrap_or_else(|| "not reachable".into());
                self.snapshot_detail(
                    site,
                    health.as_deref(),
                    crate::client::ClientError::Unreachable(why),
                )
            }
        }
    }

    fn snapshot_detail(
        &self,
        site: &Site,
        health: Option<&crate::health::SiteHealth>,
        source: crate::client::ClientError,
    ) -> Result<ipc::SiteDetail, DetailError> {
        let snap = self.snapshots.read(&site.name);
        // A stored bundle (exported or imported) keeps every resource; prefer it when it
        // is at least as recent as the health engine's pruned snapshot.
        let newest_known = match &snap {
            Ok(Some(s)) => Some(s.taken_at),
            _ => None,
        };
        let stored = crate::bundle::imported_path(&self.home, &site.name);
        if stored.exists()
            && let Ok(b) = crate::bundle::read_file(&stored, None)
            && newest_known.is_none_or(|t| b.manifest.taken_at >= t)
        {
            return Ok(detail::from_bundle(site, &b, health));
        }
        match snap {
            Ok(Some(snap)) => Ok(detail::from_snapshot(site, &snap, health)),
            Ok(None) => Err(DetailError::NoData {
                site: site.name.clone(),
                source,
            }),
            Err(e) => {
                tracing::warn!(site = %site.name, error = %e, "snapshot unreadable");
                Err(DetailError::NoData {
                    site: site.name.clone(),
                    source,
                })
            }
        }
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
