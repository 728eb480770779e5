//! Fleet presets: the twelve-site demo fleet and generated fleets of any size.
//!
//! The demo fleet (PRODUCT.md "The demo fleet") mixes K3s and MicroK8s on three versions
//! (v1.31.4+k3s1, v1.30.8+k3s1, MicroK8s v1.29.12) across Europe, North America and
//! Asia, with exactly one offline site (`clinic-vienna-alsergrund`), one degraded site
//! with a crash-looping workload (`factory-lyon-gerland`) and one whose certificates
//! expire in 12 days (`clinic-amsterdam-zuid`).

use crate::spec::{Distro, LogProfile, NodeRole, NodeSpec, SiteSpec, WorkloadKind, WorkloadSpec};
use crate::world::objects::{fnv64, mix};

const K3S_NEW: &str = "v1.31.4+k3s1";
const K3S_OLD: &str = "v1.30.8+k3s1";
const MK8S_NEW: &str = "v1.30.8";
const MK8S_OLD: &str = "v1.29.12";

fn node(name: String, role: NodeRole, cpu_millis: u64, memory_mib: u64) -> NodeSpec {
    NodeSpec {
        name,
        role,
        cpu_millis,
        memory_mib,
    }
}

fn nodes(prefix: &str, distro: Distro, count: usize, big: bool) -> Vec<NodeSpec> {
    let (cpu, mem) = if big { (8000, 32768) } else { (4000, 8192) };
    (0..count)
        .map(|i| {
            let name = match (distro, i) {
                (Distro::K3s, 0) => format!("{prefix}-srv1"),
                (Distro::K3s, _) => format!("{prefix}-agt{i}"),
                (Distro::MicroK8s, _) => format!("mk8s-{prefix}-{}", i + 1),
            };
            let role = if i == 0 || distro == Distro::MicroK8s {
                NodeRole::Server
            } else {
                NodeRole::Agent
            };
            node(name, role, cpu, mem)
        })
        .collect()
}

/// The workloads the demo knows: name, kind, container, image, replicas, log profile.
#[rustfmt::skip]
const CATALOGUE: [(&str, WorkloadKind, &str, &str, u32, LogProfile); 9] = {
    use LogProfile::*;
    use WorkloadKind::{DaemonSet as Ds, Deployment as Dep, StatefulSet as Sts};
    [
        ("pos-terminal", Dep, "pos", "registry.local:5000/retail/pos-terminal:2.4.1", 2, WebApp),
        ("camera-analytics", Dep, "analytics", "registry.local:5000/vision/camera-analytics:1.8.0", 1, Camera),
        ("mqtt-broker", Dep, "mosquitto", "eclipse-mosquitto:2.0.20", 1, Mqtt),
        ("local-cache", Sts, "redis", "redis:7.2.6-alpine", 1, Cache),
        ("edge-agent", Ds, "agent", "registry.local:5000/ops/edge-agent:0.9.3", 1, Json),
        ("patient-checkin", Dep, "checkin", "registry.local:5000/clinic/patient-checkin:3.1.0", 2, WebApp),
        ("inventory-sync", Dep, "sync", "registry.local:5000/retail/inventory-sync:1.12.2", 1, Json),
        ("tower-monitor", Dep, "monitor", "registry.local:5000/telco/tower-monitor:5.0.4", 1, Json),
        ("line-telemetry", Dep, "telemetry", "registry.local:5000/factory/line-telemetry:2.2.0", 2, Mqtt),
    ]
};

/// A workload by its well-known name (a generic JSON-logging app when unknown).
fn workload(name: &str, ns: &str) -> WorkloadSpec {
    let (_, kind, container, image, replicas, logs) =
        CATALOGUE.iter().find(|w| w.0 == name).copied().unwrap_or((
            "",
            WorkloadKind::Deployment,
            "app",
            "registry.local:5000/apps/generic:1.0.0",
            1,
            LogProfile::Json,
        ));
    WorkloadSpec {
        namespace: ns.to_string(),
        name: name.to_string(),
        kind,
        container: container.to_string(),
        image: image.to_string(),
        replicas,
        logs,
        crash_loop: false,
    }
}

