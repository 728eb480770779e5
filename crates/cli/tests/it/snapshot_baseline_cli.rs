//! `outpost snapshot diff` over the health engine's snapshot cache: the reconnect
//! baseline a site came back from (`before-reconnect:SITE`) against its latest snapshot
//! (`snapshot:SITE`), with no keyring and no site involved.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use outpost_core::health::{SiteHealth, SiteState, WorkloadInfo};
use outpost_core::paths::Home;
use outpost_core::snapshot::{FORMAT, Snapshot, SnapshotStore};
use serde_json::{Value, json};

fn snapshot(site: &str, replicas: i32, image: &str, at: &str) -> Snapshot {
    let health: SiteHealth = serde_json::from_value(json!({
        "name": site, "displayName": site, "tags": [], "level": "ok", "reasons": [],
        "reach": "reachable", "nodesReady": 1, "nodesTotal": 1, "nodePressure": [],
        "workloadsAvailable": 1, "workloadsTotal": 1, "problemPods": [], "warnings": [],
        "stale": false
    }))
    .unwrap();
    let mut state = SiteState {
        git_version: Some("v1.31.4+k3s1".into()),
        ..SiteState::default()
    };
    state.workloads.insert(
        "Deployment/shop/web".into(),
        WorkloadInfo {
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "web".into(),
            desired: replicas,
            available: replicas,
            images: [("app".to_string(), image.to_string())].into(),
        },
    );
    Snapshot {
        format: FORMAT,
        site: site.into(),
        taken_at: at.parse().unwrap(),
        state,
        health,
    }
}

#[test]
fn diff_from_the_reconnect_baseline_to_the_latest_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path(), "default").unwrap();
    let store = SnapshotStore::new(&home);
    store
        .keep_baseline(&snapshot("lyon-1", 2, "web:1.0", "2026-11-24T20:00:00Z"))
        .unwrap();
    store
        .write(&snapshot("lyon-1", 3, "web:1.1", "2026-11-24T21:00:00Z"))
        .unwrap();
    let out = Command::cargo_bin("outpost")
        .unwrap()
        .env("OUTPOST_HOME", dir.path())
        .args([
            "snapshot",
            "diff",
            "before-reconnect:lyon-1",
            "snapshot:lyon-1",
        ])
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["fromTime"], "2026-11-24T20:00:00Z", "{d}");
    assert_eq!(d["toTime"], "2026-11-24T21:00:00Z", "{d}");
    assert_eq!(
        d["changes"],
        json!([
            {"kind": "image", "subject": "Deployment/shop/web:app", "from": "web:1.0", "to": "web:1.1"},
            {"kind": "replicas", "subject": "Deployment/shop/web", "from": "2", "to": "3"}
        ])
    );
    // Human output, and a clear error for a site with no baseline.
    let text = Command::cargo_bin("outpost")
        .unwrap()
        .env("OUTPOST_HOME", dir.path())
        .args([
            "snapshot",
            "diff",
            "before-reconnect:lyon-1",
            "snapshot:lyon-1",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains("replicas     Deployment/shop/web: 2 -> 3"),
        "{text}"
    );
    let none = Command::cargo_bin("outpost")
        .unwrap()
        .env("OUTPOST_HOME", dir.path())
        .args([
            "snapshot",
            "diff",
            "before-reconnect:paris-2",
            "snapshot:lyon-1",
        ])
        .output()
        .unwrap();
    assert!(!none.status.success());
    let err = String::from_utf8_lossy(&none.stderr);
    assert!(
        err.contains("no before-reconnect snapshot is kept for paris-2"),
        "{err}"
    );
}
