//! Diff on reconnect against the simulator, with no bundle ever exported: the health
//! engine keeps the state a site had while it was away as its reconnect baseline, and
//! the diff from it to the live state lists exactly what changed meanwhile: an image
//! and a replica count. Covered twice: a site that goes offline while watched, and a
//! site blackholed when the monitor starts (served from its snapshot file). A site that
//! comes back unchanged keeps no baseline.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it health_reconnect::`.

use crate::health_support;

use health_support::{fast_opts, spec, start, suffix, wait, workload};
use outpost_core::bundle::{ChangeKind, Diff};
use outpost_core::health::{FleetMonitor, Reach};
use outpost_core::snapshot::{BASELINE_LABEL, SnapshotStore};
use outpost_sim::Fault;
use outpost_sim::SiteHandle;
use outpost_sim::spec::{Distro, WorkloadKind};

type Got = Vec<(ChangeKind, String, Option<String>, Option<String>)>;

/// Sets the `web` Deployment's replicas and image at the simulated site.
fn change_web(h: &SiteHandle, replicas: i64, image: &str) {
    h.change_deployment("shop", "web", |_| (replicas, image.to_string()))
        .expect("web updated");
}

/// Whether the monitor's state of `site` shows `web` with these replicas and image.
fn web_is(mon: &FleetMonitor, site: &str, replicas: i32, image: &str) -> bool {
    mon.with_state(site, |st| {
        st.workloads.get("Deployment/shop/web").is_some_and(|w| {
            w.desired == replicas && w.images.get("app").map(String::as_str) == Some(image)
        })
    })
    .unwrap_or(false)
}

