//! A TLS probe before any credentials are sent: reachability, the serving
//! certificate's validity against the site's CA, and its expiry.

use super::ClientError;
use crate::net::NetError;
use crate::net::endpoint::parse_https;
use crate::net::tls::{ChainProblem, fetch_chain, resolve, verify_chain};
use crate::registry::Site;
use std::time::Duration;

/// What the handshake showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The serving certificate's `notAfter`.
    pub cert_not_after: Option<jiff::Timestamp>,
}

fn net(e: NetError) -> ClientError {
    match e {
        NetError::Timeout(m) => ClientError::Timeout(m),
        NetError::Unreachable(m) => ClientError::Unreachable(m),
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
        let ep = parse_https(&site.endpoint).map_err(ClientError::Config)?;
        let sni = site
            .tls_server_name
            .clone()
            .unwrap_or_else(|| ep.host.clone());
        let addr = resolve(&ep.host, ep.port, connect).await.map_err(net)?;
        let chain = fetch_chain(addr, &sni, connect).await.map_err(net)?;
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
        Ok(Probe { cert_not_after })
    };
    super::with_deadline(deadline, &format!("connecting to {}", site.endpoint), work).await
}
