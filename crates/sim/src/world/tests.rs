//! World tests: seeding, first rollout, kubelet behaviour, self-healing, scaling,
//! DaemonSets and StatefulSets, run through the in-memory testkit store.

use super::ObjectView;
use super::objects::{i64_at, label, name, str_at};
use super::testkit::Sim;
use crate::resource::Resource;
use crate::spec::{Distro, LogProfile, SiteSpec, WorkloadKind, WorkloadSpec};
use crate::testing::SiteBuilder;
use serde_json::{Value, json};

pub fn wl(
    name: &str,
    kind: WorkloadKind,
    image: &str,
    replicas: u32,
    logs: LogProfile,
) -> WorkloadSpec {
    WorkloadSpec {
        namespace: "apps".into(),
        name: name.into(),
        kind,
        container: "main".into(),
        image: image.into(),
        replicas,
        logs,
        crash_loop: false,
    }
}

pub fn site(distro: Distro, nodes: usize, workloads: Vec<WorkloadSpec>) -> SiteSpec {
    SiteBuilder::new("test-site", distro)
        .display_name("Test")
        .city("Berlin", 52.5, 13.4)
        .tags(&[])
        .version(if distro == Distro::K3s {
            "v1.30.8+k3s1"
        } else {
            "v1.30.8"
        })
        .node_names((0..nodes).map(|i| format!("node-{i}")))
        .workloads(workloads)
        .upgrade_controller(distro == Distro::K3s)
        .build()
}

pub fn web_site(replicas: u32) -> Sim {
    Sim::new(site(
        Distro::K3s,
        2,
        vec![wl(
            "web",
            WorkloadKind::Deployment,
            "registry.local:5000/web:1.0",
            replicas,
            LogProfile::WebApp,
        )],
    ))
}

pub fn status(s: &Sim, r: Resource, n: &str, field: &str) -> i64 {
    i64_at(&s.store.obj(r, "apps", n), &format!("/status/{field}")).unwrap_or(0)
}

pub fn available(s: &Sim, d: &str) -> i64 {
    status(s, Resource::Deployment, d, "availableReplicas")
}

#[test]
fn seed_builds_a_realistic_site_without_pods() {
    let s = web_site(3);
    let nss: Vec<String> = s
        .store
        .all(Resource::Namespace)
        .iter()
        .map(|n| name(n).to_string())
        .collect();
    for ns in [
        "default",
        "kube-system",
        "kube-public",
        "apps",
        "system-upgrade",
    ] {
        assert!(nss.contains(&ns.to_string()), "missing namespace {ns}");
    }
    let node = s.store.obj(Resource::Node, "", "node-0");
    assert_eq!(
        label(&node, "node.kubernetes.io/instance-type"),
        Some("k3s")
    );
    assert_eq!(
        label(&node, "node-role.kubernetes.io/control-plane"),
        Some("true")
    );
    assert_eq!(
        str_at(&node, "/status/nodeInfo/kubeletVersion"),
        Some("v1.30.8+k3s1")
    );
    assert!(
        str_at(&node, "/status/nodeInfo/containerRuntimeVersion")
            .is_some_and(|v| v.contains("k3s"))
    );
    assert!(s.store.all(Resource::Pod).is_empty() && s.store.all(Resource::ReplicaSet).is_empty());
    let deploys: Vec<String> = s
        .store
        .all(Resource::Deployment)
        .iter()
        .map(|d| name(d).to_string())
        .collect();
    for d in [
        "coredns",
        "local-path-provisioner",
        "metrics-server",
        "traefik",
        "system-upgrade-controller",
        "web",
    ] {
        assert!(deploys.contains(&d.to_string()), "missing deployment {d}");
    }
    let web = s.store.obj(Resource::Deployment, "apps", "web");
    let env = web
        .pointer("/spec/template/spec/containers/0/env")
        .and_then(Value::as_array)
        .expect("env");
    assert!(
        env.iter()
            .any(|e| e["name"] == "DB_PASSWORD"
                && e["value"].as_str().is_some_and(|v| !v.is_empty()))
    );
    assert_eq!(
        web.pointer("/spec/template/metadata/annotations/sim.outpost.dev~1logs"),
        Some(&json!("web-app"))
    );
    let secret = s.store.obj(Resource::Secret, "apps", "app-credentials");
    assert!(
        secret
            .pointer("/data/DB_PASSWORD")
            .and_then(Value::as_str)
            .is_some_and(|v| v.len() > 8)
    );

    let mk = Sim::new(site(Distro::MicroK8s, 1, vec![]));
    let node = mk.store.obj(Resource::Node, "", "node-0");
    assert_eq!(label(&node, "microk8s.io/cluster"), Some("true"));
    assert!(mk.store.get_ds("calico-node"));
}

