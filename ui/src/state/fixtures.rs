//! Realistic fleet fixtures for the reducer tests: the twelve-site demo fleet.

use outpost_ipc::{Distro, HealthLevel, Reachability, ReachabilityState, SiteSummary};

/// 2026-11-24T18:00:00Z, the "now" of the fixtures.
pub const NOW_MS: i64 = 1_795_543_200_000;

/// A healthy K3s site with the given name and level.
pub fn site(name: &str, level: HealthLevel) -> SiteSummary {
    SiteSummary {
        name: name.into(),
        display_name: name.into(),
        city: "Nowhere".into(),
        latitude: Some(0.0),
        longitude: Some(0.0),
        tags: vec![],
        distro: Distro::K3s,
        version: "v1.31.4+k3s1".into(),
        level,
        reasons: vec![],
        reachability: Reachability {
            state: ReachabilityState::Reachable,
            ..Reachability::default()
        },
        last_seen_ms: Some(NOW_MS - 5_000),
        stale: None,
        nodes_ready: 1,
        nodes_total: 1,
        workloads_available: 4,
        workloads_desired: 4,
        problem_pods: 0,
        cert_expires_ms: Some(NOW_MS + 200 * 86_400_000),
    }
}

#[allow(clippy::too_many_arguments)]
fn at(
    name: &str,
    city: &str,
    lat: f64,
    lon: f64,
    distro: Distro,
    version: &str,
    level: HealthLevel,
    tags: &[&str],
) -> SiteSummary {
    SiteSummary {
        display_name: format!("{city} store"),
        city: city.into(),
        latitude: Some(lat),
        longitude: Some(lon),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        distro,
        version: version.into(),
        ..site(name, level)
    }
}

/// Twelve sites: K3s and MicroK8s, three versions, one offline (from a snapshot), one
/// degraded by a crash-looping pod, one with a certificate expiring soon.
pub fn demo_fleet() -> Vec<SiteSummary> {
    use Distro::{K3s, Microk8s};
    use HealthLevel::{Critical, Ok, Unknown, Warning};
    const K: &str = "v1.31.4+k3s1";
    const K_OLD: &str = "v1.30.6+k3s1";
    const M: &str = "v1.31.3";
    let mut sites = vec![
        at(
            "berlin-mitte",
            "Berlin",
            52.52,
            13.405,
            K3s,
            K,
            Ok,
            &["retail", "eu"],
        ),
        at(
            "hamburg-hafen",
            "Hamburg",
            53.55,
            9.99,
            K3s,
            K,
            Ok,
            &["retail", "eu"],
        ),
        at(
            "munich-ost",
            "Munich",
            48.14,
            11.58,
            K3s,
            K,
            Critical,
            &["retail", "eu"],
        ),
        at(
            "paris-bastille",
            "Paris",
            48.853,
            2.369,
            K3s,
            K,
            Ok,
            &["retail", "eu"],
        ),
        at(
            "lyon-part-dieu",
            "Lyon",
            45.76,
            4.86,
            K3s,
            K_OLD,
            Warning,
            &["retail", "eu"],
        ),
        at(
            "madrid-sol",
            "Madrid",
            40.417,
            -3.704,
            Microk8s,
            M,
            Ok,
            &["warehouse", "eu"],
        ),
        at(
            "lisbon-baixa",
            "Lisbon",
            38.71,
            -9.14,
            Microk8s,
            M,
            Ok,
            &["warehouse", "eu"],
        ),
        at(
            "oslo-sentrum",
            "Oslo",
            59.91,
            10.75,
            K3s,
            K,
            Unknown,
            &["retail", "nordics"],
        ),
        at(
            "toronto-queen",
            "Toronto",
            43.65,
            -79.38,
            K3s,
            K,
            Ok,
            &["retail", "na"],
        ),
        at(
            "chicago-loop",
            "Chicago",
            41.88,
            -87.63,
            K3s,
            K_OLD,
            Ok,
            &["warehouse", "na"],
        ),
        at(
            "austin-east",
            "Austin",
            30.27,
            -97.74,
            Microk8s,
            M,
            Warning,
            &["lab", "na"],
        ),
        at(
            "sydney-cbd",
            "Sydney",
            -33.87,
            151.21,
            K3s,
            K,
            Ok,
            &["retail", "apac"],
        ),
    ];
    for s in &mut sites {
        match s.name.as_str() {
            "munich-ost" => {
                s.reasons = vec!["pod pos/pos-terminal-7f9c CrashLoopBackOff (42 restarts)".into()];
                s.workloads_available = 3;
                s.problem_pods = 1;
            }
            "lyon-part-dieu" => {
                s.reasons = vec!["client certificate expires in 9 days".into()];
                s.cert_expires_ms = Some(NOW_MS + 9 * 86_400_000);
            }
            "austin-east" => {
                s.reasons = vec!["node lab-2 MemoryPressure".into()];
                s.nodes_total = 2;
            }
            "oslo-sentrum" => {
                s.reasons = vec!["Not answering: check the site's power and network.".into()];
                s.reachability = Reachability {
                    state: ReachabilityState::Unreachable,
                    kind: Some(outpost_ipc::ErrorKind::Unreachable),
                    since_ms: Some(NOW_MS - 3 * 3_600_000),
                    detail: Some("unreachable: connect 10.8.0.12:6443: connection refused".into()),
                };
                s.last_seen_ms = Some(NOW_MS - 3 * 3_600_000);
                s.stale = Some(NOW_MS - 3 * 3_600_000);
            }
            _ => {}
        }
    }
    sites
}
