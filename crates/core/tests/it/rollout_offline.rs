//! 100 sites, 10 % of them going offline mid-rollout: every site is reported (updated or
//! "pending (offline)"), the rollout never claims success while sites are pending, and
//! `resume` completes them when they return, without updating any site twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::rollout_support as support;

use outpost_core::actions::WorkloadRef;
use outpost_core::rollout::{
    Engine, EngineOptions, HealthGate, OnFailure, Plan, Report, SiteStatus, Status, Targets,
    default_waves, new_id, split_waves,
};
use outpost_sim::Fault;
use std::collections::BTreeMap;
use std::time::Duration;
use support::*;

const NEW: &str = "registry.local:5000/apps/pos:2.0.0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_sites_ten_percent_offline_then_resume() {
    let env = start(sites(100), 20.0).await;
    settle(&env, 60).await;
    let names = Targets::All.resolve(&env.sites()).unwrap();
    let plan = Plan {
        id: new_id(),
        workload: WorkloadRef::parse("shop/pos").unwrap(),
        images: BTreeMap::from([("app".to_string(), NEW.to_string())]),
        targets: Targets::All,
        waves: split_waves(&names, &default_waves()),
        gate: HealthGate {
            deadline: Duration::from_secs(60),
            soak: Duration::from_millis(300),
        },
        max_failures: 0,
        on_failure: OnFailure::Rollback,
        created_at: jiff::Timestamp::now(),
        created_by: "test".into(),
    };
    assert_eq!(
        plan.waves.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![1, 24, 75]
    );
    // Ten sites of the last wave go offline while wave 2 runs.
    let dark: Vec<String> = plan.waves[2].iter().step_by(7).take(10).cloned().collect();
    let id = plan.id.clone();
    let opts = EngineOptions {
        poll: Duration::from_millis(200),
        parallel: 100,
        offline_wait: Duration::from_secs(1),
        offline_retry: Duration::from_millis(500),
    };
    let e = Engine::new(&env.home, env.sites(), env.clients(), opts);
    e.store().create(plan).unwrap();
    let (tx, mut rx) = tokio::sync::watch::channel(e.store().view(&id).unwrap());
    let handles: Vec<_> = dark.iter().map(|n| env.site(n)).collect();
    let trip = tokio::spawn(async move {
        loop {
            if rx.changed().await.is_err() {
                return false;
            }
            if rx.borrow().current_wave == Some(1) {
                for h in &handles {
                    h.set_fault(Fault::Offline);
                }
                return true;
            }
        }
    });
    let v = e.run(&id, Some(tx)).await.unwrap();
    assert!(trip.await.unwrap(), "the sites never went offline");
    assert_eq!(v.status, Status::Pending, "{:?}", v.reason);
    let c = v.counts();
    assert_eq!(
        (c.total, c.updated, c.pending, c.failed, c.waiting),
        (100, 90, 10, 0, 0),
        "{c:?}"
    );
    for n in &dark {
        assert_eq!(v.site(n).unwrap().status, SiteStatus::PendingOffline, "{n}");
        assert_eq!(env.image(n), OLD, "{n} was updated while offline?");
    }
    // Every site is in the report.
    let r = Report::of(&v);
    assert_eq!(r.sites.len(), 100);
    assert_eq!(
        r.sites
            .iter()
            .filter(|s| s.status == "pending (offline)")
            .count(),
        10
    );

    // They come back; resume completes them.
    for n in &dark {
        env.site(n).clear_faults();
    }
    let v = e.run(&id, None).await.unwrap();
    assert_eq!(v.status, Status::Completed, "{:?}", v.reason);
    assert_eq!(v.counts().updated, 100);
    for n in &env.names {
        let s = v.site(n).unwrap();
        assert_eq!(s.writes, 1, "{n}");
        assert_eq!(
            env.replicasets(n),
            vec![(1, OLD.to_string()), (2, NEW.to_string())],
            "{n}"
        );
    }
    env.finish().await;
}
