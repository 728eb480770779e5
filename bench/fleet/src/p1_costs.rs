//! P1 cost breakdowns: the sweep with the profile's snapshot store, and the JSON a
//! sweep moves (the simulator's encoding, the client's decoding and pruning), measured
//! in-process on one core.

use crate::setup::Env;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::core::ObjectList;
use outpost_core::health::{FleetMonitor, MonitorOptions, Reach, prune};
use outpost_core::registry::Site;
use outpost_core::snapshot::SnapshotStore;
use outpost_sim::resource::Resource;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The in-process sweep as status runs it, with the profile's snapshot store (status
/// loads every site's snapshot before sweeping and writes one per synced site): seconds
/// to start the monitor (the loads), to the end of the sweep, and until every snapshot
/// is written.
pub async fn snapshot_costs(env: &Env, sites: &[Site], opts: &MonitorOptions) -> (f64, f64, f64) {
    let t = Instant::now();
    let mon = FleetMonitor::start(
        sites.to_vec(),
        env.vault.clone(),
        Some(SnapshotStore::new(&env.home)),
        MonitorOptions {
            watch: false,
            sweep_deadline: Duration::from_secs(54),
            ..opts.clone()
        },
    );
    let started = t.elapsed().as_secs_f64();
    let fh = mon.first_sweep(Duration::from_secs(60)).await;
    let swept = t.elapsed().as_secs_f64();
    let ok: Vec<&String> = fh
        .sites
        .iter()
        .filter(|(_, h)| h.reach == Reach::Reachable)
        .map(|(n, _)| n)
        .collect();
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until
        && !ok
            .iter()
            .all(|n| mon.stats(n).is_some_and(|s| s.snapshots_written > 0))
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let written = t.elapsed().as_secs_f64();
    mon.stop();
    eprintln!(
        "in-process sweep with snapshots: loads {started:.3}s, swept {swept:.3}s, \
         written {written:.3}s"
    );
    (started, swept, written)
}

/// What encoding, decoding and pruning every site's lists costs, on one core.
pub struct JsonCosts {
    pub bytes: usize,
    /// Building each list with `json!` (a deep copy of the items, as the simulator's
    /// list handler does) and encoding it.
    pub copy_encode: f64,
    pub encode: f64,
    pub decode: f64,
    pub prune: f64,
}

impl JsonCosts {
    pub fn note(&self) -> String {
        format!(
            "P1 JSON: the 6 lists of all sites are {:.1} MB; on one core, building and \
             encoding them as the simulator does (json! copies the items) takes {:.0} ms \
             ({:.0} ms without the copy), decoding them into Kubernetes types (as kube-rs \
             does) {:.0} ms, pruning them {:.0} ms.",
            self.bytes as f64 / 1e6,
            self.copy_encode * 1000.0,
            self.encode * 1000.0,
            self.decode * 1000.0,
            self.prune * 1000.0
        )
    }
}

/// A list as the API serves it, borrowing the store's objects (no copy).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct List<'a> {
    api_version: &'a str,
    kind: &'a str,
    metadata: Value,
    items: Vec<&'a Value>,
}

fn decode<K: DeserializeOwned + Clone>(b: &[u8]) -> Vec<K> {
    serde_json::from_slice::<ObjectList<K>>(b)
        .map(|l| l.items)
        .unwrap_or_default()
}

/// Every site's lists as the sweep reads them (warning events only), encoded from the
/// simulator's store, decoded and pruned.
pub fn json_costs(env: &Env) -> JsonCosts {
    let kinds = [
        (Resource::Node, "v1", "NodeList"),
        (Resource::Deployment, "apps/v1", "DeploymentList"),
        (Resource::StatefulSet, "apps/v1", "StatefulSetList"),
        (Resource::DaemonSet, "apps/v1", "DaemonSetList"),
        (Resource::Pod, "v1", "PodList"),
        (Resource::Event, "v1", "EventList"),
    ];
    let t = Instant::now();
    for h in env.fleet.handles() {
        for (r, api, kind) in kinds {
            let (items, rv) = h.store().list(r, None);
            let items: Vec<&Value> = items
                .iter()
                .map(|v| v.as_ref())
                .filter(|v| r != Resource::Event || v["type"] == "Warning")
                .collect();
            let list = json!({
                "kind": kind, "apiVersion": api,
                "metadata": {"resourceVersion": rv.to_string()},
                "items": items,
            });
            std::hint::black_box(serde_json::to_vec(&list).unwrap_or_default());
        }
    }
    let copy_encode = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    for h in env.fleet.handles() {
        for (r, api, kind) in kinds {
            let (items, rv) = h.store().list(r, None);
            let items: Vec<&Value> = items
                .iter()
                .map(|v| v.as_ref())
                .filter(|v| r != Resource::Event || v["type"] == "Warning")
                .collect();
            let list = List {
                api_version: api,
                kind,
                metadata: json!({"resourceVersion": rv.to_string()}),
                items,
            };
            bodies.push(serde_json::to_vec(&list).unwrap_or_default());
        }
    }
    let encode = t.elapsed().as_secs_f64();
    let bytes = bodies.iter().map(Vec::len).sum();
    let t = Instant::now();
    let mut decoded = Vec::new();
    for site in bodies.chunks(kinds.len()) {
        decoded.push((
            decode::<Node>(&site[0]),
            decode::<Deployment>(&site[1]),
            decode::<StatefulSet>(&site[2]),
            decode::<DaemonSet>(&site[3]),
            decode::<Pod>(&site[4]),
            decode::<Event>(&site[5]),
        ));
    }
    let decode = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut kept = 0usize;
    for (nodes, deps, sts, dss, pods, events) in &decoded {
        kept += nodes.iter().map(prune::node).count();
        kept += deps.iter().map(prune::deployment).count();
        kept += sts.iter().map(prune::statefulset).count();
        kept += dss.iter().map(prune::daemonset).count();
        kept += pods.iter().map(prune::pod).count();
        kept += events.iter().map(prune::event).count();
    }
    let prune = t.elapsed().as_secs_f64();
    eprintln!(
        "JSON: {bytes} bytes, copy+encode {copy_encode:.3}s, encode {encode:.3}s, decode \
         {decode:.3}s, prune {prune:.3}s ({kept} objects)"
    );
    JsonCosts {
        bytes,
        copy_encode,
        encode,
        decode,
        prune,
    }
}
