//! The active profile: the user's sites (`default`) or the built-in demo fleet
//! (`demo`), each an open [`Session`] with its health engine running.
//!
//! Switching replaces the session as a whole; subscribers (the `watch_fleet` streams)
//! see the switch and resend the full fleet. The demo's simulated sites run in this
//! process and stop when the demo is left.

use crate::demo::DemoFleet;
use crate::error;
use outpost_core::credentials::Vault;
use outpost_core::health::MonitorOptions;
use outpost_core::paths::{DEFAULT_PROFILE, Home};
use outpost_core::session::{LiveRuns, Session};
use outpost_ipc::IpcError;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, watch};

/// Name of the demo profile.
pub const DEMO_PROFILE: &str = "demo";

/// An open profile.
pub struct Active {
    pub session: Session,
    pub vault: Arc<Vault>,
}

impl Active {
    pub fn is_demo(&self) -> bool {
        self.session.home().profile() == DEMO_PROFILE
    }

    /// The same profile, sharing `runs` (the rollouts this process runs).
    fn with_runs(self, runs: &LiveRuns) -> Active {
        Active {
            session: self.session.with_runs(runs.clone()),
            vault: self.vault,
        }
    }
}

/// Owns the active profile and, while the demo is open, the simulated fleet.
pub struct Profiles {
    root: Option<PathBuf>,
    /// `None` until the first profile opened; an error when it could not be.
    active: watch::Sender<Option<Result<Arc<Active>, IpcError>>>,
    /// Also serializes switches.
    demo: Mutex<Option<DemoFleet>>,
    /// The rollouts this process runs, shared by every session it opens: a rollout
    /// started before an import or a profile switch is still seen running.
    runs: LiveRuns,
}

impl Profiles {
    pub fn new(root: Option<PathBuf>) -> Self {
        Profiles {
            root,
            active: watch::channel(None).0,
            demo: Mutex::new(None),
            runs: LiveRuns::default(),
        }
    }

    /// The active profile once one is open, or why none could be opened.
    pub async fn ready(&self) -> Result<Arc<Active>, IpcError> {
        let mut rx = self.active.subscribe();
        loop {
            if let Some(a) = rx.borrow_and_update().clone() {
                return a;
            }
            if rx.changed().await.is_err() {
                // The sender lives as long as `self`: unreachable while borrowed.
                std::future::pending::<()>().await;
            }
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<Option<Result<Arc<Active>, IpcError>>> {
        self.active.subscribe()
    }

    /// Opens the profile the app starts in; a failure is kept and answered to every
    /// command until a profile opens.
    pub async fn start(&self, demo: bool) {
        let r = if demo {
            self.open_demo().await
        } else {
            self.open_default().await
        };
        if let Err(e) = r {
            tracing::error!(error = %e, demo, "cannot open the profile");
            self.active.send_if_modified(|a| {
                if a.is_none() {
                    *a = Some(Err(e));
                    true
                } else {
                    false
                }
            });
        }
    }

    fn home(&self, profile: &str) -> Result<Home, IpcError> {
        let home = Home::resolve(self.root.as_deref(), profile).map_err(error::paths)?;
        home.ensure().map_err(error::paths)?;
        Ok(home)
    }

    /// Opens the user's own sites (credentials in the OS keyring), stopping the demo.
    pub async fn open_default(&self) -> Result<Arc<Active>, IpcError> {
        let mut demo = self.demo.lock().await;
        let home = self.home(DEFAULT_PROFILE)?;
        let active = tokio::task::spawn_blocking(move || -> Result<Active, IpcError> {
            let vault = Arc::new(Vault::open(&home).map_err(|e| error::core(e.kind(), e))?);
            let session = Session::open(home, vault.clone(), MonitorOptions::default())
                .map_err(|e| error::core(e.kind(), e))?;
            Ok(Active { session, vault })
        })
        .await
        .map_err(error::join)??;
        let active = Arc::new(active.with_runs(&self.runs));
        self.active.send_replace(Some(Ok(active.clone())));
        if let Some(fleet) = demo.take() {
            fleet.stop().await;
        }
        Ok(active)
    }

    /// Starts the simulated demo fleet (if it is not running) and opens its profile.
    pub async fn open_demo(&self) -> Result<Arc<Active>, IpcError> {
        let mut demo = self.demo.lock().await;
        if demo.is_some()
            && let Some(Ok(a)) = self.active.borrow().clone()
            && a.is_demo()
        {
            return Ok(a);
        }
        let home = self.home(DEMO_PROFILE)?;
        let (mut fleet, active) = crate::demo::start(home, demo_options()).await?;
        let active = Arc::new(active.with_runs(&self.runs));
        self.active.send_replace(Some(Ok(active.clone())));
        fleet.take_offline_after_snapshot(active.session.monitor().clone());
        *demo = Some(fleet);
        Ok(active)
    }

    /// Reopens the active profile after its sites changed (an import), keeping the
    /// demo fleet running.
    pub async fn reload(&self) -> Result<Arc<Active>, IpcError> {
        let _switch = self.demo.lock().await;
        let current = self.ready().await?;
        let home = current.session.home().clone();
        let vault = current.vault.clone();
        let opts = if current.is_demo() {
            demo_options()
        } else {
            MonitorOptions::default()
        };
        let session = tokio::task::spawn_blocking(move || Session::open(home, vault, opts))
            .await
            .map_err(error::join)?
            .map_err(|e| error::core(e.kind(), e))?;
        let active = Arc::new(Active {
            session: session.with_runs(self.runs.clone()),
            vault: current.vault.clone(),
        });
        self.active.send_replace(Some(Ok(active.clone())));
        Ok(active)
    }
}

/// The demo's sites are on loopback: check them often so changes show at once.
fn demo_options() -> MonitorOptions {
    MonitorOptions {
        ping_every: Duration::from_secs(3),
        snapshot_every: Duration::from_secs(5),
        retry_max: Duration::from_secs(5),
        ..MonitorOptions::default()
    }
}
