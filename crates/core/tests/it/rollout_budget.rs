//! A rollout that goes through every wave with failed sites inside the failure budget
//! ends "completed with failures" (never plain "completed"), names the failed sites in
//! its reason, its report (JSON and CSV) and the desktop view, and its journal keeps the
//! old format (a plain `finished` entry), so journals written before this state existed
//! replay the same way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::rollout_support as support;

use outpost_core::actions::WorkloadRef;
use outpost_core::rollout::{
    Engine, EngineOptions, HealthGate, OnFailure, Plan, Report, SiteStatus, Status, Targets,
    new_id, parse_waves, split_waves,
};
use outpost_sim::resource::Resource;
use outpost_sim::spec::Distro;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::*;

const NEW: &str = "registry.local:5000/apps/pos:2.0.0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sites_within_the_budget_end_completed_with_failures() {
    // site-003 has no shop/pos: the rollout refuses it there (a failed site).
    let mut specs: Vec<_> = (0..4)
        .map(|i| spec(&format!("site-{i:03}"), Distro::K3s, 1, false))
        .collect();
    specs[3].workloads.clear();
    let env = start(specs, 20.0).await;
    let ready = |n: &str| {
        env.site(n)
            .store()
            .get(Resource::Deployment, Some("shop"), "pos")
            .is_some_and(|d| {
                d.pointer("/status/availableReplicas")
                    .and_then(Value::as_i64)
                    == Some(2)
            })
    };
    let t0 = Instant::now();
    while !["site-000", "site-001", "site-002"]
        .iter()
        .all(|n| ready(n))
    {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "fleet did not settle"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let names = Targets::All.resolve(&env.sites()).unwrap();
    let waves = split_waves(&names, &parse_waves("1,2,100%").unwrap());
    assert_eq!(waves.last().unwrap(), &vec!["site-003".to_string()]);
    let p = Plan {
        id: new_id(),
        workload: WorkloadRef::parse("shop/pos").unwrap(),
        images: BTreeMap::from([("app".to_string(), NEW.to_string())]),
        targets: Targets::All,
        waves,
        gate: HealthGate {
            deadline: Duration::from_secs(30),
            soak: Duration::from_millis(300),
        },
        max_failures: 1,
        on_failure: OnFailure::Rollback,
        created_at: jiff::Timestamp::now(),
        created_by: "test".into(),
    };
    let id = p.id.clone();
    let e = Engine::new(
        &env.home,
        env.sites(),
        env.clients(),
        EngineOptions {
            poll: Duration::from_millis(100),
            parallel: 10,
            offline_wait: Duration::from_secs(2),
            offline_retry: Duration::from_millis(300),
        },
    );
    e.store().create(p).unwrap();
    let v = e.run(&id, None).await.unwrap();
    assert_eq!(v.status, Status::CompletedWithFailures, "{:?}", v.reason);
    assert_eq!(v.status.as_str(), "completed with failures");
    assert!(!v.status.resumable());
    let reason = v.reason.clone().unwrap();
    assert!(
        reason.contains("1 site(s) failed") && reason.contains("site-003"),
        "{reason}"
    );
    assert_eq!(v.failed_sites(), vec!["site-003".to_string()]);
    assert_eq!(v.site("site-003").unwrap().status, SiteStatus::Failed);
    for n in ["site-000", "site-001", "site-002"] {
        assert_eq!(v.site(n).unwrap().status, SiteStatus::Updated, "{n}");
        assert_eq!(env.image(n), NEW, "{n}");
    }

    // Replayed from disk (what `rollout status` and the app do): the same.
    let replayed = e.store().view(&id).unwrap();
    assert_eq!(replayed.status, Status::CompletedWithFailures);
    // The journal format is unchanged: it ends with a plain `finished` entry.
    let journal = e.store().journal(&id).unwrap();
    let last = std::fs::read_to_string(journal.path()).unwrap();
    let last: Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "finished", "{last}");

    // Reports.
    let r = Report::of(&replayed);
    assert_eq!(r.failed_sites, vec!["site-003".to_string()]);
    let json: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["status"], "completed_with_failures");
    assert_eq!(json["failed_sites"][0], "site-003");
    let csv = r.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].ends_with(",rollout_status"), "{csv}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.ends_with(",completed_with_failures")),
        "{csv}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("site-003,3,failed,")),
        "{csv}"
    );
    // A report written before `failed_sites` existed still loads.
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("failed_sites");
    let old: Report = serde_json::from_value(old).unwrap();
    assert!(old.failed_sites.is_empty());

    // The desktop view.
    let info = outpost_core::rollout::ipc::info(&replayed, false);
    assert_eq!(
        info.status,
        outpost_ipc::rollout::RolloutStatus::CompletedWithFailures
    );
    assert_eq!(info.counts.failed, 1);
    assert_eq!(info.reason.as_deref(), Some(reason.as_str()));
    env.finish().await;
}
