//! Test support (feature `test-support`, and this crate's own tests): a tiny TLS server
//! answering `GET /version`, standing in for a K3s/MicroK8s API server on loopback, and
//! the one [`Site`] record every test starts from ([`site`]).

use crate::registry::{CredentialKind, CredentialRef, Location, Site};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A running `/version` responder; stops when dropped.
pub struct VersionServer {
    /// The bound address (port 0 in `start` picks a free one).
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl VersionServer {
    /// Serves `chain_pem` (leaf first) with `key_pem` on `addr`; `/version` answers
    /// `{"gitVersion": git_version}`, anything else 401.
    pub fn start(
        addr: SocketAddr,
        chain_pem: &str,
        key_pem: &str,
        git_version: &str,
    ) -> std::io::Result<Self> {
        let bad = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(chain_pem.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|e| bad(e.to_string()))?;
        let key =
            PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| bad(e.to_string()))?;
        let cfg = ServerConfig::builder_with_provider(crate::net::tls::provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| bad(e.to_string()))?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let body =
            serde_json::json!({"major": "1", "gitVersion": git_version, "platform": "linux/amd64"})
                .to_string();
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                    return;
                };
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        acc = listener.accept() => {
                            let Ok((tcp, _)) = acc else { continue };
                            let acceptor = acceptor.clone();
                            let body = body.clone();
                            tokio::spawn(async move {
                                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                                let mut buf = Vec::new();
                                let mut chunk = [0u8; 1024];
                                while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16384 {
                                    match tls.read(&mut chunk).await {
                                        Ok(0) | Err(_) => return,
                                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                                    }
                                }
                                let head = String::from_utf8_lossy(&buf);
                                let (status, body) = if head.starts_with("GET /version ") {
                                    ("200 OK", body)
                                } else {
                                    ("401 Unauthorized", "{\"kind\":\"Status\"}".to_string())
                                };
                                let resp = format!(
                                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n\
                                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                    body.len()
                                );
                                let _ = tls.write_all(resp.as_bytes()).await;
                                let _ = tls.shutdown().await;
                            });
                        }
                    }
                }
            });
        });
        Ok(Self {
            addr,
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for VersionServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A throwaway certificate authority for tests.
pub struct Pki {
    /// The CA certificate (PEM).
    pub ca_pem: String,
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
}

/// A PEM certificate and its PEM (PKCS#8) key.
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Pki {
    /// A new CA named `cn`.
    pub fn new(cn: &str) -> Self {
        let key = rcgen::KeyPair::generate().expect("test CA key generation");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("self-signed CA");
        Self {
            ca_pem: cert.pem(),
            issuer: rcgen::Issuer::new(params, key),
        }
    }

    /// A serving certificate covering `sans` (IPs or DNS names).
    pub fn serving(&self, sans: &[&str]) -> Issued {
        let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = rcgen::CertificateParams::new(sans).expect("serving params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "k3s");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        self.sign(params)
    }

    /// A client certificate for `cn`, expiring on `not_after` (`(year, month, day)`) or in
    /// a year by default.
    pub fn client(&self, cn: &str, not_after: Option<(i32, u8, u8)>) -> Issued {
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).expect("client params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "system:masters");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        if let Some((y, m, d)) = not_after {
            params.not_after = rcgen::date_time_ymd(y, m, d);
        } else {
            let in_a_year = jiff::Zoned::now().date() + jiff::Span::new().days(365);
            params.not_after = rcgen::date_time_ymd(
                i32::from(in_a_year.year()),
                in_a_year.month() as u8,
                in_a_year.day() as u8,
            );
        }
        self.sign(params)
    }

    fn sign(&self, params: rcgen::CertificateParams) -> Issued {
        let key = rcgen::KeyPair::generate().expect("test key generation");
        let cert = params.signed_by(&key, &self.issuer).expect("signing");
        Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// Base64 of `s`, as kubeconfig `*-data` fields hold it.
pub fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Fills `{{KEY}}` placeholders in a kubeconfig fixture.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("{{{{{k}}}}}"), v);
    }
    s
}

/// A site record for tests: `name` (display name in capitals) at `endpoint`, no CA, one
/// token entry listed (`0123456789abcdef/NAME/token`). Change fields with struct update
/// syntax: `Site { ca_pem: Some(pem), ..site("a", url) }`.
pub fn site(name: &str, endpoint: &str) -> Site {
    Site {
        name: name.into(),
        display_name: name.to_uppercase(),
        location: Location::default(),
        tags: vec![],
        contact: None,
        notes: None,
        maintenance_window: None,
        distro: None,
        version: None,
        endpoint: endpoint.into(),
        ca_pem: None,
        insecure_skip_tls_verify: false,
        tls_server_name: None,
        credentials: CredentialRef {
            kind: CredentialKind::Token,
            entries: vec![format!("0123456789abcdef/{name}/token")],
            username: None,
            exec: None,
            exec_approved: false,
        },
        added_at: None,
    }
}
