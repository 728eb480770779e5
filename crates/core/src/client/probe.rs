//! A TLS probe before any credentials are sent: reachability, the serving
//! certificate's validity against the site's CA, and its expiry.

use super::ClientError;
use crate::net::NetError;
use crate::net::endpoint::parse_https;
use crate::net::tls::{ChainProblem, fetch_chain_alpn, resolve, verify_chain};
use crate::registry::Site;
use std::time::Duration;

/// What the handshake showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The serving certificate's `notAfter`.
    pub cert_not_after: Option<jiff::Timestamp>,
    /// The server chose HTTP/2 (`h2`) when offered it with HTTP/1.1 by ALPN, as real
    /// API servers do; its clients can then multiplex every request over one
    /// connection (see [`super::ClientCache::get_async_for`]).
    pub h2: bool,
}

/// A handshake the peer cut (reset, closed, EOF) says nothing about certificates: the
/// site drops connections, which is a reachability problem, not a TLS one.
fn cut_off(m: &str) -> bool {
    let l = m.to_ascii_lowercase();
    [
        "reset by peer",
        "broken pipe",
        "eof",
        "connection closed",
        "connection aborted",
    ]
    .iter()
    .any(|p| l.contains(p))
}

fn net(e: NetError) -> ClientError {
    match e {
        NetError::Timeout(m) => ClientError::Timeout(m),
        NetError::Unreachable(m) => ClientError::Unreachable(m),
        NetError::Tls(m) if cut_off(&m) => ClientError::Unreachable(m),
        NetError::Tls(m) => ClientError::Tls(m),
        NetError::Http(m) => ClientError::Api { code: 0, reason: m },
    }
}

/// Connects, handshakes and checks the served chain like the client will, all within
/// `deadline` (`connect` bounds the TCP connect alone).
pub async fn probe(
    site: &Site,
    connect: Duration,
    deadline: Duration,
) -> Result<Probe, ClientError> {
    let work = async {
        let ep = parse_https(&site.endpoint).map_err(|e| ClientError::Config(e.to_string()))?;
        let sni = site
            .tls_server_name
            .clone()
            .unwrap_or_else(|| ep.host.clone());
        let addr = resolve(&ep.host, ep.port, connect).await.map_err(net)?;
        let (chain, alpn) = fetch_chain_alpn(addr, &sni, connect, &[b"h2", b"http/1.1"])
            .await
            .map_err(net)?;
        let leaf = chain
            .first()
            .map(|c| c.as_ref().to_vec())
            .unwrap_or_default();
        let cert_not_after = crate::import::certs::not_after(&leaf).ok();
        if !site.insecure_skip_tls_verify
            && let Some(ca) = &site.ca_pem
        {
            verify_chain(&chain, ca.as_bytes(), &sni).map_err(|p| {
                ClientError::Tls(match p {
                    ChainProblem::NameMismatch => {
                        format!("the serving certificate does not cover {sni:?}")
                    }
                    ChainProblem::UnknownIssuer => {
                        "the serving certificate is not signed by the site's CA".to_string()
                    }
                    ChainProblem::Expired(d) => {
                        format!("the serving certificate is expired or not yet valid ({d})")
                    }
                    ChainProblem::Other(d) => d,
                })
            })?;
        }
        Ok(Probe {
            cert_not_after,
            h2: alpn.as_deref() == Some(b"h2".as_slice()),
        })
    };
    super::with_deadline(deadline, &format!("connecting to {}", site.endpoint), work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_handshake_is_unreachable_and_a_bad_certificate_is_tls() {
        let cut = net(NetError::Tls(
            "TLS handshake with 127.0.0.1:1: Connection reset by peer (os error 104)".into(),
        ));
        assert_eq!(cut.kind(), crate::error::ErrorKind::Unreachable);
        let eof = net(NetError::Tls(
            "TLS handshake with 127.0.0.1:1: tls handshake eof".into(),
        ));
        assert_eq!(eof.kind(), crate::error::ErrorKind::Unreachable);
        let bad = net(NetError::Tls(
            "TLS handshake with 127.0.0.1:1: invalid peer certificate: UnknownIssuer".into(),
        ));
        assert_eq!(bad.kind(), crate::error::ErrorKind::Tls);
    }

    #[test]
    fn cut_connections_are_retried_refused_ones_are_not() {
        use crate::client::is_cut;
        let e = |m: &str| ClientError::Unreachable(m.into());
        assert!(is_cut(&e("client error (Connect): tls handshake eof")));
        assert!(is_cut(&e("connection reset by peer")));
        assert!(!is_cut(&e(
            "127.0.0.1:1: Connection refused (os error 111)"
        )));
        assert!(!is_cut(&ClientError::Timeout("no answer".into())));
    }

    #[tokio::test]
    async fn retry_cut_retries_a_cut_connection_then_gives_up() {
        use crate::client::retry_cut;
        let mut n = 0;
        let r: Result<(), ClientError> = retry_cut(3, || {
            n += 1;
            async { Err(ClientError::Unreachable("connection reset by peer".into())) }
        })
        .await;
        assert!(r.is_err());
        assert_eq!(n, 3);
        let mut n = 0;
        let r: Result<(), ClientError> = retry_cut(3, || {
            n += 1;
            async { Err(ClientError::Unreachable("connection refused".into())) }
        })
        .await;
        assert!(r.is_err());
        assert_eq!(n, 1, "refused is final");
    }
}
