//! P6 (issue 7): a 100-site fleet rollout must spend at most 10 % more time than the
//! simulated rollouts themselves take.
//!
//! The sites run in this process; a watcher on each site's object store (not the API)
//! records, in real time, when the new ReplicaSet appears and when the Deployment is
//! complete (`kubectl rollout status` semantics). The baseline is, per wave, the longest
//! of those site rollouts (plus the soak, zero by default); the engine's time is the wall
//! time of `Engine::run`, journal fsyncs, reads, writes and polling included.

use anyhow::Context as _;
use outpost_core::actions::WorkloadRef;
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::credentials::{CredentialError, CredentialStore, Vault};
use outpost_core::import::{self, ImportOptions, Input, Selection};
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::rollout::{
    Engine, EngineOptions, Entry, HealthGate, OnFailure, Plan, Status, Targets, default_waves,
    new_id, split_waves,
};
use outpost_core::secret::Secret;
use outpost_sim::resource::Resource;
use outpost_sim::spec::{
    Distro, LogProfile, NodeRole, NodeSpec, SiteSpec, WorkloadKind, WorkloadSpec,
};
use outpost_sim::{Fleet, FleetConfig};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug, Clone)]
pub struct RolloutArgs {
    #[arg(long, default_value_t = 100)]
    pub sites: usize,
    /// Simulated time speed.
    #[arg(long, default_value_t = 5.0)]
    pub speed: f64,
    /// Round-trip time added to every request, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub rtt_ms: u64,
    /// The engine's poll interval, in milliseconds.
    #[arg(long, default_value_t = 100)]
    pub poll_ms: u64,
    /// Soak per site, in milliseconds (counted in the baseline too).
    #[arg(long, default_value_t = 0)]
    pub soak_ms: u64,
}

const OLD: &str = "registry.local:5000/apps/pos:1.0.0";
const NEW: &str = "registry.local:5000/apps/pos:2.0.0";

#[derive(Default)]
struct MemStore(Mutex<BTreeMap<String, Secret>>);

impl CredentialStore for MemStore {
    fn backend(&self) -> &'static str {
        "memory"
    }
    fn set(&self, id: &str, value: &Secret) -> Result<(), CredentialError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.into(), value.clone());
        Ok(())
    }
    fn get(&self, id: &str) -> Result<Option<Secret>, CredentialError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned())
    }
    fn delete(&self, id: &str) -> Result<(), CredentialError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
        Ok(())
    }
}

fn spec(i: usize) -> SiteSpec {
    let name = format!("site-{i:03}");
    SiteSpec {
        name: name.clone(),
        display_name: name.clone(),
        city: "Lyon".into(),
        latitude: 45.76,
        longitude: 4.83,
        tags: vec!["bench".into()],
        distro: Distro::K3s,
        version: "v1.31.4+k3s1".into(),
        nodes: vec![NodeSpec {
            name: format!("{name}-n0"),
            role: NodeRole::Server,
            cpu_millis: 4000,
            memory_mib: 8192,
        }],
        workloads: vec![WorkloadSpec {
            namespace: "shop".into(),
            name: "pos".into(),
            kind: WorkloadKind::Deployment,
            container: "app".into(),
            image: OLD.into(),
            replicas: 2,
            logs: LogProfile::Json,
            crash_loop: false,
        }],
        upgrade_controller: false,
        cert_valid_days: 365,
        offline: false,
    }
}

/// (new ReplicaSet seen, Deployment complete) in real time.
type Marks = Arc<Mutex<(Option<Instant>, Option<Instant>)>>;

fn complete(d: &Value, image: &str) -> bool {
    let i = |p: &str| d.pointer(p).and_then(Value::as_i64).unwrap_or(-1);
    d.pointer("/spec/template/spec/containers/0/image")
        .and_then(Value::as_str)
        == Some(image)
        && i("/status/observedGeneration") >= i("/metadata/generation")
        && i("/status/updatedReplicas") == i("/spec/replicas")
        && i("/status/availableReplicas") == i("/spec/replicas")
        && i("/status/replicas") == i("/spec/replicas")
}

fn new_rs_exists(h: &outpost_sim::SiteHandle) -> bool {
    h.store()
        .list(Resource::ReplicaSet, Some("shop"))
        .0
        .iter()
        .any(|rs| {
            rs.pointer("/spec/template/spec/containers/0/image")
                .and_then(Value::as_str)
                == Some(NEW)
        })
}

