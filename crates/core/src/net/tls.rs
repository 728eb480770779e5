//! TLS client plumbing: a handshake that records the server's chain without trusting it
//! (to check SANs before importing, and for discovery), chain verification against a
//! site's CA, and an unauthenticated `GET /version`.

use super::NetError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The ring crypto provider (never the process default, so callers can't clash).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Accepts any certificate and records the chain. Discovery and pre-import checks only.
#[derive(Debug)]
struct Recorder {
    provider: Arc<CryptoProvider>,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut c = self.chain.lock().unwrap_or_else(|p| p.into_inner());
        c.clear();
        c.push(end_entity.clone().into_owned());
        c.extend(intermediates.iter().map(|i| i.clone().into_owned()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A server name for SNI and verification: an IP or a DNS name.
pub fn server_name(host: &str) -> Result<ServerName<'static>, NetError> {
    ServerName::try_from(host.to_string())
        .map_err(|_| NetError::Tls(format!("{host:?} is not a valid TLS server name")))
}

type Tls = tokio_rustls::client::TlsStream<TcpStream>;

async fn handshake(
    addr: SocketAddr,
    sni: &str,
    connect_timeout: Duration,
    alpn: &[&[u8]],
) -> Result<(Tls, Arc<Recorder>), NetError> {
    let provider = provider();
    let rec = Arc::new(Recorder {
        provider: provider.clone(),
        chain: Mutex::new(Vec::new()),
    });
    let mut cfg = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| NetError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(rec.clone())
        .with_no_client_auth();
    cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = tokio::time::timeout(connect_timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| NetError::Timeout(format!("connecting to {addr}")))?
        .map_err(|e| NetError::Unreachable(format!("{addr}: {e}")))?;
    let name = server_name(sni)?;
    let tls = tokio::time::timeout(
        connect_timeout * 3,
        TlsConnector::from(Arc::new(cfg)).connect(name, tcp),
    )
    .await
    .map_err(|_| NetError::Timeout(format!("TLS handshake with {addr}")))?
    .map_err(|e| NetError::Tls(format!("TLS handshake with {addr}: {e}")))?;
    Ok((tls, rec))
}

/// Resolves `host:port` to its first address (bounded by `timeout`).
pub async fn resolve(host: &str, port: u16, timeout: Duration) -> Result<SocketAddr, NetError> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let mut it = tokio::time::timeout(timeout, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| NetError::Timeout(format!("resolving {host}")))?
        .map_err(|e| NetError::Unreachable(format!("resolving {host}: {e}")))?;
    it.next()
        .ok_or_else(|| NetError::Unreachable(format!("{host} has no address")))
}

/// The server's certificate chain (leaf first), fetched without verifying it.
pub async fn fetch_chain(
    addr: SocketAddr,
    sni: &str,
    timeout: Duration,
) -> Result<Vec<CertificateDer<'static>>, NetError> {
    Ok(fetch_chain_alpn(addr, sni, timeout, &[]).await?.0)
}

/// Like [`fetch_chain`], offering `alpn` protocols; also returns the one the server
/// chose, if any.
pub async fn fetch_chain_alpn(
    addr: SocketAddr,
    sni: &str,
    timeout: Duration,
    alpn: &[&[u8]],
) -> Result<(Vec<CertificateDer<'static>>, Option<Vec<u8>>), NetError> {
    let (mut tls, rec) = handshake(addr, sni, timeout, alpn).await?;
    let chosen = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    let _ = tls.shutdown().await;
    let chain = rec.chain.lock().unwrap_or_else(|p| p.into_inner()).clone();
    if chain.is_empty() {
        return Err(NetError::Tls(format!("{addr} sent no certificate")));
    }
    Ok((chain, chosen))
}

/// How a served chain fails verification against a CA for a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The leaf's SANs do not cover the name.
    NameMismatch,
    /// The chain is not signed by the CA.
    UnknownIssuer,
    /// The serving certificate has expired (or is not valid yet).
    Expired(String),
    /// Anything else (the text says what).
    Other(String),
}

/// Verifies `chain` against `ca_pem` for `name` exactly as a client would.
pub fn verify_chain(
    chain: &[CertificateDer<'static>],
    ca_pem: &[u8],
    name: &str,
) -> Result<(), ChainProblem> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(ca_pem) {
        let c = c.map_err(|e| ChainProblem::Other(format!("CA is not valid PEM: {e}")))?;
        roots
            .add(c)
            .map_err(|e| ChainProblem::Other(format!("CA certificate rejected: {e}")))?;
    }
    let v =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| ChainProblem::Other(format!("CA unusable: {e}")))?;
    let (leaf, rest) = chain
        .split_first()
        .ok_or_else(|| ChainProblem::Other("empty chain".into()))?;
    let sn = server_name(name).map_err(|e| ChainProblem::Other(e.to_string()))?;
    match v.verify_server_cert(leaf, rest, &sn, &[], UnixTime::now()) {
        Ok(_) => Ok(()),
        Err(rustls::Error::InvalidCertificate(ce)) => {
            use rustls::CertificateError as C;
            Err(match ce {
                C::NotValidForName | C::NotValidForNameContext { .. } => ChainProblem::NameMismatch,
                C::UnknownIssuer | C::BadSignature => ChainProblem::UnknownIssuer,
                C::Expired
                | C::ExpiredContext { .. }
                | C::NotValidYet
                | C::NotValidYetContext { .. } => ChainProblem::Expired(format!("{ce:?}")),
                other => ChainProblem::Other(format!("{other:?}")),
            })
        }
        Err(e) => Err(ChainProblem::Other(e.to_string())),
    }
}

