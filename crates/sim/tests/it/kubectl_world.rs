//! kubectl rollouts and logs against a site run by the world's controllers.

use crate::common;

use common::{spec, start_with};
use outpost_sim::FleetConfig;
use outpost_sim::spec::{Distro, LogProfile, WorkloadKind, WorkloadSpec};
use std::time::Duration;

fn site_with_workload() -> outpost_sim::spec::SiteSpec {
    let mut s = spec("shop", Distro::K3s);
    s.workloads.push(WorkloadSpec {
        namespace: "retail".into(),
        name: "pos".into(),
        kind: WorkloadKind::Deployment,
        container: "pos".into(),
        image: "registry.local:5000/pos:2.4".into(),
        replicas: 2,
        logs: LogProfile::WebApp,
        crash_loop: false,
    });
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollout_set_image_undo_restart_and_logs() {
    let f = start_with(FleetConfig {
        sites: vec![site_with_workload()],
        tick: Duration::from_millis(200),
        speed: 5.0,
        ..FleetConfig::default()
    })
    .await;
    let k = |args: Vec<&'static str>| {
        let f = &f;
        async move {
            let mut a = vec!["-n", "retail"];
            a.extend(args);
            f.kubectl_ok("shop", &a).await
        }
    };
    k(vec!["rollout", "status", "deploy/pos", "--timeout=60s"]).await;
    k(vec![
        "set",
        "image",
        "deploy/pos",
        "pos=registry.local:5000/pos:2.5",
    ])
    .await;
    let out = k(vec!["rollout", "status", "deploy/pos", "--timeout=60s"]).await;
    assert!(out.contains("successfully rolled out"), "{out}");
    let img = k(vec![
        "get",
        "deploy",
        "pos",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ])
    .await;
    assert_eq!(img, "registry.local:5000/pos:2.5");
    let hist = k(vec!["rollout", "history", "deploy/pos"]).await;
    assert!(hist.contains("1 ") && hist.contains("2 "), "{hist}");
    k(vec!["rollout", "undo", "deploy/pos"]).await;
    let img = k(vec![
        "get",
        "deploy",
        "pos",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ])
    .await;
    assert_eq!(img, "registry.local:5000/pos:2.4");
    k(vec!["rollout", "status", "deploy/pos", "--timeout=60s"]).await;
    k(vec!["rollout", "restart", "deploy/pos"]).await;
    let out = k(vec!["rollout", "status", "deploy/pos", "--timeout=60s"]).await;
    assert!(out.contains("successfully rolled out"), "{out}");
    let pods = k(vec!["get", "pods", "-o", "name"]).await;
    let pod = pods.lines().next().expect("a pod").to_string();
    let pod: &'static str = Box::leak(pod.into_boxed_str());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let tail = k(vec!["logs", pod, "--tail", "2"]).await;
    assert_eq!(tail.lines().count(), 2, "{tail}");
    let ts = k(vec!["logs", pod, "--tail", "1", "--timestamps"]).await;
    assert!(
        ts.split(' ')
            .next()
            .is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok()),
        "{ts}"
    );

    let (ok, _, err) = f
        .kubectl("shop", &["-n", "retail", "logs", pod, "-c", "nope"])
        .await;
    assert!(
        !ok && err.contains("nope") && err.contains("not valid"),
        "{err}"
    );
    let (ok, _, err) = f
        .kubectl("shop", &["-n", "retail", "logs", pod, "--previous"])
        .await;
    assert!(
        !ok && err.contains("previous terminated container"),
        "{err}"
    );

    // logs -f keeps streaming new lines.
    let mut cmd = tokio::process::Command::new("/usr/bin/kubectl");
    cmd.arg("--kubeconfig").arg(&f.kubeconfig).args([
        "--context",
        "shop",
        "-n",
        "retail",
        "logs",
        "-f",
        "--tail",
        "0",
        pod,
    ]);
    cmd.env("HOME", f.dir.path())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let mut got = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 4096];
        while got.lines().count() < 2 {
            match out.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
    })
    .await;
    let _ = child.kill().await;
    assert!(got.lines().count() >= 2, "logs -f output: {got:?}");
    f.fleet.shutdown().await;
}

/// `kubectl logs -f` of a container that then crashes ends by itself, with the crash
/// at the end, as with a real kubelet (it does not go on inventing lines).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ends_when_the_container_crashes() {
    let mut s = spec("shop", Distro::K3s);
    s.workloads.push(WorkloadSpec {
        namespace: "retail".into(),
        name: "cam".into(),
        kind: WorkloadKind::Deployment,
        container: "cam".into(),
        image: "registry.local:5000/cam:1.8".into(),
        replicas: 1,
        logs: LogProfile::Camera,
        crash_loop: true,
    });
    let f = start_with(FleetConfig {
        sites: vec![s],
        tick: Duration::from_millis(100),
        speed: 5.0,
        ..FleetConfig::default()
    })
    .await;
    // Wait for a running instance, then follow it.
    let t0 = std::time::Instant::now();
    let pod = loop {
        let out = f
            .kubectl_ok(
                "shop",
                &["-n", "retail", "get", "pods", "-o",
                  "jsonpath={range .items[*]}{.metadata.name} {.status.containerStatuses[0].state.running.startedAt}{\"\\n\"}{end}"],
            )
            .await;
        if let Some(name) = out
            .lines()
            .find(|l| l.split_whitespace().nth(1).is_some())
            .and_then(|l| l.split_whitespace().next())
        {
            break name.to_string();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no running instance: {out}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let t1 = std::time::Instant::now();
    let (ok, out, err) = f
        .kubectl(
            "shop",
            &["-n", "retail", "logs", "-f", &pod, "--request-timeout=90s"],
        )
        .await;
    assert!(ok, "kubectl logs -f failed: {err}");
    assert!(
        t1.elapsed() < Duration::from_secs(90),
        "the follow ended on its own"
    );
    let tail = out.lines().rev().take(12).collect::<Vec<_>>().join("\n");
    assert!(
        tail.contains("FATAL: cam:") && tail.contains("panic: runtime error"),
        "the follow ends with the crash:\n{tail}"
    );
}
