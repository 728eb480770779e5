//! Import streams with bounded memory: a bundle that decompresses to ~330 MB (64 log
//! tails of 4 MiB and a 64 MB resource list, written record by record) is imported
//! while the process's peak resident memory (VmHWM, reset just before) grows by far
//! less than the bundle's decompressed size. Bundles that compress to little and
//! parse to a lot (a `[{},{},…]` resource list, a huge `state.json`) are refused by
//! `read` and by import, quickly and in bounded memory. Its own test binary, and
//! one test, so nothing else moves the peak.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use outpost_core::bundle::format::{RecordWriter, Tag};
use outpost_core::bundle::{self, Manifest, Redactions};
use outpost_core::paths::Home;
use serde_json::json;
use std::io::BufWriter;

/// A memory figure of this process (`VmHWM:` peak, `VmRSS:` now), in bytes.
fn vm(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with(field)).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

const LOGS: u64 = 64;
const LOG_BYTES: usize = 4 * 1024 * 1024;
/// The most objects a list may hold (`client::MAX_OBJECTS`), each about 6 KB.
const PODS: u64 = 10_000;

fn health() -> serde_json::Value {
    json!({
        "name": "big-site", "displayName": "Big", "tags": [], "level": "ok", "reasons": [],
        "reach": "reachable", "nodesReady": 1, "nodesTotal": 1, "nodePressure": [],
        "workloadsAvailable": 0, "workloadsTotal": 0, "problemPods": [], "warnings": [],
        "stale": false
    })
}

fn manifest(counts: &[(&str, u64)], logs: u64) -> Manifest {
    Manifest {
        format: bundle::format::VERSION,
        site: "big-site".into(),
        display_name: "Big".into(),
        tags: vec![],
        endpoint: "https://127.0.0.1:6443".into(),
        taken_at: jiff::Timestamp::now(),
        distro: None,
        version: Some("v1.31.4+k3s1".into()),
        outpost_version: outpost_core::VERSION.into(),
        log_lines: 100_000,
        counts: counts.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        logs,
        logs_failed: 0,
        redactions: Redactions::default(),
    }
}

const EMPTY_STATE: &[u8] = br#"{"nodes":{},"workloads":{},"pods":{},"events":{}}"#;

type Writer = RecordWriter<BufWriter<std::fs::File>>;

/// A bundle of a manifest, health, `state` and `records`, written to `path`.
fn write(path: &std::path::Path, m: &Manifest, state: &[u8], records: &[(&str, &[u8])]) {
    write_with(path, m, state, |w| {
        for (name, data) in records {
            w.record(Tag::Json, name, data).unwrap();
        }
    });
}

/// Like [`write`], the records after the state written by `more`.
fn write_with(path: &std::path::Path, m: &Manifest, state: &[u8], more: impl FnOnce(&mut Writer)) {
    let f = std::fs::File::create(path).unwrap();
    let mut w = RecordWriter::new(BufWriter::new(f), None).unwrap();
    w.record(
        Tag::Manifest,
        "manifest.json",
        &serde_json::to_vec(m).unwrap(),
    )
    .unwrap();
    w.record(
        Tag::Json,
        "health.json",
        &serde_json::to_vec(&health()).unwrap(),
    )
    .unwrap();
    w.record(Tag::Json, "state.json", state).unwrap();
    more(&mut w);
    w.finish().unwrap();
}

