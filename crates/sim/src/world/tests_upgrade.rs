//! system-upgrade-controller tests: Plans upgrade nodes at most `concurrency` at a time,
//! and in stuck mode the Job fails on its deadline while the node stays cordoned.

use super::ObjectView;
use super::objects::{bool_at, condition, label, name, str_at};
use super::testkit::Sim;
use super::tests::site;
use crate::resource::Resource;
use crate::spec::Distro;
use serde_json::{Value, json};

const TARGET: &str = "v1.31.4+k3s1";

fn plan(concurrency: u32) -> Value {
    json!({
        "apiVersion": "upgrade.cattle.io/v1", "kind": "Plan",
        "metadata": {"name": "k3s-server", "namespace": "system-upgrade"},
        "spec": {
            "concurrency": concurrency, "version": TARGET, "cordon": true,
            "nodeSelector": {"matchExpressions": [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["k3s"]}]},
            "serviceAccountName": "system-upgrade",
            "upgrade": {"image": "rancher/k3s-upgrade"},
        }
    })
}

fn applying(s: &Sim) -> Vec<String> {
    s.store
        .obj(Resource::Plan, "system-upgrade", "k3s-server")
        .pointer("/status/applying")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn versions(s: &Sim) -> Vec<String> {
    s.store
        .all(Resource::Node)
        .iter()
        .map(|n| {
            str_at(n, "/status/nodeInfo/kubeletVersion")
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn plan_upgrades_nodes_one_at_a_time() {
    let mut s = Sim::new(site(Distro::K3s, 3, vec![]));
    s.run_for(20.0, |_| {});
    let now = s.now;
    s.store
        .create(Resource::Plan, plan(1), now)
        .expect("plan created");
    let mut max_applying = 0;
    let mut seen = std::collections::BTreeSet::new();
    let mut saw_not_ready = false;
    let mut saw_job_pod_running = false;
    s.dt = 1.0;
    s.run_for(400.0, |s| {
        let a = applying(s);
        max_applying = max_applying.max(a.len());
        seen.extend(a);
        let cordoned = s
            .store
            .all(Resource::Node)
            .iter()
            .filter(|n| bool_at(n, "/spec/unschedulable"))
            .count();
        assert!(cordoned <= 1, "more nodes cordoned than concurrency");
        for p in s.store.list(Resource::Pod, Some("system-upgrade")) {
            if name(&p).starts_with("apply-") && str_at(&p, "/status/phase") == Some("Running") {
                let node = str_at(&p, "/spec/nodeName").unwrap_or("").to_string();
                assert!(
                    applying(s).contains(&node),
                    "upgrade pod runs on the applying node"
                );
                saw_job_pod_running = true;
            }
        }
        saw_not_ready |= s
            .store
            .all(Resource::Node)
            .iter()
            .any(|n| !super::nodes::is_ready(n));
    });
    assert!(
        versions(&s).iter().all(|v| v == TARGET),
        "{:?}",
        versions(&s)
    );
    assert!(applying(&s).is_empty());
    assert_eq!(max_applying, 1);
    assert!(
        saw_job_pod_running,
        "each upgrade Job runs a pod on its node"
    );
    let done: Vec<_> = s
        .store
        .list(Resource::Pod, Some("system-upgrade"))
        .into_iter()
        .filter(|p| name(p).starts_with("apply-"))
        .collect();
    assert_eq!(done.len(), 3);
    assert!(
        done.iter()
            .all(|p| str_at(p, "/status/phase") == Some("Succeeded"))
    );
    assert_eq!(seen.len(), 3, "every node went through applying: {seen:?}");
    assert!(
        saw_not_ready,
        "nodes restart (NotReady) during their upgrade"
    );
    let p = s.store.obj(Resource::Plan, "system-upgrade", "k3s-server");
    assert_eq!(str_at(&p, "/status/latestVersion"), Some(TARGET));
    let hash = str_at(&p, "/status/latestHash").expect("hash").to_string();
    assert_eq!(
        condition(&p, "/status/conditions", "Complete").map(|c| c["status"].clone()),
        Some(json!("True"))
    );
    for n in s.store.all(Resource::Node) {
        assert_eq!(
            label(&n, "plan.upgrade.cattle.io/k3s-server"),
            Some(hash.as_str())
        );
        assert!(
            !bool_at(&n, "/spec/unschedulable"),
            "{} left cordoned",
            name(&n)
        );
        assert!(n.pointer("/spec/taints").is_none());
    }
    let jobs = s.store.list(Resource::Job, Some("system-upgrade"));
    assert_eq!(jobs.len(), 3);
    for j in &jobs {
        assert!(name(j).starts_with("apply-k3s-server-on-node-"));
        assert!(name(j).len() <= 63);
        assert!(condition(j, "/status/conditions", "Complete").is_some());
    }
}

#[test]
fn stuck_upgrade_fails_job_and_keeps_node_cordoned() {
    let mut s = Sim::new(site(Distro::K3s, 2, vec![]));
    s.stuck = true;
    s.run_for(10.0, |_| {});
    let now = s.now;
    s.store
        .create(Resource::Plan, plan(1), now)
        .expect("plan created");
    s.dt = 5.0;
    s.run_until(1200.0, "job failed", |s| {
        s.store
            .list(Resource::Job, Some("system-upgrade"))
            .iter()
            .any(|j| condition(j, "/status/conditions", "Failed").is_some())
    });
    s.run_for(300.0, |_| {});
    let jobs = s.store.list(Resource::Job, Some("system-upgrade"));
    assert_eq!(
        jobs.len(),
        1,
        "no further node is started while one is stuck"
    );
    let failed = condition(&jobs[0], "/status/conditions", "Failed").expect("failed");
    assert_eq!(failed["reason"], "DeadlineExceeded");
    let stuck_node = label(&jobs[0], "upgrade.cattle.io/node")
        .expect("node label")
        .to_string();
    assert_eq!(applying(&s), vec![stuck_node.clone()]);
    let n = s.store.obj(Resource::Node, "", &stuck_node);
    assert!(bool_at(&n, "/spec/unschedulable"));
    assert_eq!(
        str_at(&n, "/status/nodeInfo/kubeletVersion"),
        Some("v1.30.8+k3s1")
    );
    assert!(!s.events("DeadlineExceeded").is_empty());
    let job_pods = s
        .store
        .list(Resource::Pod, Some("system-upgrade"))
        .into_iter()
        .filter(|p| name(p).starts_with("apply-"))
        .count();
    assert_eq!(job_pods, 0, "the failed Job's pod is gone");
}

#[test]
fn hung_upgrade_never_finishes_nor_moves_the_node() {
    let mut s = Sim::new(site(Distro::K3s, 2, vec![]));
    s.hang = true;
    s.run_for(10.0, |_| {});
    let now = s.now;
    s.store
        .create(Resource::Plan, plan(1), now)
        .expect("plan created");
    s.dt = 5.0;
    // Well past the Job deadline and any node's upgrade time.
    s.run_for(3600.0, |_| {});
    let jobs = s.store.list(Resource::Job, Some("system-upgrade"));
    assert_eq!(jobs.len(), 1, "concurrency 1: one node, forever");
    assert!(condition(&jobs[0], "/status/conditions", "Complete").is_none());
    assert!(condition(&jobs[0], "/status/conditions", "Failed").is_none());
    let node = label(&jobs[0], "upgrade.cattle.io/node")
        .expect("node label")
        .to_string();
    assert_eq!(applying(&s), vec![node.clone()]);
    let n = s.store.obj(Resource::Node, "", &node);
    assert!(bool_at(&n, "/spec/unschedulable"), "cordoned");
    assert_eq!(
        str_at(&n, "/status/nodeInfo/kubeletVersion"),
        Some("v1.30.8+k3s1")
    );
}

#[test]
fn plain_job_runs_its_pod_and_completes() {
    let mut s = Sim::new(site(Distro::MicroK8s, 1, vec![]));
    let now = s.now;
    let job = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "backup", "namespace": "default"},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "backup", "image": "registry.local/backup:1"}]}}}});
    s.store.create(Resource::Job, job, now).expect("job");
    s.run_until(90.0, "job complete", |s| {
        condition(
            &s.store.obj(Resource::Job, "default", "backup"),
            "/status/conditions",
            "Complete",
        )
        .is_some()
    });
    s.step();
    let pods: Vec<_> = s
        .store
        .list(Resource::Pod, Some("default"))
        .into_iter()
        .filter(|p| label(p, "job-name") == Some("backup"))
        .collect();
    assert_eq!(pods.len(), 1);
    assert_eq!(str_at(&pods[0], "/status/phase"), Some("Succeeded"));
    assert_eq!(
        pods[0].pointer("/status/containerStatuses/0/state/terminated/reason"),
        Some(&json!("Completed"))
    );
}

#[test]
fn crashing_pod_with_restart_policy_never_fails_once() {
    let mut s = Sim::new(site(Distro::K3s, 1, vec![]));
    let now = s.now;
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "once", "namespace": "default"},
        "spec": {"restartPolicy": "Never",
                 "containers": [{"name": "c", "image": "registry.local/tool:1-crash"}]}});
    s.store.create(Resource::Pod, pod, now).expect("pod");
    s.run_for(60.0, |_| {});
    let p = s.store.obj(Resource::Pod, "default", "once");
    assert_eq!(str_at(&p, "/status/phase"), Some("Failed"));
    // A bare client pod keeps what the client sent (no QoS defaulting there), while
    // controller pods get their class from resources.
    let web = s.store.list(Resource::Pod, Some("kube-system"));
    assert!(
        web.iter()
            .all(|p| str_at(p, "/status/qosClass") == Some("Burstable"))
    );
    assert_eq!(
        p.pointer("/status/containerStatuses/0/restartCount"),
        Some(&json!(0))
    );
    assert_eq!(
        p.pointer("/status/containerStatuses/0/state/terminated/exitCode"),
        Some(&json!(1))
    );
}
