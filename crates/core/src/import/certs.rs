//! X.509 helpers: PEM splitting, expiry and subjectAltName coverage.

use crate::error::ErrorKind;

use std::net::IpAddr;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// A subjectAltName entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum San {
    Dns(String),
    Ip(IpAddr),
}

impl std::fmt::Display for San {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            San::Dns(d) => write!(f, "DNS:{d}"),
            San::Ip(i) => write!(f, "IP:{i}"),
        }
    }
}

/// Why a certificate could not be read; the message says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CertError(String);

impl CertError {
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

/// The DER certificates in a PEM bundle (empty if none).
pub fn pem_certs(pem: &[u8]) -> Vec<Vec<u8>> {
    x509_parser::pem::Pem::iter_from_buffer(pem)
        .filter_map(Result::ok)
        .filter(|p| p.label == "CERTIFICATE")
        .map(|p| p.contents)
        .collect()
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    X509Certificate::from_der(der)
        .map(|(_, c)| c)
        .map_err(|e| CertError(format!("not an X.509 certificate: {e}")))
}

/// When the certificate expires.
pub fn not_after(der: &[u8]) -> Result<jiff::Timestamp, CertError> {
    let c = parse(der)?;
    jiff::Timestamp::from_second(c.validity().not_after.timestamp())
        .map_err(|e| CertError(e.to_string()))
}

/// The certificate's subjectAltNames.
pub fn sans(der: &[u8]) -> Result<Vec<San>, CertError> {
    let c = parse(der)?;
    let ext = c
        .subject_alternative_name()
        .map_err(|e| CertError(format!("bad subjectAltName: {e}")))?;
    let mut out = Vec::new();
    if let Some(ext) = ext {
        for n in &ext.value.general_names {
            match n {
                GeneralName::DNSName(d) => out.push(San::Dns(d.to_ascii_lowercase())),
                GeneralName::IPAddress(b) => match b.len() {
                    4 => {
                        let a: [u8; 4] = [b[0], b[1], b[2], b[3]];
                        out.push(San::Ip(IpAddr::from(a)));
                    }
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(b);
                        out.push(San::Ip(IpAddr::from(a)));
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Whether `sans` cover `host` (an IP needs an IP SAN; a name may match a `*.` wildcard).
pub fn covers(sans: &[San], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Ok(ip) = host.parse::<IpAddr>() {
        return sans.contains(&San::Ip(ip));
    }
    sans.iter().any(|s| match s {
        San::Dns(d) => {
            if let Some(suffix) = d.strip_prefix("*.") {
                host.split_once('.')
                    .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix)
            } else {
                *d == host
            }
        }
        San::Ip(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn san_coverage_rules() {
        let sans = vec![
            San::Dns("kubernetes.default".into()),
            San::Dns("*.edge.lan".into()),
            San::Ip("10.0.0.5".parse().unwrap()),
        ];
        assert!(covers(&sans, "10.0.0.5"));
        assert!(!covers(&sans, "10.0.0.6"));
        assert!(covers(&sans, "a.edge.lan"));
        assert!(covers(&sans, "A.Edge.Lan."));
        assert!(!covers(&sans, "a.b.edge.lan"));
        assert!(!covers(&sans, "edge.lan"));
        assert!(covers(&sans, "kubernetes.default"));
    }
}
