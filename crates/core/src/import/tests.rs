//! Import tests: generated PKI, fixture kubeconfigs, a loopback TLS server.

use super::*;
use crate::credentials::Vault;
use crate::credentials::mock::MemoryStore;
use crate::paths::Home;
use crate::registry::{Distro, SiteStore};
use crate::testing::{Pki, VersionServer, b64, fill};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

const K3S: &str = include_str!("../../tests/fixtures/k3s.yaml");
const MICROK8S: &str = include_str!("../../tests/fixtures/microk8s.yaml");
const MULTI: &str = include_str!("../../tests/fixtures/multi.yaml");

pub(super) struct Env {
    pub(super) tmp: tempfile::TempDir,
    pub(super) store: SiteStore,
    mem: MemoryStore,
    pub(super) vault: Vault,
}

pub(super) fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let mem = MemoryStore::default();
    Env {
        store: SiteStore::new(&home),
        vault: Vault::new(Box::new(mem.clone()), &home),
        mem,
        tmp,
    }
}

pub(super) fn text(s: String) -> Input {
    Input::Text { text: s }
}

pub(super) fn server(
    pki: &Pki,
    sans: &[&str],
    ip: &str,
) -> (VersionServer, crate::testing::Issued) {
    let serving = pki.serving(sans);
    let addr: SocketAddr = format!("{ip}:0").parse().unwrap();
    let s =
        VersionServer::start(addr, &serving.cert_pem, &serving.key_pem, "v1.31.4+k3s1").unwrap();
    (s, serving)
}

pub(super) fn k3s(pki: &Pki, client: &crate::testing::Issued) -> String {
    fill(
        K3S,
        &[
            ("CA_DATA", &b64(&pki.ca_pem)),
            ("CERT_DATA", &b64(&client.cert_pem)),
            ("KEY_DATA", &b64(&client.key_pem)),
        ],
    )
}

pub(super) fn opts(name: &str, address: &str) -> ImportOptions {
    ImportOptions {
        name: Some(name.into()),
        address: Some(address.into()),
        tls_timeout: std::time::Duration::from_millis(1500),
        ..Default::default()
    }
}

/// A loopback port with nothing listening.
pub(super) fn closed_port(ip: &str) -> u16 {
    let l = std::net::TcpListener::bind(format!("{ip}:0")).unwrap();
    l.local_addr().unwrap().port()
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn k3s_import_renames_rewrites_checks_sans_and_keeps_secrets_out_of_files_and_logs() {
    let pki = Pki::new("k3s-server-ca");
    let (srv, _) = server(&pki, &["127.77.1.1", "localhost"], "127.77.1.1");
    let client = pki.client("system:admin", None);
    let e = env();
    let logs = Captured::default();
    let w = logs.clone();
    let sub = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || w.clone())
        .finish();
    let addr = format!("127.77.1.1:{}", srv.addr.port());
    let plan = tracing::subscriber::with_default(sub, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let plan = rt
            .block_on(plan(&text(k3s(&pki, &client)), &opts("lyon-1", &addr), &[]))
            .unwrap();
        let dbg = format!("{plan:?}");
        let json = serde_json::to_string(&plan).unwrap();
        apply(plan.clone(), &e.store, &e.vault).unwrap();
        (plan, dbg, json)
    });
    let (plan, dbg, json) = plan;
    let p = &plan.sites[0];
    assert_eq!(p.context, "default");
    assert_eq!(p.site.name, "lyon-1");
    let renamed: Vec<_> = p
        .renames
        .iter()
        .map(|r| (r.entry, r.from.as_str()))
        .collect();
    assert_eq!(
        renamed,
        [
            ("cluster", "default"),
            ("user", "default"),
            ("context", "default")
        ]
    );
    assert_eq!(p.server_before, "https://127.0.0.1:6443");
    assert_eq!(p.server_after, format!("https://{addr}"));
    assert_eq!(p.site.distro, Some(Distro::K3s));
    assert_eq!(p.credential_kind, CredentialKind::ClientCert);
    let SanCheck::Covered { name, sans } = &p.san_check else {
        panic!("{:?}", p.san_check)
    };
    assert_eq!(name, "127.77.1.1");
    assert!(sans.contains(&"IP:127.77.1.1".to_string()), "{sans:?}");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert!(p.client_cert_expires.is_some());

    let stored = e.store.get("lyon-1").unwrap();
    let ids = [
        e.vault.entry_id("lyon-1", Item::ClientCert),
        e.vault.entry_id("lyon-1", Item::ClientKey),
    ];
    assert_eq!(stored.credentials.entries, ids);
    assert_eq!(stored.ca_pem.as_deref(), Some(pki.ca_pem.as_str()));
    assert_eq!(
        e.vault.get("lyon-1", Item::ClientKey).unwrap().expose(),
        client.key_pem.as_bytes()
    );
    assert_eq!(e.mem.ids(), ids);

    // The secret never lands in the store file, logs, the plan's Debug or its JSON.
    let key_body: String = client
        .key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let store_text = std::fs::read_to_string(e.store.path()).unwrap();
    let log_text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        log_text.contains("site imported"),
        "logs were captured: {log_text}"
    );
    for hay in [&store_text, &log_text, &dbg, &json] {
        assert!(!hay.contains(&key_body[..40]));
        assert!(!hay.contains(&b64(&client.key_pem)[..40]));
        assert!(!hay.contains("PRIVATE KEY"));
    }
    let _ = e.tmp;
}

