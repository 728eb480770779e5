//! Shared helpers for the rollout and upgrade tests: a simulated fleet (fast simulated
//! time) imported through `import::plan/apply` into a temporary profile whose
//! credentials live in an in-memory store (no keyring needed), plus readers of the
//! simulator's own objects (Deployments, ReplicaSets, nodes) to check what was touched.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::credentials::{CredentialError, CredentialStore, Vault};
use outpost_core::import::{self, ImportOptions, Input, Selection};
use outpost_core::paths::Home;
use outpost_core::registry::{Site, SiteStore};
use outpost_core::secret::Secret;
use outpost_sim::resource::Resource;
use outpost_sim::spec::{Distro, SiteSpec, WorkloadKind, WorkloadSpec};
use outpost_sim::testing::{self, SiteBuilder};
use outpost_sim::{Fleet, FleetConfig, SiteHandle};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const OLD: &str = "registry.local:5000/apps/pos:1.0.0";

/// Credentials in memory, for tests only.
#[derive(Default)]
pub struct MemStore(Mutex<BTreeMap<String, Secret>>);

impl CredentialStore for MemStore {
    fn backend(&self) -> &'static str {
        "memory"
    }
    fn set(&self, id: &str, value: &Secret) -> Result<(), CredentialError> {
        self.0.lock().unwrap().insert(id.into(), value.clone());
        Ok(())
    }
    fn get(&self, id: &str) -> Result<Option<Secret>, CredentialError> {
        Ok(self.0.lock().unwrap().get(id).cloned())
    }
    fn delete(&self, id: &str) -> Result<(), CredentialError> {
        self.0.lock().unwrap().remove(id);
        Ok(())
    }
}

pub fn pos(replicas: u32) -> WorkloadSpec {
    testing::workload("shop", "pos", WorkloadKind::Deployment, replicas)
}

pub fn spec(name: &str, distro: Distro, nodes: usize, upgrade_controller: bool) -> SiteSpec {
    let b = SiteBuilder::new(name, distro)
        .tags(&["test", if name.ends_with('0') { "ten" } else { "other" }])
        .nodes(nodes)
        .workload(pos(2))
        .upgrade_controller(upgrade_controller);
    match distro {
        Distro::K3s => b.version("v1.30.6+k3s1").build(),
        Distro::MicroK8s => b.build(),
    }
}

/// `n` K3s sites named `site-000`…
pub fn sites(n: usize) -> Vec<SiteSpec> {
    (0..n)
        .map(|i| spec(&format!("site-{i:03}"), Distro::K3s, 1, false))
        .collect()
}

pub struct Env {
    pub fleet: Fleet,
    pub dir: tempfile::TempDir,
    pub home: Home,
    pub vault: Arc<Vault>,
    pub store: SiteStore,
    pub names: Vec<String>,
}

pub async fn start(specs: Vec<SiteSpec>, speed: f64) -> Env {
    let fleet = Fleet::start(FleetConfig {
        sites: specs,
        speed,
        tick: Duration::from_millis(100),
        bookmark_every: Duration::from_millis(500),
        ..FleetConfig::default()
    })
    .await
    .expect("fleet starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig.yaml");
    fleet.write_kubeconfig(&kc).expect("kubeconfig");
    let sites_file = dir.path().join("sites.json");
    fleet.write_sites_file(&sites_file).expect("sites file");
    let home = Home::at(dir.path().join("home"), "default").expect("home");
    home.ensure().expect("profile dir");
    let vault = Arc::new(Vault::new(Box::new(MemStore::default()), &home));
    let store = SiteStore::new(&home);
    let opts = ImportOptions {
        selection: Selection::All,
        sites_file: Some(sites_file),
        ..ImportOptions::default()
    };
    let plan = import::plan(&Input::Path(kc.clone()), &opts, &[])
        .await
        .expect("import plan");
    let names = import::apply(plan, &store, &vault).expect("import apply");
    std::fs::remove_file(&kc).expect("remove kubeconfig");
    Env {
        fleet,
        dir,
        home,
        vault,
        store,
        names,
    }
}

impl Env {
    pub fn site(&self, name: &str) -> SiteHandle {
        self.fleet.site(name).expect("site exists")
    }

    pub fn sites(&self) -> Vec<Site> {
        self.store.list().expect("sites")
    }

    pub fn clients(&self) -> ClientCache {
        ClientCache::new(self.vault.clone(), Timeouts::default())
    }

    pub fn client(&self, name: &str) -> kube::Client {
        let s = self.store.get(name).expect("site");
        self.clients().get(&s).expect("client").requests
    }

    /// The simulator's ReplicaSets of shop/pos at a site: (revision, image), by revision.
    pub fn replicasets(&self, name: &str) -> Vec<(i64, String)> {
        let (list, _) = self
            .site(name)
            .store()
            .list(Resource::ReplicaSet, Some("shop"));
        let mut out: Vec<(i64, String)> = list
            .iter()
            .filter(|rs| {
                rs.pointer("/metadata/ownerReferences/0/name")
                    .and_then(Value::as_str)
                    == Some("pos")
            })
            .map(|rs| {
                let rev = rs
                    .pointer("/metadata/annotations/deployment.kubernetes.io~1revision")
                    .and_then(Value::as_str)
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(0);
                let img = rs
                    .pointer("/spec/template/spec/containers/0/image")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                (rev, img)
            })
            .collect();
        out.sort();
        out
    }

    /// The simulator's current image of shop/pos at a site.
    pub fn image(&self, name: &str) -> String {
        self.site(name)
            .store()
            .get(Resource::Deployment, Some("shop"), "pos")
            .and_then(|d| {
                d.pointer("/spec/template/spec/containers/0/image")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default()
    }

    /// Kubelet versions of a site's nodes.
    pub fn node_versions(&self, name: &str) -> Vec<String> {
        let (nodes, _) = self.site(name).store().list(Resource::Node, None);
        nodes
            .iter()
            .map(|n| {
                n.pointer("/status/nodeInfo/kubeletVersion")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }

    pub async fn finish(self) {
        self.fleet.shutdown().await;
    }
}

/// Waits until every site's shop/pos is fully available (the seeded state settles).
pub async fn settle(env: &Env, secs: u64) {
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let ready = env.names.iter().all(|n| {
            env.site(n)
                .store()
                .get(Resource::Deployment, Some("shop"), "pos")
                .is_some_and(|d| {
                    d.pointer("/status/availableReplicas")
                        .and_then(Value::as_i64)
                        == Some(2)
                })
        });
        if ready {
            return;
        }
        assert!(
            std::time::Instant::now() < end,
            "fleet did not settle in {secs}s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
