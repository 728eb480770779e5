//! The monitor's shared state: one [`Entry`] per site behind a mutex that is never held
//! across an `.await`, and the publishing of changed health to subscribers.

use super::evaluate::{Observation, evaluate};
use super::known::Known;
use super::monitor::{FleetHealth, MonitorOptions, SiteStats};
use crate::client::{ClientCache, ClientError};
use crate::error::ErrorKind;
use crate::model::{Reach, SiteHealth, SiteState};
use crate::registry::Site;
use crate::snapshot::{Snapshot, SnapshotStore};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Semaphore, watch};

/// Everything known about one site.
pub(crate) struct Entry {
    pub site: Site,
    pub state: SiteState,
    pub reach: Reach,
    pub reach_kind: Option<ErrorKind>,
    pub reach_reason: Option<String>,
    pub last_seen: Option<jiff::Timestamp>,
    /// When `state` was last known to match the site.
    pub data_at: Option<jiff::Timestamp>,
    /// What `state` is (nothing, from the snapshot cache, live) and whether the site
    /// was checked; changed only through its transitions.
    pub known: Known,
    pub last_write: Option<tokio::time::Instant>,
    pub stats: SiteStats,
    /// The site answered again after it was served stale, until the state is current
    /// again (see [`Entry::settle`]).
    pub reconnect: Option<Reconnect>,
    /// A baseline that differs from the current state, for [`Shared::update`] to write.
    pub keep: Option<Snapshot>,
}

/// A site that answers again after it was served stale.
pub(crate) struct Reconnect {
    /// The state the site had while it was not answering.
    pub baseline: Snapshot,
    /// When it answered again.
    pub since: tokio::time::Instant,
    /// Watched kinds relisted since (bits of `ALL_KINDS`).
    pub relisted_kinds: u8,
    /// The watches should relist (they resumed on their own, which replays changes
    /// but never says when it has caught up); taken once by [`Shared::take_resync`].
    pub resync: bool,
}

impl Entry {
    pub fn new(site: Site) -> Self {
        Entry {
            site,
            state: SiteState::default(),
            reach: Reach::Unknown,
            reach_kind: None,
            reach_reason: None,
            last_seen: None,
            data_at: None,
            known: Known::Nothing,
            last_write: None,
            stats: SiteStats::default(),
            reconnect: None,
            keep: None,
        }
    }

    pub fn health(&self, now: jiff::Timestamp) -> SiteHealth {
        let k = self.known;
        let stale = k.have_data() && (self.reach != Reach::Reachable || k.cached());
        evaluate(
            &self.site,
            &Observation {
                state: &self.state,
                reach: self.reach,
                reach_kind: self.reach_kind,
                reach_reason: self.reach_reason.clone(),
                last_seen: self.last_seen,
                snapshot_at: if stale { self.data_at } else { None },
                have_data: k.have_data(),
            },
            now,
        )
    }

    /// Records a successful answer. Call it before changing `state` from what the site
    /// said: when the site was served stale (from its snapshot, or from memory while
    /// it was away), the state it had is taken as its reconnect baseline.
    pub fn seen(&mut self) {
        let k = self.known;
        let stale = k.have_data() && (k.cached() || self.reach != Reach::Reachable);
        if stale
            && self.reconnect.is_none()
            && let Some(at) = self.data_at
        {
            let now = jiff::Timestamp::now();
            self.reconnect = Some(Reconnect {
                baseline: Snapshot {
                    format: crate::snapshot::FORMAT,
                    site: self.site.name.clone(),
                    taken_at: at,
                    state: self.state.clone(),
                    health: self.health(now),
                },
                since: tokio::time::Instant::now(),
                relisted_kinds: 0,
                resync: true,
            });
        }
        self.reach = Reach::Reachable;
        self.reach_kind = None;
        self.reach_reason = None;
        self.last_seen = Some(jiff::Timestamp::now());
    }

