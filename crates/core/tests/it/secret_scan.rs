//! The secret scan: simulated K3s (client certificate) and MicroK8s (bearer token)
//! sites are imported through the real import path into a temporary data directory,
//! watched with snapshots written and every log at debug level going to a file in that
//! directory, taken through the failure paths (revoked credentials, TLS faults, laptop
//! sleep, offline and stale); then every file under the data directory (snapshots
//! decompressed) and the log are searched for each token, client key and their base64
//! and PEM-body forms. None may appear.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it secret_scan::`.

use crate::health_support;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use health_support::{fast_opts, spec, start_with, suffix, wait, workload};
use outpost_core::health::Reach;
use outpost_sim::spec::{Distro, WorkloadKind};
use outpost_sim::{Fault, FleetConfig};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A log writer shared by every thread: all lines go to one file.
#[derive(Clone)]
struct LogFile(Arc<Mutex<std::fs::File>>);

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).flush()
    }
}

/// One secret in every form it could be written in, each with a label for the report.
fn forms(label: &str, raw: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(format!("{label} (raw)"), raw.to_vec())];
    for (name, e) in [
        ("base64", &STANDARD),
        ("base64 unpadded", &STANDARD_NO_PAD),
        ("base64url", &URL_SAFE),
        ("base64url unpadded", &URL_SAFE_NO_PAD),
    ] {
        out.push((format!("{label} ({name})"), e.encode(raw).into_bytes()));
    }
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    out.push((format!("{label} (hex)"), hex.into_bytes()));
    out
}

