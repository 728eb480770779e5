//! Fleet-level tests: demo fleet invariants, generated fleets, and the tick cost of a
//! large settled fleet.

use super::objects::{i64_at, name, str_at};
use super::testkit::Sim;
use crate::resource::Resource;
use crate::spec::Distro;

#[test]
fn world_demo_fleet_invariants() {
    let fleet = crate::demo::demo_fleet();
    assert_eq!(fleet.len(), 12);
    let names: std::collections::HashSet<&str> = fleet.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), 12);
    for s in &fleet {
        assert!(
            s.name.len() <= 63
                && s.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
        assert!((1..=3).contains(&s.nodes.len()), "{}", s.name);
        assert!(!s.workloads.is_empty());
        assert!((-90.0..=90.0).contains(&s.latitude) && (-180.0..=180.0).contains(&s.longitude));
        assert_eq!(s.upgrade_controller, s.distro == Distro::K3s);
    }
    let versions: std::collections::HashSet<&str> =
        fleet.iter().map(|s| s.version.as_str()).collect();
    assert_eq!(versions.len(), 3, "three versions: {versions:?}");
    assert!(
        fleet.iter().any(|s| s.distro == Distro::K3s)
            && fleet.iter().any(|s| s.distro == Distro::MicroK8s)
    );
    assert_eq!(fleet.iter().filter(|s| s.offline).count(), 1);
    assert_eq!(
        fleet
            .iter()
            .filter(|s| s.workloads.iter().any(|w| w.crash_loop))
            .count(),
        1
    );
    assert_eq!(fleet.iter().filter(|s| s.cert_valid_days < 30).count(), 1);
    assert!(fleet.iter().filter(|s| s.cert_valid_days >= 300).count() == 11);
    let kinds: std::collections::HashSet<String> = fleet
        .iter()
        .flat_map(|s| s.workloads.iter().map(|w| format!("{:?}", w.kind)))
        .collect();
    assert_eq!(kinds.len(), 3, "deployments, statefulsets and daemonsets");
    let continents = fleet.iter().filter(|s| s.longitude < -30.0).count() > 0
        && fleet.iter().filter(|s| s.longitude > 60.0).count() > 0;
    assert!(continents);

    let a = crate::demo::generated_fleet(500, 7);
    assert_eq!(a, crate::demo::generated_fleet(500, 7));
    assert_ne!(a, crate::demo::generated_fleet(500, 8));
    let names: std::collections::HashSet<&str> = a.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), 500);
    assert!(
        a.iter()
            .all(|s| (1..=3).contains(&s.nodes.len()) && (2..=5).contains(&s.workloads.len()))
    );
    assert!(a.iter().all(|s| !s.offline
        && s.cert_valid_days >= 300
        && s.workloads.iter().all(|w| !w.crash_loop)));
    assert!(
        a.iter()
            .map(|s| s.version.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len()
            >= 3
    );
}

#[test]
fn world_tick_cost_for_a_large_fleet() {
    // 100 generated sites, settled, then timed ticks (debug build; release is far faster).
    let mut sims: Vec<Sim> = crate::demo::generated_fleet(100, 3)
        .into_iter()
        .map(Sim::new)
        .collect();
    for s in &mut sims {
        s.dt = 1.0;
        s.run_for(60.0, |_| {});
    }
    let objects: usize = sims.iter().map(|s| s.store.object_count()).sum();
    let started = std::time::Instant::now();
    let mut writes = 0;
    for _ in 0..10 {
        for s in &mut sims {
            writes += s.step().len();
        }
    }
    let per_site_tick = started.elapsed().as_secs_f64() / 1000.0;
    eprintln!(
        "tick: {:.1} µs per settled site ({} objects per site), {writes} writes in 1000 site-ticks",
        per_site_tick * 1e6,
        objects / sims.len()
    );
    assert!(
        per_site_tick < 0.005,
        "a settled site tick takes {per_site_tick}s"
    );
}

#[test]
fn every_demo_site_settles() {
    for spec in crate::demo::demo_fleet() {
        let crash = spec.workloads.iter().any(|w| w.crash_loop);
        let mut s = Sim::new(spec.clone());
        s.run_for(90.0, |_| {});
        for d in s.store.all(Resource::Deployment) {
            let crashing = crash
                && super::objects::label(&d, "app.kubernetes.io/name") == Some("camera-analytics");
            let want = i64_at(&d, "/spec/replicas").unwrap_or(1);
            let got = i64_at(&d, "/status/availableReplicas").unwrap_or(0);
            if crashing {
                assert_eq!(
                    got, 0,
                    "{}: crash-looping workload must not be available",
                    spec.name
                );
            } else {
                assert_eq!(
                    got,
                    want,
                    "{}: deployment {} not available",
                    spec.name,
                    name(&d)
                );
            }
        }
        for p in s.store.all(Resource::Pod) {
            assert!(
                str_at(&p, "/spec/nodeName").is_some(),
                "{}: unscheduled pod {}",
                spec.name,
                name(&p)
            );
        }
        assert_eq!(
            s.store.conflicts, 0,
            "{}: world produced conflicting writes",
            spec.name
        );
    }
}
