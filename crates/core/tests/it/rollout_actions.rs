//! Workload actions against the simulator: set image with progress to complete, roll back
//! to the previous and to a picked revision, a 409 conflict retried on fresh state, scale,
//! restart, pause/resume, and the failure reasons (ImagePullBackOff, CrashLoopBackOff).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::rollout_support as support;

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use outpost_core::actions::{
    self, Action, ChangeLog, FailReason, RolloutState, WatchOptions, WorkloadRef,
};
use std::collections::BTreeMap;
use std::time::Duration;
use support::*;

fn target() -> WorkloadRef {
    WorkloadRef::parse("shop/pos").unwrap()
}

fn opts() -> WatchOptions {
    WatchOptions {
        poll: Duration::from_millis(100),
        deadline: Duration::from_secs(30),
        ..WatchOptions::default()
    }
}

fn set(image: &str) -> Action {
    Action::SetImage {
        images: BTreeMap::from([("app".to_string(), image.to_string())]),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_image_rollback_conflict_scale_restart_pause() {
    let env = start(sites(1), 20.0).await;
    settle(&env, 30).await;
    let c = env.client("site-000");
    let t = target();

    // Set image: progress values end with complete; one new revision.
    let a = actions::apply(&c, &t, &set("registry.local:5000/apps/pos:2.0.0"))
        .await
        .unwrap();
    assert!(a.changed);
    assert_eq!(a.revision_before, 1);
    let mut seen = Vec::new();
    let end = actions::wait(&c, &t, opts(), |s| seen.push(s.clone()))
        .await
        .unwrap();
    assert_eq!(end.state, RolloutState::Complete, "{end:?}");
    assert!(seen.len() >= 2, "progress values: {seen:?}");
    assert!(seen.iter().any(|s| s.progress.fraction() < 1.0));
    assert!(end.progress.observed_generation >= end.progress.generation);
    assert_eq!(end.progress.updated, 2);
    assert_eq!(end.progress.old, 0);
    assert_eq!(env.image("site-000"), "registry.local:5000/apps/pos:2.0.0");
    // Same image again: nothing written.
    let again = actions::apply(&c, &t, &set("registry.local:5000/apps/pos:2.0.0"))
        .await
        .unwrap();
    assert!(!again.changed);

    // Rollback to the previous revision restores the previous image.
    actions::apply(&c, &t, &Action::Rollback { to_revision: None })
        .await
        .unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(end.state, RolloutState::Complete);
    assert_eq!(env.image("site-000"), OLD);
    let h = actions::history(&c, &t).await.unwrap();
    assert_eq!(
        h.iter().map(|r| r.revision).collect::<Vec<_>>(),
        vec![2, 3],
        "{h:?}"
    );
    assert!(h.last().unwrap().current);
    assert_eq!(h.last().unwrap().images["app"], OLD);

    // Rollback to a picked revision.
    actions::apply(
        &c,
        &t,
        &Action::Rollback {
            to_revision: Some(2),
        },
    )
    .await
    .unwrap();
    actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(env.image("site-000"), "registry.local:5000/apps/pos:2.0.0");
    let err = actions::apply(
        &c,
        &t,
        &Action::Rollback {
            to_revision: Some(99),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), outpost_core::error::ErrorKind::NotFound);

    // Conflict: a stale copy is refused with 409, the action is redone on fresh state,
    // and the other writer's change survives.
    let api: Api<Deployment> = Api::namespaced(c.clone(), "shop");
    let stale = api.get("pos").await.unwrap();
    api.patch(
        "pos",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"metadata": {"annotations": {"other-writer": "yes"}}})),
    )
    .await
    .unwrap();
    let a = actions::apply_from(
        &c,
        &t,
        &set("registry.local:5000/apps/pos:2.1.0"),
        Some(stale),
    )
    .await
    .unwrap();
    assert_eq!(a.conflicts, 1);
    assert!(a.changed);
    let now = api.get("pos").await.unwrap();
    assert_eq!(now.metadata.annotations.unwrap()["other-writer"], "yes");
    actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(env.image("site-000"), "registry.local:5000/apps/pos:2.1.0");

    // Scale and restart complete; pause/resume flip spec.paused.
    actions::apply(&c, &t, &Action::Scale { replicas: 3 })
        .await
        .unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(end.state, RolloutState::Complete);
    assert_eq!(end.progress.available, 3);
    let before = actions::current(&c, &t).await.unwrap();
    actions::apply(&c, &t, &Action::Restart).await.unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(end.state, RolloutState::Complete);
    assert_eq!(
        actions::current(&c, &t).await.unwrap().revision,
        before.revision + 1
    );
    actions::apply(&c, &t, &Action::Pause).await.unwrap();
    assert!(actions::current(&c, &t).await.unwrap().paused);
    actions::apply(&c, &t, &Action::Resume).await.unwrap();
    assert!(!actions::current(&c, &t).await.unwrap().paused);

    // The change journal keeps who/what/when/result.
    let log = ChangeLog::new(&env.home);
    log.record(&actions::ChangeRecord {
        at: jiff::Timestamp::now(),
        user: actions::os_user(),
        site: "site-000".into(),
        object: t.to_string(),
        what: Action::Restart.describe(),
        result: "ok".into(),
        rollout: None,
    })
    .unwrap();
    assert_eq!(log.list("site-000").unwrap()[0].what, "restart");
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_crashing_images_fail_with_their_reason() {
    let env = start(sites(1), 20.0).await;
    settle(&env, 30).await;
    let c = env.client("site-000");
    let t = target();
    actions::apply(&c, &t, &set("registry.local:5000/apps/pos:bad-2.0"))
        .await
        .unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert!(
        matches!(
            end.state,
            RolloutState::Failed {
                reason: FailReason::ImagePullBackOff,
                ..
            }
        ),
        "{end:?}"
    );
    actions::apply(&c, &t, &set("registry.local:5000/apps/pos:2.0-crash"))
        .await
        .unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert!(
        matches!(
            end.state,
            RolloutState::Failed {
                reason: FailReason::CrashLoopBackOff,
                ..
            }
        ),
        "{end:?}"
    );
    // Our own deadline.
    actions::apply(&c, &t, &set("registry.local:5000/apps/pos:3.0.0"))
        .await
        .unwrap();
    let short = WatchOptions {
        deadline: Duration::from_millis(1),
        ..opts()
    };
    let end = actions::wait(&c, &t, short, |_| {}).await.unwrap();
    assert!(
        matches!(
            end.state,
            RolloutState::Failed {
                reason: FailReason::Timeout,
                ..
            }
        ),
        "{end:?}"
    );
    env.finish().await;
}