#[allow(clippy::too_many_arguments)]
fn site(
    name: &str,
    display: &str,
    city: &str,
    (lat, lon): (f64, f64),
    tags: &[&str],
    distro: Distro,
    version: &str,
    node_list: Vec<NodeSpec>,
    workloads: Vec<WorkloadSpec>,
) -> SiteSpec {
    SiteSpec {
        name: name.to_string(),
        display_name: display.to_string(),
        city: city.to_string(),
        latitude: lat,
        longitude: lon,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        distro,
        version: version.to_string(),
        nodes: node_list,
        workloads,
        upgrade_controller: distro == Distro::K3s,
        cert_valid_days: 300 + (fnv64(name.as_bytes()) % 60) as i64,
        offline: false,
    }
}

/// The built-in demo fleet (see PRODUCT.md "The demo fleet").
pub fn demo_fleet() -> Vec<SiteSpec> {
    use Distro::{K3s, MicroK8s};
    let w = |names: &[&str], ns: &str| names.iter().map(|n| workload(n, ns)).collect::<Vec<_>>();
    let mut lyon_workloads = w(
        &[
            "camera-analytics",
            "mqtt-broker",
            "line-telemetry",
            "edge-agent",
        ],
        "factory",
    );
    lyon_workloads[0].crash_loop = true;
    #[rustfmt::skip]
    let mut fleet = vec![
        site("store-berlin-mitte", "Store Berlin Mitte", "Berlin", (52.5251, 13.4017), &["retail", "eu-central"],
             K3s, K3S_NEW, nodes("bln", K3s, 2, false), w(&["pos-terminal", "local-cache", "inventory-sync"], "retail")),
        site("store-munich-schwabing", "Store Munich Schwabing", "Munich", (48.1642, 11.5866), &["retail", "eu-central"],
             K3s, K3S_OLD, nodes("muc", K3s, 1, false), w(&["pos-terminal", "local-cache"], "retail")),
        site("store-paris-marais", "Store Paris Marais", "Paris", (48.8590, 2.3622), &["retail", "eu-west"],
             MicroK8s, MK8S_OLD, nodes("par", MicroK8s, 1, false), w(&["pos-terminal", "local-cache", "mqtt-broker"], "retail")),
        site("factory-lyon-gerland", "Factory Lyon Gerland", "Lyon", (45.7300, 4.8300), &["factory", "eu-west"],
             K3s, K3S_OLD, nodes("lyo", K3s, 3, true), lyon_workloads),
        site("factory-turin-mirafiori", "Factory Turin Mirafiori", "Turin", (45.0345, 7.6426), &["factory", "eu-south"],
             MicroK8s, MK8S_OLD, nodes("trn", MicroK8s, 2, true), w(&["camera-analytics", "mqtt-broker", "edge-agent"], "factory")),
        site("clinic-amsterdam-zuid", "Clinic Amsterdam Zuid", "Amsterdam", (52.3383, 4.8722), &["clinic", "eu-west"],
             K3s, K3S_NEW, nodes("ams", K3s, 1, false), w(&["patient-checkin", "local-cache"], "clinic")),
        site("clinic-vienna-alsergrund", "Clinic Vienna Alsergrund", "Vienna", (48.2226, 16.3520), &["clinic", "eu-central"],
             MicroK8s, MK8S_OLD, nodes("vie", MicroK8s, 1, false), w(&["patient-checkin", "mqtt-broker"], "clinic")),
        site("tower-oslo-nydalen", "Tower Oslo Nydalen", "Oslo", (59.9500, 10.7650), &["tower", "eu-north"],
             K3s, K3S_OLD, nodes("osl", K3s, 1, false), w(&["tower-monitor", "mqtt-broker"], "telco")),
        site("store-madrid-salamanca", "Store Madrid Salamanca", "Madrid", (40.4300, -3.6800), &["retail", "eu-south"],
             K3s, K3S_NEW, nodes("mad", K3s, 2, false), w(&["pos-terminal", "local-cache", "camera-analytics"], "retail")),
        site("store-toronto-queen-west", "Store Toronto Queen West", "Toronto", (43.6465, -79.4112), &["retail", "na"],
             K3s, K3S_OLD, nodes("yyz", K3s, 1, false), w(&["pos-terminal", "inventory-sync"], "retail")),
        site("factory-austin-north", "Factory Austin North", "Austin", (30.4000, -97.7200), &["factory", "na"],
             MicroK8s, MK8S_OLD, nodes("aus", MicroK8s, 3, true),
             w(&["camera-analytics", "line-telemetry", "mqtt-broker", "edge-agent"], "factory")),
        site("tower-singapore-jurong", "Tower Singapore Jurong", "Singapore", (1.3329, 103.7436), &["tower", "apac"],
             K3s, K3S_NEW, nodes("sin", K3s, 2, false), w(&["tower-monitor", "mqtt-broker", "edge-agent"], "telco")),
    ];
    for s in &mut fleet {
        match s.name.as_str() {
            "clinic-amsterdam-zuid" => s.cert_valid_days = 12,
            "clinic-vienna-alsergrund" => s.offline = true,
            _ => {}
        }
    }
    fleet
}

