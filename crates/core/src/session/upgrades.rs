//! K3s upgrades through the session, in the IPC's terms: the fleet's version drift,
//! starting an upgrade on picked sites, and a stream of their per-node progress. All
//! of it uses the session's one client cache; progress markers are written on the
//! blocking pool.

use super::Session;
use super::blocking::unblock;
use crate::actions::ChangeLog;
use crate::client::ClientCache;
use crate::registry::{Distro, Site};
use crate::upgrade::{self, DEFAULT_NO_PROGRESS, ProgressMarkers, SiteUpgrade, UpgradeError};
use outpost_ipc::upgrade::{
    SiteUpgradeInfo, UpgradeStartRequest, UpgradeStartResult, UpgradesOverview,
};
use std::time::Duration;
use tokio::sync::mpsc;
use tracing::Instrument;

/// How often a watched upgrade is read.
const POLL: Duration = Duration::from_secs(1);
/// A watch never outlives this (the view starts a new one when it is still open).
const MAX_WATCH: Duration = Duration::from_secs(3 * 3600);

/// Why sites cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeWatchError {
    #[error("no site named {0:?}")]
    UnknownSite(String),
    #[error("{0} runs MicroK8s: it is upgraded with snap refresh on its nodes, not watched here")]
    MicroK8s(String),
}

impl UpgradeWatchError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> crate::error::ErrorKind {
        use crate::error::ErrorKind;
        match self {
            UpgradeWatchError::UnknownSite(_) => ErrorKind::NotFound,
            UpgradeWatchError::MicroK8s(_) => ErrorKind::InvalidInput,
        }
    }
}

impl Session {
    /// Every site's distro and version, the newest of each distro, health and commands.
    pub fn upgrades_overview(&self) -> UpgradesOverview {
        upgrade::ipc::overview(&self.summaries(), |n| self.monitor.site(n))
    }

    /// Creates (or moves) the Plans on each picked site; per-site refusals are in the
    /// answer, each attempt in the site's change journal.
    pub async fn start_upgrade(
        &self,
        req: &UpgradeStartRequest,
    ) -> Result<Vec<UpgradeStartResult>, UpgradeError> {
        tracing::info!(sites = req.sites.len(), version = %req.version, force = req.force, "k3s upgrade requested");
        let changes = ChangeLog::new(&self.home);
        let health = |n: &str| self.monitor.site(n);
        upgrade::ipc::start(&self.sites(), &self.clients, health, req, &changes).await
    }

    /// The picked K3s sites' progress now and whenever it changes, read every
    /// [`POLL`]. Ends after every site is done (that list sent), when the receiver is
    /// dropped, or after [`MAX_WATCH`]. No sites: a stream that ends at once.
    pub fn watch_upgrades(
        &self,
        names: &[String],
    ) -> Result<mpsc::Receiver<Vec<SiteUpgradeInfo>>, UpgradeWatchError> {
        let all = self.sites();
        let sites: Vec<Site> = names
            .iter()
            .map(|n| {
                all.iter()
                    .find(|s| &s.name == n)
                    .cloned()
                    .ok_or_else(|| UpgradeWatchError::UnknownSite(n.clone()))
            })
            .collect::<Result<_, _>>()?;
        if let Some(s) = sites.iter().find(|s| s.distro == Some(Distro::MicroK8s)) {
            return Err(UpgradeWatchError::MicroK8s(s.name.clone()));
        }
        let (tx, rx) = mpsc::channel(4);
        if !sites.is_empty() {
            let w = Watch {
                sites,
                clients: self.clients.clone(),
                markers: ProgressMarkers::new(&self.home),
            };
            tokio::spawn(forward(w, tx));
        }
        Ok(rx)
    }
}

/// What one watch reads.
struct Watch {
    sites: Vec<Site>,
    clients: ClientCache,
    markers: ProgressMarkers,
}

/// See [`Session::watch_upgrades`].
async fn forward(w: Watch, tx: mpsc::Sender<Vec<SiteUpgradeInfo>>) {
    let started = tokio::time::Instant::now();
    let mut last: Option<Vec<SiteUpgradeInfo>> = None;
    while started.elapsed() < MAX_WATCH {
        let mut now = Vec::with_capacity(w.sites.len());
        for site in &w.sites {
            let span = tracing::info_span!("upgrade_watch", site = %site.name);
            now.push(read(&w, site).instrument(span).await);
        }
        let all_done = now.iter().all(|s| s.done);
        if last.as_ref() != Some(&now) {
            if tx.send(now.clone()).await.is_err() {
                return;
            }
            last = Some(now);
        }
        if all_done {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = tx.closed() => return,
        }
    }
}

/// One site's progress, with the no-progress check applied.
async fn read(w: &Watch, site: &Site) -> SiteUpgradeInfo {
    let r = match w.clients.get(site) {
        Ok(c) => upgrade::status(&c.requests).await,
        Err(e) => Err(e.into()),
    };
    let r = match r {
        Ok(st) => observe(w.markers.clone(), site.name.clone(), st).await,
        Err(e) => Err(e),
    };
    if let Err(e) = &r {
        tracing::debug!(error = %e, "upgrade status not read");
        w.clients.forget(&site.name);
    }
    upgrade::ipc::info(&site.name, r)
}

/// Applies the no-progress check (its marker file) on the blocking pool.
async fn observe(
    markers: ProgressMarkers,
    site: String,
    mut st: SiteUpgrade,
) -> Result<SiteUpgrade, UpgradeError> {
    unblock(move || {
        markers.observe(&site, &mut st, DEFAULT_NO_PROGRESS, jiff::Timestamp::now())?;
        Ok(st)
    })
    .await
}