/// Every secret of the simulated fleet's kubeconfig, in all its forms: tokens, the
/// client keys' `client-key-data`, their PEM text, the PEM body (joined and line by
/// line) and the DER key bytes.
fn needles(kubeconfig: &str) -> Vec<(String, Vec<u8>)> {
    let kc: serde_json::Value = serde_saphyr::from_str(kubeconfig).expect("kubeconfig YAML");
    let users = kc["users"].as_array().expect("users");
    let mut out = Vec::new();
    let (mut tokens, mut keys) = (0, 0);
    for u in users {
        let name = u["name"].as_str().unwrap_or("?");
        let user = &u["user"];
        if let Some(t) = user["token"].as_str() {
            tokens += 1;
            out.extend(forms(&format!("{name} token"), t.as_bytes()));
        }
        if let Some(kd) = user["client-key-data"].as_str() {
            keys += 1;
            out.push((format!("{name} client-key-data"), kd.as_bytes().to_vec()));
            let pem = STANDARD.decode(kd).expect("client-key-data is base64");
            out.extend(forms(&format!("{name} key PEM"), &pem));
            let text = String::from_utf8(pem).expect("PEM text");
            let body: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("-----") && !l.trim().is_empty())
                .collect();
            let joined = body.concat();
            let der = STANDARD.decode(&joined).expect("PEM body is base64");
            out.extend(forms(&format!("{name} key DER"), &der));
            out.push((format!("{name} key PEM body"), joined.into_bytes()));
            for (i, l) in body.iter().enumerate() {
                // Full 64-character body lines are specific enough to search for.
                if l.len() >= 40 {
                    out.push((format!("{name} key PEM line {i}"), l.as_bytes().to_vec()));
                }
            }
        }
    }
    assert!(
        tokens >= 1 && keys >= 1,
        "the fleet has token and client-key users"
    );
    out
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The contents to search in a file: its bytes, plus the decompressed bytes of zstd files.
fn contents(p: &Path) -> Vec<Vec<u8>> {
    let raw = std::fs::read(p).expect("readable file");
    let mut v = Vec::new();
    if p.to_string_lossy().ends_with(".zst") {
        let plain = zstd::stream::decode_all(&raw[..]).expect("snapshot decompresses");
        v.push(plain);
    }
    v.push(raw);
    v
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// `(file, form)` for every secret found.
fn scan(files: &[PathBuf], needles: &[(String, Vec<u8>)]) -> Vec<(PathBuf, String)> {
    let mut hits = Vec::new();
    for f in files {
        for c in contents(f) {
            for (label, n) in needles {
                if find(&c, n) {
                    hits.push((f.clone(), label.clone()));
                }
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_or_key_in_the_data_directory_or_the_logs() {
    let s = suffix();
    let n = |k: &str| format!("{k}-{s}");
    let w = || vec![workload("pos-terminal", WorkloadKind::Deployment, 1, false)];
    let (k3s, mk8s, k3s_b, mk8s_b) = (n("k3s"), n("mk8s"), n("k3s-b"), n("mk8s-b"));
    // The log goes into the data directory, created before anything logs.
    let data = tempfile::tempdir().expect("tempdir");
    let log_path = data.path().join("outpost-debug.log");
    let file = std::fs::File::create(&log_path).expect("log file");
    let writer = LogFile(Arc::new(Mutex::new(file)));
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "debug,outpost_core=trace,outpost_sim=trace",
        ))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber of this test binary");

    let env = start_with(FleetConfig {
        sites: vec![
            spec(&k3s, Distro::K3s, 1, w()),
            spec(&mk8s, Distro::MicroK8s, 1, w()),
            spec(&k3s_b, Distro::K3s, 1, w()),
            spec(&mk8s_b, Distro::MicroK8s, 1, w()),
        ],
        speed: 20.0,
        tick: Duration::from_millis(250),
        bookmark_every: Duration::from_millis(500),
        ..FleetConfig::default()
    })
    .await;
    let needles = needles(&env.fleet.kubeconfig_yaml().expect("kubeconfig"));
    let mon = env.monitor(fast_opts());
    for site in [&k3s, &mk8s, &k3s_b, &mk8s_b] {
        wait(&mon, site, 60, "synced", |h| {
            h.reach == Reach::Reachable && h.nodes_total == 1
        })
        .await;
    }
    // Failure paths, where credentials are most likely to end up in an error.
    env.site(&k3s).set_fault(Fault::RevokedToken);
    env.site(&mk8s).set_fault(Fault::RevokedToken);
    env.site(&k3s_b).set_fault(Fault::WrongCa);
    env.site(&mk8s_b).sleep();
    wait(&mon, &k3s, 15, "auth failed", |h| {
        h.reach == Reach::AuthFailed
    })
    .await;
    wait(&mon, &mk8s, 15, "auth failed", |h| {
        h.reach == Reach::AuthFailed
    })
    .await;
    wait(&mon, &k3s_b, 15, "TLS failed", |h| {
        h.reach == Reach::TlsFailed
    })
    .await;
    env.site(&mk8s_b).set_fault(Fault::Offline);
    wait(&mon, &mk8s_b, 15, "unreachable", |h| {
        h.reach == Reach::Unreachable && h.stale
    })
    .await;
    for site in [&k3s, &mk8s, &k3s_b, &mk8s_b] {
        env.site(site).clear_faults();
    }
    for site in [&k3s, &mk8s, &k3s_b, &mk8s_b] {
        wait(&mon, site, 15, "back", |h| {
            h.reach == Reach::Reachable && !h.stale
        })
        .await;
    }
    // The health as `outpost status --json` prints it, kept next to the data too.
    let status = serde_json::to_vec(&mon.current()).expect("health JSON");
    std::fs::write(env.home.dir().join("status.json"), status).expect("status written");
    mon.stop();
    drop(mon);
    // The data directory of the imported profile plus the log directory.
    let mut files = Vec::new();
    files_under(env.dir.path(), &mut files);
    files_under(data.path(), &mut files);
    let snapshots = files
        .iter()
        .filter(|f| f.to_string_lossy().ends_with(".json.zst"))
        .count();
    assert!(snapshots >= 4, "a snapshot per site was written: {files:?}");
    assert!(
        files.iter().any(|f| f.ends_with("sites.json")),
        "the sites file was scanned"
    );
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        log.contains("site synced") && log.contains("DEBUG") && log.lines().count() > 100,
        "the debug log was written ({} lines)",
        log.lines().count()
    );
    // The scan finds a secret where one is (so a clean result means something).
    let planted = data.path().join("planted.txt");
    std::fs::write(&planted, &needles[0].1).expect("planted");
    assert!(
        !scan(std::slice::from_ref(&planted), &needles).is_empty(),
        "the scanner finds a planted secret"
    );
    std::fs::remove_file(&planted).expect("unplant");
    files.retain(|f| f != &planted);
    let hits = scan(&files, &needles);
    assert!(
        hits.is_empty(),
        "secrets found (file, form): {:#?}",
        hits.iter()
            .map(|(f, l)| (f.display().to_string(), l.as_str()))
            .collect::<Vec<_>>()
    );
    eprintln!(
        "scanned {} files ({} snapshots, a {} KiB debug log) for {} secret forms: none found",
        files.len(),
        snapshots,
        log.len() / 1024,
        needles.len()
    );
    env.finish().await;
}