impl super::testkit::Store {
    fn get_ds(&self, n: &str) -> bool {
        self.all(Resource::DaemonSet).iter().any(|d| name(d) == n)
    }
}

#[test]
fn new_deployment_becomes_available_with_rs_and_pods() {
    let mut s = web_site(3);
    s.run_until(60.0, "web available", |s| available(s, "web") == 3);
    let rs = s.store.list(Resource::ReplicaSet, Some("apps"));
    assert_eq!(rs.len(), 1);
    let rs = &rs[0];
    assert_eq!(
        super::objects::annotation(rs, "deployment.kubernetes.io/revision"),
        Some("1")
    );
    let hash = label(rs, "pod-template-hash")
        .expect("hash label")
        .to_string();
    assert_eq!(name(rs), format!("web-{hash}"));
    let pods = s.pods_of("apps", "web");
    assert_eq!(pods.len(), 3);
    for p in &pods {
        assert_eq!(str_at(p, "/status/phase"), Some("Running"));
        assert_eq!(
            p.pointer("/metadata/ownerReferences/0/kind"),
            Some(&json!("ReplicaSet"))
        );
        assert!(name(p).starts_with(&format!("web-{hash}-")));
        assert!(str_at(p, "/status/podIP").is_some_and(|ip| ip.starts_with("10.42.")));
        assert!(
            str_at(p, "/status/containerStatuses/0/containerID")
                .is_some_and(|c| c.starts_with("containerd://"))
        );
    }
    let nodes: std::collections::HashSet<&str> = pods
        .iter()
        .filter_map(|p| str_at(p, "/spec/nodeName"))
        .collect();
    assert_eq!(nodes.len(), 2, "pods spread over both nodes");
    let d = s.store.obj(Resource::Deployment, "apps", "web");
    let cond =
        super::objects::condition(&d, "/status/conditions", "Progressing").expect("progressing");
    s.run_for(5.0, |_| {});
    let d = s.store.obj(Resource::Deployment, "apps", "web");
    let cond2 =
        super::objects::condition(&d, "/status/conditions", "Progressing").expect("progressing");
    assert!(
        cond["reason"] == "NewReplicaSetAvailable" || cond2["reason"] == "NewReplicaSetAvailable"
    );
    for reason in [
        "Scheduled",
        "Pulling",
        "Pulled",
        "Created",
        "Started",
        "ScalingReplicaSet",
        "SuccessfulCreate",
    ] {
        assert!(!s.events(reason).is_empty(), "no {reason} event");
    }
    // Steady state: a settled site writes nothing but occasional heartbeats.
    let writes: usize = (0..10).map(|_| s.step().len()).sum();
    assert!(writes <= 4, "settled site keeps writing: {writes}");
}

#[test]
fn deleted_pod_is_replaced() {
    let mut s = web_site(2);
    s.run_until(60.0, "available", |s| available(s, "web") == 2);
    let victim = name(&s.pods_of("apps", "web")[0]).to_string();
    s.store.delete(Resource::Pod, "apps", &victim);
    s.run_until(60.0, "replacement available", |s| {
        let pods = s.pods_of("apps", "web");
        pods.len() == 2
            && pods
                .iter()
                .all(|p| name(p) != victim && super::pods::is_ready(p))
    });
}

#[test]
fn scale_up_and_down() {
    let mut s = web_site(2);
    s.run_until(60.0, "available", |s| available(s, "web") == 2);
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["replicas"] = json!(5)
    });
    s.run_until(60.0, "scaled to 5", |s| {
        available(s, "web") == 5 && s.pods_of("apps", "web").len() == 5
    });
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["replicas"] = json!(1)
    });
    s.run_until(60.0, "scaled to 1", |s| {
        s.pods_of("apps", "web").len() == 1
            && status(s, Resource::Deployment, "web", "replicas") == 1
    });
    assert!(s.events("ScalingReplicaSet").iter().any(|e| {
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("Scaled down"))
    }));
}

