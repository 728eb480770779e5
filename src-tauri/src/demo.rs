//! The built-in demo fleet: the simulator's twelve-site `--demo` preset, started in this
//! process and imported into the `demo` profile with in-memory credentials (the
//! simulator makes new keys at every start, so nothing goes to the OS keyring).
//!
//! The demo's offline site starts online just long enough for its first snapshot, so
//! the app can show what an unreachable site looks like: its last state, dated.

use crate::error;
use crate::profiles::Active;
use outpost_core::credentials::{EphemeralStore, Vault};
use outpost_core::health::{FleetMonitor, Level, MonitorOptions};
use outpost_core::import::{self, ImportOptions, Input, Selection};
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::session::Session;
use outpost_ipc::IpcError;
use outpost_sim::{Fault, Fleet, FleetConfig, SiteHandle};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// How long the offline site may take to be snapshotted before it goes down anyway.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(45);

/// Simulated time runs this many times faster than real time in the demo: 1, unless
/// `OUTPOST_DEMO_SPEED` says otherwise (the WebDriver tests speed up K3s upgrades,
/// which take a minute or more per node).
fn speed() -> f64 {
    std::env::var("OUTPOST_DEMO_SPEED")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && (0.1..=1000.0).contains(s))
        .unwrap_or(1.0)
}

/// The running simulator and the sites that go offline once snapshotted.
pub struct DemoFleet {
    fleet: Fleet,
    offline: Vec<SiteHandle>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Starts the simulated sites and opens the demo profile over them.
pub async fn start(home: Home, opts: MonitorOptions) -> Result<(DemoFleet, Active), IpcError> {
    let mut specs = outpost_sim::demo::demo_fleet();
    let offline: Vec<String> = specs
        .iter()
        .filter(|s| s.offline)
        .map(|s| s.name.clone())
        .collect();
    for s in &mut specs {
        s.offline = false;
    }
    let fleet = Fleet::start(FleetConfig {
        sites: specs,
        speed: speed(),
        // Opens on sites that have been running a while (pods up, restarts, logs)
        // rather than twelve sites all starting their pods at once.
        warmup: Duration::from_secs(120),
        ..FleetConfig::default()
    })
    .await
    .map_err(error::sim)?;
    let offline = offline.iter().filter_map(|n| fleet.site(n)).collect();
    let kubeconfig = fleet.kubeconfig_yaml().map_err(error::sim)?;
    let sites_json = fleet.sites_file_json().map_err(error::sim)?;
    let demo = DemoFleet {
        fleet,
        offline,
        tasks: Vec::new(),
    };
    match import_into(home, kubeconfig, sites_json, opts).await {
        Ok(active) => Ok((demo, active)),
        Err(e) => {
            demo.stop().await;
            Err(e)
        }
    }
}

/// Replaces the demo profile's sites with the running fleet's, then opens it.
async fn import_into(
    home: Home,
    kubeconfig: String,
    sites_json: String,
    opts: MonitorOptions,
) -> Result<Active, IpcError> {
    let vault = Arc::new(Vault::new(Box::new(EphemeralStore::new()), &home));
    let sites_file = home.dir().join("demo-sites.json");
    let store = SiteStore::new(&home);
    {
        let (store, vault, sites_file) = (store.clone(), vault.clone(), sites_file.clone());
        tokio::task::spawn_blocking(move || -> Result<(), IpcError> {
            // Last run's sites had other keys: forget them (their snapshots stay).
            for s in store.list().map_err(|e| error::core(e.kind(), e))? {
                store
                    .remove(&s.name)
                    .map_err(|e| error::core(e.kind(), e))?;
                let _ = vault.delete_site(&s.name);
            }
            outpost_core::fsutil::write_atomic(&sites_file, sites_json.as_bytes())
                .map_err(|e| error::core(e.kind(), e))
        })
        .await
        .map_err(error::join)??;
    }
    let opts_import = ImportOptions {
        selection: Selection::All,
        sites_file: Some(sites_file),
        ..ImportOptions::default()
    };
    let input = Input::Text { text: kubeconfig };
    let plan = import::plan(&input, &opts_import, &[])
        .await
        .map_err(|e| error::core(e.kind(), e))?;
    tokio::task::spawn_blocking(move || -> Result<Active, IpcError> {
        import::apply(plan, &store, &vault).map_err(|e| error::core(e.kind(), e))?;
        let session =
            Session::open(home, vault.clone(), opts).map_err(|e| error::core(e.kind(), e))?;
        Ok(Active { session, vault })
    })
    .await
    .map_err(error::join)?
}

impl DemoFleet {
    /// Takes the offline sites down once their first snapshot is written.
    pub fn take_offline_after_snapshot(&mut self, monitor: FleetMonitor) {
        for site in self.offline.clone() {
            let monitor = monitor.clone();
            let span = tracing::info_span!("site", site = %site.name());
            self.tasks.push(tokio::spawn(
                async move {
                    // Wait until the site has settled (every workload up), then for the
                    // next snapshot, so the offline view shows a healthy last state.
                    let until = tokio::time::Instant::now() + SNAPSHOT_WAIT;
                    let written =
                        |m: &FleetMonitor| m.stats(site.name()).map_or(0, |s| s.snapshots_written);
                    let mut settled_at = None;
                    while tokio::time::Instant::now() < until {
                        let healthy = monitor
                            .site(site.name())
                            .is_some_and(|h| h.level == Level::Ok);
                        match settled_at {
                            None if healthy => settled_at = Some(written(&monitor)),
                            Some(n) if written(&monitor) > n => break,
                            _ => {}
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    tracing::info!("demo: taking the site offline");
                    site.set_fault(Fault::Offline);
                }
                .instrument(span),
            ));
        }
    }

    /// Stops the simulated sites.
    pub async fn stop(self) {
        for t in &self.tasks {
            t.abort();
        }
        self.fleet.shutdown().await;
    }
}
