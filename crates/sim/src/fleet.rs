//! The fleet runtime: starts every site (certificates, seeded store, listener, world
//! ticks) and hands out handles for tests and the CLI.

use crate::error::ErrorKind;

use crate::faults::{Fault, FaultSet};
use crate::site::{SimClock, Site, site_seed};
use crate::spec::SiteSpec;
use crate::store::Store;
use crate::tls::{SiteTls, TlsError};
use crate::world::logs::LogMode;
use crate::world::{self, TickCtx};
use rand::SeedableRng;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use crate::control::SiteHandle;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("duplicate site name {0:?}")]
    DuplicateName(String),
    #[error("unknown site {0:?}")]
    UnknownSite(String),
    #[error("address range exhausted at site {0}")]
    Range(usize),
    #[error("writing {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("encoding: {0}")]
    Encode(String),
    #[error("task failed: {0}")]
    Join(String),
}

impl SimError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            SimError::Bind { .. } => ErrorKind::Bind,
            SimError::Tls(_) => ErrorKind::Tls,
            SimError::DuplicateName(_) | SimError::UnknownSite(_) | SimError::Range(_) => {
                ErrorKind::Config
            }
            SimError::Write { .. } | SimError::Encode(_) => ErrorKind::Io,
            SimError::Join(_) => ErrorKind::Internal,
        }
    }
}

/// Where sites listen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bind {
    /// One address, an ephemeral port per site.
    Shared(IpAddr),
    /// Site `i` at `start + i`, on its distro's real port (6443 / 16443).
    Range(Ipv4Addr),
}

#[derive(Debug, Clone)]
pub struct FleetConfig {
    pub sites: Vec<SiteSpec>,
    pub seed: u64,
    pub bind: Bind,
    /// Simulated time runs this many times faster than real time.
    pub speed: f64,
    /// Added to every request.
    pub rtt: Duration,
    /// Watch history kept per site.
    pub history_window: Duration,
    /// Faults active from the start, by site name.
    pub faults: Vec<(String, Fault)>,
    pub log_mode: LogMode,
    /// Real time between world ticks.
    pub tick: Duration,
    /// Interval of watch BOOKMARK events.
    pub bookmark_every: Duration,
    /// Simulated time the sites have already run when they start serving: the world is
    /// seeded this long ago and ticked up to now, so pods are running (with their
    /// restarts, ages and logs) instead of all starting at once. Zero for tests.
    pub warmup: Duration,
}

impl Default for FleetConfig {
    fn default() -> Self {
        FleetConfig {
            sites: Vec::new(),
            seed: 1,
            bind: Bind::Shared(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            speed: 1.0,
            rtt: Duration::ZERO,
            history_window: Duration::from_secs(75),
            faults: Vec::new(),
            log_mode: LogMode::Normal,
            tick: Duration::from_secs(1),
            bookmark_every: Duration::from_secs(5),
            warmup: Duration::ZERO,
        }
    }
}

/// Name, endpoint and spec of a running site.
#[derive(Debug, Clone)]
pub struct SiteInfo {
    pub name: String,
    pub endpoint: String,
    pub spec: SiteSpec,
}

pub struct Fleet {
    sites: Vec<Arc<Site>>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

fn site_addr(bind: Bind, i: usize, spec: &SiteSpec) -> Result<SocketAddr, SimError> {
    match bind {
        Bind::Shared(ip) => Ok(SocketAddr::new(ip, 0)),
        Bind::Range(start) => {
            let n = u32::from(start)
                .checked_add(u32::try_from(i).map_err(|_| SimError::Range(i))?)
                .ok_or(SimError::Range(i))?;
            let ip = Ipv4Addr::from(n);
            if ip.octets()[0] != 127 {
                return Err(SimError::Range(i));
            }
            Ok(SocketAddr::new(IpAddr::V4(ip), spec.distro.default_port()))
        }
    }
}

async fn generate_all(specs: &[(SiteSpec, IpAddr)]) -> Result<Vec<SiteTls>, SimError> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(1);
    let chunk = specs.len().div_ceil(workers).max(1);
    let mut jobs = Vec::new();
    for part in specs.chunks(chunk) {
        let part = part.to_vec();
        jobs.push(tokio::task::spawn_blocking(move || {
            part.iter()
                .map(|(s, ip)| SiteTls::generate(&s.name, s.distro, *ip, s.cert_valid_days))
                .collect::<Result<Vec<_>, _>>()
        }));
    }
    let mut out = Vec::with_capacity(specs.len());
    for j in jobs {
        out.extend(j.await.map_err(|e| SimError::Join(e.to_string()))??);
    }
    Ok(out)
}

async fn tick_loop(site: Arc<Site>, every: Duration, mut shutdown: watch::Receiver<bool>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(site.seed);
    let mut last = site.clock.now();
    let mut iv = tokio::time::interval(every);
    iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = iv.tick() => {}
            _ = shutdown.changed() => return,
        }
        let now = site.clock.now();
        let dt_secs = now.duration_since(last).as_secs_f64();
        last = now;
        tick_once(&site, now, dt_secs, &mut rng);
    }
}