    /// The state is current again (a full sweep, or every watch relisted): a baseline
    /// taken when the site came back is kept (written) only if something changed.
    pub fn settle(&mut self) {
        let Some(Reconnect { baseline: b, .. }) = self.reconnect.take() else {
            return;
        };
        let name = &self.site.name;
        let before = crate::model::View::of_state(String::new(), None, &b.state);
        let now = crate::model::View::of_state(String::new(), None, &self.state);
        let changes = crate::model::diff(&before, &now);
        tracing::debug!(site = %name, changes = changes.len(), "caught up after coming back");
        if !changes.is_empty() {
            self.keep = Some(b);
        }
    }

    /// A watched kind relisted: once all have since the site came back, it is current.
    pub fn relisted(&mut self, bit: u8) {
        let Some(r) = &mut self.reconnect else {
            return;
        };
        r.relisted_kinds |= bit;
        if r.relisted_kinds == super::watches::ALL_KINDS {
            self.settle();
        }
    }

    /// Records a failure.
    pub fn failed(&mut self, e: &ClientError) {
        let r = Reach::of(e);
        if r == Reach::Reachable {
            // The site answered (429/5xx): it is up, the data may lag.
            self.seen();
        } else {
            self.reach = r;
        }
        self.reach_kind = Some(e.kind());
        self.reach_reason = Some(e.to_string());
    }
}

pub(crate) struct Shared {
    entries: Mutex<HashMap<String, Entry>>,
    pub tx: watch::Sender<FleetHealth>,
    pub snapshots: Option<SnapshotStore>,
    pub clients: ClientCache,
    pub opts: MonitorOptions,
    pub permits: Semaphore,
}

impl Shared {
    pub fn new(
        sites: Vec<Site>,
        clients: ClientCache,
        snapshots: Option<SnapshotStore>,
        opts: MonitorOptions,
    ) -> Arc<Self> {
        let now = jiff::Timestamp::now();
        let mut entries = HashMap::new();
        let mut fh = FleetHealth::default();
        for s in sites {
            let e = Entry::new(s);
            fh.sites
                .insert(e.site.name.clone(), Arc::new(e.health(now)));
            entries.insert(e.site.name.clone(), e);
        }
        Arc::new(Shared {
            entries: Mutex::new(entries),
            tx: watch::channel(fh).0,
            snapshots,
            clients,
            permits: Semaphore::new(opts.concurrency.max(1)),
            opts,
        })
    }

    /// Starts tracking a site (its health published as unknown until checked); `false`
    /// if it is tracked already.
    pub fn insert(&self, site: Site) -> bool {
        let e = Entry::new(site);
        let name = e.site.name.clone();
        let health = e.health(jiff::Timestamp::now());
        {
            let mut g = self.lock();
            if g.contains_key(&name) {
                return false;
            }
            g.insert(name, e);
        }
        self.publish(health);
        true
    }

    /// Stops tracking a site and withdraws its published health; `false` if it was not
    /// tracked.
    pub fn remove(&self, name: &str) -> bool {
        if self.lock().remove(name).is_none() {
            return false;
        }
        self.clients.forget(name);
        self.tx.send_if_modified(|fh| {
            let gone = fh.sites.remove(name).is_some();
            if gone {
                fh.generation += 1;
            }
            gone
        });
        true
    }

    pub fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn site(&self, name: &str) -> Option<Site> {
        self.lock().get(name).map(|e| e.site.clone())
    }

    /// Whether the site's watches should relist now (once).
    pub fn take_resync(&self, name: &str) -> bool {
        self.lock()
            .get_mut(name)
            .and_then(|e| e.reconnect.as_mut())
            .is_some_and(|r| std::mem::take(&mut r.resync))
    }

    pub fn stats(&self, name: &str) -> Option<SiteStats> {
        self.lock().get(name).map(|e| e.stats.clone())
    }