/// The JSON of `GET /version` (the fields Outpost uses).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    pub git_version: String,
    #[serde(default)]
    pub platform: String,
}

/// Unauthenticated `GET https://addr/version` without certificate verification
/// (discovery only: never send credentials this way).
pub async fn get_version(
    addr: SocketAddr,
    sni: &str,
    connect_timeout: Duration,
    request_timeout: Duration,
) -> Result<VersionInfo, NetError> {
    let work = async {
        let (mut tls, _) = handshake(addr, sni, connect_timeout, &[]).await?;
        let host = if sni.contains(':') {
            format!("[{sni}]:{}", addr.port())
        } else {
            format!("{sni}:{}", addr.port())
        };
        let req = format!(
            "GET /version HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\
             User-Agent: outpost/{}\r\nConnection: close\r\n\r\n",
            crate::VERSION
        );
        let io = |e: std::io::Error| NetError::Unreachable(format!("{addr}: {e}"));
        tls.write_all(req.as_bytes()).await.map_err(io)?;
        let mut buf = Vec::new();
        (&mut tls)
            .take(256 * 1024)
            .read_to_end(&mut buf)
            .await
            .or_else(|e| {
                // Servers that skip close_notify end with UnexpectedEof; keep what we got.
                if e.kind() == std::io::ErrorKind::UnexpectedEof && !buf.is_empty() {
                    Ok(0)
                } else {
                    Err(io(e))
                }
            })?;
        parse_version_response(&buf).map_err(|e| NetError::Http(format!("{addr}: {e}")))
    };
    tokio::time::timeout(request_timeout, work)
        .await
        .map_err(|_| NetError::Timeout(format!("GET https://{addr}/version")))?
}

/// Why a `/version` answer is not one.
#[derive(Debug, thiserror::Error, PartialEq)]
enum VersionAnswerError {
    #[error("no HTTP header")]
    NoHeader,
    #[error("bad status line")]
    StatusLine,
    #[error("HTTP {0}")]
    Status(u16),
    #[error("bad chunk")]
    Chunk,
    #[error("bad chunk size")]
    ChunkSize,
    #[error("truncated chunk")]
    TruncatedChunk,
    #[error("not a /version document: {0}")]
    Document(String),
}

fn parse_version_response(buf: &[u8]) -> Result<VersionInfo, VersionAnswerError> {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(VersionAnswerError::NoHeader)?;
    let head = String::from_utf8_lossy(&buf[..split]);
    let body = &buf[split + 4..];
    let status: u16 = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or(VersionAnswerError::StatusLine)?;
    if status != 200 {
        return Err(VersionAnswerError::Status(status));
    }
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    serde_json::from_slice(&body).map_err(|e| VersionAnswerError::Document(e.to_string()))
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, VersionAnswerError> {
    let mut out = Vec::new();
    loop {
        let eol = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or(VersionAnswerError::Chunk)?;
        let size_txt = String::from_utf8_lossy(&b[..eol]);
        let size_txt = size_txt.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size_txt, 16).map_err(|_| VersionAnswerError::ChunkSize)?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size {
            return Err(VersionAnswerError::TruncatedChunk);
        }
        out.extend_from_slice(&b[..size]);
        b = b.get(size + 2..).unwrap_or(&[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_chunked_version_responses() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"gitVersion\":\"v1.31.4+k3s1\",\"platform\":\"linux/amd64\"}";
        assert_eq!(
            parse_version_response(plain).unwrap().git_version,
            "v1.31.4+k3s1"
        );
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"git\r\n11\r\nVersion\":\"v1.30\"}\r\n0\r\n\r\n";
        assert_eq!(
            parse_version_response(chunked).unwrap().git_version,
            "v1.30"
        );
        assert_eq!(
            parse_version_response(b"HTTP/1.1 401 Unauthorized\r\n\r\n{}").unwrap_err(),
            VersionAnswerError::Status(401)
        );
        assert_eq!(
            parse_version_response(b"HTTP/1.1 401 Unauthorized\r\n\r\n{}")
                .unwrap_err()
                .to_string(),
            "HTTP 401"
        );
        assert_eq!(
            parse_version_response(b"HTTP/1.1 200 OK\r\n"),
            Err(VersionAnswerError::NoHeader)
        );
        let cut = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n{}";
        assert_eq!(
            parse_version_response(cut),
            Err(VersionAnswerError::TruncatedChunk)
        );
    }
}
