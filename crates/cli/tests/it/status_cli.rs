//! `outpost status` end to end: an `outpost sim` fleet in a child process, imported into
//! a temp OUTPOST_HOME with credentials in a private gnome-keyring (the real Secret
//! Service), a blackholed site that must not hold the report past its deadline, and a
//! site gone offline served stale from its snapshot. Needs the Debian packages dbus and
//! gnome-keyring.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use assert_cmd::Command;
use common::{Control, Keyring};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The `outpost sim` child; killed on drop.
struct Sim {
    child: Child,
    control: Control,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sim(dir: &Path) -> Sim {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("outpost"))
        .args(["sim", "--sites", "3", "--seed", "11", "--speed", "30"])
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
    Sim { child, control }
}

fn outpost(home: &Path, kr: &Keyring) -> Command {
    let mut c = Command::cargo_bin("outpost").unwrap();
    c.env("OUTPOST_HOME", home)
        .env("DBUS_SESSION_BUS_ADDRESS", &kr.address)
        .env("XDG_RUNTIME_DIR", kr.dir.path().join("run"))
        .env("OUTPOST_KEYRING", "secret-service")
        .env_remove("KUBECONFIG")
        .env("RUST_LOG", "debug");
    c
}

fn run_ok(c: &mut Command) -> (String, String) {
    let out = c.output().unwrap();
    let (so, se) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "failed ({:?}): {se}",
        out.status.code()
    );
    (so, se)
}

#[test]
fn status_json_table_stale_and_a_blackholed_site_within_the_deadline() {
    let kr = Keyring::start();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let sim = start_sim(tmp.path());
    let kc = tmp.path().join("kc.yaml");
    run_ok(
        outpost(&home, &kr)
            .arg("site")
            .arg("import")
            .arg(&kc)
            .arg("--all")
            .arg("--sites-file")
            .arg(tmp.path().join("sites.json")),
    );
    let sites: Value = serde_json::from_str(&sim.control.http("GET", "/sites", "")).unwrap();
    let names: Vec<String> = sites
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 3);
    let (dark, up, other) = (&names[0], &names[1], &names[2]);
    assert!(
        sim.control
            .http("POST", &format!("/sites/{dark}/fault"), "blackhole")
            .contains("blackhole")
    );

    let t0 = Instant::now();
    let (out, err) = run_ok(outpost(&home, &kr).args(["status", "--json", "--timeout", "3"]));
    let took = t0.elapsed();
    assert!(
        took < Duration::from_millis(4500),
        "status kept its 3 s deadline: {took:?}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 3, "{out}");
    let by = |n: &str| {
        arr.iter()
            .find(|s| s["name"] == n)
            .unwrap_or_else(|| panic!("{n} in {out}"))
            .clone()
    };
    let d = by(dark);
    assert_eq!(d["reach"], "timeout", "{d}");
    assert_eq!(d["level"], "critical");
    for n in [up, other] {
        let s = by(n);
        assert_eq!(s["reach"], "reachable", "{s}");
        assert!(s["nodesTotal"].as_u64().unwrap() >= 1, "{s}");
        assert!(s["version"].as_str().unwrap().starts_with("v1."), "{s}");
        assert!(
            ["k3s", "microk8s"].contains(&s["distro"].as_str().unwrap()),
            "{s}"
        );
        assert!(s["workloadsTotal"].as_u64().unwrap() >= 1, "{s}");
        assert_eq!(s["stale"], false);
    }
    // No credential reaches the output or the (debug-level) log.
    let kc_text = std::fs::read_to_string(&kc).unwrap();
    let secrets = secrets_in(&kc_text);
    assert!(
        !secrets.is_empty(),
        "the sim's kubeconfig has tokens or keys"
    );
    for secret in secrets {
        assert!(
            !out.contains(&secret) && !err.contains(&secret),
            "a credential leaked"
        );
    }

    // The table, filtered to one site.
    let (table, _) = run_ok(outpost(&home, &kr).args(["status", "--timeout", "3", "--site", up]));
    let head = table.lines().next().unwrap();
    for col in [
        "NAME",
        "LEVEL",
        "REACH",
        "DISTRO/VERSION",
        "NODES",
        "WORKLOADS",
        "PROBLEMS",
        "LAST SEEN",
        "STALE",
    ] {
        assert!(head.contains(col), "{head}");
    }
    assert!(
        table.contains(up.as_str()) && !table.contains(other.as_str()),
        "{table}"
    );
    assert!(!table.contains('\x1b'), "no colour when not a terminal");

    // Offline now: served from the snapshot the first run wrote, flagged stale with its age.
    assert!(
        sim.control
            .http("POST", &format!("/sites/{up}/fault"), "offline")
            .contains("offline")
    );
    let (out, _) =
        run_ok(outpost(&home, &kr).args(["status", "--json", "--timeout", "3", "--site", up]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let s = &v[0];
    assert_eq!(s["reach"], "unreachable", "{s}");
    assert_eq!(s["stale"], true, "{s}");
    assert!(
        s["snapshotAgeSecs"].as_i64().unwrap() >= 0 && s["snapshotAt"].is_string(),
        "{s}"
    );
    assert!(
        s["nodesTotal"].as_u64().unwrap() >= 1,
        "data from the snapshot: {s}"
    );
    let (table, _) = run_ok(outpost(&home, &kr).args(["status", "--timeout", "2", "--site", up]));
    assert!(table.contains("STALE ") && table.contains("ago"), "{table}");

    // Usage errors fail; unhealthy sites do not.
    let out = outpost(&home, &kr)
        .args(["status", "--site", "no-such-site"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-site"));
    let out = outpost(&home, &kr)
        .args(["status", "--timeout", "-1"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));

    // The whole data directory, with the debug log of a status run written into it and
    // every snapshot decoded, holds no token and no client key.
    let (_, log) = run_ok(outpost(&home, &kr).args(["status", "--json", "--timeout", "3"]));
    assert!(log.contains("DEBUG"), "debug logging was on");
    std::fs::write(home.join("status-debug.log"), &log).unwrap();
    let mut files = Vec::new();
    walk(&home, &mut files);
    let mut texts: Vec<(String, Vec<u8>)> = Vec::new();
    for f in &files {
        texts.push((f.display().to_string(), std::fs::read(f).unwrap()));
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(site) = name.strip_suffix(".json.zst") {
            let store = outpost_core::snapshot::SnapshotStore::at(f.parent().unwrap(), u64::MAX);
            let snap = store.read(site).unwrap().expect("a snapshot");
            let label = format!("{} (decoded)", f.display());
            texts.push((label, serde_json::to_vec(&snap).unwrap()));
        }
    }
    let snaps = files
        .iter()
        .filter(|f| f.to_string_lossy().ends_with(".json.zst"))
        .count();
    assert!(snaps >= 2, "snapshots were written: {files:?}");
    for secret in secrets_in(&kc_text) {
        for (label, t) in &texts {
            assert!(
                !t.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a credential is in {label}"
            );
        }
    }
    drop(sim);
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Tokens and base64 key material in a kubeconfig.
fn secrets_in(kc: &str) -> Vec<String> {
    // Parsed, not grepped: the sim writes long values as folded block scalars.
    let doc: serde_json::Value = serde_saphyr::from_str(kc).expect("the sim's kubeconfig");
    doc["users"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|u| ["token", "client-key-data"].map(|k| u["user"][k].as_str()))
        .flatten()
        .filter(|v| v.len() >= 16)
        .flat_map(|v| {
            // Also the first 40 characters, in case of partial printing.
            let head: String = v.chars().take(40).collect();
            [v.to_string(), head]
        })
        .collect()
}
