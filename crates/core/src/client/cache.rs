//! Clients created lazily and kept per site, and the credentials they are built from.
//!
//! A site's credentials are read once ([`ClientCache::auth_async`]): from a batch that
//! [`ClientCache::prefetch`] reads on its own thread over one keyring session (the
//! fleet monitor starts one for all its sites, so the keyring time overlaps the
//! network time), or else on their own on the blocking pool.

use super::build::{auth_info, clients_from};
use super::observe::{Handshake, Seen};
use super::{ClientError, Timeouts};
use crate::credentials::Vault;
use crate::registry::Site;
use kube::config::AuthInfo;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// A site's clients: one for requests, one for watches.
#[derive(Clone)]
pub struct SiteClients {
    pub requests: kube::Client,
    pub watches: kube::Client,
}

type Auth = Result<Arc<AuthInfo>, ClientError>;
/// `None` until the prefetch thread has read the site.
type Pending = watch::Receiver<Option<Auth>>;

/// A site's built clients, whether they speak HTTP/2 only, and what the request
/// client's latest handshake showed.
struct Built {
    clients: SiteClients,
    h2_only: bool,
    seen: Seen,
}

#[derive(Default)]
struct Maps {
    clients: HashMap<String, Built>,
    /// Sites seen choosing HTTP/1.1 although offered `h2`.
    http1: HashSet<String>,
    /// Credentials read, clients not necessarily built.
    auths: HashMap<String, Arc<AuthInfo>>,
    /// Sites a prefetch batch will read.
    pending: HashMap<String, Pending>,
}

/// Per-site client cache. Cheap to clone; never holds its lock across an `.await`.
#[derive(Clone)]
pub struct ClientCache {
    vault: Arc<Vault>,
    timeouts: Timeouts,
    maps: Arc<Mutex<Maps>>,
}

impl ClientCache {
    pub fn new(vault: Arc<Vault>, timeouts: Timeouts) -> Self {
        ClientCache {
            vault,
            timeouts,
            maps: Arc::default(),
        }
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Starts reading the credentials of `sites` (in this order) on a thread of its
    /// own, over one keyring session ([`Vault::reader`]). Sites already read or being
    /// read are skipped. [`auth_async`](Self::auth_async) and the `get`s wait for a
    /// site's turn instead of reading it again.
    pub fn prefetch(&self, sites: &[Site]) {
        let mut todo = Vec::new();
        {
            let mut m = self.lock();
            for s in sites {
                if m.auths.contains_key(&s.name) || m.pending.contains_key(&s.name) {
                    continue;
                }
                let (tx, rx) = watch::channel(None);
                m.pending.insert(s.name.clone(), rx);
                todo.push((s.clone(), tx));
            }
        }
        if todo.is_empty() {
            return;
        }
        let vault = self.vault.clone();
        let spawned = std::thread::Builder::new()
            .name("outpost-keyring".into())
            .spawn(move || {
                let started = std::time::Instant::now();
                let n = todo.len();
                let mut reader = vault.reader();
                for (site, tx) in todo {
                    let r = auth_info(&site, &mut |item| reader.get_listed(&site, item));
                    // Nobody waiting any more (forgotten, monitor stopped) is fine.
                    let _ = tx.send(Some(r.map(Arc::new)));
                }
                tracing::debug!(
                    sites = n,
                    ms = started.elapsed().as_millis() as u64,
                    "credentials read in one batch"
                );
            });
        if let Err(e) = spawned {
            // The senders are gone with the closure: waiters read on their own.
            tracing::warn!(error = %e, "no thread for the credential batch");
        }
    }

    /// The site's credentials: from the cache, from a prefetch batch (waiting for the
    /// site's turn), or read now on the blocking pool.
    pub async fn auth_async(&self, site: &Site) -> Result<Arc<AuthInfo>, ClientError> {
        let pending = {
            let m = self.lock();
            if let Some(a) = m.auths.get(&site.name) {
                return Ok(a.clone());
            }
            m.pending.get(&site.name).cloned()
        };
        if let Some(mut rx) = pending {
            let got = rx
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|v| v.clone());
            self.lock().pending.remove(&site.name);
            if let Some(r) = got {
                return self.keep(site, r);
            }
            // The batch thread ended without reading this site: read it below.
        }
        let me = self.clone();
        let s = site.clone();
        tokio::task::spawn_blocking(move || me.read_now(&s))
            .await
            .map_err(|e| ClientError::Credentials(format!("reading credentials: {e}")))?
    }

    /// Reads a site's credentials from the keyring now (blocking).
    fn read_now(&self, site: &Site) -> Result<Arc<AuthInfo>, ClientError> {
        let r = auth_info(site, &mut |item| self.vault.get_listed(site, item)).map(Arc::new);
        self.keep(site, r)
    }

    fn keep(&self, site: &Site, r: Auth) -> Auth {
        if let Ok(a) = &r {
            self.lock().auths.insert(site.name.clone(), a.clone());
        }
        r
    }

    /// Builds (or reuses) a site's clients from credentials already read.
    fn build(
        &self,
        site: &Site,
        auth: &AuthInfo,
        h2_only: bool,
    ) -> Result<SiteClients, ClientError> {
        let seen = Seen::default();
        let (requests, watches) = clients_from(site, auth, self.timeouts, h2_only, seen.clone())?;
        let c = SiteClients { requests, watches };
        let built = Built {
            clients: c.clone(),
            h2_only,
            seen,
        };
        self.lock().clients.insert(site.name.clone(), built);
        Ok(c)
    }