#[tokio::test]
async fn san_mismatch_says_how_to_fix_it_for_k3s() {
    let pki = Pki::new("ca");
    let (srv, _) = server(&pki, &["10.0.0.1", "kubernetes"], "127.77.1.2");
    let client = pki.client("admin", None);
    let addr = format!("127.77.1.2:{}", srv.addr.port());
    let e = plan(&text(k3s(&pki, &client)), &opts("edge", &addr), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Tls);
    let m = e.to_string();
    assert!(m.contains("--tls-san 127.77.1.2"), "{m}");
    assert!(m.contains("IP:10.0.0.1"), "{m}");
}

#[tokio::test]
async fn microk8s_token_import_and_its_fix_hint() {
    let pki = Pki::new("microk8s-ca");
    let (srv, _) = server(&pki, &["10.1.1.1"], "127.77.1.3");
    let cfg = fill(
        MICROK8S,
        &[
            ("CA_DATA", &b64(&pki.ca_pem)),
            ("TOKEN", "mk8s-secret-token"),
        ],
    );
    let addr = format!("127.77.1.3:{}", srv.addr.port());
    let e = plan(&text(cfg.clone()), &opts("mk", &addr), &[])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("csr.conf.template"), "{e}");

    let (srv, _) = server(&pki, &["127.77.1.3"], "127.77.1.3");
    let addr = format!("127.77.1.3:{}", srv.addr.port());
    let p = plan(&text(cfg), &opts("mk", &addr), &[]).await.unwrap();
    let s = &p.sites[0];
    assert_eq!(s.site.distro, Some(Distro::MicroK8s));
    assert_eq!(s.credential_kind, CredentialKind::Token);
    let names: Vec<_> = s.renames.iter().map(|r| r.from.as_str()).collect();
    assert_eq!(names, ["microk8s-cluster", "admin", "microk8s"]);
    assert_eq!(s.items(), [Item::Token]);
}

#[tokio::test]
async fn a_serving_cert_from_another_ca_is_refused() {
    let pki = Pki::new("right-ca");
    let other = Pki::new("wrong-ca");
    let (srv, _) = server(&other, &["127.77.1.4"], "127.77.1.4");
    let client = pki.client("admin", None);
    let addr = format!("127.77.1.4:{}", srv.addr.port());
    let e = plan(&text(k3s(&pki, &client)), &opts("edge", &addr), &[])
        .await
        .unwrap_err();
    assert!(matches!(e, ImportError::CaMismatch { .. }), "{e}");
}

