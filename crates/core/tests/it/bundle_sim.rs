//! Snapshot bundles against the simulator: export a site holding Secrets, sensitive env
//! values and ConfigMap keys, scan the decoded bundle (plain and encrypted) for every
//! secret value, import it into a fresh profile and see the site offline from it with
//! its age, diff an image and a replica change after a reconnect, and check that bad
//! bundles (truncated, flipped, wrong version, hostile names) change nothing.
//!
//! Credentials live in the real Secret Service: run as
//! `scripts/with-keyring.sh cargo test -p outpost-core --test it bundle_sim::`.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use crate::health_support;

use base64::Engine;
use health_support::{fast_opts, spec, wait, workload};
use outpost_core::bundle::{self, BundleError, ChangeKind, CollectOptions, Diff, SecretString};
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::health::FleetMonitor;
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::snapshot::SnapshotStore;
use outpost_sim::Fault;
use outpost_sim::resource::Resource;
use outpost_sim::spec::{Distro, WorkloadKind};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const SECRET_VALUES: [&str; 4] = [
    "hunter2-db-password-7731",
    "tok_live_9f8e7d6c5b4a",
    "cm-api-key-0042-zz",
    "s3cr3t-in-a-url",
];

fn plant_secrets(store: &outpost_sim::store::Store) {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    store
        .create(
            Resource::Secret,
            json!({"metadata": {"name": "db-credentials", "namespace": "shop"}, "type": "Opaque",
                   "data": {"password": b64(SECRET_VALUES[0]), "token": b64(SECRET_VALUES[1])}}),
        )
        .unwrap();
    store
        .create(
            Resource::ConfigMap,
            json!({"metadata": {"name": "app-config", "namespace": "shop"},
                   "data": {"api_key": SECRET_VALUES[2], "log_level": "info"}}),
        )
        .unwrap();
    let env = json!([
        {"name": "DB_PASSWORD", "value": SECRET_VALUES[0]},
        {"name": "UPSTREAM", "value": format!("https://app:{}@example.invalid/", SECRET_VALUES[3])},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "db-credentials", "key": "token"}}}
    ]);
    store
        .create(
            Resource::Deployment,
            json!({"metadata": {"name": "billing", "namespace": "shop",
                                "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                                    format!("{{\"env\":\"{}\"}}", SECRET_VALUES[0])}},
                   "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "billing"}},
                            "template": {"metadata": {"labels": {"app": "billing"}},
                                         "spec": {"containers": [{"name": "app",
                                             "image": "registry.local:5000/apps/billing:1.0.0",
                                             "env": env}]}}}}),
        )
        .unwrap();
}

/// Every byte a bundle holds, decoded.
fn decoded(b: &bundle::Bundle) -> Vec<u8> {
    let mut out = serde_json::to_vec(&b.manifest).unwrap();
    out.extend(serde_json::to_vec(&b.health).unwrap());
    out.extend(serde_json::to_vec(&b.state).unwrap());
    out.extend(serde_json::to_vec(&b.resources).unwrap());
    for l in &b.logs {
        out.extend(l.entry_name().as_bytes());
        out.extend(&l.text);
    }
    out
}

fn assert_no_secrets(label: &str, bytes: &[u8]) {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for s in SECRET_VALUES {
        for needle in [s.to_string(), b64(s)] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{label}: secret value {needle:?} found"
            );
        }
    }
}