#[rustfmt::skip]
const CITIES: [(&str, f64, f64); 24] = [
    ("berlin", 52.52, 13.40), ("hamburg", 53.55, 9.99), ("cologne", 50.94, 6.96), ("paris", 48.86, 2.35),
    ("lille", 50.63, 3.06), ("madrid", 40.42, -3.70), ("seville", 37.39, -5.98), ("rome", 41.90, 12.50),
    ("milan", 45.46, 9.19), ("warsaw", 52.23, 21.01), ("prague", 50.08, 14.44), ("stockholm", 59.33, 18.07),
    ("dublin", 53.35, -6.26), ("lisbon", 38.72, -9.14), ("chicago", 41.88, -87.63), ("denver", 39.74, -104.99),
    ("seattle", 47.61, -122.33), ("montreal", 45.50, -73.57), ("mexico", 19.43, -99.13), ("saopaulo", -23.55, -46.63),
    ("tokyo", 35.68, 139.69), ("seoul", 37.57, 126.98), ("sydney", -33.87, 151.21), ("mumbai", 19.08, 72.88),
];

#[rustfmt::skip]
const KINDS: [(&str, &[&str]); 4] = [
    ("store", &["pos-terminal", "local-cache", "inventory-sync", "camera-analytics", "mqtt-broker"]),
    ("factory", &["camera-analytics", "mqtt-broker", "line-telemetry", "edge-agent", "local-cache"]),
    ("clinic", &["patient-checkin", "local-cache", "mqtt-broker", "inventory-sync", "edge-agent"]),
    ("tower", &["tower-monitor", "mqtt-broker", "edge-agent", "local-cache", "line-telemetry"]),
];

/// `n` plausible sites for tests and benchmarks, deterministic for `seed`. Unique names,
/// mixed distros and versions, 1–3 nodes, 2–5 workloads, no faults.
pub fn generated_fleet(n: usize, seed: u64) -> Vec<SiteSpec> {
    (0..n)
        .map(|i| {
            let r = |k: u64| mix(&[seed, i as u64, k]);
            let (city, lat, lon) = CITIES[(r(1) % CITIES.len() as u64) as usize];
            let (kind, pool) = KINDS[(r(2) % KINDS.len() as u64) as usize];
            let distro = if r(3) % 3 == 0 {
                Distro::MicroK8s
            } else {
                Distro::K3s
            };
            let version = match (distro, r(4) % 2) {
                (Distro::K3s, 0) => K3S_NEW,
                (Distro::K3s, _) => K3S_OLD,
                (Distro::MicroK8s, 0) => MK8S_NEW,
                (Distro::MicroK8s, _) => MK8S_OLD,
            };
            let name = format!("{kind}-{city}-{i:04}");
            let short = format!("s{i:04}");
            let node_count = 1 + (r(5) % 3) as usize;
            let wl_count = 2 + (r(6) % 4) as usize;
            let ns = match kind {
                "store" => "retail",
                "tower" => "telco",
                k => k,
            };
            let workloads = pool[..wl_count].iter().map(|w| workload(w, ns)).collect();
            let jitter = |k: u64| ((r(k) % 2000) as f64 / 1000.0 - 1.0) * 0.4;
            let mut s = site(
                &name,
                &format!("{} {} #{i}", capitalise(kind), capitalise(city)),
                &capitalise(city),
                (lat + jitter(7), lon + jitter(8)),
                &[kind],
                distro,
                version,
                nodes(&short, distro, node_count, kind == "factory"),
                workloads,
            );
            s.cert_valid_days = 300 + (r(9) % 65) as i64;
            s
        })
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