/// One world tick of `site` at simulated time `now`, `dt_secs` after the previous one.
fn tick_once(site: &Site, now: jiff::Timestamp, dt_secs: f64, rng: &mut rand::rngs::StdRng) {
    let mut ctx = TickCtx {
        spec: &site.spec,
        now,
        dt_secs,
        rng,
        upgrade_stuck: site.upgrade_stuck.load(Ordering::Relaxed),
        upgrade_hang: site.upgrade_hang.load(Ordering::Relaxed),
    };
    for action in world::tick(&site.store, &mut ctx) {
        if let Err(e) = site.store.apply(action) {
            tracing::debug!(error = %e, kind = ?e.kind(), "world action not applied");
        }
    }
}

/// Ticks a freshly seeded site from `from` up to its clock's now, a simulated second
/// at a time (see [`FleetConfig::warmup`]).
fn warm_up(site: &Site, from: jiff::Timestamp) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(site.seed ^ 0x5741_524d);
    let step = jiff::SignedDuration::from_secs(1);
    let mut t = from;
    while let Ok(next) = t.checked_add(step) {
        if next >= site.clock.now() {
            break;
        }
        tick_once(site, next, 1.0, &mut rng);
        t = next;
    }
}

impl Fleet {
    /// Starts every site and returns once all are serving.
    pub async fn start(cfg: FleetConfig) -> Result<Fleet, SimError> {
        let mut names = HashSet::new();
        for s in &cfg.sites {
            if !names.insert(s.name.clone()) {
                return Err(SimError::DuplicateName(s.name.clone()));
            }
        }
        let mut listeners = Vec::new();
        for (i, spec) in cfg.sites.iter().enumerate() {
            let want = site_addr(cfg.bind, i, spec)?;
            let l = TcpListener::bind(want)
                .await
                .map_err(|source| SimError::Bind { addr: want, source })?;
            let addr = l
                .local_addr()
                .map_err(|source| SimError::Bind { addr: want, source })?;
            listeners.push((l, addr));
        }
        let pairs: Vec<(SiteSpec, IpAddr)> = cfg
            .sites
            .iter()
            .cloned()
            .zip(listeners.iter().map(|(_, a)| a.ip()))
            .collect();
        let certs = generate_all(&pairs).await?;
        let (shutdown, _) = watch::channel(false);
        let mut sites = Vec::new();
        let mut tasks = Vec::new();
        for ((spec, tls), (listener, addr)) in cfg.sites.iter().cloned().zip(certs).zip(listeners) {
            let store = Store::new(cfg.history_window);
            let clock = SimClock::new(cfg.speed);
            let seeded_at = jiff::SignedDuration::try_from(cfg.warmup)
                .ok()
                .and_then(|w| clock.now().checked_sub(w).ok())
                .unwrap_or_else(|| clock.now());
            for (r, obj) in world::seed(&spec, seeded_at) {
                if let Err(e) = store.create(r, obj) {
                    tracing::warn!(site = %spec.name, error = %e, "seed object rejected");
                }
            }
            let mut faults = FaultSet {
                offline: spec.offline,
                ..FaultSet::default()
            };
            for (_, f) in cfg.faults.iter().filter(|(n, _)| *n == spec.name) {
                faults.add(*f);
            }
            let site = Arc::new(Site {
                seed: site_seed(cfg.seed, &spec.name),
                spec,
                addr,
                store,
                tls,
                faults: watch::channel(faults).0,
                sleep_epoch: watch::channel(0).0,
                clock,
                log_mode: cfg.log_mode,
                base_rtt: cfg.rtt,
                bookmark_every: cfg.bookmark_every,
                requests: Default::default(),
                served: Default::default(),
                tls_accepted: Default::default(),
                h2_accepted: Default::default(),
                upgrade_stuck: Default::default(),
                upgrade_hang: Default::default(),
            });
            if !cfg.warmup.is_zero() {
                warm_up(&site, seeded_at);
            }
            let span = tracing::info_span!("site", site = %site.spec.name);
            tasks.push(tokio::spawn(tracing::Instrument::instrument(
                crate::server::serve_site(site.clone(), listener, shutdown.subscribe()),
                span.clone(),
            )));
            tasks.push(tokio::spawn(tracing::Instrument::instrument(
                tick_loop(site.clone(), cfg.tick, shutdown.subscribe()),
                span,
            )));
            sites.push(site);
        }
        for (name, f) in &cfg.faults {
            if !names.contains(name) {
                return Err(SimError::UnknownSite(name.clone()));
            }
            if *f == Fault::Sleep
                && let Some(s) = sites.iter().find(|s| s.spec.name == *name)
            {
                SiteHandle::new(s.clone()).sleep();
            }
        }
        Ok(Fleet {
            sites,
            shutdown,
            tasks,
        })
    }

