//! Every simulated fault seen as the right reachability, within the sweep deadline, and
//! 429/500 bursts that the engine rides out.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it health_faults::`.

use crate::health_support;

use health_support::{fast_opts, spec, start, suffix, wait, workload};
use outpost_core::health::{Level, MonitorOptions, Reach};
use outpost_sim::Fault;
use outpost_sim::faults::ErrorMode;
use outpost_sim::resource::Resource;
use outpost_sim::spec::{Distro, WorkloadKind};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_maps_to_its_reachability_within_the_deadline() {
    let s = suffix();
    let n = |k: &str| format!("{k}-{s}");
    let w = || vec![workload("pos-terminal", WorkloadKind::Deployment, 1, false)];
    let env = start(vec![
        spec(&n("healthy"), Distro::MicroK8s, 1, w()),
        spec(&n("offline"), Distro::K3s, 1, w()),
        spec(&n("blackhole"), Distro::K3s, 1, w()),
        spec(&n("expired"), Distro::K3s, 1, w()),
        spec(&n("wrongca"), Distro::K3s, 1, w()),
        spec(&n("revoked"), Distro::MicroK8s, 1, w()),
        spec(&n("slow"), Distro::K3s, 1, w()),
    ])
    .await;
    // Faults go on after the import (which checks the serving certificates).
    env.site(&n("offline")).set_fault(Fault::Offline);
    env.site(&n("blackhole")).set_fault(Fault::Blackhole);
    env.site(&n("expired")).set_fault(Fault::ExpiredCert);
    env.site(&n("wrongca")).set_fault(Fault::WrongCa);
    env.site(&n("revoked")).set_fault(Fault::RevokedToken);
    env.site(&n("slow"))
        .set_fault(Fault::Rtt(Duration::from_millis(300)));
    let opts = MonitorOptions {
        watch: false,
        sweep_deadline: Duration::from_secs(3),
        ..MonitorOptions::default()
    };
    let t0 = Instant::now();
    let mon = env.monitor(opts);
    let fleet = mon.first_sweep(Duration::from_secs(5)).await;
    let took = t0.elapsed();
    assert!(
        took < Duration::from_millis(5500),
        "the sweep kept its deadline: {took:?}"
    );
    let get = |k: &str| {
        fleet
            .sites
            .get(&n(k))
            .unwrap_or_else(|| panic!("{k} reported"))
            .clone()
    };
    let expect = [
        ("healthy", Reach::Reachable, ""),
        ("slow", Reach::Reachable, ""),
        ("offline", Reach::Unreachable, "refused"),
        ("blackhole", Reach::Timeout, ""),
        ("expired", Reach::TlsFailed, "expired"),
        ("wrongca", Reach::TlsFailed, "not signed by the site's CA"),
        ("revoked", Reach::AuthFailed, "401"),
    ];
    for (k, reach, why) in expect {
        let h = get(k);
        assert_eq!(h.reach, reach, "{k}: {h:#?}");
        if reach == Reach::Reachable {
            // Just started: workloads may still be coming up, but the site answered.
            assert!(h.reach_reason.is_none(), "{k}: {h:#?}");
            assert_eq!(h.nodes_total, 1, "{k}");
            assert!(h.version.is_some() && h.last_seen.is_some(), "{k}");
        } else {
            assert_eq!(h.level, Level::Critical, "{k}: {h:#?}");
            let reason = h.reach_reason.clone().unwrap_or_default();
            assert!(
                reason.to_lowercase().contains(&why.to_lowercase()),
                "{k}: reason {reason:?} lacks {why:?}"
            );
            assert!(!h.stale, "{k}: no snapshot yet, so nothing stale");
        }
    }
    mon.stop();
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_bursts_429_and_500_converge_once_they_stop() {
    let s = suffix();
    let name = format!("bursts-{s}");
    let env = start(vec![spec(
        &name,
        Distro::K3s,
        1,
        vec![workload("pos-terminal", WorkloadKind::Deployment, 1, false)],
    )])
    .await;
    let h = env.site(&name);
    h.set_fault(Fault::Errors(ErrorMode::Mixed));
    let mon = env.monitor(fast_opts());
    // Answering with errors still means reachable; without data the level is unknown.
    let during = wait(&mon, &name, 10, "reachable without data", |h| {
        h.reach == Reach::Reachable && h.reach_reason.is_some()
    })
    .await;
    assert_eq!(during.level, Level::Unknown, "{during:#?}");
    h.clear_faults();
    wait(&mon, &name, 10, "synced after the burst", |h| {
        h.nodes_total == 1 && h.reach_reason.is_none()
    })
    .await;
    // A burst while watching: watches back off, then pick up what changed meanwhile.
    h.set_fault(Fault::Errors(ErrorMode::TooManyRequests));
    let now = jiff::Timestamp::now().to_string();
    h.store()
        .create(
            Resource::Event,
            json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "during-burst", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "shop"},
            "reason": "BackOff", "message": "marker during-burst", "type": "Warning",
            "count": 2, "firstTimestamp": now, "lastTimestamp": now}),
        )
        .expect("event");
    tokio::time::sleep(Duration::from_secs(2)).await;
    h.set_fault(Fault::Sleep);
    h.clear_faults();
    let t0 = Instant::now();
    let after = wait(&mon, &name, 10, "converged", |h| {
        h.reach == Reach::Reachable
            && h.warnings
                .iter()
                .any(|w| w.message == "marker during-burst")
    })
    .await;
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert_eq!(after.nodes_total, 1);
    let stats = mon.stats(&name).expect("stats");
    assert!(
        stats.watch_errors < 200,
        "backed off, no hot loop: {stats:?}"
    );
    mon.stop();
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_switched_on_while_watching_map_to_their_status_and_clear_within_10s() {
    let s = suffix();
    let n = |k: &str| format!("{k}-{s}");
    let w = || vec![workload("pos-terminal", WorkloadKind::Deployment, 1, false)];
    let kinds: [(&str, Fault, Reach, &str); 7] = [
        ("offline", Fault::Offline, Reach::Unreachable, "refused"),
        ("blackhole", Fault::Blackhole, Reach::Timeout, ""),
        ("expired", Fault::ExpiredCert, Reach::TlsFailed, "expired"),
        ("wrongca", Fault::WrongCa, Reach::TlsFailed, "not signed"),
        ("revoked", Fault::RevokedToken, Reach::AuthFailed, "401"),
        // The site answers, with errors: reachable, and the errors are the reason.
        (
            "err500",
            Fault::Errors(ErrorMode::Internal),
            Reach::Reachable,
            "500",
        ),
        (
            "err429",
            Fault::Errors(ErrorMode::TooManyRequests),
            Reach::Reachable,
            "429",
        ),
    ];
    let mut specs: Vec<_> = kinds
        .iter()
        .enumerate()
        .map(|(i, (k, ..))| {
            let d = if i % 2 == 0 {
                Distro::K3s
            } else {
                Distro::MicroK8s
            };
            spec(&n(k), d, 1, w())
        })
        .collect();
    specs.push(spec(&n("slowlogs"), Distro::K3s, 1, w()));
    let env = start(specs).await;
    let mon = env.monitor(fast_opts());
    for (k, ..) in &kinds {
        wait(&mon, &n(k), 60, "synced and ok", |h| {
            h.level == Level::Ok && h.nodes_total == 1 && h.reach_reason.is_none()
        })
        .await;
    }
    for (k, f, ..) in &kinds {
        env.site(&n(k)).set_fault(*f);
    }
    // Slow log streams do not concern health: the site stays reachable and current.
    env.site(&n("slowlogs")).set_fault(Fault::SlowLogs);
    for (k, _, reach, why) in &kinds {
        // The first sign may be a cut watch; the ping that follows gives the reason.
        let h = wait(&mon, &n(k), 10, &format!("{reach:?} because {why}"), |h| {
            h.reach == *reach
                && h.reach_reason
                    .as_deref()
                    .is_some_and(|r| r.to_lowercase().contains(&why.to_lowercase()))
        })
        .await;
        if *reach == Reach::Reachable {
            // Data from before is kept; the errors raise a warning, not a failure.
            assert_eq!(h.level, Level::Warning, "{k}: {h:#?}");
            assert!(h.nodes_total == 1 && !h.stale, "{k}: {h:#?}");
        } else {
            assert_eq!(h.level, Level::Critical, "{k}: {h:#?}");
            assert!(
                h.stale && h.nodes_total == 1,
                "{k}: data kept, stale: {h:#?}"
            );
        }
    }
    let sl = mon.site(&n("slowlogs")).expect("reported");
    assert_eq!(sl.reach, Reach::Reachable, "{sl:#?}");
    assert!(sl.reach_reason.is_none() && !sl.stale, "{sl:#?}");
    // Every fault cleared: each site is live and current again within 10 s.
    for (k, ..) in &kinds {
        env.site(&n(k)).clear_faults();
    }
    let t0 = Instant::now();
    for (k, ..) in &kinds {
        let left = Duration::from_secs(10).saturating_sub(t0.elapsed());
        let h = mon
            .wait_for(&n(k), left, |h| {
                h.reach == Reach::Reachable && h.reach_reason.is_none() && !h.stale
            })
            .await;
        assert!(
            h.is_some(),
            "{k}: not back within 10 s of the fault clearing: {:#?}",
            mon.site(&n(k))
        );
    }
    mon.stop();
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flaky_sites_are_reachable_with_current_data_and_all_drops_mean_unreachable() {
    let s = suffix();
    let (flaky, dead) = (format!("flaky-{s}"), format!("drops-{s}"));
    let w = || vec![workload("pos-terminal", WorkloadKind::Deployment, 1, false)];
    let env = start(vec![
        spec(&flaky, Distro::K3s, 2, w()),
        spec(&dead, Distro::MicroK8s, 1, w()),
    ])
    .await;
    // A third of the connections dropped at random: the engine retries its way through.
    env.site(&flaky).set_fault(Fault::Flaky(0.3));
    // Every connection dropped: nothing ever answers.
    env.site(&dead).set_fault(Fault::Flaky(1.0));
    let mon = env.monitor(fast_opts());
    let h = wait(
        &mon,
        &flaky,
        20,
        "synced despite dropped connections",
        |h| h.reach == Reach::Reachable && h.nodes_total == 2 && h.workloads_total >= 1,
    )
    .await;
    assert_eq!(h.version.as_deref(), Some("v1.31.4+k3s1"));
    let d = wait(&mon, &dead, 10, "unreachable", |h| {
        h.reach == Reach::Unreachable
    })
    .await;
    assert_eq!(d.level, Level::Critical, "{d:#?}");
    // While flaky, a change at the site still shows up.
    let now = jiff::Timestamp::now().to_string();
    env.site(&flaky)
        .store()
        .create(
            Resource::Event,
            json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "while-flaky", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "shop"},
            "reason": "BackOff", "message": "marker while-flaky", "type": "Warning",
            "count": 1, "firstTimestamp": now, "lastTimestamp": now}),
        )
        .expect("event");
    wait(&mon, &flaky, 20, "showing the event", |h| {
        h.warnings.iter().any(|w| w.message == "marker while-flaky")
    })
    .await;
    env.site(&dead).clear_faults();
    wait(&mon, &dead, 10, "back", |h| {
        h.reach == Reach::Reachable && h.nodes_total == 1 && !h.stale
    })
    .await;
    mon.stop();
    env.finish().await;
}