/// Every file under `dir` with its content, to prove an import changed nothing.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_scan_import_offline_diff_and_bad_bundles() {
    let env = health_support::start(vec![spec(
        "bundle-a",
        Distro::K3s,
        2,
        vec![
            workload("web", WorkloadKind::Deployment, 2, false),
            workload("db", WorkloadKind::StatefulSet, 1, false),
        ],
    )])
    .await;
    let site_name = "bundle-a";
    let h = env.site(site_name);
    plant_secrets(h.store());
    let site = env.store.get(site_name).unwrap();
    let clients = ClientCache::new(env.vault.clone(), Timeouts::default());
    // Let the world create the billing pods (their env is copied from the template).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (pods, _) = h.store().list(Resource::Pod, Some("shop"));
        if pods.iter().any(|p| {
            p["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .starts_with("billing")
        }) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no billing pod");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Every workload up, so every container has a log to tail.
    let m0 = env.monitor(fast_opts());
    wait(&m0, site_name, 30, "all workloads available", |s| {
        s.workloads_total >= 4 && s.workloads_available == s.workloads_total
    })
    .await;
    m0.stop();

    // Export, plain and encrypted.
    let opts = CollectOptions {
        log_lines: 20,
        ..CollectOptions::default()
    };
    let plain = env.dir.path().join("a.opsnap");
    let (b, size) = bundle::export(&site, &clients, &opts, &plain, None)
        .await
        .unwrap();
    assert!(size > 0);
    let m = &b.manifest;
    assert_eq!(m.site, site_name);
    assert_eq!(m.version.as_deref(), Some("v1.31.4+k3s1"));
    assert_eq!(m.format, bundle::format::VERSION);
    assert_eq!(m.outpost_version, outpost_core::VERSION);
    assert!(m.counts["pods"] >= 4 && m.counts["nodes"] == 2, "{m:?}");
    assert!(m.logs >= 3 && m.logs_failed == 0, "log tails kept: {m:?}");
    assert!(
        m.redactions.secrets >= 1 && m.redactions.env_values >= 2,
        "{m:?}"
    );
    assert_eq!(b.health.nodes_total, 2);
    let secret = b.resources["secrets"]
        .iter()
        .find(|s| s["metadata"]["name"] == "db-credentials")
        .unwrap();
    assert_eq!(secret.get("data"), None);
    assert_eq!(
        secret["metadata"]["annotations"][bundle::redact::SECRET_KEYS],
        "password,token",
        "key names kept: {secret}"
    );
    let pass = SecretString::from("field technician passphrase".to_string());
    let enc = env.dir.path().join("a-enc.opsnap");
    bundle::export(&site, &clients, &opts, &enc, Some(&pass))
        .await
        .unwrap();

    // The secret scan: decoded bundles, and the raw files.
    let read = bundle::read_file(&plain, None).unwrap();
    assert_eq!(read.manifest, b.manifest);
    assert_no_secrets("plain bundle (decoded)", &decoded(&read));
    assert_no_secrets("plain bundle (raw)", &std::fs::read(&plain).unwrap());
    let read_enc = bundle::read_file(&enc, Some(&pass)).unwrap();
    assert_no_secrets("encrypted bundle (decoded)", &decoded(&read_enc));
    assert!(matches!(
        bundle::read_file(&enc, None),
        Err(BundleError::PassphraseRequired)
    ));

    // Bad bundles: nothing changes in the profile.
    let fresh = Home::at(env.dir.path().join("fresh"), "default").unwrap();
    fresh.ensure().unwrap();
    let before = tree(&fresh.dir());
    let data = std::fs::read(&plain).unwrap();
    let bad = env.dir.path().join("bad.opsnap");
    let step = (data.len() / 150).max(1);
    let mut cuts: Vec<usize> = (0..data.len()).step_by(step).collect();
    cuts.extend(0..64.min(data.len()));
    for cut in cuts {
        std::fs::write(&bad, &data[..cut]).unwrap();
        let r = bundle::import(&bad, None, &fresh, false);
        assert!(r.is_err(), "truncated at {cut} imported");
    }
    for i in (0..data.len()).step_by(step) {
        let mut d = data.clone();
        d[i] ^= 0x01;
        std::fs::write(&bad, &d).unwrap();
        let r = bundle::import(&bad, None, &fresh, false);
        assert!(r.is_err(), "flipped byte {i} imported");
    }
    let mut d = data.clone();
    d[8] = 9;
    std::fs::write(&bad, &d).unwrap();
    let r = bundle::import(&bad, None, &fresh, false);
    assert!(
        matches!(r, Err(BundleError::UnsupportedVersion { found: 9, .. })),
        "{r:?}"
    );
    let mut evil = read.clone();
    evil.manifest.site = "../../escape".into();
    bundle::write_file(&evil, &bad, None).unwrap();
    let r = bundle::import(&bad, None, &fresh, false);
    assert!(matches!(r, Err(BundleError::HostileName(_))), "{r:?}");
    assert_eq!(
        tree(&fresh.dir()),
        before,
        "failed imports changed the profile"
    );

    // Import into the fresh profile: registered without credentials, stale from the
    // snapshot, with its age.
    let rep = bundle::import(&enc, Some(&pass), &fresh, false).unwrap();
    assert!(rep.registered);
    assert!(rep.bundle_path.exists());
    let snap = SnapshotStore::new(&fresh).read(site_name).unwrap().unwrap();
    assert_eq!(snap.taken_at, read_enc.manifest.taken_at);
    let sites = SiteStore::new(&fresh).list().unwrap();
    assert_eq!(sites.len(), 1);
    let mon = FleetMonitor::start(
        sites,
        env.vault.clone(),
        Some(SnapshotStore::new(&fresh)),
        fast_opts(),
    );
    let health = mon.first_sweep(Duration::from_secs(5)).await;
    let s = &health.sites[site_name];
    assert!(s.stale, "{s:?}");
    assert_eq!(s.snapshot_at, Some(snap.taken_at));
    assert!(s.snapshot_age_secs.is_some_and(|a| a >= 0), "{s:?}");
    assert_eq!(s.nodes_total, 2, "data from the bundle: {s:?}");
    mon.stop();
    // Importing an older bundle over a newer snapshot is refused.
    let older = bundle::import(&plain, None, &fresh, false);
    assert!(matches!(older, Err(BundleError::Older { .. })), "{older:?}");

    // Diff on reconnect: offline, change an image and a replica count, back online.
    h.set_fault(Fault::Offline);
    h.change_deployment("shop", "web", |_| {
        (3, "registry.local:5000/apps/web:1.1.0".to_string())
    })
    .unwrap();
    h.clear_faults();
    // The listener comes back asynchronously: retry the reconnect for a while.
    let until = tokio::time::Instant::now() + Duration::from_secs(15);
    let live = loop {
        match bundle::live_view(&site, &clients, Duration::from_secs(5)).await {
            Ok(v) => break v,
            Err(e) if tokio::time::Instant::now() < until => {
                eprintln!("reconnecting: {e}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Err(e) => panic!("no reconnect: {e}"),
        }
    };
    let d = Diff::between(&bundle::View::of_bundle("a".into(), &read), &live);
    let got: Vec<(ChangeKind, String, Option<String>, Option<String>)> = d
        .changes
        .iter()
        .map(|c| (c.kind, c.subject.clone(), c.from.clone(), c.to.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                ChangeKind::Image,
                "Deployment/shop/web:app".to_string(),
                Some("registry.local:5000/apps/web:1.0.0".to_string()),
                Some("registry.local:5000/apps/web:1.1.0".to_string())
            ),
            (
                ChangeKind::Replicas,
                "Deployment/shop/web".to_string(),
                Some("2".to_string()),
                Some("3".to_string())
            ),
        ],
        "{}",
        d.render()
    );
    // The monitor of the original profile sees it live again.
    let m2 = env.monitor(fast_opts());
    wait(&m2, site_name, 10, "live", |s| {
        !s.stale && s.nodes_total == 2
    })
    .await;
    m2.stop();
    env.finish().await;
}
