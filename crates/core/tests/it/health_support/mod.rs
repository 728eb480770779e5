//! Shared helpers for the health integration tests: a simulated fleet imported through
//! `import::plan/apply` into a temporary profile, with credentials in the REAL Secret
//! Service (run under `scripts/with-keyring.sh`).
#![allow(dead_code)]

use outpost_core::credentials::{KeyringStore, Vault};
use outpost_core::health::{FleetMonitor, MonitorOptions, SiteHealth};
use outpost_core::import::{self, ImportOptions, Input, Selection};
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::snapshot::SnapshotStore;
use outpost_sim::spec::{Distro, SiteSpec, WorkloadKind, WorkloadSpec};
use outpost_sim::testing::{self, SiteBuilder};
use outpost_sim::{Fleet, FleetConfig, SiteHandle};
use std::sync::Arc;
use std::time::Duration;

pub const HOW: &str = "these tests store credentials in the real Secret Service: run them as \
    scripts/with-keyring.sh cargo test -p outpost-core --test it <name>:: \
    (needs the Debian packages dbus and gnome-keyring)";

/// Fails with a clear message when no Secret Service answers.
pub fn secret_service() -> KeyringStore {
    let addr = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    assert!(
        !addr.is_empty(),
        "DBUS_SESSION_BUS_ADDRESS is not set: {HOW}"
    );
    let ss = KeyringStore::secret_service();
    if let Err(e) = outpost_core::credentials::CredentialStore::get(&ss, "outpost-probe") {
        panic!("no Secret Service answers on {addr} ({e}): {HOW}");
    }
    ss
}

/// A short random suffix so concurrent tests never share keyring entries.
pub fn suffix() -> String {
    format!("{:06x}", rand::random::<u32>() & 0xff_ffff)
}

pub fn workload(name: &str, kind: WorkloadKind, replicas: u32, crash: bool) -> WorkloadSpec {
    WorkloadSpec {
        crash_loop: crash,
        ..testing::workload("shop", name, kind, replicas)
    }
}

pub fn spec(name: &str, distro: Distro, nodes: usize, workloads: Vec<WorkloadSpec>) -> SiteSpec {
    SiteBuilder::new(name, distro)
        .nodes(nodes)
        .workloads(workloads)
        .build()
}

pub struct Env {
    pub fleet: Fleet,
    pub dir: tempfile::TempDir,
    pub home: Home,
    pub vault: Arc<Vault>,
    pub store: SiteStore,
    pub names: Vec<String>,
}

/// Starts the fleet (fast simulated time) and imports every site into a temp profile.
pub async fn start(specs: Vec<SiteSpec>) -> Env {
    start_with(FleetConfig {
        sites: specs,
        speed: 20.0,
        tick: Duration::from_millis(250),
        bookmark_every: Duration::from_millis(500),
        ..FleetConfig::default()
    })
    .await
}

pub async fn start_with(cfg: FleetConfig) -> Env {
    let fleet = Fleet::start(cfg).await.expect("fleet starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig.yaml");
    fleet.write_kubeconfig(&kc).expect("kubeconfig written");
    let sites_file = dir.path().join("sites.json");
    fleet
        .write_sites_file(&sites_file)
        .expect("sites file written");
    let (home, vault, store, names) = import_into(dir.path(), &kc, &sites_file).await;
    Env {
        fleet,
        dir,
        home,
        vault,
        store,
        names,
    }
}

/// Imports every context of `kc` (with `sites_file`) into a profile under `dir`, the
/// credentials into the real Secret Service; the kubeconfig is removed afterwards.
pub async fn import_into(
    dir: &std::path::Path,
    kc: &std::path::Path,
    sites_file: &std::path::Path,
) -> (Home, Arc<Vault>, SiteStore, Vec<String>) {
    let ss = secret_service();
    let home = Home::at(dir.join("home"), "default").expect("home");
    home.ensure().expect("profile dir");
    let vault = Arc::new(Vault::new(Box::new(ss), &home));
    let store = SiteStore::new(&home);
    let opts = ImportOptions {
        selection: Selection::All,
        sites_file: Some(sites_file.to_path_buf()),
        ..ImportOptions::default()
    };
    let plan = import::plan(&Input::Path(kc.to_path_buf()), &opts, &[])
        .await
        .expect("import plan");
    let names = import::apply(plan, &store, &vault).expect("import apply");
    // The kubeconfig holds keys: it must not stay next to the data directory.
    std::fs::remove_file(kc).expect("remove kubeconfig");
    (home, vault, store, names)
}

/// Fast options for tests.
pub fn fast_opts() -> MonitorOptions {
    MonitorOptions {
        ping_every: Duration::from_millis(700),
        snapshot_every: Duration::from_secs(2),
        retry_min: Duration::from_millis(300),
        retry_max: Duration::from_secs(2),
        sweep_deadline: Duration::from_secs(3),
        ..MonitorOptions::default()
    }
}

impl Env {
    pub fn site(&self, name: &str) -> SiteHandle {
        self.fleet.site(name).expect("site exists")
    }

    pub fn monitor(&self, opts: MonitorOptions) -> FleetMonitor {
        let sites = self.store.list().expect("sites");
        FleetMonitor::start(
            sites,
            self.vault.clone(),
            Some(SnapshotStore::new(&self.home)),
            opts,
        )
    }

    /// Deletes the keyring entries and stops the fleet.
    pub async fn finish(self) {
        for n in &self.names {
            let _ = self.vault.delete_site(n);
        }
        self.fleet.shutdown().await;
    }
}

/// Waits for a condition on a site's health, failing with the last health seen.
pub async fn wait(
    m: &FleetMonitor,
    site: &str,
    secs: u64,
    what: &str,
    pred: impl Fn(&SiteHealth) -> bool,
) -> Arc<SiteHealth> {
    match m.wait_for(site, Duration::from_secs(secs), pred).await {
        Some(h) => h,
        None => panic!(
            "{site}: not {what} within {secs}s; last health: {:#?}; stats: {:?}",
            m.site(site),
            m.stats(site)
        ),
    }
}
