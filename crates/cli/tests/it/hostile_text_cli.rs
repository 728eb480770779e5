//! Untrusted text printed inert: a bundle whose display name carries an OSC 52
//! clipboard write (and other escapes) goes through `snapshot show`, `snapshot import`,
//! `site show` and `snapshot diff`; no escape, BEL or C1 control reaches the terminal,
//! the readable text does. And a bundle of a registered site taken from another
//! endpoint is imported only with `--as-new-site`. No keyring, no site.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use outpost_core::bundle::{Bundle, Manifest, Redactions, write_file};
use outpost_core::health::{SiteHealth, SiteState, WorkloadInfo};
use serde_json::json;
use std::path::Path;

/// Writes "pwned" to the terminal user's clipboard when printed raw.
const OSC52: &str = "\x1b]52;c;cHduZWQ=\x07";
const HOSTILE_NAME: &str = "Lyon\x1b]52;c;cHduZWQ=\x07 \x1b[2J\u{9b}31mshop";

fn bundle(image: &str, at: i64) -> Bundle {
    let health: SiteHealth = serde_json::from_value(json!({
        "name": "lyon-1", "displayName": HOSTILE_NAME, "tags": [], "level": "ok",
        "reasons": [], "reach": "reachable", "nodesReady": 1, "nodesTotal": 1,
        "nodePressure": [], "workloadsAvailable": 1, "workloadsTotal": 1,
        "problemPods": [], "warnings": [], "stale": false
    }))
    .unwrap();
    let mut state = SiteState {
        git_version: Some(format!("v1.31.4+k3s1{OSC52}")),
        ..SiteState::default()
    };
    state.workloads.insert(
        "Deployment/shop/web".into(),
        WorkloadInfo {
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "web".into(),
            desired: 1,
            available: 1,
            images: [("app".to_string(), image.to_string())].into(),
        },
    );
    Bundle {
        manifest: Manifest {
            format: outpost_core::bundle::format::VERSION,
            site: "lyon-1".into(),
            display_name: HOSTILE_NAME.into(),
            tags: vec![],
            endpoint: "https://127.0.0.1:6443".into(),
            taken_at: jiff::Timestamp::from_second(at).unwrap(),
            distro: None,
            version: Some(format!("v1.31.4+k3s1{OSC52}")),
            outpost_version: outpost_core::VERSION.into(),
            log_lines: 0,
            counts: Default::default(),
            logs: 0,
            logs_failed: 0,
            redactions: Redactions::default(),
        },
        health,
        state,
        resources: Default::default(),
        logs: vec![],
    }
}

fn outpost(home: &Path, args: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("outpost")
        .unwrap()
        .env("OUTPOST_HOME", home)
        .args(args)
        .output()
        .unwrap();
    let (o, e) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(out.status.success(), "{args:?}: {o}{e}");
    (o, e)
}

fn assert_inert(what: &str, s: &str) {
    let bad: Vec<char> = s
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(bad.is_empty(), "{what} printed controls {bad:?}: {s:?}");
}

#[test]
fn a_bundle_named_with_an_osc_52_sequence_prints_inert() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let (a, b) = (dir.path().join("a.opsnap"), dir.path().join("b.opsnap"));
    write_file(&bundle("web:1.0", 1_700_000_000), &a, None).unwrap();
    write_file(&bundle(&format!("web:1.1{OSC52}"), 1_700_000_600), &b, None).unwrap();
    let a_s = a.to_str().unwrap();
    let b_s = b.to_str().unwrap();

    let (show, _) = outpost(&home, &["snapshot", "show", a_s]);
    assert_inert("snapshot show", &show);
    assert!(
        show.contains("Lyon 31mshop") && show.contains("v1.31.4+k3s1"),
        "{show}"
    );

    let (json, _) = outpost(&home, &["snapshot", "show", a_s, "--json"]);
    assert_inert("snapshot show --json", &json);
    let m: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        m["displayName"], HOSTILE_NAME,
        "JSON keeps the value, escaped"
    );

    let (diff, _) = outpost(&home, &["snapshot", "diff", a_s, b_s]);
    assert_inert("snapshot diff", &diff);
    // The two bundles differ only in time: the diff names both and finds no change.
    assert!(
        diff.contains("to   bundle") && diff.contains("no changes"),
        "{diff}"
    );

    let (import, _) = outpost(&home, &["snapshot", "import", b_s]);
    assert_inert("snapshot import", &import);
    let (site, _) = outpost(&home, &["site", "show", "lyon-1"]);
    assert_inert("site show", &site);
    assert!(site.contains("31mshop"), "{site}");
    let (list, _) = outpost(&home, &["site", "list"]);
    assert_inert("site list", &list);
    let (status, _) = outpost(&home, &["status"]);
    assert_inert("status", &status);
}

#[test]
fn a_bundle_from_another_endpoint_is_imported_only_as_a_new_site() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let (a, b) = (dir.path().join("a.opsnap"), dir.path().join("b.opsnap"));
    write_file(&bundle("web:1.0", 1_700_000_000), &a, None).unwrap();
    let mut other = bundle("web:9", 1_700_000_600);
    other.manifest.endpoint = "https://10.66.0.1:6443".into();
    write_file(&other, &b, None).unwrap();
    outpost(&home, &["snapshot", "import", a.to_str().unwrap()]);
    let out = Command::cargo_bin("outpost")
        .unwrap()
        .env("OUTPOST_HOME", &home)
        .args(["snapshot", "import", b.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "imported over another endpoint");
    assert!(err.contains("import it as a new site"), "{err}");
    let (_, _) = outpost(
        &home,
        &[
            "snapshot",
            "import",
            b.to_str().unwrap(),
            "--as-new-site",
            "lyon-9",
        ],
    );
    let (site, _) = outpost(&home, &["site", "show", "lyon-9"]);
    assert!(site.contains("https://10.66.0.1:6443"), "{site}");
    let (site, _) = outpost(&home, &["site", "show", "lyon-1"]);
    assert!(site.contains("https://127.0.0.1:6443"), "{site}");
}
