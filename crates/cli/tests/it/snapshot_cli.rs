//! `outpost snapshot` end to end against an `outpost sim` child process, with kubectl:
//! a Deployment with sensitive env values and a Secret created through kubectl, the
//! site exported, an image and a replica count changed, the site bounced offline and
//! back and diffed (`live:SITE`); then the simulator stopped: `outpost status` shows
//! the site offline from the imported snapshot with its age, and `kubectl get pods -A
//! -o json` against `outpost snapshot serve` matches what the live simulator returned,
//! apart from the fields the bundle prunes; writes are refused. Needs kubectl and the
//! Debian packages dbus and gnome-keyring.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Control, Keyring, outpost, run_ok};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const DB_PASSWORD: &str = "hunter2-cli-db-password-55";
const TOKEN: &str = "tok_cli_live_31415926";

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sim(dir: &Path) -> (Proc, Control) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("outpost"))
        .args(["sim", "--sites", "1", "--seed", "5"])
        .arg("--kubeconfig")
        .arg(dir.join("kc.yaml"))
        .arg("--sites-file")
        .arg(dir.join("sites.json"))
        .args(["--control", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let control = Control::from_banner(&line);
    (Proc(child), control)
}

fn kubectl(kc: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut c = std::process::Command::new("kubectl");
    c.arg("--kubeconfig").arg(kc).args(args);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("kubectl not found");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn kubectl_ok(kc: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = kubectl(kc, args, stdin);
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The pods as compared: sorted by namespace/name, with what the bundle prunes removed
/// from the live side (`metadata.managedFields`, the last-applied annotation) and the
/// env values it redacts (`spec.containers[].env[].value` of sensitive names) blanked.
fn comparable(list: &str, redact: bool) -> Vec<Value> {
    let v: Value = serde_json::from_str(list).unwrap();
    let mut items = v["items"].as_array().unwrap().clone();
    for p in &mut items {
        let m = p["metadata"].as_object_mut().unwrap();
        m.remove("managedFields");
        if let Some(a) = m.get_mut("annotations").and_then(Value::as_object_mut) {
            a.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
        if redact {
            outpost_core::bundle::redact::prune(
                "pods",
                p,
                &mut outpost_core::bundle::Redactions::default(),
            );
        }
    }
    items.sort_by_key(|p| {
        (
            p["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            p["metadata"]["name"].as_str().unwrap_or("").to_string(),
        )
    });
    items
}

const MANIFESTS: &str = r#"{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "billing-db", "namespace": "default"},
  "type": "Opaque", "stringData": {"password": "hunter2-cli-db-password-55", "token": "tok_cli_live_31415926"}},
 {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "billing", "namespace": "default"},
  "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "billing"}},
   "template": {"metadata": {"labels": {"app": "billing"}},
    "spec": {"containers": [{"name": "app", "image": "registry.local:5000/apps/billing:1.0.0",
     "env": [{"name": "DB_PASSWORD", "value": "hunter2-cli-db-password-55"},
             {"name": "API_TOKEN", "value": "tok_cli_live_31415926"},
             {"name": "LOG_LEVEL", "value": "info"}]}]}}}}
]}"#;