#[test]
fn import_and_read_memory_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.opsnap");
    let manifest = manifest(&[("pods", PODS)], LOGS);
    let mut decompressed = 0;
    write_with(&path, &manifest, EMPTY_STATE, |w| {
        let mut pods = Vec::with_capacity(64 << 20);
        pods.push(b'[');
        for i in 0..PODS {
            if i > 0 {
                pods.push(b',');
            }
            let pad = "x".repeat(6_400);
            pods.extend(
                format!(r#"{{"metadata":{{"name":"pod-{i}","namespace":"ns","annotations":{{"pad":"{pad}"}}}}}}"#)
                    .as_bytes(),
            );
        }
        pods.push(b']');
        w.record(Tag::Json, "resources/pods.json", &pods).unwrap();
        let pods_len = pods.len();
        drop(pods);
        let line = b"2026-11-24T20:00:00Z INFO request served path=/api/orders status=200\n";
        let mut log = Vec::with_capacity(LOG_BYTES);
        while log.len() + line.len() <= LOG_BYTES {
            log.extend_from_slice(line);
        }
        for i in 0..LOGS {
            w.record(Tag::Log, &format!("logs/ns/pod-{i}/app.log"), &log)
                .unwrap();
        }
        decompressed = pods_len as u64 + LOGS * log.len() as u64;
    });
    assert!(decompressed > 300 << 20, "{decompressed}");
    let file_len = std::fs::metadata(&path).unwrap().len();
    let home = Home::at(dir.path().join("home"), "default").unwrap();
    home.ensure().unwrap();

    // Reset the peak to the current resident size (Linux: clear_refs 5), so the peak
    // measured next is the import's alone.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = vm("VmRSS:");
    let r = bundle::import(&path, None, &home, false).unwrap();
    let grew = vm("VmHWM:").saturating_sub(before);
    assert_eq!(r.manifest.counts["pods"], PODS);
    assert!(r.registered);
    assert_eq!(std::fs::metadata(&r.bundle_path).unwrap().len(), file_len);
    eprintln!(
        "import of {file_len} bytes ({decompressed} decompressed): peak memory grew {grew} bytes"
    );
    assert!(
        grew < 48 << 20,
        "import grew the peak by {grew} bytes for a {decompressed}-byte bundle"
    );

    hostile_records_are_refused_in_bounded_memory(dir.path(), &home);
}

/// A resource list of `{}` (3 bytes each, kilobytes compressed) and a huge state:
/// `read` (changes, export, serve, diff) and import refuse both, quickly, with the
/// typed size error, while the peak grows by little.
fn hostile_records_are_refused_in_bounded_memory(dir: &std::path::Path, home: &Home) {
    const N: usize = 30_000_000;
    let bomb = dir.join("bomb.opsnap");
    {
        let mut items = Vec::with_capacity(N * 3 + 2);
        items.push(b'[');
        for i in 0..N {
            if i > 0 {
                items.push(b',');
            }
            items.extend_from_slice(b"{}");
        }
        items.push(b']');
        write(
            &bomb,
            &manifest(&[("pods", N as u64)], 0),
            EMPTY_STATE,
            &[("resources/pods.json", &items)],
        );
    }
    let huge_state = dir.join("state.opsnap");
    {
        let mut st = br#"{"nodes":{},"workloads":{},"events":{},"pods":{"#.to_vec();
        let mut i = 0u64;
        while st.len() < 200 << 20 {
            if i > 0 {
                st.push(b',');
            }
            st.extend(
                format!(r#""ns/p{i}":{{"namespace":"ns","name":"p{i}","restarts":0}}"#).as_bytes(),
            );
            i += 1;
        }
        st.extend_from_slice(b"}}");
        write(&huge_state, &manifest(&[], 0), &st, &[]);
    }
    eprintln!(
        "bomb: {} bytes for {} decompressed; state: {} bytes",
        std::fs::metadata(&bomb).unwrap().len(),
        N * 3,
        std::fs::metadata(&huge_state).unwrap().len()
    );

    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = vm("VmRSS:");
    let started = std::time::Instant::now();
    for path in [&bomb, &huge_state] {
        // (Not `unwrap_err`: a bundle read by mistake would be printed whole.)
        let e = bundle::read_file(path, None).err();
        assert!(
            matches!(e, Some(bundle::BundleError::TooLarge { .. })),
            "read {}: {e:?}",
            path.display()
        );
        let e = bundle::import(path, None, home, true).err();
        assert!(
            matches!(e, Some(bundle::BundleError::TooLarge { .. })),
            "import {}: {e:?}",
            path.display()
        );
        eprintln!(
            "{}: {}",
            path.display(),
            e.map(|e| e.to_string()).unwrap_or_default()
        );
    }
    let took = started.elapsed();
    let grew = vm("VmHWM:").saturating_sub(before);
    eprintln!("hostile records refused in {took:?}; peak memory grew {grew} bytes");
    assert!(grew < 48 << 20, "the peak grew by {grew} bytes");
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
}