async fn current(mon: &FleetMonitor, site: &str, replicas: i32, image: &str) {
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !web_is(mon, site, replicas, image) {
        assert!(
            tokio::time::Instant::now() < until,
            "{site}: web never became {replicas} × {image}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The diff from the kept baseline to the monitor's state. The baseline is written once
/// the site has caught up (every watch relisted), which may take a few seconds: the
/// simulator's listener comes back asynchronously while open watches already resume.
async fn since(store: &SnapshotStore, mon: &FleetMonitor, site: &str) -> Diff {
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let now = mon.with_state(site, Clone::clone).expect("site state");
        let d = store
            .since_baseline(site, &now, Some(jiff::Timestamp::now()))
            .expect("baseline readable");
        match d {
            Some(d) => return d,
            None if tokio::time::Instant::now() < until => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            None => panic!(
                "no reconnect baseline was kept; stats {:?}",
                mon.stats(site)
            ),
        }
    }
}

fn got(d: &Diff) -> Got {
    d.changes
        .iter()
        .map(|c| (c.kind, c.subject.clone(), c.from.clone(), c.to.clone()))
        .collect()
}

fn expected(from: (&str, &str), to: (&str, &str)) -> Got {
    vec![
        (
            ChangeKind::Image,
            "Deployment/shop/web:app".into(),
            Some(from.1.into()),
            Some(to.1.into()),
        ),
        (
            ChangeKind::Replicas,
            "Deployment/shop/web".into(),
            Some(from.0.into()),
            Some(to.0.into()),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_back_from_offline_or_blackhole_lists_exactly_what_changed() {
    let s = suffix();
    let name = format!("reconn-{s}");
    let mut web = workload("web", WorkloadKind::Deployment, 2, false);
    web.image = "registry.local:5000/apps/web:1.0.0".into();
    let env = start(vec![spec(
        &name,
        Distro::K3s,
        2,
        vec![web, workload("cache", WorkloadKind::StatefulSet, 1, false)],
    )])
    .await;
    let store = SnapshotStore::new(&env.home);
    let h = env.site(&name);

    // 1. Synced and watched, then offline while watched.
    let mon = env.monitor(fast_opts());
    wait(&mon, &name, 60, "synced", |h| {
        h.reach == Reach::Reachable && h.nodes_total == 2
    })
    .await;
    current(&mon, &name, 2, "registry.local:5000/apps/web:1.0.0").await;
    assert!(
        store.read_baseline(&name).expect("readable").is_none(),
        "a first sync with no earlier data keeps no baseline"
    );
    // Away and back with nothing changed: once every watch has relisted, nothing is kept.
    let relists = mon.stats(&name).expect("stats").relists;
    h.set_fault(Fault::Offline);
    wait(&mon, &name, 15, "offline and stale", |h| {
        h.reach == Reach::Unreachable && h.stale
    })
    .await;
    h.clear_faults();
    wait(&mon, &name, 15, "back", |h| h.reach == Reach::Reachable).await;
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while mon.stats(&name).expect("stats").relists < relists + 6 {
        assert!(
            tokio::time::Instant::now() < until,
            "watches did not relist"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        store.read_baseline(&name).expect("readable").is_none(),
        "a site back unchanged keeps no baseline"
    );

    // Away again; an image and a replica count change meanwhile.
    h.set_fault(Fault::Offline);
    wait(&mon, &name, 15, "offline and stale", |h| {
        h.reach == Reach::Unreachable && h.stale
    })
    .await;
    change_web(&h, 3, "registry.local:5000/apps/web:1.1.0");
    h.clear_faults();
    wait(&mon, &name, 15, "back", |h| h.reach == Reach::Reachable).await;
    current(&mon, &name, 3, "registry.local:5000/apps/web:1.1.0").await;
    let d = since(&store, &mon, &name).await;
    assert!(d.from.starts_with(BASELINE_LABEL), "{}", d.from);
    assert!(d.from_time.is_some(), "the baseline is dated");
    assert_eq!(
        got(&d),
        expected(
            ("2", "registry.local:5000/apps/web:1.0.0"),
            ("3", "registry.local:5000/apps/web:1.1.0")
        ),
        "{}",
        d.render()
    );
    // The snapshot file catches up with the live state (written at most every 2 s).
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let snap = store.read(&name).expect("readable").expect("snapshot");
        if snap
            .state
            .workloads
            .get("Deployment/shop/web")
            .map(|w| w.desired)
            == Some(3)
        {
            break;
        }
        assert!(tokio::time::Instant::now() < until, "snapshot not updated");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    mon.stop();
    drop(mon);

    // 2. Dismissed; then the monitor starts while the site is blackholed: the site is
    // served from its snapshot file, and once it answers the snapshot is the baseline.
    assert!(store.dismiss_baseline(&name).expect("dismissed"));
    // Let the stopped monitor's last snapshot write settle, then note its time.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let snap = store.read(&name).expect("readable").expect("snapshot");
    h.set_fault(Fault::Blackhole);
    let mut opts = fast_opts();
    opts.sweep_deadline = std::time::Duration::from_secs(1);
    let cold = env.monitor(opts);
    let stale = wait(&cold, &name, 15, "stale from its snapshot", |h| {
        h.stale && h.reach != Reach::Reachable && h.reach != Reach::Unknown
    })
    .await;
    assert_eq!(stale.snapshot_at, Some(snap.taken_at));
    change_web(&h, 1, "registry.local:5000/apps/web:1.2.0");
    h.clear_faults();
    wait(&cold, &name, 20, "back", |h| {
        h.reach == Reach::Reachable && !h.stale
    })
    .await;
    current(&cold, &name, 1, "registry.local:5000/apps/web:1.2.0").await;
    let d = since(&store, &cold, &name).await;
    assert_eq!(
        d.from_time,
        Some(snap.taken_at),
        "baseline = the snapshot file"
    );
    assert_eq!(
        got(&d),
        expected(
            ("3", "registry.local:5000/apps/web:1.1.0"),
            ("1", "registry.local:5000/apps/web:1.2.0")
        ),
        "{}",
        d.render()
    );
    cold.stop();
    env.finish().await;
}
