//! [`FleetMonitor`]: the handle the CLI and the desktop app hold.

use super::entry::Shared;
use crate::client::{ClientCache, Timeouts};
use crate::credentials::Vault;
use crate::model::{Reach, SiteHealth, SiteState};
use crate::registry::Site;
use crate::snapshot::SnapshotStore;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::Instrument;

/// How the monitor behaves.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    /// Sites swept at the same time.
    pub concurrency: usize,
    pub timeouts: Timeouts,
    /// Budget for one site's sweep (probe, version, lists).
    pub sweep_deadline: Duration,
    /// Keep watching after the first sweep (false: one sweep per site, then stop).
    pub watch: bool,
    /// Reachability check interval while watching.
    pub ping_every: Duration,
    /// At most one snapshot per site per this interval (plus one on the first sync).
    pub snapshot_every: Duration,
    /// Retry interval bounds for a site that does not answer.
    pub retry_min: Duration,
    pub retry_max: Duration,
    /// Server-side timeout of each watch request, in seconds: shorter than
    /// `timeouts.watch_idle`, or a quiet watch counts as a dropped connection.
    pub watch_timeout_secs: u32,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            concurrency: 32,
            timeouts: Timeouts::default(),
            sweep_deadline: Duration::from_secs(8),
            watch: true,
            ping_every: Duration::from_secs(10),
            snapshot_every: Duration::from_secs(30),
            retry_min: Duration::from_secs(1),
            // Short enough that a site coming back is noticed, swept and current
            // within 10 s.
            retry_max: Duration::from_secs(5),
            watch_timeout_secs: 60,
        }
    }
}

/// The whole fleet's health, as published to subscribers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FleetHealth {
    /// Bumped on every published change.
    pub generation: u64,
    pub sites: BTreeMap<String, Arc<SiteHealth>>,
}

/// Counters for one site (diagnostics and tests).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteStats {
    pub sweeps: u64,
    pub sweep_failures: u64,
    /// Watch (re)starts that relisted (`Init` events) across all watched kinds.
    pub relists: u64,
    pub watch_errors: u64,
    pub watch_events: u64,
    pub snapshots_written: u64,
}

/// What [`FleetMonitor::set_sites`] changed, by site name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Sites whose record changed: restarted if the way to reach them changed (address,
    /// trust, credentials), else only their metadata is updated.
    pub changed: Vec<String>,
}

impl SiteChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Stops the site tasks when the last handle is dropped.
struct Guard {
    stop: watch::Sender<bool>,
    tasks: std::sync::Mutex<HashMap<String, tokio::task::JoinHandle<()>>>,
}

impl Guard {
    fn tasks(&self) -> std::sync::MutexGuard<'_, HashMap<String, tokio::task::JoinHandle<()>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for (_, t) in self.tasks().drain() {
            t.abort();
        }
    }
}

/// The live health engine. Cheap to clone; every clone sees the same state.
#[derive(Clone)]
pub struct FleetMonitor {
    shared: Arc<Shared>,
    guard: Arc<Guard>,
}

impl FleetMonitor {
    /// Starts one task per site (must be called inside a Tokio runtime). Snapshots, when
    /// given, are loaded first (stale until the site answers) and written after syncs.
    pub fn start(
        sites: Vec<Site>,
        vault: Arc<Vault>,
        snapshots: Option<SnapshotStore>,
        opts: MonitorOptions,
    ) -> FleetMonitor {
        let names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
        let clients = ClientCache::new(vault, opts.timeouts);
        // Every site's credentials over one keyring session, while the sweep connects.
        clients.prefetch(&sites);
        let shared = Shared::new(sites, clients, snapshots, opts);
        for n in &names {
            shared.load_snapshot(n);
        }
        let (stop, _) = watch::channel(false);
        let m = FleetMonitor {
            shared,
            guard: Arc::new(Guard {
                stop,
                tasks: std::sync::Mutex::new(HashMap::new()),
            }),
        };
        for n in names {
            m.spawn(n);
        }
        m
    }

    fn spawn(&self, name: String) {
        let span = tracing::info_span!("site", site = %name);
        let fut = super::site_task::run(
            self.shared.clone(),
            name.clone(),
            self.guard.stop.subscribe(),
        );
        let task = tokio::spawn(fut.instrument(span));
        if let Some(old) = self.guard.tasks().insert(name, task) {
            old.abort();
        }
    }

