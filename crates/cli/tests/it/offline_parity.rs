//! The CLI and the app give the same answer for a stopped site: a simulated site is
//! imported and exported once while it answers (which keeps its stored bundle), then
//! the simulator stops. Its export, changes and logs are then asked of the `outpost`
//! binary (`--home`) and of a [`Session`] opened and called exactly as the app's
//! commands do (`Profiles` opens it with the default options; `snapshot_export`,
//! `site_changes` and `logs_open` make one call each), and the answers must agree.
//!
//! Needs the Secret Service in the test's own environment (the in-process session opens
//! the keyring like the app):
//! `scripts/with-keyring.sh cargo test -p outpost-cli --test it offline_parity::`.

#![allow(clippy::unwrap_used)]

use crate::common::start_sim;
use outpost_core::bundle::{self, CollectOptions};
use outpost_core::credentials::Vault;
use outpost_core::health::MonitorOptions;
use outpost_core::logs::{BufferOptions, OpenSpec, Target, Window};
use outpost_core::paths::Home;
use outpost_core::session::Session;
use outpost_ipc::snapshot::ExportedBundle;
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

/// The CLI on `home`, in this process's keyring environment.
fn outpost(home: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("outpost").unwrap();
    c.env("OUTPOST_HOME", home)
        .env("OUTPOST_KEYRING", "secret-service")
        .env_remove("KUBECONFIG");
    c
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The summary without its age (it depends on when it was made).
fn comparable(e: &ExportedBundle) -> (u64, bool, bool, Value) {
    let mut s = serde_json::to_value(&e.summary).unwrap();
    s.as_object_mut().unwrap().remove("ageSecs");
    (e.bytes, e.encrypted, e.from_snapshot, s)
}

#[test]
fn cli_and_app_agree_on_a_stopped_site() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run under scripts/with-keyring.sh (the app side opens the Secret Service)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let home_dir = tmp.path().join("home");
    let (sim, control) = start_sim(tmp.path(), 1, 7);
    ok(&outpost(&home_dir)
        .args(["site", "import"])
        .arg(tmp.path().join("kc.yaml"))
        .arg("--all")
        .arg("--sites-file")
        .arg(tmp.path().join("sites.json"))
        .output()
        .unwrap());
    let sites: Value = serde_json::from_str(&control.http("GET", "/sites", "")).unwrap();
    let site = sites[0]["name"].as_str().unwrap().to_string();
    // Exports while the site answers (until its pods have logged something): the CLI,
    // as the app, keeps the last one as the site's stored bundle.
    let live = tmp.path().join("live.opsnap");
    let home = Home::resolve(Some(&home_dir), "default").unwrap();
    let started = std::time::Instant::now();
    let tail = loop {
        let out = ok(&outpost(&home_dir)
            .args(["snapshot", "export", &site, "--json", "-o"])
            .arg(&live)
            .output()
            .unwrap());
        let e: ExportedBundle = serde_json::from_str(&out).unwrap();
        assert!(!e.from_snapshot, "{out}");
        let stored = bundle::read_file(&bundle::imported_path(&home, &site), None)
            .expect("the CLI's live export keeps the site's stored bundle, as the app's does");
        let tail = stored
            .logs
            .iter()
            .find(|l| l.text.iter().any(|b| !b.is_ascii_whitespace()))
            .cloned();
        if let Some(t) = tail {
            break t;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no container logged anything"
        );
        std::thread::sleep(Duration::from_secs(2));
    };
    drop(sim);

    // The CLI's answers.
    let cli_out = tmp.path().join("cli.opsnap");
    let out = ok(&outpost(&home_dir)
        .args(["snapshot", "export", &site, "--json", "-o"])
        .arg(&cli_out)
        .output()
        .unwrap());
    let cli_export: ExportedBundle = serde_json::from_str(&out).unwrap();
    let cli_changes = outpost(&home_dir)
        .args(["snapshot", "changes", &site, "--json"])
        .output()
        .unwrap();
    let pod = format!("{}/{}", tail.namespace, tail.pod);
    let cli_logs = ok(&outpost(&home_dir)
        .args(["logs", &site, &pod, "--container", &tail.container])
        .output()
        .unwrap());

    // The app's answers: the session the app opens, called as its commands call it.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app_out = tmp.path().join("app.opsnap");
    let (app_export, app_changes, app_logs) = rt.block_on(async {
        let vault = Arc::new(Vault::open(&home).unwrap());
        let h = home.clone();
        let session = tokio::task::spawn_blocking(move || {
            Session::open(h, vault, MonitorOptions::default()).unwrap()
        })
        .await
        .unwrap();
        session.first_sweep(Duration::from_secs(15)).await;
        assert!(session.standing(&site).down, "the app sees the site down");
        let export = session
            .export(&site, &app_out, None, &CollectOptions::default())
            .await
            .unwrap();
        let changes = session.changes(&site).await.map_err(|e| e.to_string());
        let spec = OpenSpec {
            target: Target::Pod {
                namespace: tail.namespace.clone(),
                name: tail.pod.clone(),
            },
            container: Some(tail.container.clone()),
            follow: true,
            previous: false,
            tail_lines: None,
        };
        let opened = session
            .open_logs(std::slice::from_ref(&site), spec, BufferOptions::default())
            .await
            .unwrap();
        assert!(
            opened.snapshot_at.is_some(),
            "served from the stored bundle"
        );
        let w = Window {
            offset: Some(0),
            limit: 100_000,
        };
        let page = opened.stream.query(&Default::default(), w).unwrap();
        let lines: Vec<String> = page.lines.iter().map(|(l, _)| l.text.to_string()).collect();
        (export, changes, lines)
    });

    // Export: both written from the stored bundle, the same bundle.
    assert!(cli_export.from_snapshot && app_export.from_snapshot);
    assert_eq!(comparable(&cli_export), comparable(&app_export));
    assert_eq!(
        std::fs::read(&cli_out).unwrap(),
        std::fs::read(&app_out).unwrap()
    );
    // Changes: the same answer (the site is offline: they show once it answers).
    let app_err = app_changes.expect_err("no changes while the site is offline");
    assert!(!cli_changes.status.success());
    let cli_err = String::from_utf8_lossy(&cli_changes.stderr);
    assert!(cli_err.contains(&app_err), "cli: {cli_err}\napp: {app_err}");
    assert!(app_err.contains("is offline"), "{app_err}");
    // Logs: the same lines, the ones kept in the bundle.
    let cli_lines: Vec<String> = cli_logs.lines().map(str::to_string).collect();
    assert!(!app_logs.is_empty());
    assert_eq!(cli_lines, app_logs);
}