#[test]
fn export_diff_offline_status_serve_and_refused_writes() {
    let kr = Keyring::start();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (sim, control) = start_sim(tmp.path());
    let kc = tmp.path().join("kc.yaml");
    run_ok(
        outpost(&home, &kr)
            .args(["site", "import"])
            .arg(&kc)
            .arg("--all")
            .arg("--sites-file")
            .arg(tmp.path().join("sites.json")),
    );
    let sites: Value = serde_json::from_str(&control.http("GET", "/sites", "")).unwrap();
    let site = sites[0]["name"].as_str().unwrap().to_string();

    // Secrets and sensitive env values, through kubectl.
    kubectl_ok(&kc, &["create", "-f", "-"], Some(MANIFESTS));
    let start = Instant::now();
    loop {
        let out = kubectl_ok(&kc, &["get", "pods", "-n", "default", "-o", "json"], None);
        let v: Value = serde_json::from_str(&out).unwrap();
        let running = v["items"].as_array().unwrap().iter().any(|p| {
            p["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("billing")
                && p["status"]["phase"] == "Running"
        });
        if running {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "billing never ran"
        );
        std::thread::sleep(Duration::from_millis(300));
    }

    // Export, with the live pods read just before and after (retried until the world
    // held still across the export, so the comparison below is exact).
    let bundle = tmp.path().join("site.opsnap");
    let mut live_pods = None;
    for _ in 0..5 {
        let before = kubectl_ok(&kc, &["get", "pods", "-A", "-o", "json"], None);
        let out = run_ok(
            outpost(&home, &kr)
                .args(["snapshot", "export", &site, "--log-lines", "20", "-o"])
                .arg(&bundle),
        );
        assert!(
            out.contains("exported") && out.contains("log tails"),
            "{out}"
        );
        let after = kubectl_ok(&kc, &["get", "pods", "-A", "-o", "json"], None);
        if comparable(&before, false) == comparable(&after, false) {
            live_pods = Some(before);
            break;
        }
    }
    let live_pods = live_pods.expect("the pods held still across one export");
    let raw = std::fs::read(&bundle).unwrap();
    for s in [DB_PASSWORD, TOKEN] {
        assert!(!raw.windows(s.len()).any(|w| w == s.as_bytes()));
    }
    let shown = run_ok(
        outpost(&home, &kr)
            .args(["snapshot", "show", "--json"])
            .arg(&bundle),
    );
    let manifest: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(manifest["site"], site.as_str());

    // Change an image and a replica count, bounce the site, diff against it live.
    kubectl_ok(
        &kc,
        &[
            "patch",
            "deployment",
            "billing",
            "-n",
            "default",
            "--type=merge",
            "-p",
            r#"{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"app","image":"registry.local:5000/apps/billing:1.1.0"}]}}}}"#,
        ],
        None,
    );
    assert!(
        control
            .http("POST", &format!("/sites/{site}/fault"), "offline")
            .contains("offline")
    );
    control.http("DELETE", &format!("/sites/{site}/fault"), "");
    let mut diff = Value::Null;
    for _ in 0..30 {
        let out = outpost(&home, &kr)
            .args(["snapshot", "diff", "--json"])
            .arg(&bundle)
            .arg(format!("live:{site}"))
            .output()
            .unwrap();
        if out.status.success() {
            diff = serde_json::from_slice(&out.stdout).unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let changes: Vec<(String, String, String, String)> = diff["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("no diff: {diff}"))
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (s("kind"), s("subject"), s("from"), s("to"))
        })
        .collect();
    let t = |a: &str, b: &str, c: &str, d: &str| {
        (a.to_string(), b.to_string(), c.to_string(), d.to_string())
    };
    assert_eq!(
        changes,
        vec![
            t(
                "image",
                "Deployment/default/billing:app",
                "registry.local:5000/apps/billing:1.0.0",
                "registry.local:5000/apps/billing:1.1.0"
            ),
            t("replicas", "Deployment/default/billing", "1", "2"),
        ],
        "{diff}"
    );
    let human = run_ok(
        outpost(&home, &kr)
            .args(["snapshot", "diff"])
            .arg(&bundle)
            .arg(&bundle),
    );
    assert!(human.contains("no changes"), "{human}");

    // Stop the simulator; import the bundle: status shows the site offline from it.
    drop(sim);
    let out = run_ok(
        outpost(&home, &kr)
            .args(["snapshot", "import"])
            .arg(&bundle),
    );
    assert!(out.contains("offline snapshot as of"), "{out}");
    let out = run_ok(outpost(&home, &kr).args(["status", "--json", "--timeout", "3"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let s = &v[0];
    assert_eq!(s["reach"], "unreachable", "{s}");
    assert_eq!(s["stale"], true, "{s}");
    assert_eq!(s["snapshotAt"], manifest["takenAt"], "{s}");
    assert!(s["snapshotAgeSecs"].as_i64().unwrap() >= 0, "{s}");
    let table = run_ok(outpost(&home, &kr).args(["status", "--timeout", "2"]));
    assert!(table.contains("ago"), "{table}");

    // Serve the bundle read-only to kubectl.
    let kc2 = tmp.path().join("snap-kc.yaml");
    let mut serve = std::process::Command::new(assert_cmd::cargo::cargo_bin("outpost"))
        .args(["snapshot", "serve"])
        .arg(&bundle)
        .arg("--kubeconfig")
        .arg(&kc2)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = serve.stderr.take().unwrap();
    let serve = Proc(serve);
    let mut err = BufReader::new(stderr);
    let mut banner = String::new();
    loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "serve ended: {banner}"
        );
        banner.push_str(&line);
        if line.starts_with("ready") {
            break;
        }
    }
    assert!(banner.contains("read-only snapshot as of"), "{banner}");
    let served = kubectl_ok(&kc2, &["get", "pods", "-A", "-o", "json"], None);
    let (want, got) = (comparable(&live_pods, true), comparable(&served, false));
    assert_eq!(want.len(), got.len());
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(
            w, g,
            "served pod differs from the live one beyond pruned fields"
        );
    }
    let billing = got
        .iter()
        .find(|p| {
            p["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("billing")
        })
        .unwrap();
    let env = &billing["spec"]["containers"][0]["env"];
    assert_eq!(env[0]["value"], outpost_core::bundle::redact::REDACTED);
    assert_eq!(env[2]["value"], "info");
    let pod = billing["metadata"]["name"].as_str().unwrap();
    // Log tails come from the bundle (a fresh pod may have none yet: find one that has).
    let with_logs = got.iter().find_map(|p| {
        let (ns, name) = (
            p["metadata"]["namespace"].as_str().unwrap(),
            p["metadata"]["name"].as_str().unwrap(),
        );
        let out = kubectl(&kc2, &["logs", "-n", ns, name, "--tail", "5"], None);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.success() && !text.is_empty()).then_some(text)
    });
    let logs = with_logs.expect("some pod has a log tail in the snapshot");
    assert!(logs.lines().count() <= 5, "{logs}");
    // Writes are refused with a clear Status.
    let out = kubectl(&kc2, &["delete", "pod", "-n", "default", pod], None);
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("read-only snapshot"), "{e}");
    let out = kubectl(&kc2, &["create", "namespace", "should-not-exist"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only snapshot"));
    let secrets = kubectl_ok(&kc2, &["get", "secrets", "-A", "-o", "json"], None);
    for s in [DB_PASSWORD, TOKEN] {
        assert!(!secrets.contains(s), "secret value served");
    }
    drop(serve);
}
