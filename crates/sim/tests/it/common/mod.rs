//! Shared helpers for the simulator's integration tests: hand-built site specs, a
//! started fleet with its kubeconfig on disk, and a `kubectl` runner.
#![allow(dead_code)]

use outpost_sim::resource::Resource;
use outpost_sim::spec::{Distro, SiteSpec};
use outpost_sim::testing::SiteBuilder;
use outpost_sim::{Fleet, FleetConfig, SiteHandle};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// A one-node site with the upgrade controller; MicroK8s sites report v1.30.5.
pub fn spec(name: &str, distro: Distro) -> SiteSpec {
    let b = SiteBuilder::new(name, distro).upgrade_controller(true);
    match distro {
        Distro::K3s => b.build(),
        Distro::MicroK8s => b.version("v1.30.5").build(),
    }
}

pub struct TestFleet {
    pub fleet: Fleet,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

pub async fn start(specs: Vec<SiteSpec>) -> TestFleet {
    start_with(FleetConfig {
        sites: specs,
        bookmark_every: Duration::from_millis(500),
        ..FleetConfig::default()
    })
    .await
}

pub async fn start_with(cfg: FleetConfig) -> TestFleet {
    let fleet = Fleet::start(cfg).await.expect("fleet starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    fleet
        .write_kubeconfig(&kubeconfig)
        .expect("kubeconfig written");
    TestFleet {
        fleet,
        dir,
        kubeconfig,
    }
}

impl TestFleet {
    pub fn site(&self, name: &str) -> SiteHandle {
        self.fleet.site(name).expect("site exists")
    }

    /// Runs kubectl against a context; returns (success, stdout, stderr).
    pub async fn kubectl(&self, context: &str, args: &[&str]) -> (bool, String, String) {
        let mut cmd = Command::new("/usr/bin/kubectl");
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--context")
            .arg(context)
            .args(args);
        cmd.env("KUBECACHEDIR", self.dir.path().join("cache"))
            .env("HOME", self.dir.path());
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .expect("join")
            .expect("kubectl runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into(),
            String::from_utf8_lossy(&out.stderr).into(),
        )
    }

    /// Runs kubectl and insists it succeeds.
    pub async fn kubectl_ok(&self, context: &str, args: &[&str]) -> String {
        let (ok, out, err) = self.kubectl(context, args).await;
        assert!(ok, "kubectl {args:?} failed:\nstdout: {out}\nstderr: {err}");
        out
    }
}

/// A node object like the world seeds.
pub fn node(name: &str) -> Value {
    json!({"metadata": {"name": name, "labels": {"node-role.kubernetes.io/control-plane": "true", "kubernetes.io/hostname": name}},
           "spec": {"podCIDR": "10.42.0.0/24"},
           "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                      "addresses": [{"type": "InternalIP", "address": "192.168.1.10"}],
                      "nodeInfo": {"kubeletVersion": "v1.31.4+k3s1", "osImage": "Ubuntu 24.04 LTS",
                                   "kernelVersion": "6.8.0", "containerRuntimeVersion": "containerd://1.7.23"}}})
}

pub fn pod(ns: &str, name: &str, node: &str, image: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": "web"}},
           "spec": {"nodeName": node, "containers": [{"name": "web", "image": image}]},
           "status": {"phase": "Running", "podIP": "10.42.0.9", "startTime": "2024-01-01T00:00:00Z",
                      "containerStatuses": [{"name": "web", "ready": true, "restartCount": 0, "image": image,
                                             "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}}}]}})
}

pub fn deployment(ns: &str, name: &str, image: &str, replicas: i64) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"containers": [{"name": name, "image": image}]}}}})
}

/// Seeds a node and a pod on a site, through the handle.
pub fn populate(h: &SiteHandle) {
    let n = format!("{}-server", h.name());
    let _ = h.store().create(Resource::Node, node(&n));
    h.store()
        .create(Resource::Pod, pod("default", "web-1", &n, "nginx:1.27"))
        .expect("pod");
}