    pub fn sites(&self) -> Vec<SiteInfo> {
        self.sites
            .iter()
            .map(|s| SiteInfo {
                name: s.spec.name.clone(),
                endpoint: s.endpoint(),
                spec: s.spec.clone(),
            })
            .collect()
    }

    pub fn site(&self, name: &str) -> Option<SiteHandle> {
        self.sites
            .iter()
            .find(|s| s.spec.name == name)
            .map(|s| SiteHandle::new(s.clone()))
    }

    pub fn handles(&self) -> Vec<SiteHandle> {
        self.sites
            .iter()
            .map(|s| SiteHandle::new(s.clone()))
            .collect()
    }

    /// The kubeconfig, one context per site.
    pub fn kubeconfig_yaml(&self) -> Result<String, SimError> {
        serde_saphyr::to_string(&crate::kubeconfig::kubeconfig(&self.sites))
            .map_err(|e| SimError::Encode(e.to_string()))
    }

    pub fn sites_file_json(&self) -> Result<String, SimError> {
        serde_json::to_string_pretty(&crate::kubeconfig::sites_file(&self.sites))
            .map_err(|e| SimError::Encode(e.to_string()))
    }

    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), SimError> {
        write_private(path, self.kubeconfig_yaml()?.as_bytes())
    }

    pub fn write_sites_file(&self, path: &Path) -> Result<(), SimError> {
        write_private(path, self.sites_file_json()?.as_bytes())
    }

    /// Stops every listener and tick task.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Writes a file readable by the owner only (it holds credentials); every file the
/// simulator writes with credentials goes through here.
pub(crate) fn write_private(path: &Path, data: &[u8]) -> Result<(), SimError> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let err = |source| SimError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(path).map_err(err)?;
    f.write_all(data).map_err(err)
}
