//! The start of the differential fidelity suite: the same kubectl commands against a real
//! site (outpost-testbed) and a simulated site seeded from the same `SiteSpec`, outputs
//! normalized (uids, times, resourceVersions, managedFields, generated names dropped) and
//! compared. Prints the fidelity figure (matching commands / all) and every mismatch. Also
//! `kubectl logs --tail`, `--previous` and `-f` through the real apiserver → kwok path.
//!
//! Skipped (with a message) when the test bed binaries are missing and
//! OUTPOST_REQUIRE_TESTBED is unset; `make test` sets it.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use outpost_sim::{Fleet, FleetConfig};
use outpost_testbed::fleet::specs;
use outpost_testbed::{Binaries, Testbed, TestbedConfig};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

fn kubectl(kc: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kc)
        .args(args)
        .output()
        .expect("kubectl on PATH");
    let text = if out.status.success() {
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    (out.status.success(), text)
}

fn json(kc: &Path, args: &[&str]) -> Value {
    let (ok, text) = kubectl(kc, args);
    assert!(ok, "kubectl {args:?}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// `namespace/name` of every item, skipping generated names.
fn names(list: &Value) -> BTreeSet<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{}/{}",
                i["metadata"]["namespace"].as_str().unwrap_or(""),
                i["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// A Deployment reduced to what both must agree on.
fn deployments(list: &Value) -> BTreeSet<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{} replicas={} image={} strategy={}",
                d["metadata"]["namespace"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap(),
                d["spec"]["replicas"],
                d["spec"]["template"]["spec"]["containers"][0]["image"],
                d["spec"]["strategy"]["type"],
            )
        })
        .collect()
}

