//! Checks, before importing, that the serving certificate covers the address the site
//! will be reached at and is signed by the kubeconfig's CA.

use super::ImportError;
use super::certs::{San, covers, sans};
use crate::net::endpoint::Endpoint;
use crate::net::tls::{ChainProblem, fetch_chain, resolve, verify_chain};
use crate::registry::Distro;
use serde::Serialize;
use std::time::Duration;

/// Outcome of the serving-certificate check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SanCheck {
    /// The leaf covers `name`; `sans` lists what it covers.
    Covered { name: String, sans: Vec<String> },
    /// The server could not be reached: nothing was checked.
    NotRun { reason: String },
    /// Not applicable (TLS verification is off for this site).
    Skipped { reason: String },
}

/// How to add an address to the serving certificate, per distribution.
pub fn fix_hint(distro: Option<Distro>, name: &str) -> String {
    let ip = name.parse::<std::net::IpAddr>().is_ok();
    match distro {
        Some(Distro::K3s) => format!(
            "K3s: add `--tls-san {name}` to the server (or `tls-san: [\"{name}\"]` in \
             /etc/rancher/k3s/config.yaml), then restart k3s to reissue the certificate"
        ),
        Some(Distro::MicroK8s) => format!(
            "MicroK8s: add `{} = {name}` under [ alt_names ] in \
             /var/snap/microk8s/current/certs/csr.conf.template, then run \
             `sudo microk8s refresh-certs --cert server.crt`",
            if ip { "IP.100" } else { "DNS.100" }
        ),
        _ => format!(
            "Reissue the API server certificate with {name} in its subjectAltName, or import \
             with --address set to a name the certificate covers"
        ),
    }
}

/// Fetches the serving chain and checks it. Unreachable servers give `NotRun`.
pub async fn check(
    context: &str,
    ep: &Endpoint,
    name: &str,
    ca_pem: Option<&[u8]>,
    distro: Option<Distro>,
    timeout: Duration,
) -> Result<SanCheck, ImportError> {
    let addr = match resolve(&ep.host, ep.port, timeout).await {
        Ok(a) => a,
        Err(e) => {
            return Ok(SanCheck::NotRun {
                reason: e.to_string(),
            });
        }
    };
    let chain = match fetch_chain(addr, name, timeout).await {
        Ok(c) => c,
        Err(e) => {
            return Ok(SanCheck::NotRun {
                reason: e.to_string(),
            });
        }
    };
    let leaf_sans: Vec<San> = sans(&chain[0]).map_err(|m| ImportError::Invalid {
        context: context.to_string(),
        message: format!("serving certificate of {}: {m}", ep.url()),
    })?;
    let listed: Vec<String> = leaf_sans.iter().map(ToString::to_string).collect();
    if !covers(&leaf_sans, name) {
        return Err(ImportError::SanMismatch {
            context: context.to_string(),
            endpoint: ep.url(),
            name: name.to_string(),
            sans: if listed.is_empty() {
                "nothing".into()
            } else {
                listed.join(", ")
            },
            fix: fix_hint(distro, name),
        });
    }
    if let Some(ca) = ca_pem {
        match verify_chain(&chain, ca, name) {
            Ok(()) => {}
            Err(ChainProblem::UnknownIssuer) => {
                return Err(ImportError::CaMismatch {
                    context: context.to_string(),
                    endpoint: ep.url(),
                    detail: "unknown issuer".into(),
                });
            }
            Err(ChainProblem::Expired(d)) => {
                return Err(ImportError::ServingCertExpired {
                    context: context.to_string(),
                    endpoint: ep.url(),
                    detail: d,
                });
            }
            Err(ChainProblem::NameMismatch) => {
                return Err(ImportError::SanMismatch {
                    context: context.to_string(),
                    endpoint: ep.url(),
                    name: name.to_string(),
                    sans: listed.join(", "),
                    fix: fix_hint(distro, name),
                });
            }
            Err(ChainProblem::Other(d)) => {
                return Err(ImportError::CaMismatch {
                    context: context.to_string(),
                    endpoint: ep.url(),
                    detail: d,
                });
            }
        }
    }
    Ok(SanCheck::Covered {
        name: name.to_string(),
        sans: listed,
    })
}
