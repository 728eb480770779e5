//! Fleet rollouts against the simulator: a bad image on the canary stops the rollout
//! after wave 1 and rolls the canary back, leaving every other site untouched (checked
//! through the simulator's ReplicaSets); a good image goes through every wave; pause on
//! failure; an abort request from "another process" (a journal control entry).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::rollout_support as support;

use outpost_core::actions::{ChangeLog, WorkloadRef};
use outpost_core::rollout::{
    Control, Engine, EngineOptions, HealthGate, OnFailure, Plan, Report, SiteStatus, Status,
    Targets, default_waves, new_id, split_waves,
};
use std::collections::BTreeMap;
use std::time::Duration;
use support::*;

pub fn plan(env: &Env, image: &str, targets: Targets, on_failure: OnFailure) -> Plan {
    let names = targets.resolve(&env.sites()).unwrap();
    Plan {
        id: new_id(),
        workload: WorkloadRef::parse("shop/pos").unwrap(),
        images: BTreeMap::from([("app".to_string(), image.to_string())]),
        targets,
        waves: split_waves(&names, &default_waves()),
        gate: HealthGate {
            deadline: Duration::from_secs(30),
            soak: Duration::from_millis(500),
        },
        max_failures: 0,
        on_failure,
        created_at: jiff::Timestamp::now(),
        created_by: "test".into(),
    }
}

