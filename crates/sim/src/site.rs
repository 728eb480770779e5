//! One running site: its spec, store, credentials, faults and simulated clock.

use crate::faults::FaultSet;
use crate::spec::SiteSpec;
use crate::store::Store;
use crate::tls::SiteTls;
use crate::world::logs::LogMode;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Simulated wall clock: starts at real time and runs `speed` times faster.
#[derive(Debug, Clone)]
pub struct SimClock {
    origin_real: Instant,
    origin: jiff::Timestamp,
    speed: f64,
}

impl SimClock {
    pub fn new(speed: f64) -> SimClock {
        SimClock {
            origin_real: Instant::now(),
            origin: jiff::Timestamp::now(),
            speed: speed.max(0.0),
        }
    }

    pub fn now(&self) -> jiff::Timestamp {
        let secs = self.origin_real.elapsed().as_secs_f64() * self.speed;
        let d = jiff::SignedDuration::from_secs_f64(secs);
        self.origin.checked_add(d).unwrap_or(self.origin)
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }
}

/// A per-site seed derived from the fleet seed and the site name (FNV-1a).
pub fn site_seed(fleet_seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ fleet_seed;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Everything the API layer and the tick task share about one site.
pub struct Site {
    pub spec: SiteSpec,
    pub addr: SocketAddr,
    pub store: Store,
    pub tls: SiteTls,
    pub faults: watch::Sender<FaultSet>,
    /// Bumped by "sleep": every open watch ends.
    pub sleep_epoch: watch::Sender<u64>,
    pub clock: SimClock,
    pub seed: u64,
    pub log_mode: LogMode,
    /// Added to every request (the fleet's `rtt`).
    pub base_rtt: Duration,
    pub bookmark_every: Duration,
    pub requests: AtomicU64,
    /// Every HTTP request served (any path, any outcome), for tests and benchmarks.
    pub served: AtomicU64,
    /// TLS connections accepted (handshakes completed), and how many chose HTTP/2.
    pub tls_accepted: AtomicU64,
    pub h2_accepted: AtomicU64,
    pub upgrade_stuck: AtomicBool,
    /// Upgrade Jobs start but never finish (see `SiteHandle::set_upgrade_hang`).
    pub upgrade_hang: AtomicBool,
}

impl Site {
    /// The endpoint URL clients use.
    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }
}
