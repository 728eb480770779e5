//! One site in depth through the [`Session`], via the offline-source resolver: read
//! live unless the site is known down; when it is (or the live read finds it so), from
//! its stored bundle when that is at least as recent as its health snapshot, else from
//! the health snapshot, flagged stale.

use super::Session;
use super::resolver::{Kept, Source, Wants, order, unanswered};
use crate::client::ClientError;
use crate::detail::{self, DetailError};
use crate::health::SiteHealth;
use crate::registry::Site;
use outpost_ipc as ipc;
use std::time::Duration;

impl Session {
    /// One site in depth (see the module doc). A site known to be down answers from
    /// what is kept at once instead of waiting for a deadline.
    pub async fn detail(&self, name: &str) -> Result<ipc::SiteDetail, DetailError> {
        let sites = self.sites();
        let site = sites
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| DetailError::UnknownSite(name.to_string()))?;
        let st = self.standing(name);
        if !st.down {
            let deadline = self.timeouts.request + Duration::from_secs(2);
            match detail::fetch(site, &self.clients, st.health.as_deref(), deadline).await {
                Ok(d) => return Ok(d),
                Err(e) if unanswered(&e) => {
                    tracing::info!(site = %name, error = %e, "live read failed; using the snapshot");
                    self.clients.forget(name);
                    return self.offline_detail(site, st.health.as_deref(), e).await;
                }
                Err(source) => {
                    return Err(DetailError::Read {
                        site: name.to_string(),
                        source,
                    });
                }
            }
        }
        let why = ClientError::Unreachable(st.why());
        self.offline_detail(site, st.health.as_deref(), why).await
    }

    async fn offline_detail(
        &self,
        site: &Site,
        health: Option<&SiteHealth>,
        source: ClientError,
    ) -> Result<ipc::SiteDetail, DetailError> {
        let (store, home, n) = (self.snapshots.clone(), self.home.clone(), site.name.clone());
        // Blocking reads of the health snapshot and the stored bundle.
        let read = tokio::task::spawn_blocking(move || {
            let snap = store.read(&n).unwrap_or_else(|e| {
                tracing::warn!(site = %n, error = %e, "snapshot unreadable");
                None
            });
            let path = crate::bundle::imported_path(&home, &n);
            let b = path
                .exists()
                .then(|| crate::bundle::read_file(&path, None).ok())
                .flatten();
            (snap, b)
        })
        .await;
        let (snap, b) = read.unwrap_or((None, None));
        let kept = Kept {
            baseline: false,
            bundle: b.is_some(),
            bundle_at: b.as_ref().map(|b| b.manifest.taken_at),
            health_at: snap.as_ref().map(|s| s.taken_at),
        };
        match order(true, &kept, Wants::DETAIL).first() {
            Some(Source::Bundle) => {
                if let Some(b) = &b {
                    return Ok(detail::from_bundle(site, b, health));
                }
            }
            Some(Source::Health) => {
                if let Some(s) = &snap {
                    return Ok(detail::from_snapshot(site, s, health));
                }
            }
            _ => {}
        }
        Err(DetailError::NoData {
            site: site.name.clone(),
            source,
        })
    }
}