    /// Changes a site's entry and publishes its health if it changed.
    pub fn update<T>(&self, name: &str, f: impl FnOnce(&mut Entry) -> T) -> Option<T> {
        let (out, health, baseline) = {
            let mut g = self.lock();
            let e = g.get_mut(name)?;
            let out = f(e);
            (out, e.health(jiff::Timestamp::now()), e.keep.take())
        };
        self.publish(health);
        if let Some(b) = baseline {
            self.keep_baseline(b);
        }
        Some(out)
    }

    /// Writes a reconnect baseline off the lock (and off the runtime's threads).
    fn keep_baseline(&self, snap: Snapshot) {
        let Some(store) = self.snapshots.clone() else {
            return;
        };
        let write = move || match store.keep_baseline(&snap) {
            Ok(true) => {
                tracing::info!(since = %snap.taken_at, "site answers again; its state from before is kept as the reconnect baseline")
            }
            Ok(false) => {
                tracing::debug!("site answers again; an earlier reconnect baseline is kept")
            }
            Err(err) => {
                tracing::warn!(error = %err, kind = ?err.kind(), "reconnect baseline not written")
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn_blocking(write)),
            Err(_) => write(),
        }
    }

    fn publish(&self, h: SiteHealth) {
        self.tx.send_if_modified(|fh| {
            if fh.sites.get(&h.name).is_some_and(|old| **old == h) {
                return false;
            }
            // A site removed while its task computed this (lock order: the channel's,
            // then the entries'; nothing takes them the other way round).
            if !self.lock().contains_key(&h.name) {
                return false;
            }
            fh.sites.insert(h.name.clone(), Arc::new(h));
            fh.generation += 1;
            true
        });
    }

    /// Loads a site's snapshot into an entry that has no data yet.
    pub fn load_snapshot(&self, name: &str) {
        let Some(store) = &self.snapshots else { return };
        match store.read(name) {
            Ok(Some(snap)) => {
                self.update(name, |e| {
                    if e.known.loaded() {
                        e.state = snap.state;
                        e.data_at = Some(snap.taken_at);
                        e.last_seen = snap.health.last_seen;
                    }
                });
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, kind = ?err.kind(), "snapshot ignored"),
        }
    }

    /// Writes the snapshot when the data changed and `min_gap` passed since the last
    /// write (or always on the first one). The file is written off the lock.
    pub async fn maybe_snapshot(self: &Arc<Self>, name: &str) {
        let Some(store) = self.snapshots.clone() else {
            return;
        };
        let gap = self.opts.snapshot_every;
        let settle_after = self.opts.ping_every * 6;
        let snap = {
            let mut g = self.lock();
            let Some(e) = g.get_mut(name) else { return };
            // Watches that never relisted after the site came back: settle anyway.
            if e.reconnect
                .as_ref()
                .is_some_and(|r| r.since.elapsed() >= settle_after)
            {
                e.settle();
            }
            let due = e.last_write.is_none_or(|t| t.elapsed() >= gap);
            if !e.known.dirty() || e.reach != Reach::Reachable || !due {
                return;
            }
            e.known.written();
            e.last_write = Some(tokio::time::Instant::now());
            let now = jiff::Timestamp::now();
            Snapshot {
                format: crate::snapshot::FORMAT,
                site: name.to_string(),
                taken_at: now,
                state: e.state.clone(),
                health: e.health(now),
            }
        };
        let r = tokio::task::spawn_blocking(move || store.write(&snap)).await;
        match r {
            Ok(Ok(bytes)) => {
                tracing::debug!(bytes, "snapshot written");
                self.update(name, |e| e.stats.snapshots_written += 1);
            }
            Ok(Err(err)) => {
                tracing::warn!(error = %err, kind = ?err.kind(), "snapshot not written")
            }
            Err(err) => tracing::warn!(error = %err, "snapshot task failed"),
        }
    }
}