#[test]
fn crash_image_loops_with_growing_restarts_and_previous_logs() {
    let mut s = Sim::new(site(
        Distro::K3s,
        1,
        vec![wl(
            "bad",
            WorkloadKind::Deployment,
            "registry.local/bad:1.0-crash",
            1,
            LogProfile::WebApp,
        )],
    ));
    let mut saw_backoff = false;
    let mut max_restarts = 0;
    s.run_for(200.0, |s| {
        for p in s.pods_of("apps", "bad") {
            if str_at(&p, "/status/containerStatuses/0/state/waiting/reason")
                == Some("CrashLoopBackOff")
            {
                saw_backoff = true;
            }
            max_restarts = max_restarts
                .max(i64_at(&p, "/status/containerStatuses/0/restartCount").unwrap_or(0));
        }
    });
    assert!(saw_backoff);
    assert!(max_restarts >= 3, "restarts grow: {max_restarts}");
    assert!(
        max_restarts <= 6,
        "back-off grows exponentially: {max_restarts}"
    );
    let pod = s.pods_of("apps", "bad")[0].clone();
    assert_eq!(
        pod.pointer("/status/containerStatuses/0/lastState/terminated/exitCode"),
        Some(&json!(1))
    );
    assert_eq!(str_at(&pod, "/status/phase"), Some("Running"));
    let g = super::logs::LogGen::for_container(1, &pod, "main", true, Default::default())
        .expect("previous instance");
    let lines = g.lines(None, s.now, 1000);
    assert!(!lines.is_empty());
    let last = String::from_utf8_lossy(&lines[lines.len() - 1].text).to_string();
    assert!(
        lines
            .iter()
            .any(|l| String::from_utf8_lossy(&l.text).starts_with("panic:")),
        "{last}"
    );
    assert!(lines.iter().all(|l| Some(l.ts) <= g.ended_at()));
    assert!(!s.events("BackOff").is_empty());
    let d_avail = available(&s, "bad");
    assert_eq!(d_avail, 0);
}

#[test]
fn daemonset_runs_one_pod_per_node_and_statefulset_is_ordered() {
    let mut s = Sim::new(site(
        Distro::K3s,
        3,
        vec![
            wl(
                "agent",
                WorkloadKind::DaemonSet,
                "registry.local/agent:1",
                1,
                LogProfile::Json,
            ),
            wl(
                "cache",
                WorkloadKind::StatefulSet,
                "redis:7.2",
                3,
                LogProfile::Cache,
            ),
        ],
    ));
    let mut order_ok = true;
    s.run_until(120.0, "ds and sts ready", |s| {
        let pods = s.pods_of("apps", "cache");
        for p in &pods {
            let ord: usize = name(p)
                .rsplit('-')
                .next()
                .and_then(|o| o.parse().ok())
                .unwrap_or(99);
            for lower in 0..ord {
                if !pods.iter().any(|q| name(q) == format!("cache-{lower}")) {
                    order_ok = false;
                }
            }
        }
        status(s, Resource::DaemonSet, "agent", "numberReady") == 3
            && status(s, Resource::StatefulSet, "cache", "readyReplicas") == 3
    });
    assert!(order_ok, "statefulset pods created out of order");
    let agent_nodes: std::collections::HashSet<String> = s
        .pods_of("apps", "agent")
        .iter()
        .filter_map(|p| str_at(p, "/spec/nodeName").map(str::to_string))
        .collect();
    assert_eq!(agent_nodes.len(), 3);
    let sts = s.store.obj(Resource::StatefulSet, "apps", "cache");
    assert_eq!(
        sts["status"]["currentRevision"],
        sts["status"]["updateRevision"]
    );
    // Scale the statefulset down: highest ordinals go first.
    s.patch(Resource::StatefulSet, "apps", "cache", |v| {
        v["spec"]["replicas"] = json!(1)
    });
    s.run_until(60.0, "sts scaled down", |s| {
        s.pods_of("apps", "cache").len() == 1
    });
    assert_eq!(name(&s.pods_of("apps", "cache")[0]), "cache-0");
}

#[test]
fn cordoned_node_gets_the_taint_and_no_new_pods() {
    let mut s = web_site(1);
    s.run_until(60.0, "available", |s| available(s, "web") == 1);
    s.patch(Resource::Node, "", "node-1", |n| {
        n["spec"]["unschedulable"] = json!(true)
    });
    s.step();
    let n = s.store.obj(Resource::Node, "", "node-1");
    assert_eq!(
        n.pointer("/spec/taints/0/key"),
        Some(&json!("node.kubernetes.io/unschedulable"))
    );
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["replicas"] = json!(4)
    });
    s.run_until(60.0, "scaled", |s| available(s, "web") == 4);
    let on_cordoned = s
        .pods_of("apps", "web")
        .iter()
        .filter(|p| str_at(p, "/spec/nodeName") == Some("node-1"))
        .count();
    // The pod that was there before the cordon may stay; no new one lands there.
    assert!(on_cordoned <= 1, "{on_cordoned} pods on the cordoned node");
    s.patch(Resource::Node, "", "node-1", |n| {
        n["spec"].as_object_mut().map(|m| m.remove("unschedulable"));
    });
    s.step();
    assert!(
        s.store
            .obj(Resource::Node, "", "node-1")
            .pointer("/spec/taints")
            .is_none()
    );
}
