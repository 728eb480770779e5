//! Files dropped on the window, dropped for real: `tests/ui/support/xdnd_drag.py` offers
//! them from a GTK drag source and moves the pointer with XTEST (real input to the X
//! server), so the drop travels the path of a user's drop from a file manager: XDND →
//! WebKitGTK → wry → tao → Tauri's `WindowEvent::DragDrop` → the app's handler
//! (`snapshots::on_window_event`) → import → the notice in the window. Only the file
//! manager itself is replaced by the small drag source.
//!
//! Drops import snapshot bundles only, and only once the user confirmed the notice
//! that shows what the bundle is. A kubeconfig and a truncated bundle are refused
//! with a clear notice and change nothing; a bundle makes its site browsable offline.
//! Needs `/usr/bin/python3` with PyGObject (Debian: python3-gi, gir1.2-gtk-3.0) and
//! libXtst.

use crate::support;

use outpost_core::bundle::{self, Bundle, LogTail, Manifest, Redactions};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(60);
const SITE: &str = "dropped-depot";

/// A small, valid bundle of one site.
fn bundle_of(site: &str) -> Bundle {
    let health = serde_json::from_value(json!({
        "name": site, "displayName": "Dropped depot", "tags": ["drop"], "level": "ok",
        "reasons": [], "reach": "reachable", "nodesReady": 1, "nodesTotal": 1,
        "nodePressure": [], "workloadsAvailable": 1, "workloadsTotal": 1,
        "problemPods": [], "warnings": [], "stale": false,
        "lastSeen": "2026-11-24T20:00:00Z", "version": "v1.31.4+k3s1"
    }))
    .expect("health");
    let mut resources = BTreeMap::new();
    resources.insert(
        "nodes".to_string(),
        vec![json!({"metadata": {"name": "drop-n0"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}],
                       "nodeInfo": {"kubeletVersion": "v1.31.4+k3s1"}}})],
    );
    resources.insert(
        "pods".to_string(),
        vec![
            json!({"metadata": {"name": "scanner-1", "namespace": "depot"},
            "spec": {"containers": [{"name": "app", "image": "registry.local/scanner:1.0"}]},
            "status": {"phase": "Running"}}),
        ],
    );
    Bundle {
        manifest: Manifest {
            format: bundle::format::VERSION,
            site: site.into(),
            display_name: "Dropped depot".into(),
            tags: vec!["drop".into()],
            endpoint: "https://127.0.0.1:1".into(),
            taken_at: "2026-11-24T20:00:00Z".parse().expect("time"),
            distro: None,
            version: Some("v1.31.4+k3s1".into()),
            outpost_version: outpost_core::VERSION.into(),
            log_lines: 100,
            counts: [("pods".to_string(), 1u64), ("nodes".to_string(), 1u64)].into(),
            logs: 1,
            logs_failed: 0,
            redactions: Redactions::default(),
        },
        health,
        state: outpost_core::health::SiteState::default(),
        resources,
        logs: vec![LogTail {
            namespace: "depot".into(),
            pod: "scanner-1".into(),
            container: "app".into(),
            text: b"scanner ready\n".to_vec(),
        }],
    }
}

/// Drags `file` from a GTK drag source onto the middle of the app's window.
async fn drop_file(app: &App, file: &Path) {
    let (x, y, w, h) = app.client.get_window_rect().await.expect("window rect");
    let (x, y) = (x + w / 2, y + h / 2);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui/support/xdnd_drag.py");
    let file = file.to_path_buf();
    let display = app.display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("/usr/bin/python3")
            .env("DISPLAY", display)
            .arg(&script)
            .arg(x.to_string())
            .arg(y.to_string())
            .arg(&file)
            .output()
    })
    .await
    .expect("drag task")
    .expect("run tests/ui/support/xdnd_drag.py (needs /usr/bin/python3 with python3-gi)");
    assert!(
        out.status.success(),
        "the drag did not complete: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn sites(app: &App) -> serde_json::Value {
    app.invoke("list_sites", json!({"req": {}}))
        .await
        .expect("list_sites")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_bundles_import_and_other_files_are_refused() {
    if !ui_tests_enabled("ui_drop") {
        return;
    }
    let files = tempfile::tempdir().expect("temp dir");
    let good = files.path().join("depot.opsnap");
    bundle::write_file(&bundle_of(SITE), &good, None).expect("bundle written");
    let bytes = std::fs::read(&good).expect("bundle");
    let cut = files.path().join("cut.opsnap");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("truncated copy");
    let kubeconfig = files.path().join("site.yaml");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
    )
    .expect("kubeconfig");

    let app = App::launch(&[]).await;
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;
    // Let the notices stream attach before the first drop.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // A kubeconfig is not a bundle: a clear notice, nothing imported.
    drop_file(&app, &kubeconfig).await;
    let n = app
        .wait_text("#snapshot-notices", "site.yaml was not imported", T)
        .await;
    assert!(
        n.contains("invalid_input") && n.contains("not an Outpost snapshot bundle"),
        "{n}"
    );
    assert_eq!(sites(&app).await, json!([]), "nothing imported");
    // A truncated bundle: refused as truncated, nothing imported.
    drop_file(&app, &cut).await;
    let n = app
        .wait_text("#snapshot-notices", "cut.opsnap was not imported", T)
        .await;
    assert!(n.contains("truncated") || n.contains("corrupt"), "{n}");
    assert_eq!(sites(&app).await, json!([]), "nothing imported");
    app.screenshot("drop-01-refused").await;

    // The bundle: read and shown for confirmation, imported only once confirmed,
    // then the site is browsable offline from it.
    drop_file(&app, &good).await;
    let n = app
        .wait_text("#snapshot-notices", "depot.opsnap: import Dropped depot", T)
        .await;
    assert!(n.contains("A new site"), "{n}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sites(&app).await,
        json!([]),
        "imported before the confirmation"
    );
    app.click("#snapshot-notices .notice-confirm").await;
    let n = app
        .wait_text("#snapshot-notices", "offline snapshot as of", T)
        .await;
    assert!(n.contains("depot.opsnap: Imported"), "{n}");
    app.wait_text("#status-sites", "1 site", T).await;
    let listed = sites(&app).await;
    assert_eq!(listed[0]["name"], SITE, "{listed}");
    app.click("#nav-sites").await;
    app.click(&format!("tr[data-site='{SITE}'] td")).await;
    app.wait_text("#stale-banner", "Offline snapshot — as of 2026-11-24", T)
        .await;
    app.wait_text("#nodes-table", "drop-n0", T).await;
    app.screenshot("drop-02-imported").await;
    app.close().await;
}