fn labels(list: &Value) -> BTreeSet<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| {
            let name = n["metadata"]["name"].as_str().unwrap().to_string();
            n["metadata"]["labels"]
                .as_object()
                .unwrap()
                .iter()
                .map(move |(k, v)| format!("{name}:{k}={v}"))
                .collect::<Vec<_>>()
        })
        // The node addresses differ by design (kwok's node IP is the site's loopback address).
        .filter(|l| !l.contains("internal-ip"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_against_a_real_and_a_simulated_site() {
    let Some(bins) = Binaries::for_tests("kubectl_diff") else {
        return;
    };
    let cfg = TestbedConfig {
        seed: 3,
        ..TestbedConfig::default()
    };
    let spec = specs(&cfg).unwrap().remove(0);
    let bed = Testbed::start(cfg, &bins).await.unwrap();
    let sim = Fleet::start(FleetConfig {
        sites: vec![spec],
        ..FleetConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (real, simk) = (dir.path().join("real.yaml"), dir.path().join("sim.yaml"));
    bed.write_kubeconfig(&real).unwrap();
    sim.write_kubeconfig(&simk).unwrap();
    // Let the real controller-manager create the ReplicaSets and pods.
    tokio::time::sleep(Duration::from_secs(5)).await;

    let mut results: Vec<(&str, bool, String)> = Vec::new();
    let mut check = |name: &'static str, a: String, b: String| {
        let ok = a == b;
        results.push((
            name,
            ok,
            if ok {
                String::new()
            } else {
                format!("real: {a}\nsim:  {b}")
            },
        ));
    };
    let (r, s) = (
        json(&real, &["get", "--raw", "/version"]),
        json(&simk, &["get", "--raw", "/version"]),
    );
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(",")
    };
    check("get --raw /version (fields)", keys(&r), keys(&s));
    check(
        "get --raw /version (gitVersion)",
        r["gitVersion"].to_string(),
        s["gitVersion"].to_string(),
    );
    let ns = |kc: &Path| {
        format!(
            "{:?}",
            names(&json(kc, &["get", "namespaces", "-o", "json"]))
        )
    };
    check("get namespaces -o json", ns(&real), ns(&simk));
    let nodes = |kc: &Path| format!("{:?}", names(&json(kc, &["get", "nodes", "-o", "json"])));
    check("get nodes -o json (names)", nodes(&real), nodes(&simk));
    let nl = |kc: &Path| format!("{:?}", labels(&json(kc, &["get", "nodes", "-o", "json"])));
    check("get nodes -o json (labels)", nl(&real), nl(&simk));
    let dep = |kc: &Path| {
        format!(
            "{:?}",
            deployments(&json(kc, &["get", "deployments", "-A", "-o", "json"]))
        )
    };
    check("get deployments -A -o json", dep(&real), dep(&simk));
    let cms = |kc: &Path| {
        let mut n = names(&json(kc, &["get", "configmaps", "-A", "-o", "json"]));
        n.retain(|x| {
            !x.ends_with("/kube-root-ca.crt") && !x.starts_with("kube-system/extension-apiserver")
        });
        format!("{n:?}")
    };
    check("get configmaps -A -o json", cms(&real), cms(&simk));
    let ar = |kc: &Path| {
        let (ok, t) = kubectl(kc, &["api-resources", "-o", "name"]);
        assert!(ok, "{t}");
        t.lines().map(str::to_string).collect::<BTreeSet<_>>()
    };
    let (ra, sa) = (ar(&real), ar(&simk));
    let missing: Vec<&String> = sa.difference(&ra).collect();
    check(
        "api-resources (sim ⊆ real)",
        format!("{:?}", Vec::<String>::new()),
        format!("{missing:?}"),
    );
    let ns0 = bed.sites[0]
        .spec
        .workloads
        .iter()
        .find(|w| w.kind == outpost_sim::spec::WorkloadKind::Deployment)
        .unwrap();
    let target = format!("deployment/{}", ns0.name);
    for kc in [&real, &simk] {
        let (ok, t) = kubectl(
            kc,
            &["-n", &ns0.namespace, "scale", &target, "--replicas=3"],
        );
        assert!(ok, "{t}");
    }
    let scaled = |kc: &Path| {
        kubectl(
            kc,
            &[
                "-n",
                &ns0.namespace,
                "get",
                &target,
                "-o",
                "jsonpath={.spec.replicas}",
            ],
        )
        .1
    };
    check("scale --replicas=3", scaled(&real), scaled(&simk));

    // Logs through the real apiserver -> kwok path: tail, previous, follow.
    let (ok, tail) = kubectl(
        &real,
        &[
            "-n",
            "kube-system",
            "logs",
            "deployment/coredns",
            "--tail",
            "2",
        ],
    );
    assert!(
        ok && tail.lines().count() == 2 && tail.contains("site="),
        "{tail}"
    );
    let (ok, prev) = kubectl(
        &real,
        &[
            "-n",
            "kube-system",
            "logs",
            "deployment/coredns",
            "--previous",
            "--tail",
            "1",
        ],
    );
    assert!(ok && prev.contains("FATAL"), "{prev}");
    let follow = std::process::Command::new("timeout")
        .args(["4", "kubectl", "--kubeconfig"])
        .arg(&real)
        .args([
            "-n",
            "kube-system",
            "logs",
            "-f",
            "--tail",
            "1",
            "deployment/coredns",
        ])
        .output()
        .unwrap();
    let followed = String::from_utf8_lossy(&follow.stdout);
    assert!(
        followed.lines().count() >= 3,
        "logs -f streams new lines: {followed}"
    );

    let matching = results.iter().filter(|r| r.1).count();
    eprintln!(
        "kubectl fidelity: {matching}/{} commands match ({:.0} %)",
        results.len(),
        100.0 * matching as f64 / results.len() as f64
    );
    for (name, ok, diff) in &results {
        if !ok {
            eprintln!("MISMATCH {name}:\n{diff}");
        }
    }
    sim.shutdown().await;
    drop(bed);
    // The figure is reported; the commands that must agree today are asserted.
    for must in [
        "get --raw /version (gitVersion)",
        "get namespaces -o json",
        "get nodes -o json (names)",
        "get deployments -A -o json",
        "scale --replicas=3",
    ] {
        let r = results.iter().find(|r| r.0 == must).unwrap();
        assert!(r.1, "{must} differs:\n{}", r.2);
    }
}