pub fn engine(env: &Env) -> Engine {
    Engine::new(
        &env.home,
        env.sites(),
        env.clients(),
        EngineOptions {
            poll: Duration::from_millis(100),
            parallel: 50,
            offline_wait: Duration::from_secs(2),
            offline_retry: Duration::from_millis(300),
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_canary_stops_after_wave_one_and_is_rolled_back() {
    let env = start(sites(5), 20.0).await;
    settle(&env, 30).await;
    let e = engine(&env);
    let p = plan(
        &env,
        "registry.local:5000/apps/pos:bad-2.0",
        Targets::All,
        OnFailure::Rollback,
    );
    let canary = p.waves[0][0].clone();
    assert_eq!(p.waves.len(), 3);
    let id = p.id.clone();
    e.store().create(p).unwrap();
    let v = e.run(&id, None).await.unwrap();
    assert_eq!(v.status, Status::Failed, "{:?}", v.reason);
    let c = v.site(&canary).unwrap();
    assert_eq!(c.status, SiteStatus::RolledBack, "{c:?}");
    assert_eq!(env.image(&canary), OLD);
    // The canary got one new revision (the bad one) and was rolled back to the old
    // template, which the controller renumbers as revision 3.
    let rs = env.replicasets(&canary);
    assert_eq!(rs.len(), 2, "{rs:?}");
    assert!(rs.iter().any(|(_, i)| i.ends_with("bad-2.0")));
    assert_eq!(rs.iter().find(|(_, i)| i == OLD).unwrap().0, 3);
    // Nothing beyond wave 1 was touched.
    for n in env.names.iter().filter(|n| **n != canary) {
        assert_eq!(env.replicasets(n), vec![(1, OLD.to_string())], "{n}");
        assert_eq!(v.site(n).unwrap().status, SiteStatus::Waiting);
        assert_eq!(v.site(n).unwrap().writes, 0);
    }
    // The report says why; the change journal says who and what.
    let r = Report::of(&e.store().view(&id).unwrap());
    let line = r.sites.iter().find(|s| s.site == canary).unwrap();
    assert_eq!(line.status, "rolled back");
    assert_eq!(line.reason, "ImagePullBackOff");
    assert!(r.to_csv().lines().count() == 6);
    let changes = ChangeLog::new(&env.home).list(&canary).unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes[0].result.starts_with("failed: ImagePullBackOff"));
    assert!(changes[1].what.starts_with("roll back"));
    assert_eq!(changes[1].result, "ok");
    // The desktop view's shape.
    let info = outpost_core::rollout::ipc::info(&e.store().view(&id).unwrap(), false);
    assert_eq!(info.status, outpost_ipc::rollout::RolloutStatus::Failed);
    assert_eq!(info.waves.len(), 3);
    assert_eq!(
        info.waves[0].sites[0].status,
        outpost_ipc::rollout::SiteRolloutStatus::RolledBack
    );
    assert_eq!(
        info.waves[0].sites[0].reason.as_deref(),
        Some("ImagePullBackOff")
    );
    assert_eq!(info.counts.waiting, 4);
    // A failed rollout is not resumed.
    assert_eq!(
        e.run(&id, None).await.unwrap_err().kind(),
        outpost_core::error::ErrorKind::Conflict
    );
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_image_goes_through_every_wave_and_pause_on_failure_waits() {
    let env = start(sites(5), 20.0).await;
    settle(&env, 30).await;
    let e = engine(&env);
    let p = plan(
        &env,
        "registry.local:5000/apps/pos:2.0.0",
        Targets::Tag("test".into()),
        OnFailure::Rollback,
    );
    let id = p.id.clone();
    e.store().create(p).unwrap();
    let (tx, rx) = tokio::sync::watch::channel(e.store().view(&id).unwrap());
    let v = e.run(&id, Some(tx)).await.unwrap();
    assert_eq!(v.status, Status::Completed, "{:?}", v.reason);
    assert!(
        rx.borrow()
            .sites
            .iter()
            .all(|s| s.status == SiteStatus::Updated)
    );
    for n in &env.names {
        assert_eq!(env.replicasets(n).len(), 2, "{n}");
        assert_eq!(env.image(n), "registry.local:5000/apps/pos:2.0.0");
        let s = v.site(n).unwrap();
        assert_eq!(
            (
                s.writes,
                s.before.as_ref().unwrap().revision,
                s.after.as_ref().unwrap().revision
            ),
            (1, 1, 2)
        );
    }
    assert_eq!(e.store().list().unwrap().len(), 1);

    // on-failure pause: the crashing canary is left as is and the rollout waits.
    let p = plan(
        &env,
        "registry.local:5000/apps/pos:3.0-crash",
        Targets::All,
        OnFailure::Pause,
    );
    let canary = p.waves[0][0].clone();
    let id = p.id.clone();
    e.store().create(p).unwrap();
    let v = e.run(&id, None).await.unwrap();
    assert_eq!(v.status, Status::Paused);
    assert_eq!(
        v.site(&canary).unwrap().reason.as_deref(),
        Some("CrashLoopBackOff")
    );
    assert!(env.image(&canary).ends_with("3.0-crash"));
    // Abort it, as `outpost rollout abort` would from another process.
    e.store().request(&id, Control::Abort).unwrap();
    e.store().request(&id, Control::Resume).unwrap();
    let v = e.run(&id, None).await.unwrap();
    assert_eq!(v.status, Status::Aborted);
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_the_rollback_resumes_into_the_rollback_not_the_next_wave() {
    use outpost_core::actions::{self, Action, FailReason};
    use outpost_core::rollout::{Entry, SiteOutcome};
    let env = start(sites(3), 20.0).await;
    settle(&env, 30).await;
    let e = engine(&env);
    let bad = "registry.local:5000/apps/pos:bad-3";
    let p = plan(&env, bad, Targets::All, OnFailure::Rollback);
    let canary = p.waves[0][0].clone();
    let id = p.id.clone();
    e.store().create(p).unwrap();
    // What a process killed -9 right after `rollback_started` leaves behind.
    let c = env.client(&canary);
    let t = WorkloadRef::parse("shop/pos").unwrap();
    let before = actions::current(&c, &t).await.unwrap();
    let images = BTreeMap::from([("app".to_string(), bad.to_string())]);
    actions::apply(&c, &t, &Action::SetImage { images })
        .await
        .unwrap();
    let j = e.store().journal(&id).unwrap();
    for entry in [
        Entry::Run {
            by: "test".into(),
            pid: 1,
        },
        Entry::WaveStarted { wave: 0 },
        Entry::SiteStarted {
            site: canary.clone(),
            wave: 0,
            before: before.clone(),
        },
        Entry::SiteApplied {
            site: canary.clone(),
            changed: true,
            revision_before: 1,
            conflicts: 0,
        },
        Entry::SiteDone {
            site: canary.clone(),
            outcome: SiteOutcome::Failed {
                reason: FailReason::ImagePullBackOff,
                message: "x".into(),
            },
            after: None,
        },
        Entry::RollbackStarted {
            site: canary.clone(),
            to_revision: 1,
        },
    ] {
        j.append(entry).unwrap();
    }
    let v = e.run(&id, None).await.unwrap();
    assert_eq!(v.status, Status::Failed, "{:?}", v.reason);
    assert_eq!(v.site(&canary).unwrap().status, SiteStatus::RolledBack);
    assert_eq!(env.image(&canary), OLD);
    for n in env.names.iter().filter(|n| **n != canary) {
        assert_eq!(
            env.replicasets(n),
            vec![(1, OLD.to_string())],
            "{n} was touched"
        );
    }
    env.finish().await;
}
