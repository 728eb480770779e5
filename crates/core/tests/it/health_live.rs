//! The live health engine against an in-process simulated fleet: healthy K3s and
//! MicroK8s sites, a crash loop, laptop sleep (410 → relist with back-off), a site that
//! comes back, and the stale snapshot served meanwhile.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it health_live::`.

use crate::health_support;

use health_support::{Env, fast_opts, spec, start, suffix, wait, workload};
use outpost_core::health::{Level, PodTrouble, Reach};
use outpost_core::registry::Distro as CoreDistro;
use outpost_sim::Fault;
use outpost_sim::resource::Resource;
use outpost_sim::spec::{Distro, WorkloadKind};
use serde_json::json;
use std::time::{Duration, Instant};

fn warning_event(name: &str) -> serde_json::Value {
    let now = jiff::Timestamp::now().to_string();
    json!({"apiVersion": "v1", "kind": "Event",
           "metadata": {"name": name, "namespace": "shop"},
           "involvedObject": {"kind": "Pod", "name": "probe-pod", "namespace": "shop"},
           "reason": "TestWarning", "message": format!("marker {name}"), "type": "Warning",
           "count": 1, "firstTimestamp": now, "lastTimestamp": now})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_k3s_and_microk8s_sites_report_ok() {
    let s = suffix();
    let (k, m) = (format!("ok-k3s-{s}"), format!("ok-mk8s-{s}"));
    let env: Env = start(vec![
        spec(
            &k,
            Distro::K3s,
            2,
            vec![
                workload("pos-terminal", WorkloadKind::Deployment, 2, false),
                workload("local-cache", WorkloadKind::StatefulSet, 1, false),
            ],
        ),
        spec(
            &m,
            Distro::MicroK8s,
            1,
            vec![workload("mqtt-broker", WorkloadKind::Deployment, 1, false)],
        ),
    ])
    .await;
    let mon = env.monitor(fast_opts());
    let ok = |h: &outpost_core::health::SiteHealth| {
        h.level == Level::Ok && h.workloads_total > 0 && h.workloads_available == h.workloads_total
    };
    let hk = wait(&mon, &k, 60, "ok", ok).await;
    assert_eq!(hk.reach, Reach::Reachable);
    assert_eq!(hk.distro, Some(CoreDistro::K3s));
    assert_eq!(hk.version.as_deref(), Some("v1.31.4+k3s1"));
    assert_eq!((hk.nodes_ready, hk.nodes_total), (2, 2));
    assert!(hk.workloads_total >= 2, "{hk:#?}");
    assert!(hk.problem_pods.is_empty() && !hk.stale && hk.last_seen.is_some());
    let days = hk
        .cert_days_left
        .expect("serving cert expiry from the handshake");
    assert!((360..=366).contains(&days), "cert days left {days}");
    let hm = wait(&mon, &m, 60, "ok", ok).await;
    assert_eq!(hm.distro, Some(CoreDistro::MicroK8s));
    assert_eq!(hm.version.as_deref(), Some("v1.30.8"));
    assert_eq!((hm.nodes_ready, hm.nodes_total), (1, 1));
    // The first sync wrote a snapshot per site.
    let snaps = outpost_core::snapshot::SnapshotStore::new(&env.home);
    let snap = snaps.read(&k).expect("readable").expect("snapshot written");
    assert_eq!(snap.site, k);
    assert_eq!(snap.state.nodes.len(), 2);
    mon.stop();
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_looping_deployment_is_critical_with_pod_and_restarts() {
    let s = suffix();
    let name = format!("crash-{s}");
    let env = start(vec![spec(
        &name,
        Distro::K3s,
        1,
        vec![
            workload("line-telemetry", WorkloadKind::Deployment, 1, true),
            workload("pos-terminal", WorkloadKind::Deployment, 1, false),
        ],
    )])
    .await;
    let mon = env.monitor(fast_opts());
    let h = wait(&mon, &name, 60, "critical with a crash-looping pod", |h| {
        h.level == Level::Critical
            && h.problem_pods
                .iter()
                .any(|p| p.trouble == PodTrouble::CrashLoop && p.restarts >= 1)
    })
    .await;
    let p = h
        .problem_pods
        .iter()
        .find(|p| p.trouble == PodTrouble::CrashLoop)
        .expect("crash-looping pod");
    assert!(p.pod.starts_with("line-telemetry-"), "{p:?}");
    assert_eq!(p.namespace, "shop");
    assert_eq!(p.reason, "CrashLoopBackOff");
    assert!(
        h.reasons
            .iter()
            .any(|r| r.contains(&p.pod) && r.contains("restarts")),
        "{:?}",
        h.reasons
    );
    assert_eq!(h.reach, Reach::Reachable);
    mon.stop();
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laptop_sleep_relists_through_410_without_a_hot_loop() {
    let s = suffix();
    let name = format!("sleep-{s}");
    let env = start(vec![spec(
        &name,
        Distro::K3s,
        1,
        vec![workload("pos-terminal", WorkloadKind::Deployment, 1, false)],
    )])
    .await;
    let mon = env.monitor(fast_opts());
    wait(&mon, &name, 60, "synced", |h| {
        h.reach == Reach::Reachable && h.nodes_total == 1
    })
    .await;
    // Let the watches settle on their first list.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let h = env.site(&name);
    // Requests the site serves in a quiet 6 s window (pings only), for comparison.
    let window = Duration::from_secs(6);
    let r0 = h.requests_served();
    tokio::time::sleep(window).await;
    let r1 = h.requests_served();
    let quiet = r1 - r0;
    let before = mon.stats(&name).expect("stats");
    h.sleep();
    let t0 = Instant::now();
    h.store()
        .create(Resource::Event, warning_event("after-sleep"))
        .expect("event");
    let got = wait(
        &mon,
        &name,
        10,
        "showing the event created after the sleep",
        |h| h.warnings.iter().any(|w| w.message == "marker after-sleep"),
    )
    .await;
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert_eq!(got.reach, Reach::Reachable);
    // Give any runaway loop time to show, then bound the relists: six watched kinds,
    // each relisting once (or a few times with back-off), not hundreds.
    tokio::time::sleep(window.saturating_sub(t0.elapsed())).await;
    let r2 = h.requests_served();
    let after = mon.stats(&name).expect("stats");
    // The same 6 s window after the sleep: the pings plus, per watched kind, a resume
    // that gets 410, a list and a new watch (twice if a retry backs off). A hot loop
    // would be hundreds or thousands.
    let extra = (r2 - r1).saturating_sub(quiet);
    eprintln!(
        "requests in 6 s: {quiet} quiet, {} after the sleep ({extra} extra)",
        r2 - r1
    );
    assert!(
        extra <= 6 * 3 * 2,
        "bounded request count: {} requests in the 6 s after the sleep vs {quiet} before",
        r2 - r1
    );
    assert!(
        extra >= 6,
        "the watches really resumed and relisted: {extra}"
    );
    let relists = after.relists - before.relists;
    assert!(
        relists >= 1,
        "the 410 forced at least one relist: {before:?} → {after:?}"
    );
    assert!(
        relists <= 24,
        "no hot loop: {relists} relists in ~6 s ({after:?})"
    );
    assert!(after.watch_errors - before.watch_errors <= 24, "{after:?}");
    mon.stop();
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_site_is_served_stale_from_its_snapshot_then_recovers_within_10s() {
    let s = suffix();
    let name = format!("back-{s}");
    let env = start(vec![spec(
        &name,
        Distro::MicroK8s,
        1,
        vec![workload("mqtt-broker", WorkloadKind::Deployment, 1, false)],
    )])
    .await;
    let mon = env.monitor(fast_opts());
    let live = wait(&mon, &name, 60, "synced", |h| {
        h.reach == Reach::Reachable && h.nodes_total == 1
    })
    .await;
    let h = env.site(&name);
    h.set_fault(Fault::Offline);
    let stale = wait(&mon, &name, 15, "unreachable and stale", |h| {
        h.reach == Reach::Unreachable
    })
    .await;
    assert!(stale.stale, "{stale:#?}");
    assert!(stale.snapshot_at.is_some() && stale.snapshot_age_secs.is_some());
    assert_eq!(stale.level, Level::Critical);
    assert_eq!(stale.nodes_total, live.nodes_total, "data kept from before");
    assert!(
        stale.reasons.iter().any(|r| r.starts_with("stale:")),
        "{:?}",
        stale.reasons
    );
    // A monitor started now (an app launched without the site) serves the snapshot file.
    let cold = env.monitor(fast_opts());
    let from_disk = wait(&cold, &name, 15, "checked and stale", |h| {
        h.reach == Reach::Unreachable
    })
    .await;
    assert!(
        from_disk.stale && from_disk.nodes_total == 1,
        "{from_disk:#?}"
    );
    assert_eq!(from_disk.distro, Some(CoreDistro::MicroK8s));
    cold.stop();
    // While offline something changes; once back, the site is correct within 10 s.
    h.store()
        .create(Resource::Event, warning_event("while-offline"))
        .expect("event");
    h.clear_faults();
    let t0 = Instant::now();
    let back = wait(&mon, &name, 10, "back and current", |h| {
        h.reach == Reach::Reachable
            && !h.stale
            && h.warnings
                .iter()
                .any(|w| w.message == "marker while-offline")
    })
    .await;
    assert!(t0.elapsed() <= Duration::from_secs(10));
    assert!(
        back.reasons.iter().all(|r| !r.starts_with("stale")),
        "{:?}",
        back.reasons
    );
    mon.stop();
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_default_options_a_site_back_after_a_long_outage_is_current_within_10s() {
    let s = suffix();
    let name = format!("outage-{s}");
    let env = start(vec![spec(
        &name,
        Distro::K3s,
        1,
        vec![workload("pos-terminal", WorkloadKind::Deployment, 1, false)],
    )])
    .await;
    // The product's defaults: pings every 10 s, retries up to 5 s apart, and the
    // watchers' own back-off (which grows towards 30 s while the site is away).
    let mon = env.monitor(outpost_core::health::MonitorOptions::default());
    wait(&mon, &name, 60, "synced", |h| {
        h.reach == Reach::Reachable && h.nodes_total == 1
    })
    .await;
    let h = env.site(&name);
    h.set_fault(Fault::Offline);
    wait(&mon, &name, 15, "unreachable", |h| {
        h.reach == Reach::Unreachable && h.stale
    })
    .await;
    // A long outage: the watchers' back-off has grown well past 10 s.
    tokio::time::sleep(Duration::from_secs(20)).await;
    h.store()
        .create(Resource::Event, warning_event("during-outage"))
        .expect("event");
    h.clear_faults();
    let t0 = Instant::now();
    let back = wait(&mon, &name, 10, "back and current", |h| {
        h.reach == Reach::Reachable
            && !h.stale
            && h.warnings
                .iter()
                .any(|w| w.message == "marker during-outage")
    })
    .await;
    eprintln!("current again {:?} after the outage ended", t0.elapsed());
    assert_eq!(back.nodes_total, 1);
    mon.stop();
    env.finish().await;
}
