//! Clients created lazily and kept per site.

use super::{ClientError, Timeouts, build_clients};
use crate::credentials::Vault;
use crate::registry::Site;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A site's clients: one for requests, one for watches.
#[derive(Clone)]
pub struct SiteClients {
    pub requests: kube::Client,
    pub watches: kube::Client,
}

/// Per-site client cache. Cheap to clone; never holds its lock across an `.await`.
#[derive(Clone)]
pub struct ClientCache {
    vault: Arc<Vault>,
    timeouts: Timeouts,
    clients: Arc<Mutex<HashMap<String, SiteClients>>>,
}

impl ClientCache {
    pub fn new(vault: Arc<Vault>, timeouts: Timeouts) -> Self {
        ClientCache {
            vault,
            timeouts,
            clients: Arc::default(),
        }
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The site's clients, built on first use (the keyring is read then, not per request).
    pub fn get(&self, site: &Site) -> Result<SiteClients, ClientError> {
        if let Some(c) = self.lock().get(&site.name) {
            return Ok(c.clone());
        }
        let (requests, watches) = build_clients(site, &self.vault, self.timeouts)?;
        let c = SiteClients { requests, watches };
        self.lock().insert(site.name.clone(), c.clone());
        Ok(c)
    }

    /// Like [`get`](Self::get), but a first build (which reads the keyring, a D-Bus
    /// round trip or more per item on Linux) runs on the blocking pool: it neither
    /// stalls the runtime's workers nor serialises many sites' reads behind each other.
    pub async fn get_async(&self, site: &Site) -> Result<SiteClients, ClientError> {
        if let Some(c) = self.lock().get(&site.name) {
            return Ok(c.clone());
        }
        let me = self.clone();
        let s = site.clone();
        tokio::task::spawn_blocking(move || me.get(&s))
            .await
            .map_err(|e| ClientError::Credentials(format!("reading credentials: {e}")))?
    }

    /// Drops a site's clients (after a credential change or an auth failure).
    pub fn forget(&self, site: &str) {
        self.lock().remove(site);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SiteClients>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }
}
