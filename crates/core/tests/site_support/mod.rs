//! A TLS API server of the tests' own on loopback, scripted to misbehave (endless
//! lists, endless watch events, endless pages, quiet watches), and the site, vault
//! and memory figures the tests around it need.
#![allow(dead_code)]
// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "../it/rollout_support/mod.rs"]
pub mod rollout;

use outpost_core::credentials::{Item, Vault};
use outpost_core::paths::Home;
use outpost_core::registry::Site;
use outpost_core::secret::Secret;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A memory figure of this process (`VmHWM:` peak, `VmRSS:` now), in bytes.
pub fn vm(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with(field)).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// What the server does.
#[derive(Default)]
pub struct Behaviour {
    /// List requests still answered with a small empty list before lists turn endless.
    pub calm_lists: AtomicUsize,
    /// 1: `/version` is an endless string too.
    pub endless_version: AtomicU32,
    /// 1: lists are honest-looking pages of 500 objects, each with a continue token,
    /// forever, and watches endless streams of small events, each a new object.
    pub paging: AtomicU32,
    /// 1: lists are calm and each watch sends one object, then a bookmark every
    /// 200 ms, forever (a healthy, quiet site).
    pub quiet: AtomicU32,
    /// Watch requests received.
    pub watches: AtomicUsize,
}

/// One object, then bookmarks until the client hangs up.
async fn quiet_watch(
    tls: &mut tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
) -> std::io::Result<()> {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    tls.write_all(head.as_bytes()).await?;
    let added = r#"{"type":"ADDED","object":{"metadata":{"name":"q","namespace":"x","resourceVersion":"2"},"involvedObject":{}}}"#;
    tls.write_all(format!("{added}\n").as_bytes()).await?;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let bm = r#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"2"}}}"#;
        tls.write_all(format!("{bm}\n").as_bytes()).await?;
    }
}

/// Page `n` of an endless paged list, or endless small watch events from `n`.
fn paged(n: usize) -> String {
    let items: Vec<String> = (n * 500..(n + 1) * 500)
        .map(|i| {
            format!(r#"{{"metadata":{{"name":"o-{i}","namespace":"x"}},"involvedObject":{{}}}}"#)
        })
        .collect();
    format!(
        r#"{{"kind":"List","apiVersion":"v1","metadata":{{"resourceVersion":"1","continue":"c{}"}},"items":[{}]}}"#,
        n + 1,
        items.join(",")
    )
}

/// The hostile API server; stops when dropped.
pub struct Hostile {
    pub addr: std::net::SocketAddr,
    pub ca_pem: String,
    pub how: Arc<Behaviour>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const CHUNK: usize = 64 * 1024;

async fn serve(
    mut tls: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    how: Arc<Behaviour>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match tls.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 65536 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let endless = |start: &str, unit: &[u8]| {
        let mut filler = Vec::with_capacity(CHUNK);
        while filler.len() + unit.len() <= CHUNK {
            filler.extend_from_slice(unit);
        }
        (start.to_string(), Some(filler))
    };
    let watching = query
        .split('&')
        .any(|kv| kv == "watch=true" || kv == "watch=1");
    let calm = path != "/version"
        && !watching
        && how
            .calm_lists
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
    if watching {
        how.watches.fetch_add(1, Ordering::SeqCst);
    }
    if how.quiet.load(Ordering::SeqCst) == 1 && watching {
        let _ = quiet_watch(&mut tls).await;
        return;
    }
    let calm = calm || how.quiet.load(Ordering::SeqCst) == 1;
    let paging = how.paging.load(Ordering::SeqCst) == 1;
    if paging && !calm && path != "/version" {
        let _ = if watching {
            endless_events(&mut tls).await
        } else {
            let page = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("continue=c"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let body = paged(page);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            tls.write_all(head.as_bytes()).await
        };
        let _ = tls.shutdown().await;
        return;
    }
    let (start, filler) = if path == "/version" {
        if how.endless_version.load(Ordering::SeqCst) == 1 {
            endless(r#"{"major":"1","gitVersion":""#, b"v")
        } else {
            (
                r#"{"major":"1","minor":"31","gitVersion":"v1.31.4+k3s1","platform":"linux/amd64"}"#
                    .to_string(),
                None,
            )
        }
    } else if watching {
        endless(r#"{"type":"ADDED","object":{"metadata":{"name":""#, b"a")
    } else if calm {
        (
            r#"{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}"#
                .to_string(),
            None,
        )
    } else {
        endless(
            r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":["#,
            b"{},",
        )
    };
    let length = match filler {
        Some(_) => String::new(),
        None => format!("Content-Length: {}\r\n", start.len()),
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n{start}"
    );
    if tls.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    if let Some(filler) = filler {
        // Until the client hangs up.
        while tls.write_all(&filler).await.is_ok() {}
    }
    let _ = tls.shutdown().await;
}

/// Small ADDED events, each a new object, until the client hangs up.
async fn endless_events(
    tls: &mut tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
) -> std::io::Result<()> {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    tls.write_all(head.as_bytes()).await?;
    for n in 0.. {
        let mut batch = String::new();
        for i in n * 100..(n + 1) * 100 {
            batch.push_str(&format!(
                r#"{{"type":"ADDED","object":{{"metadata":{{"name":"w-{i}","namespace":"x","resourceVersion":"{i}"}},"involvedObject":{{}}}}}}"#
            ));
            batch.push('\n');
        }
        tls.write_all(batch.as_bytes()).await?;
    }
    Ok(())
}

impl Hostile {
    pub fn start() -> Hostile {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "hostile-ca");
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        let certs = vec![CertificateDer::from_pem_slice(leaf.pem().as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).unwrap();
        let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let how = Arc::new(Behaviour::default());
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let h = how.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        acc = listener.accept() => {
                            let Ok((tcp, _)) = acc else { continue };
                            let (acceptor, how) = (acceptor.clone(), h.clone());
                            tokio::spawn(async move {
                                if let Ok(tls) = acceptor.accept(tcp).await {
                                    serve(tls, how).await;
                                }
                            });
                        }
                    }
                }
            });
        });
        Hostile {
            addr,
            ca_pem: ca_cert.pem(),
            how,
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn site(server: &Hostile) -> Site {
    let mut s = outpost_core::testing::site("hostile", &format!("https://{}", server.addr));
    s.display_name = "Hostile".into();
    s.ca_pem = Some(server.ca_pem.clone());
    s.credentials.entries.clear();
    s
}

/// A vault in memory holding the site's token, listed in the site's record (a site
/// reads only the entries its record lists).
pub fn vault(home: &Home, site: &mut Site) -> Arc<Vault> {
    let vault = Arc::new(Vault::new(Box::new(rollout::MemStore::default()), home));
    vault
        .put(&site.name, Item::Token, &Secret::from("tok"))
        .unwrap();
    site.credentials.entries = vec![vault.entry_id(&site.name, Item::Token)];
    vault
}