#[tokio::test]
async fn unreachable_server_gives_a_warning_not_silence_and_host_only_address_keeps_the_port() {
    let pki = Pki::new("ca");
    let client = pki.client("admin", None);
    let port = closed_port("127.77.1.5");
    let cfg = k3s(&pki, &client).replace(":6443", &format!(":{port}"));
    let p = plan(&text(cfg), &opts("edge", "127.77.1.5"), &[])
        .await
        .unwrap();
    let s = &p.sites[0];
    assert_eq!(s.server_after, format!("https://127.77.1.5:{port}"));
    assert!(
        matches!(s.san_check, SanCheck::NotRun { .. }),
        "{:?}",
        s.san_check
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("could not check the serving certificate"))
    );
}

fn write_multi(dir: &std::path::Path, pki: &Pki, with_ca_file: bool) -> std::path::PathBuf {
    let client = pki.client("lyon", None);
    if with_ca_file {
        std::fs::write(dir.join("ca.crt"), &pki.ca_pem).unwrap();
    }
    std::fs::write(dir.join("client.crt"), &client.cert_pem).unwrap();
    std::fs::write(dir.join("client.key"), &client.key_pem).unwrap();
    let cfg = fill(
        MULTI,
        &[
            ("CA_DATA", &b64(&pki.ca_pem)),
            ("PASSWORD", "basic-pass-123"),
            ("EXEC_SECRET", "exec-seed-456"),
        ],
    );
    let p = dir.join("config");
    std::fs::write(&p, cfg).unwrap();
    p
}

#[tokio::test]
async fn missing_referenced_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("ca");
    let p = write_multi(dir.path(), &pki, false);
    let e = plan(&Input::Path(p), &ImportOptions::default(), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::NotFound);
    let m = e.to_string();
    assert!(
        m.contains("certificate-authority") && m.contains("ca.crt"),
        "{m}"
    );
}

