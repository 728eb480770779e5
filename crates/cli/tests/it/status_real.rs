//! `outpost status` against real sites (outpost-testbed: kube-apiserver, controller-manager,
//! scheduler on kine, kwok nodes): a K3s-style and a MicroK8s-style site imported from the
//! kubeconfig the test bed writes (credentials in a private gnome-keyring), a crash-looping
//! and an image-pull-failing Deployment on each, judged by the real servers.
//!
//! Skipped (with a message) when the test bed binaries are missing and
//! OUTPOST_REQUIRE_TESTBED is unset; `make test` sets it.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Keyring, outpost, run_ok};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, PostParams};
use outpost_testbed::{Binaries, Testbed, TestbedConfig};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn deployment(name: &str, image: &str) -> Deployment {
    serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": image}]}}}
    }))
    .unwrap()
}

fn troubles(site: &Value) -> Vec<(String, String)> {
    site["problemPods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["pod"].as_str().unwrap().to_string(),
                p["trouble"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn status_on_real_k3s_and_microk8s_sites_flags_crash_loops_and_pull_failures() {
    let Some(bins) = Binaries::for_tests("status_real") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfg = TestbedConfig {
        k3s: 1,
        microk8s: 1,
        seed: 7,
        dir: None,
    };
    let bed = rt.block_on(Testbed::start(cfg, &bins)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (kc, sites_file) = (tmp.path().join("kc.yaml"), tmp.path().join("sites.json"));
    bed.write_kubeconfig(&kc).unwrap();
    bed.write_sites_file(&sites_file).unwrap();
    rt.block_on(async {
        for site in &bed.sites {
            let deps: Api<Deployment> = Api::namespaced(site.client().await.unwrap(), "default");
            for (name, image) in [
                ("crashy", "registry.local/pos:2.4-crash"),
                ("unpullable", "registry.local/pos:bad-2.5"),
            ] {
                deps.create(&PostParams::default(), &deployment(name, image))
                    .await
                    .unwrap();
            }
        }
    });
    let kr = Keyring::start();
    let home = tmp.path().join("home");
    run_ok(
        outpost(&home, &kr)
            .args(["site", "import"])
            .arg(&kc)
            .arg("--all")
            .arg("--sites-file")
            .arg(&sites_file),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = run_ok(outpost(&home, &kr).args(["status", "--json", "--timeout", "10"]));
        let v: Value = serde_json::from_str(&out).unwrap();
        let arr = v.as_array().unwrap().clone();
        let done = arr.len() == 2
            && arr.iter().all(|s| {
                let t = troubles(s);
                t.iter()
                    .any(|(p, k)| p.starts_with("crashy-") && k == "crash-loop")
                    && t.iter()
                        .any(|(p, k)| p.starts_with("unpullable-") && k == "image-pull")
            });
        if done {
            for site in &bed.sites {
                let s = arr.iter().find(|s| s["name"] == site.name()).unwrap();
                assert_eq!(s["reach"], "reachable", "{s}");
                let distro = match site.distro() {
                    outpost_sim::spec::Distro::K3s => "k3s",
                    outpost_sim::spec::Distro::MicroK8s => "microk8s",
                };
                assert_eq!(s["distro"], distro, "{s}");
                assert_eq!(s["version"], site.spec.version.as_str(), "{s}");
                assert_eq!(s["nodesTotal"], site.spec.nodes.len(), "{s}");
                assert_eq!(s["nodesReady"], site.spec.nodes.len(), "{s}");
                assert_ne!(s["level"], "ok", "{s}");
            }
            break;
        }
        assert!(Instant::now() < deadline, "problems never flagged: {out}");
        std::thread::sleep(Duration::from_secs(2));
    }
    drop(bed);
}
