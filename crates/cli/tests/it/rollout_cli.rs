//! `outpost rollout` end to end against an `outpost sim --demo` child process, with
//! credentials in a private gnome-keyring: a rollout SIGKILLed in the middle of wave 2
//! and resumed (completes, no site updated twice), a bad canary (exit 2, rolled back,
//! nothing else touched), pause and abort from another process, and the reports.
//! Needs the Debian packages dbus and gnome-keyring.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::Keyring;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NEW: &str = "registry.local:5000/retail/pos-terminal:2.5.0";
const OLD: &str = "registry.local:5000/retail/pos-terminal:2.4.1";

/// A child process killed on drop.
struct Kid(Child);

impl Drop for Kid {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn outpost(home: &Path, kr: &Keyring) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("outpost"));
    c.env("OUTPOST_HOME", home)
        .env("DBUS_SESSION_BUS_ADDRESS", &kr.address)
        .env("XDG_RUNTIME_DIR", kr.dir.path().join("run"))
        .env("OUTPOST_KEYRING", "secret-service")
        .env("USER", "rollout-tester")
        .env_remove("KUBECONFIG")
        .env("RUST_LOG", "warn");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `outpost sim --demo` and imports the five retail sites.
fn setup(tmp: &Path, kr: &Keyring) -> (Kid, Vec<String>) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("outpost"))
        .args(["sim", "--demo", "--speed", "10"])
        .arg("--kubeconfig")
        .arg(tmp.join("kc.yaml"))
        .arg("--sites-file")
        .arg(tmp.join("sites.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let sim = Kid(child);
    let home = tmp.join("home");
    let retail = [
        "store-berlin-mitte",
        "store-munich-schwabing",
        "store-paris-marais",
        "store-madrid-salamanca",
        "store-toronto-queen-west",
    ];
    for s in retail {
        let mut imp = outpost(&home, kr);
        imp.args(["site", "import"]).arg(tmp.join("kc.yaml"));
        imp.args(["--context", s]);
        imp.arg("--sites-file").arg(tmp.join("sites.json"));
        let (code, out, err) = run(&mut imp);
        assert_eq!(code, 0, "import {s}: {out}{err}");
    }
    // Let the seeded deployments settle (simulated time runs 10x).
    std::thread::sleep(Duration::from_secs(3));
    (sim, retail.iter().map(|s| s.to_string()).collect())
}

fn report(home: &Path, kr: &Keyring, id: &str) -> Value {
    let (code, out, err) =
        run(outpost(home, kr).args(["rollout", "report", id, "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn kill_nine_mid_wave_then_resume_updates_each_site_once() {
    let kr = Keyring::start();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (_sim, retail) = setup(tmp.path(), &kr);

    let mut child = outpost(&home, &kr)
        .args([
            "rollout",
            "start",
            "retail/pos-terminal",
            &format!("pos={NEW}"),
        ])
        .args([
            "--tag", "retail", "--waves", "1,2,100%", "--soak", "1s", "--poll", "200ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let id = first
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no id in {first:?}"))
        .to_string();
    assert!(
        first.contains("5 site(s) in 3 wave(s) (1, 2, 2)"),
        "{first}"
    );
    // Kill -9 as soon as wave 2 has a site in flight.
    let mut in_wave_two = false;
    let mut seen = Vec::new();
    for l in lines.by_ref() {
        let l = l.unwrap();
        seen.push(l.clone());
        if l.starts_with("wave 2/3") {
            in_wave_two = true;
        }
        if in_wave_two && l.contains("updating") {
            break;
        }
    }
    assert!(in_wave_two, "never reached wave 2: {seen:?}");
    child.kill().unwrap(); // SIGKILL
    let st = child.wait().unwrap();
    assert!(!st.success());

    // The journal says it was interrupted mid-run.
    let (code, out, _) = run(outpost(&home, &kr).args(["rollout", "status", &id]));
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("interrupted"), "{out}");
    let (_, list, _) = run(outpost(&home, &kr).args(["rollout", "list"]));
    assert!(list.contains(&id) && list.contains("interrupted"), "{list}");

    let (code, out, err) =
        run(outpost(&home, &kr).args(["rollout", "resume", &id, "--poll", "200ms"]));
    assert_eq!(code, 0, "resume: {out}\n{err}");
    assert!(out.contains("completed (5 updated"), "{out}");
    let r = report(&home, &kr, &id);
    assert_eq!(r["status"], "completed");
    for s in r["sites"].as_array().unwrap() {
        assert_eq!(s["status"], "updated", "{s}");
        assert_eq!(s["writes"], 1, "{s}");
        assert_eq!(s["revision_before"], 1, "{s}");
        assert_eq!(
            s["revision_after"], 2,
            "each site got exactly one new revision: {s}"
        );
        assert_eq!(s["images_after"], format!("pos={NEW}"));
    }
    // The change journal: one record per site, by the OS user.
    let changes = tmp.path().join("home/rollouts/changes");
    for site in &retail {
        let text = std::fs::read_to_string(changes.join(format!("{site}.jsonl"))).unwrap();
        let recs: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let ok: Vec<&Value> = recs.iter().filter(|r| r["result"] == "ok").collect();
        assert_eq!(ok.len(), 1, "{site}: {text}");
        assert_eq!(ok[0]["user"], "rollout-tester");
        assert_eq!(ok[0]["rollout"], id.as_str());
    }
    // CSV export.
    let csv = tmp.path().join("r.csv");
    let (code, _, _) = run(outpost(&home, &kr)
        .args(["rollout", "report", &id, "--format", "csv", "-o"])
        .arg(&csv));
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 6);
    assert!(text.starts_with("site,wave,status,"));
}

#[test]
fn bad_canary_exits_2_and_pause_abort_from_another_process() {
    let kr = Keyring::start();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (_sim, retail) = setup(tmp.path(), &kr);

    let (code, out, err) = run(outpost(&home, &kr)
        .args([
            "rollout",
            "start",
            "retail/pos-terminal",
            "pos=registry.local:5000/retail/pos-terminal:bad-9",
        ])
        .args(["--all", "--soak", "1s", "--poll", "200ms"]));
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(out.contains("ImagePullBackOff"), "{out}");
    assert!(out.contains("rolled back"), "{out}");
    let (_, list, _) = run(outpost(&home, &kr).args(["rollout", "list", "--json"]));
    let list: Value = serde_json::from_str(&list).unwrap();
    let r = &list[0];
    assert_eq!(r["status"], "failed");
    let sites = r["sites"].as_array().unwrap();
    assert_eq!(
        sites
            .iter()
            .filter(|s| s["status"] == "rolled back")
            .count(),
        1
    );
    assert_eq!(
        sites.iter().filter(|s| s["status"] == "waiting").count(),
        retail.len() - 1
    );

    // Pause from another process while it runs, then abort.
    let child = outpost(&home, &kr)
        .args([
            "rollout",
            "start",
            "retail/pos-terminal",
            &format!("pos={NEW}"),
        ])
        .args([
            "--all",
            "--waves",
            "1,1,1,100%",
            "--soak",
            "2s",
            "--poll",
            "200ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Kid(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let id = first.split_whitespace().nth(1).unwrap().to_string();
    let (code, out, err) = run(outpost(&home, &kr).args(["rollout", "pause", &id]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("pause requested"), "{out}");
    let t0 = Instant::now();
    let st = loop {
        if let Some(st) = child.0.try_wait().unwrap() {
            break st;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "did not pause");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(st.code(), Some(4), "paused exit code");
    let (code, out, _) = run(outpost(&home, &kr).args(["rollout", "status", &id, "--json"]));
    assert_eq!(code, 4);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["status"], "paused");
    let waiting = v["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "waiting")
        .count();
    assert!(waiting >= 3, "paused before the later waves: {v}");
    let (code, _, _) = run(outpost(&home, &kr).args(["rollout", "abort", &id]));
    assert_eq!(code, 0);
    let (code, out, err) = run(outpost(&home, &kr).args(["rollout", "resume", &id]));
    assert_eq!(code, 5, "aborted: {out}{err}");
    let (code, _, err) = run(outpost(&home, &kr).args(["rollout", "resume", &id]));
    assert_eq!(code, 1, "an aborted rollout is not resumed");
    assert!(err.contains("aborted"), "{err}");
    let _ = OLD;
}

#[test]
fn upgrade_k3s_moves_nodes_and_microk8s_gets_the_snap_command() {
    let kr = Keyring::start();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (_sim, _) = setup(tmp.path(), &kr);
    let target = "v1.31.9+k3s1";
    // The health gate may refuse while the sites are still starting: retry until healthy.
    let t0 = Instant::now();
    let out = loop {
        let (code, out, err) = run(outpost(&home, &kr)
            .args(["upgrade", "k3s", "--version", target])
            .args(["--sites", "store-berlin-mitte,store-paris-marais"]));
        if code == 0 {
            break out;
        }
        assert!(
            out.contains("--force") || err.contains("--force"),
            "{out}{err}"
        );
        assert!(
            t0.elapsed() < Duration::from_secs(40),
            "still refused: {out}{err}"
        );
        std::thread::sleep(Duration::from_secs(1));
    };
    assert!(
        out.contains(
            "store-berlin-mitte: upgrading to v1.31.9+k3s1 (plans created: k3s-server k3s-agent"
        ),
        "{out}"
    );
    assert!(out.contains("store-paris-marais: MicroK8s cannot be upgraded by Outpost; on each node run: sudo snap refresh microk8s --channel=1.31/stable"), "{out}");
    let t0 = Instant::now();
    loop {
        let (code, out, err) = run(outpost(&home, &kr).args([
            "upgrade",
            "status",
            "--json",
            "--sites",
            "store-berlin-mitte,store-paris-marais",
        ]));
        assert_eq!(code, 0, "{out}{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        let berlin = &v.as_array().unwrap()[0];
        assert_eq!(berlin["site"], "store-berlin-mitte");
        let paris = &v.as_array().unwrap()[1];
        assert!(
            paris["command"]
                .as_str()
                .unwrap()
                .starts_with("sudo snap refresh microk8s --channel="),
            "{paris}"
        );
        if berlin["upgrade"]["done"] == true {
            let nodes = berlin["upgrade"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), 2);
            assert!(nodes.iter().all(|n| n["version"] == target), "{berlin}");
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "upgrade not done: {berlin}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let (_, text, _) =
        run(outpost(&home, &kr).args(["upgrade", "status", "--sites", "store-berlin-mitte"]));
    assert!(
        text.contains("store-berlin-mitte  at v1.31.9+k3s1"),
        "{text}"
    );
}