    /// Follows a changed site list (must be called inside a Tokio runtime): sites no
    /// longer listed stop being watched and leave the published health, new ones start
    /// (from their snapshot until they answer), and a site whose record changed is
    /// started again with it.
    pub fn set_sites(&self, sites: &[Site]) -> SiteChanges {
        let mut ch = SiteChanges::default();
        let known: HashMap<String, Site> = self
            .shared
            .lock()
            .iter()
            .map(|(n, e)| (n.clone(), e.site.clone()))
            .collect();
        for name in known.keys() {
            if !sites.iter().any(|s| &s.name == name) {
                ch.removed.push(name.clone());
            }
        }
        let mut start = Vec::new();
        let mut restart = Vec::new();
        for s in sites {
            match known.get(&s.name) {
                None => ch.added.push(s.name.clone()),
                Some(old) if old == s => continue,
                Some(old) => {
                    ch.changed.push(s.name.clone());
                    if same_connection(old, s) {
                        // Metadata only (name shown, tags, location): no reconnect.
                        let new = s.clone();
                        self.shared.update(&s.name, |e| e.site = new);
                        continue;
                    }
                    restart.push(s.name.clone());
                }
            }
            start.push(s.clone());
        }
        for name in ch.removed.iter().chain(&restart) {
            self.shared.remove(name);
            if let Some(t) = self.guard.tasks().remove(name) {
                t.abort();
            }
        }
        if *self.guard.stop.borrow() {
            return ch;
        }
        self.shared.clients.prefetch(&start);
        for s in start {
            let name = s.name.clone();
            if self.shared.insert(s) {
                self.shared.load_snapshot(&name);
                self.spawn(name);
            }
        }
        if !ch.is_empty() {
            // Subscribers re-read the site list even when no health changed (tags).
            self.shared.tx.send_modify(|fh| fh.generation += 1);
            tracing::info!(added = ?ch.added, removed = ?ch.removed, changed = ?ch.changed, "monitored sites changed");
        }
        ch
    }

    /// A receiver of every change (the current value is available at once).
    pub fn subscribe(&self) -> watch::Receiver<FleetHealth> {
        self.shared.tx.subscribe()
    }

    /// The fleet's health now.
    pub fn current(&self) -> FleetHealth {
        self.shared.tx.borrow().clone()
    }

    /// One site's health now.
    pub fn site(&self, name: &str) -> Option<Arc<SiteHealth>> {
        self.shared.tx.borrow().sites.get(name).cloned()
    }

    /// Reads a site's pruned state as the watches keep it, under the monitor's lock
    /// (keep `f` short: it blocks updates of every site).
    pub fn with_state<T>(&self, name: &str, f: impl FnOnce(&SiteState) -> T) -> Option<T> {
        self.shared.lock().get(name).map(|e| f(&e.state))
    }

    /// A site's counters.
    pub fn stats(&self, name: &str) -> Option<SiteStats> {
        self.shared.stats(name)
    }

    /// Whether every site has been checked once.
    pub fn all_checked(&self) -> bool {
        self.shared.lock().values().all(|e| e.known.checked())
    }

    /// Waits until every site was checked once, or `deadline` passes. Sites still
    /// unanswered then are reported as timed out.
    pub async fn first_sweep(&self, deadline: Duration) -> FleetHealth {
        let mut rx = self.subscribe();
        let until = tokio::time::Instant::now() + deadline;
        while !self.all_checked() {
            if tokio::time::timeout_at(until, rx.changed()).await.is_err() {
                break;
            }
        }
        let pending: Vec<String> = self
            .shared
            .lock()
            .iter()
            .filter(|(_, e)| !e.known.checked())
            .map(|(n, _)| n.clone())
            .collect();
        for n in pending {
            self.shared.update(&n, |e| {
                e.reach = Reach::Timeout;
                e.reach_kind = Some(crate::error::ErrorKind::Timeout);
                e.reach_reason = Some(format!("no answer within {deadline:?}"));
                e.known.unanswered();
            });
        }
        self.current()
    }

    /// Waits until `pred` holds for a site's health, or `deadline` passes.
    pub async fn wait_for(
        &self,
        site: &str,
        deadline: Duration,
        pred: impl Fn(&SiteHealth) -> bool,
    ) -> Option<Arc<SiteHealth>> {
        let mut rx = self.subscribe();
        let until = tokio::time::Instant::now() + deadline;
        loop {
            if let Some(h) = rx.borrow_and_update().sites.get(site)
                && pred(h)
            {
                return Some(h.clone());
            }
            if tokio::time::timeout_at(until, rx.changed()).await.is_err() {
                return None;
            }
        }
    }

    /// Stops every site task (also done when the last clone is dropped).
    pub fn stop(&self) {
        let _ = self.guard.stop.send(true);
    }
}

/// Whether two records of a site reach it the same way (address, trust, credentials).
fn same_connection(a: &Site, b: &Site) -> bool {
    a.endpoint == b.endpoint
        && a.ca_pem == b.ca_pem
        && a.insecure_skip_tls_verify == b.insecure_skip_tls_verify
        && a.tls_server_name == b.tls_server_name
        && a.credentials == b.credentials
}
