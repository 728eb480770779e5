//! Workload actions (`core::actions`) against a real site (outpost-testbed: the real
//! kube-controller-manager rolls the Deployment out, the scheduler places pods, kwok runs
//! them): set image, scale, a bad image judged ImagePullBackOff, undo to the previous
//! revision, restart, and the revision history the real controller keeps.
//!
//! Skipped (with a message) when the test bed binaries are missing and
//! OUTPOST_REQUIRE_TESTBED is unset; `make test` sets it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, PostParams};
use outpost_core::actions::{self, Action, FailReason, RolloutState, WatchOptions, WorkloadRef};
use outpost_testbed::{Binaries, Testbed, TestbedConfig};
use std::collections::BTreeMap;
use std::time::Duration;

fn opts() -> WatchOptions {
    WatchOptions {
        poll: Duration::from_millis(250),
        deadline: Duration::from_secs(90),
        ..WatchOptions::default()
    }
}

fn set(image: &str) -> Action {
    Action::SetImage {
        images: BTreeMap::from([("app".to_string(), image.to_string())]),
    }
}

async fn image(api: &Api<Deployment>) -> String {
    let d = api.get("pos").await.unwrap();
    d.spec.template.spec.unwrap().containers[0]
        .image
        .clone()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_image_scale_bad_image_undo_restart_on_a_real_controller_manager() {
    let Some(bins) = Binaries::for_tests("actions_real") else {
        return;
    };
    let bed = Testbed::start(TestbedConfig::default(), &bins)
        .await
        .unwrap();
    let c = bed.sites[0].client().await.unwrap();
    let api: Api<Deployment> = Api::namespaced(c.clone(), "default");
    let d: Deployment = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "pos", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "pos"}},
                 "template": {"metadata": {"labels": {"app": "pos"}},
                              "spec": {"containers": [{"name": "app", "image": "registry.local/pos:1.0"}]}}}
    }))
    .unwrap();
    api.create(&PostParams::default(), &d).await.unwrap();
    let t = WorkloadRef::parse("default/pos").unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(end.state, RolloutState::Complete, "{end:?}");

    // Set image: the real controller makes revision 2 and completes it.
    let a = actions::apply(&c, &t, &set("registry.local/pos:2.0"))
        .await
        .unwrap();
    assert!(a.changed);
    assert_eq!(a.revision_before, 1);
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(end.state, RolloutState::Complete, "{end:?}");
    assert_eq!(end.progress.updated, 2, "{end:?}");
    assert_eq!(image(&api).await, "registry.local/pos:2.0");

    // Scale to 3, judged by the real status.
    actions::apply(&c, &t, &Action::Scale { replicas: 3 })
        .await
        .unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(end.state, RolloutState::Complete, "{end:?}");
    let st = api.get("pos").await.unwrap().status.unwrap();
    assert_eq!(st.available_replicas, Some(3), "{st:?}");

    // A bad image: the new pods cannot pull; the rollout is judged failed.
    actions::apply(&c, &t, &set("registry.local/pos:bad-3.0"))
        .await
        .unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    match &end.state {
        RolloutState::Failed { reason, .. } => {
            assert_eq!(*reason, FailReason::ImagePullBackOff, "{end:?}")
        }
        other => panic!("expected ImagePullBackOff, got {other:?}"),
    }

    // Undo: back to the previous revision's template (2.0), completed by the controller.
    actions::apply(&c, &t, &Action::Rollback { to_revision: None })
        .await
        .unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(end.state, RolloutState::Complete, "{end:?}");
    assert_eq!(image(&api).await, "registry.local/pos:2.0");
    let h = actions::history(&c, &t).await.unwrap();
    let revs: Vec<i64> = h.iter().map(|r| r.revision).collect();
    assert_eq!(
        revs,
        vec![1, 3, 4],
        "the real controller renumbers the undone revision: {h:?}"
    );
    assert!(h.last().unwrap().current);

    // Restart: a new revision with the same image, rolled out.
    actions::apply(&c, &t, &Action::Restart).await.unwrap();
    let end = actions::wait(&c, &t, opts(), |_| {}).await.unwrap();
    assert_eq!(end.state, RolloutState::Complete, "{end:?}");
    let h = actions::history(&c, &t).await.unwrap();
    assert_eq!(h.last().unwrap().revision, 5, "{h:?}");
    drop(bed);
}
