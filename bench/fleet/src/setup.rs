//! The benchmark fleet: generated sites topped up to about N pods each, served in this
//! process with an added RTT, imported into a temporary profile through the real import
//! path (credentials in the OS keyring), plus the kubeconfig kubectl uses.

use crate::HealthArgs;
use anyhow::Context as _;
use outpost_core::credentials::Vault;
use outpost_core::import::{self, ImportOptions, Input, Selection};
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_sim::resource::Resource;
use outpost_sim::spec::{LogProfile, SiteSpec, WorkloadKind, WorkloadSpec};
use outpost_sim::{Fleet, FleetConfig};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Env {
    pub fleet: Fleet,
    pub dir: tempfile::TempDir,
    /// The `OUTPOST_HOME` root.
    pub root: PathBuf,
    pub home: Home,
    pub kubeconfig: PathBuf,
    pub vault: Arc<Vault>,
    pub store: SiteStore,
    pub names: Vec<String>,
    pub pods_per_site: f64,
    pub backend: &'static str,
}

/// Pods a site's seed will run: replicas of Deployments/StatefulSets, one per node for
/// DaemonSets.
fn expected_pods(spec: &SiteSpec) -> usize {
    let nodes = spec.nodes.len();
    outpost_sim::world::seed(spec, jiff::Timestamp::now())
        .iter()
        .map(|(r, o)| match r {
            Resource::Deployment | Resource::StatefulSet => {
                o["spec"]["replicas"].as_u64().unwrap_or(1) as usize
            }
            Resource::DaemonSet => nodes,
            _ => 0,
        })
        .sum()
}

/// `n` generated sites, each topped up to about `pods` pods with a filler Deployment.
pub fn specs(n: usize, pods: usize) -> Vec<SiteSpec> {
    let mut specs = outpost_sim::demo::generated_fleet(n, 7);
    for s in &mut specs {
        let have = expected_pods(s);
        if have < pods {
            let ns = s
                .workloads
                .first()
                .map_or("default".to_string(), |w| w.namespace.clone());
            s.workloads.push(WorkloadSpec {
                namespace: ns,
                name: "bench-filler".into(),
                kind: WorkloadKind::Deployment,
                container: "app".into(),
                image: "registry.local:5000/apps/bench-filler:1.0.0".into(),
                replicas: u32::try_from(pods - have).unwrap_or(1),
                logs: LogProfile::Json,
                crash_loop: false,
            });
        }
    }
    specs
}

fn running(o: &Value) -> bool {
    o["status"]["phase"] == "Running"
}

/// Starts the fleet, waits for its pods to run, and imports it.
pub async fn start(a: &HealthArgs) -> anyhow::Result<Env> {
    let t = Instant::now();
    let fleet = Fleet::start(FleetConfig {
        sites: specs(a.sites, a.pods),
        rtt: Duration::from_millis(a.rtt_ms),
        // Pods start in a few real seconds instead of a minute.
        speed: 5.0,
        ..FleetConfig::default()
    })
    .await
    .context("starting the simulated fleet")?;
    eprintln!(
        "{} sites serving after {:.1}s",
        fleet.sites().len(),
        t.elapsed().as_secs_f64()
    );
    // Wait until the controllers have created and started the pods.
    let deadline = Instant::now() + Duration::from_secs(120);
    let pods_per_site = loop {
        let (mut total, mut up) = (0usize, 0usize);
        for h in fleet.handles() {
            let (pods, _) = h.store().list(Resource::Pod, None);
            total += pods.len();
            up += pods.iter().filter(|p| running(p)).count();
        }
        let per = total as f64 / a.sites.max(1) as f64;
        if (per >= a.pods as f64 * 0.9 && up == total) || Instant::now() > deadline {
            eprintln!("{total} pods, {up} running");
            break per;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let dir = tempfile::Builder::new()
        .prefix("outpost-bench.")
        .tempdir()
        .context("temp dir")?;
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    fleet.write_kubeconfig(&kubeconfig)?;
    let sites_file = dir.path().join("sites.json");
    fleet.write_sites_file(&sites_file)?;
    let root = dir.path().join("home");
    let home = Home::at(&root, "default")?;
    home.ensure()?;
    let vault = Arc::new(Vault::open(&home).context("opening the keyring")?);
    let backend = vault.backend();
    let store = SiteStore::new(&home);
    let t = Instant::now();
    let opts = ImportOptions {
        selection: Selection::All,
        sites_file: Some(sites_file),
        ..ImportOptions::default()
    };
    let plan = import::plan(&Input::Path(kubeconfig.clone()), &opts, &[])
        .await
        .context("import plan")?;
    let names = import::apply(plan, &store, &vault).context("import")?;
    eprintln!(
        "imported {} sites in {:.1}s (keyring: {backend})",
        names.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(Env {
        fleet,
        dir,
        root,
        home,
        kubeconfig,
        vault,
        store,
        names,
        pods_per_site,
        backend,
    })
}

impl Env {
    /// Deletes the keyring entries and stops the fleet.
    pub async fn finish(self, keep: bool) {
        for n in &self.names {
            if let Err(e) = self.vault.delete_site(n) {
                eprintln!("warning: keyring entries of {n} not deleted: {e}");
            }
        }
        if keep {
            let p = self.dir.keep();
            eprintln!("kept {}", p.display());
        }
        self.fleet.shutdown().await;
    }
}