    fn cached(&self, site: &str, h2_only: Option<bool>) -> Option<SiteClients> {
        let m = self.lock();
        let b = m.clients.get(site)?;
        h2_only
            .is_none_or(|want| want == b.h2_only)
            .then(|| b.clients.clone())
    }

    /// What the latest TLS handshake of the site's request client showed (`None`
    /// before its first connection).
    pub fn handshake(&self, site: &str) -> Option<Handshake> {
        let m = self.lock();
        let b = m.clients.get(site)?;
        b.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether to expect HTTP/2 from the site: yes (real API servers choose `h2` when
    /// offered), unless it was seen choosing HTTP/1.1; the latest handshake counts.
    pub fn expect_h2(&self, site: &str) -> bool {
        if let Some(h) = self.handshake(site) {
            let mut m = self.lock();
            if h.h2 {
                m.http1.remove(site);
            } else {
                m.http1.insert(site.to_string());
            }
        }
        !self.lock().http1.contains(site)
    }

    /// The site's clients, built on first use (the keyring is read then, not per
    /// request). Blocks while reading the keyring.
    pub fn get(&self, site: &Site) -> Result<SiteClients, ClientError> {
        if let Some(c) = self.cached(&site.name, None) {
            return Ok(c);
        }
        let ready = {
            let mut m = self.lock();
            let read = m.pending.get(&site.name).and_then(|rx| {
                let v = rx.borrow();
                v.as_ref()?.as_ref().ok().cloned()
            });
            if let Some(a) = &read {
                m.pending.remove(&site.name);
                m.auths.insert(site.name.clone(), a.clone());
            }
            m.auths.get(&site.name).cloned()
        };
        let auth = match ready {
            Some(a) => a,
            None => self.read_now(site)?,
        };
        self.build(site, &auth, false)
    }

    /// Like [`get`](Self::get), but the keyring is never read on the runtime's
    /// workers (see [`auth_async`](Self::auth_async)).
    pub async fn get_async(&self, site: &Site) -> Result<SiteClients, ClientError> {
        if let Some(c) = self.cached(&site.name, None) {
            return Ok(c);
        }
        let auth = self.auth_async(site).await?;
        self.build(site, &auth, false)
    }

    /// Like [`get_async`](Self::get_async), with clients that speak HTTP/2 only when
    /// `h2_only` (the probe saw the site choose `h2`): all requests then share one
    /// connection from the first. Rebuilt if the cached ones differ.
    pub async fn get_async_for(
        &self,
        site: &Site,
        h2_only: bool,
    ) -> Result<SiteClients, ClientError> {
        if let Some(c) = self.cached(&site.name, Some(h2_only)) {
            return Ok(c);
        }
        let auth = self.auth_async(site).await?;
        self.build(site, &auth, h2_only)
    }

    /// Drops a site's clients and credentials (after a credential change or an auth
    /// failure): the next use reads the keyring again.
    pub fn forget(&self, site: &str) {
        let mut m = self.lock();
        m.clients.remove(site);
        m.auths.remove(site);
        m.pending.remove(site);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.maps.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Item;
    use crate::credentials::mock::MemoryStore;
    use crate::paths::Home;
    use crate::secret::Secret;

    fn site(name: &str) -> Site {
        crate::registry::sample_site(name, "https://127.0.0.1:1")
    }

    #[tokio::test]
    async fn a_prefetch_reads_every_site_once_in_one_session() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::at(tmp.path(), "default").unwrap();
        let mem = MemoryStore::default();
        let vault = Vault::new(Box::new(mem.clone()), &home);
        let mut sites: Vec<Site> = (0..5).map(|i| site(&format!("s{i}"))).collect();
        for s in &mut sites {
            s.credentials.entries = vec![vault.entry_id(&s.name, Item::Token)];
        }
        for s in &sites[..4] {
            vault
                .put(&s.name, Item::Token, &Secret::from("tok"))
                .unwrap();
        }
        let cache = ClientCache::new(Arc::new(vault), Timeouts::default());
        cache.prefetch(&sites);
        cache.prefetch(&sites);
        for s in &sites[..4] {
            let a = cache.auth_async(s).await.unwrap();
            assert!(a.token.is_some(), "{}", s.name);
        }
        // A missing entry is the same error as when read on its own.
        let e = cache.auth_async(&sites[4]).await.unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Auth);
        assert!(e.to_string().contains("s4/token"), "{e}");
        assert_eq!(mem.counts(), (5, 1), "one batch, one session, once each");
        // Clients come from the credentials already read.
        cache.get_async(&sites[0]).await.unwrap();
        cache.get_async_for(&sites[0], true).await.unwrap();
        cache.get(&sites[1]).unwrap();
        assert_eq!(mem.counts().0, 5);
        assert!(cache.handshake("s0").is_none(), "no connection made yet");
        // The missing site's entry is looked up again; so is a forgotten site's.
        assert!(cache.auth_async(&sites[4]).await.is_err());
        cache.forget("s0");
        cache.auth_async(&sites[0]).await.unwrap();
        assert_eq!(mem.counts(), (7, 1));
    }
}