#[tokio::test]
async fn all_contexts_with_a_sites_file_then_duplicates_are_refused() {
    let e = env();
    let pki = Pki::new("ca");
    let p = write_multi(e.tmp.path(), &pki, true);
    let sites_file = e.tmp.path().join("sites.json");
    let (p1, p2) = (closed_port("127.77.1.8"), closed_port("127.77.1.9"));
    std::fs::write(
        &sites_file,
        serde_json::json!([
            {"name": "lyon-1", "display_name": "Lyon Part-Dieu", "city": "Lyon", "latitude": 45.76,
             "longitude": 4.86, "tags": ["fr"], "distro": "k3s", "version": "v1.31.4+k3s1",
             "endpoint": format!("https://127.77.1.8:{p1}")},
            {"name": "nantes-2", "display_name": "Nantes", "city": "Nantes", "latitude": 47.2,
             "longitude": -1.55, "tags": [], "distro": "microk8s", "version": "v1.30.5",
             "endpoint": format!("https://127.77.1.9:{p2}")}
        ])
        .to_string(),
    )
    .unwrap();
    let o = ImportOptions {
        selection: Selection::All,
        sites_file: Some(sites_file),
        tags: vec!["imported".into()],
        tls_timeout: std::time::Duration::from_millis(500),
        ..Default::default()
    };
    let plan1 = plan(&Input::Path(p.clone()), &o, &[]).await.unwrap();
    let by: std::collections::HashMap<_, _> = plan1
        .sites
        .iter()
        .map(|s| (s.context.as_str(), s))
        .collect();
    let lyon = &by["lyon-1"].site;
    assert_eq!(lyon.display_name, "Lyon Part-Dieu");
    assert_eq!(lyon.endpoint, format!("https://127.77.1.8:{p1}"));
    assert_eq!(lyon.tags, ["fr", "imported"]);
    assert_eq!(lyon.location.address.as_deref(), Some("Lyon"));
    assert_eq!(by["lyon-1"].credential_kind, CredentialKind::ClientCert);
    assert!(by["lyon-1"].renames.is_empty());
    let nantes = by["nantes-2"];
    assert_eq!(nantes.credential_kind, CredentialKind::Basic);
    assert_eq!(nantes.site.credentials.username.as_deref(), Some("admin"));
    let dev = by["dev-exec"];
    assert_eq!(dev.credential_kind, CredentialKind::Exec);
    assert!(dev.exec_needs_approval);
    assert!(!dev.site.credentials.exec_approved);
    assert_eq!(
        dev.site.credentials.exec.as_ref().unwrap().env_names,
        ["TOKEN_SEED"]
    );
    assert!(dev.warnings.iter().any(|w| w.contains("--allow-exec")));

    apply(plan1, &e.store, &e.vault).unwrap();
    assert_eq!(e.store.list().unwrap().len(), 3);
    let env_json = e.vault.get("dev-exec", Item::ExecEnv).unwrap();
    assert_eq!(
        env_json.expose_str(),
        Some(r#"{"TOKEN_SEED":"exec-seed-456"}"#)
    );
    let store_text = std::fs::read_to_string(e.store.path()).unwrap();
    for secret in ["basic-pass-123", "exec-seed-456", "PRIVATE KEY"] {
        assert!(
            !store_text.contains(secret),
            "{secret} leaked into the store file"
        );
    }

    // Importing again: refused, by name.
    let existing = e.store.list().unwrap();
    let err = plan(&Input::Path(p.clone()), &o, &existing)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::error::ErrorKind::AlreadyExists);
    // --name with several contexts is ambiguous.
    let o2 = ImportOptions {
        name: Some("x".into()),
        ..o.clone()
    };
    assert_eq!(
        plan(&Input::Path(p), &o2, &[]).await.unwrap_err().kind(),
        crate::error::ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn apply_rolls_back_keyring_entries_on_failure() {
    let e = env();
    let pki = Pki::new("ca");
    let client = pki.client("admin", None);
    let addr = format!("127.77.1.11:{}", closed_port("127.77.1.11"));
    let p = plan(&text(k3s(&pki, &client)), &opts("edge", &addr), &[])
        .await
        .unwrap();

    // The keyring refuses the second item: the first is deleted again.
    *e.mem.fail_set_on.lock().unwrap() = Some("client-key".into());
    let err = apply(p.clone(), &e.store, &e.vault).unwrap_err();
    assert_eq!(err.kind(), crate::error::ErrorKind::Storage);
    assert!(e.mem.ids().is_empty());
    assert!(e.store.list().unwrap().is_empty());

    // Another writer added the name meanwhile: refused before the keyring is touched,
    // so that site's credentials survive (they were overwritten, then deleted, before).
    *e.mem.fail_set_on.lock().unwrap() = None;
    let mut other = p.sites[0].site.clone();
    other.endpoint = "https://10.9.9.9:6443".into();
    other.credentials.kind = CredentialKind::Token;
    let id = e
        .vault
        .put("edge", Item::Token, &Secret::from("theirs"))
        .unwrap();
    let cert_id = e
        .vault
        .put("edge", Item::ClientCert, &Secret::from("their-cert"))
        .unwrap();
    other.credentials.entries = vec![id.clone(), cert_id];
    e.store.add(other).unwrap();
    let err = apply(p, &e.store, &e.vault).unwrap_err();
    assert_eq!(err.kind(), crate::error::ErrorKind::AlreadyExists);
    assert_eq!(e.mem.ids().len(), 2, "{:?}", e.mem.ids());
    assert_eq!(
        e.vault.get("edge", Item::Token).unwrap().expose(),
        b"theirs"
    );
    assert_eq!(
        e.vault.get("edge", Item::ClientCert).unwrap().expose(),
        b"their-cert"
    );
    assert_eq!(e.store.list().unwrap().len(), 1);
}
