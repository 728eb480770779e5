//! The watched model against a real site (outpost-testbed): a change made at the site
//! reaches the health engine's state through the real apiserver's watches; after kine is
//! compacted and the apiserver restarted, the watches' resourceVersions are gone (410), the
//! engine relists, and later changes still arrive.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it health_real::`.
//! Skipped (with a message) when the test bed binaries are missing and
//! OUTPOST_REQUIRE_TESTBED is unset; `make test` sets it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::health_support;

use health_support::{fast_opts, import_into, wait};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams, PostParams};
use outpost_core::health::{FleetMonitor, Reach};
use outpost_core::snapshot::SnapshotStore;
use outpost_testbed::{Binaries, Component, Testbed, TestbedConfig};
use std::time::Duration;

async fn scale(api: &Api<Deployment>, name: &str, replicas: i32) {
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"spec": {"replicas": replicas}})),
    )
    .await
    .unwrap();
}

async fn desired_is(mon: &FleetMonitor, site: &str, key: &str, replicas: i32, secs: u64) {
    let until = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let got = mon.with_state(site, |st| st.workloads.get(key).map(|w| w.desired));
        if got == Some(Some(replicas)) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "{site}: {key} never reached {replicas} replicas (now {got:?}); stats {:?}",
            mon.stats(site)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_reach_the_model_and_watches_relist_after_compaction_and_restart() {
    let Some(bins) = Binaries::for_tests("health_real") else {
        return;
    };
    let bed = Testbed::start(TestbedConfig::default(), &bins)
        .await
        .unwrap();
    let site = &bed.sites[0];
    let dir = tempfile::tempdir().unwrap();
    let (kc, sf) = (dir.path().join("kc.yaml"), dir.path().join("sites.json"));
    bed.write_kubeconfig(&kc).unwrap();
    bed.write_sites_file(&sf).unwrap();
    let (home, vault, store, names) = import_into(dir.path(), &kc, &sf).await;
    let name = names[0].clone();
    let mon = FleetMonitor::start(
        store.list().unwrap(),
        vault.clone(),
        Some(SnapshotStore::new(&home)),
        fast_opts(),
    );
    wait(&mon, &name, 60, "reachable", |h| {
        h.reach == Reach::Reachable && h.nodes_total as usize == site.spec.nodes.len()
    })
    .await;

    // A change at the site reaches the model.
    let c = site.client().await.unwrap();
    let api: Api<Deployment> = Api::namespaced(c.clone(), "kube-system");
    let key = "Deployment/kube-system/coredns";
    scale(&api, "coredns", 2).await;
    desired_is(&mon, &name, key, 2, 30).await;
    let relists_before = mon.stats(&name).unwrap().relists;

    // Churn history, compact kine past every watch's resourceVersion, restart the apiserver.
    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    for i in 0..20 {
        let cm =
            serde_json::from_value(serde_json::json!({"metadata": {"name": format!("churn-{i}")}}))
                .unwrap();
        cms.create(&PostParams::default(), &cm).await.unwrap();
    }
    site.stop_component(Component::ApiServer);
    site.compact_kine().await.unwrap();
    site.start_component(Component::ApiServer).await.unwrap();

    // The watches relist, and a later change still reaches the model.
    let c = site.client().await.unwrap();
    let api: Api<Deployment> = Api::namespaced(c, "kube-system");
    scale(&api, "coredns", 3).await;
    desired_is(&mon, &name, key, 3, 60).await;
    let stats = mon.stats(&name).unwrap();
    assert!(
        stats.relists > relists_before,
        "watches relisted after the restart: {stats:?} (before: {relists_before})"
    );
    wait(&mon, &name, 30, "reachable again", |h| {
        h.reach == Reach::Reachable
    })
    .await;
    drop(mon);
    for n in &names {
        let _ = vault.delete_site(n);
    }
    drop(bed);
}
