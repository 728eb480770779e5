//! Real `kubectl` 1.32 against the simulator, through the kubeconfig the fleet writes.

use crate::common;

use common::{deployment, populate, spec, start};
use outpost_sim::resource::Resource;
use outpost_sim::spec::Distro;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_version_and_api_resources() {
    let f = start(vec![
        spec("alpha", Distro::K3s),
        spec("beta", Distro::MicroK8s),
    ])
    .await;
    let v = f.kubectl_ok("alpha", &["version", "-o", "json"]).await;
    let v: Value = serde_json::from_str(&v).expect("json");
    assert_eq!(v["serverVersion"]["gitVersion"], "v1.31.4+k3s1");
    assert_eq!(v["serverVersion"]["minor"], "31");
    let v = f.kubectl_ok("beta", &["version", "-o", "json"]).await;
    assert!(v.contains("\"gitVersion\": \"v1.30.5\""), "{v}");
    let res = f.kubectl_ok("beta", &["api-resources"]).await;
    for line in [
        "deployments",
        "deploy",
        "apps/v1",
        "replicasets",
        "plans",
        "upgrade.cattle.io/v1",
    ] {
        assert!(res.contains(line), "api-resources lacks {line}:\n{res}");
    }
    let pods = res
        .lines()
        .find(|l| l.starts_with("pods "))
        .expect("pods line");
    assert!(pods.contains(" po ") && pods.contains("Pod"), "{pods}");
    let wide = f
        .kubectl_ok("alpha", &["api-resources", "-o", "wide"])
        .await;
    let ns = wide
        .lines()
        .find(|l| l.starts_with("namespaces "))
        .expect("ns line");
    assert!(
        ns.contains("create,delete,get,list,patch,update,watch")
            || ns.contains("[create delete get list patch update watch]"),
        "{ns}"
    );
    f.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_describe_delete_scale() {
    let f = start(vec![
        spec("gamma", Distro::K3s),
        spec("delta", Distro::MicroK8s),
    ])
    .await;
    for s in ["gamma", "delta"] {
        populate(&f.site(s));
    }
    let out = f
        .kubectl_ok("delta", &["get", "nodes,pods", "-A", "-o", "wide"])
        .await;
    assert!(
        out.contains("delta-server") && out.contains("Ready") && out.contains("control-plane"),
        "{out}"
    );
    assert!(
        out.contains("web-1")
            && out.contains("1/1")
            && out.contains("Running")
            && out.contains("10.42.0.9"),
        "{out}"
    );
    let d = f.kubectl_ok("gamma", &["describe", "pod", "web-1"]).await;
    assert!(
        d.contains("Name:") && d.contains("web-1") && d.contains("nginx:1.27"),
        "{d}"
    );
    let h = f.site("gamma");
    h.store()
        .create(Resource::Event, json!({"metadata": {"name": "web-1.1", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "default"},
            "reason": "Pulled", "message": "Container image already present", "type": "Normal",
            "lastTimestamp": "2024-01-01T00:00:00Z", "count": 1, "source": {"component": "kubelet"}}))
        .expect("event");
    let ev = f.kubectl_ok("gamma", &["get", "events"]).await;
    assert!(ev.contains("Pulled") && ev.contains("pod/web-1"), "{ev}");
    f.kubectl_ok("gamma", &["delete", "pod", "web-1", "--wait=false"])
        .await;
    assert!(
        h.store()
            .get(Resource::Pod, Some("default"), "web-1")
            .is_none()
    );
    let (ok, _, err) = f.kubectl("gamma", &["get", "pod", "web-1"]).await;
    assert!(
        !ok && err.contains("NotFound") && err.contains("\"web-1\" not found"),
        "{err}"
    );
    h.store()
        .create(
            Resource::Deployment,
            deployment("default", "pos", "pos:2.4", 2),
        )
        .expect("deploy");
    f.kubectl_ok("gamma", &["scale", "deployment/pos", "--replicas=5"])
        .await;
    let d = h
        .store()
        .get(Resource::Deployment, Some("default"), "pos")
        .expect("deploy");
    assert_eq!(d["spec"]["replicas"], 5);
    assert_eq!(d["metadata"]["generation"], 2);
    f.kubectl_ok("gamma", &["set", "image", "deployment/pos", "pos=pos:2.5"])
        .await;
    let d = h
        .store()
        .get(Resource::Deployment, Some("default"), "pos")
        .expect("deploy");
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "pos:2.5"
    );
    f.kubectl_ok("gamma", &["rollout", "restart", "deployment/pos"])
        .await;
    let d = h
        .store()
        .get(Resource::Deployment, Some("default"), "pos")
        .expect("deploy");
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string()
    );
    let out = f
        .kubectl_ok("gamma", &["get", "deploy", "-o", "wide"])
        .await;
    assert!(out.contains("pos:2.5") && out.contains("app=pos"), "{out}");
    f.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_watch_sees_changes_made_through_the_handle() {
    let f = start(vec![spec("eps", Distro::K3s)]).await;
    let h = f.site("eps");
    populate(&h);
    let mut cmd = tokio::process::Command::new("/usr/bin/kubectl");
    cmd.arg("--kubeconfig")
        .arg(&f.kubeconfig)
        .args(["--context", "eps", "get", "pods", "-w"]);
    cmd.env("HOME", f.dir.path())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn kubectl");
    let mut stdout = child.stdout.take().expect("stdout");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    h.store()
        .create(
            Resource::Pod,
            common::pod("default", "web-2", "eps-server", "nginx:1.27"),
        )
        .expect("pod");
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 4096];
        while !seen.contains("web-2") {
            let n = stdout.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    })
    .await;
    let _ = child.kill().await;
    assert!(
        found.is_ok() && seen.contains("web-1") && seen.contains("web-2"),
        "watch output: {seen}"
    );
    assert_eq!(
        seen.matches("NAME").count(),
        1,
        "header printed once: {seen}"
    );
    f.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_valid_credentials_only_version_and_health_answer() {
    let f = start(vec![
        spec("anon-k3s", Distro::K3s),
        spec("anon-mk8s", Distro::MicroK8s),
    ])
    .await;
    // The same kubeconfig with every user's credentials replaced by a wrong token
    // (with none at all, kubectl would prompt for a password).
    let mut kc: Value =
        serde_saphyr::from_str(&f.fleet.kubeconfig_yaml().expect("yaml")).expect("parse");
    for u in kc["users"].as_array_mut().expect("users") {
        u["user"] = json!({"token": "not-the-token"});
    }
    let anon = f.dir.path().join("anon.yaml");
    std::fs::write(&anon, serde_saphyr::to_string(&kc).expect("yaml")).expect("write");
    for ctx in ["anon-k3s", "anon-mk8s"] {
        let run = |args: &[&str]| {
            let mut c = std::process::Command::new("/usr/bin/kubectl");
            c.arg("--kubeconfig")
                .arg(&anon)
                .args(["--context", ctx])
                .args(args)
                .env("HOME", f.dir.path());
            c.output().expect("kubectl")
        };
        let v = run(&["version", "-o", "json"]);
        assert!(
            String::from_utf8_lossy(&v.stdout).contains("gitVersion"),
            "version without credentials"
        );
        let h = run(&["get", "--raw", "/readyz"]);
        assert_eq!(String::from_utf8_lossy(&h.stdout), "ok");
        let ns = run(&["get", "--raw", "/api/v1/namespaces"]);
        assert!(!ns.status.success());
        let err = String::from_utf8_lossy(&ns.stderr);
        assert!(err.contains("Unauthorized"), "{err}");
    }
    f.fleet.shutdown().await;
}