pub async fn run(a: RolloutArgs) -> anyhow::Result<()> {
    println!("{}", crate::proc::machine());
    let fleet = Fleet::start(FleetConfig {
        sites: (0..a.sites).map(spec).collect(),
        speed: a.speed,
        rtt: Duration::from_millis(a.rtt_ms),
        tick: Duration::from_millis(50),
        ..FleetConfig::default()
    })
    .await?;
    let dir = tempfile::tempdir()?;
    let kc = dir.path().join("kc.yaml");
    fleet.write_kubeconfig(&kc)?;
    let sites_file = dir.path().join("sites.json");
    fleet.write_sites_file(&sites_file)?;
    let home = Home::at(dir.path().join("home"), "default")?;
    home.ensure()?;
    let vault = Arc::new(Vault::new(Box::new(MemStore::default()), &home));
    let store = SiteStore::new(&home);
    let opts = ImportOptions {
        selection: Selection::All,
        sites_file: Some(sites_file),
        ..ImportOptions::default()
    };
    let plan = import::plan(&Input::Path(kc), &opts, &[])
        .await
        .context("import plan")?;
    import::apply(plan, &store, &vault).context("import")?;
    // Let every seeded Deployment settle.
    let t0 = Instant::now();
    while !fleet.handles().iter().all(|h| {
        h.store()
            .get(Resource::Deployment, Some("shop"), "pos")
            .is_some_and(|d| complete(&d, OLD))
    }) {
        anyhow::ensure!(
            t0.elapsed() < Duration::from_secs(120),
            "fleet did not settle"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Sim-side watchers.
    let mut marks: BTreeMap<String, Marks> = BTreeMap::new();
    for h in fleet.handles() {
        let m: Marks = Arc::default();
        marks.insert(h.name().to_string(), m.clone());
        let mut rx = h.store().subscribe();
        tokio::spawn(async move {
            loop {
                {
                    let mut g = m.lock().unwrap_or_else(|p| p.into_inner());
                    if g.0.is_none() && new_rs_exists(&h) {
                        g.0 = Some(Instant::now());
                    }
                    if g.0.is_some()
                        && g.1.is_none()
                        && h.store()
                            .get(Resource::Deployment, Some("shop"), "pos")
                            .is_some_and(|d| complete(&d, NEW))
                    {
                        g.1 = Some(Instant::now());
                        return;
                    }
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        });
    }
    let all = store.list()?;
    let names = Targets::All.resolve(&all)?;
    let plan = Plan {
        id: new_id(),
        workload: WorkloadRef::parse("shop/pos")?,
        images: BTreeMap::from([("app".to_string(), NEW.to_string())]),
        targets: Targets::All,
        waves: split_waves(&names, &default_waves()),
        gate: HealthGate {
            deadline: Duration::from_secs(300),
            soak: Duration::from_millis(a.soak_ms),
        },
        max_failures: 0,
        on_failure: OnFailure::Rollback,
        created_at: jiff::Timestamp::now(),
        created_by: "bench".into(),
    };
    let waves = plan.waves.clone();
    let id = plan.id.clone();
    let engine = Engine::new(
        &home,
        all,
        ClientCache::new(vault, Timeouts::default()),
        EngineOptions {
            poll: Duration::from_millis(a.poll_ms),
            parallel: a.sites,
            offline_wait: Duration::from_secs(10),
            offline_retry: Duration::from_secs(1),
        },
    );
    engine.store().create(plan)?;
    let t = Instant::now();
    let v = engine.run(&id, None).await?;
    let took = t.elapsed();
    anyhow::ensure!(
        v.status == Status::Completed,
        "rollout ended {:?}: {:?}",
        v.status,
        v.reason
    );
    // The engine's own time per wave, from its journal (WaveStarted → WaveDone).
    let recs = engine.store().journal(&id)?.read()?;
    let at = |want: &dyn Fn(&Entry) -> bool| recs.iter().find(|r| want(&r.entry)).map(|r| r.at);
    let wave_secs = |w: usize| -> Option<f64> {
        let a = at(&|e| matches!(e, Entry::WaveStarted { wave } if *wave == w))?;
        let b = at(&|e| matches!(e, Entry::WaveDone { wave, .. } if *wave == w))?;
        Some(b.duration_since(a).as_secs_f64())
    };
    let soak = Duration::from_millis(a.soak_ms);
    let mut baseline = Duration::ZERO;
    let mut rows = Vec::new();
    for (i, w) in waves.iter().enumerate() {
        let mut longest = Duration::ZERO;
        for s in w {
            let g = marks[s].lock().unwrap_or_else(|p| p.into_inner());
            let (Some(a), Some(b)) = *g else {
                anyhow::bail!("{s}: the simulator never completed its rollout");
            };
            longest = longest.max(b.duration_since(a));
        }
        baseline += longest + soak;
        rows.push(format!(
            "| wave {} | {} | {:.2} s | {:.2} s |",
            i + 1,
            w.len(),
            longest.as_secs_f64(),
            wave_secs(i).unwrap_or(f64::NAN)
        ));
    }
    let overhead = took.as_secs_f64() / baseline.as_secs_f64() - 1.0;
    println!();
    println!(
        "## P6: {} sites, waves {:?}, speed {}x, RTT {} ms, poll {} ms, soak {} ms",
        a.sites,
        waves.iter().map(Vec::len).collect::<Vec<_>>(),
        a.speed,
        a.rtt_ms,
        a.poll_ms,
        a.soak_ms
    );
    println!();
    println!("| wave | sites | longest simulated site rollout | engine, wave start to wave done |");
    println!("| --- | --- | --- | --- |");
    for r in rows {
        println!("{r}");
    }
    println!();
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| simulated rollouts (sum over waves of the longest, plus soak) | {:.2} s |",
        baseline.as_secs_f64()
    );
    println!("| `Engine::run` wall time | {:.2} s |", took.as_secs_f64());
    println!("| overhead | {:+.1} % (target ≤ 10 %) |", overhead * 100.0);
    fleet.shutdown().await;
    Ok(())
}
