//! Per-site certificates and credentials, like a K3s/MicroK8s installation: a server CA
//! and serving certificate (SANs: listen address, 127.0.0.1, localhost, site name), and
//! either a client CA with a `system:admin` client certificate (K3s) or a bearer token
//! (MicroK8s). Also the broken variants faults need: an expired serving certificate and
//! one from a CA the kubeconfig does not trust.

use crate::error::ErrorKind;

use crate::spec::Distro;
use rand::Rng;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use std::net::IpAddr;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("TLS configuration failed: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("client verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

impl TlsError {
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Tls
    }
}

/// Which serving certificate a site presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServingMode {
    Valid,
    Expired,
    WrongCa,
}

/// A site's certificates and credentials.
pub struct SiteTls {
    /// PEM of the server CA (the kubeconfig's `certificate-authority-data`).
    pub ca_pem: String,
    /// K3s: PEM client certificate and key for `system:admin`.
    pub client_cert_pem: Option<String>,
    pub client_key_pem: Option<String>,
    /// MicroK8s: the bearer token.
    pub token: Option<String>,
    pub distro: Distro,
    valid: Arc<ServerConfig>,
    ca: Issuer<'static, KeyPair>,
    client_ca_der: Option<CertificateDer<'static>>,
    sans: Vec<String>,
    broken: std::sync::Mutex<Vec<(ServingMode, Arc<ServerConfig>)>>,
}

/// A CA valid for `days` × 10 days (shared with the real-site test bed's PKI).
pub fn ca_params(cn: String, days: i64) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::hours(1);
    p.not_after = now + Duration::days(days.max(1) * 10);
    p
}

/// A leaf certificate's parameters (shared with the real-site test bed's PKI).
pub fn leaf_params(
    sans: Vec<String>,
    cn: &str,
    org: Option<&str>,
    eku: ExtendedKeyUsagePurpose,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, TlsError> {
    let mut p = CertificateParams::new(sans)?;
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    if let Some(o) = org {
        p.distinguished_name.push(DnType::OrganizationName, o);
    }
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![eku];
    p.use_authority_key_identifier_extension = true;
    p.not_before = not_before;
    p.not_after = not_after;
    Ok(p)
}

/// A 48-character bearer token like MicroK8s' own.
pub fn random_token() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..48)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

fn server_config(
    cert: CertificateDer<'static>,
    key: &KeyPair,
    client_ca: Option<&CertificateDer<'static>>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca.clone())?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut cfg = builder.with_single_cert(vec![cert], key)?;
    // Like a real API server: HTTP/2 for clients that offer it, HTTP/1.1 otherwise.
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// A serving certificate signed by `ca` (or, `foreign`, by a fresh untrusted CA).
fn serving_config(
    ca: &Issuer<'static, KeyPair>,
    sans: &[String],
    client_ca: Option<&CertificateDer<'static>>,
    from: OffsetDateTime,
    until: OffsetDateTime,
    foreign: bool,
) -> Result<Arc<ServerConfig>, TlsError> {
    let key = KeyPair::generate()?;
    let p = leaf_params(
        sans.to_vec(),
        "k3s",
        None,
        ExtendedKeyUsagePurpose::ServerAuth,
        from,
        until,
    )?;
    let cert = if foreign {
        let other = Issuer::new(ca_params("untrusted-ca".into(), 365), KeyPair::generate()?);
        p.signed_by(&key, &other)?
    } else {
        p.signed_by(&key, ca)?
    };
    server_config(cert.der().clone(), &key, client_ca)
}

impl SiteTls {
    /// Generates everything for one site listening on `ip`.
    pub fn generate(
        name: &str,
        distro: Distro,
        ip: IpAddr,
        valid_days: i64,
    ) -> Result<SiteTls, TlsError> {
        let stamp = jiff::Timestamp::now().as_second();
        let ca_key = KeyPair::generate()?;
        let ca_p = ca_params(format!("k3s-server-ca@{stamp}"), valid_days);
        let ca_cert = ca_p.self_signed(&ca_key)?;
        let ca = Issuer::new(ca_p, ca_key);
        let mut sans = vec![
            ip.to_string(),
            "127.0.0.1".into(),
            "localhost".into(),
            name.to_string(),
        ];
        sans.extend(["kubernetes".to_string(), "kubernetes.default".to_string()]);
        sans.dedup();
        let now = OffsetDateTime::now_utc();
        let until = now + Duration::days(valid_days);
        let (client_cert_pem, client_key_pem, client_ca_der, token) = match distro {
            Distro::K3s => {
                let cca_key = KeyPair::generate()?;
                let cca_p = ca_params(format!("k3s-client-ca@{stamp}"), valid_days);
                let cca_cert = cca_p.self_signed(&cca_key)?;
                let cca = Issuer::new(cca_p, cca_key);
                let ck = KeyPair::generate()?;
                let cp = leaf_params(
                    vec![],
                    "system:admin",
                    Some("system:masters"),
                    ExtendedKeyUsagePurpose::ClientAuth,
                    now - Duration::hours(1),
                    until,
                )?;
                let cc = cp.signed_by(&ck, &cca)?;
                (
                    Some(cc.pem()),
                    Some(ck.serialize_pem()),
                    Some(cca_cert.der().clone()),
                    None,
                )
            }
            Distro::MicroK8s => (None, None, None, Some(random_token())),
        };
        let valid = serving_config(
            &ca,
            &sans,
            client_ca_der.as_ref(),
            now - Duration::hours(1),
            until,
            false,
        )?;
        Ok(SiteTls {
            ca_pem: ca_cert.pem(),
            client_cert_pem,
            client_key_pem,
            token,
            distro,
            valid,
            ca,
            client_ca_der,
            sans,
            broken: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The server configuration for a serving mode (broken modes are generated on demand).
    pub fn config(&self, mode: ServingMode) -> Result<Arc<ServerConfig>, TlsError> {
        if mode == ServingMode::Valid {
            return Ok(self.valid.clone());
        }
        let mut cache = self.broken.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, c)) = cache.iter().find(|(m, _)| *m == mode) {
            return Ok(c.clone());
        }
        let now = OffsetDateTime::now_utc();
        let cfg = match mode {
            ServingMode::Valid => Ok(self.valid.clone()),
            ServingMode::Expired => serving_config(
                &self.ca,
                &self.sans,
                self.client_ca_der.as_ref(),
                now - Duration::days(400),
                now - Duration::days(1),
                false,
            ),
            ServingMode::WrongCa => serving_config(
                &self.ca,
                &self.sans,
                self.client_ca_der.as_ref(),
                now - Duration::hours(1),
                now + Duration::days(365),
                true,
            ),
        }?;
        cache.push((mode, cfg.clone()));
        Ok(cfg)
    }

    /// Whether an `Authorization` header value carries this site's token.
    pub fn token_ok(&self, header: Option<&str>) -> bool {
        match (&self.token, header.and_then(|h| h.strip_prefix("Bearer "))) {
            (Some(t), Some(given)) => t.as_bytes() == given.trim().as_bytes(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k3s_and_microk8s_material() {
        let k = SiteTls::generate("site-a", Distro::K3s, "127.0.0.1".parse().expect("ip"), 365)
            .expect("k3s");
        assert!(k.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(k.client_cert_pem.is_some() && k.client_key_pem.is_some() && k.token.is_none());
        assert!(k.config(ServingMode::Expired).is_ok());
        assert!(k.config(ServingMode::WrongCa).is_ok());
        let m = SiteTls::generate(
            "site-b",
            Distro::MicroK8s,
            "127.0.0.2".parse().expect("ip"),
            30,
        )
        .expect("mk8s");
        let t = m.token.clone().expect("token");
        assert!(m.token_ok(Some(&format!("Bearer {t}"))));
        assert!(!m.token_ok(Some("Bearer nope")));
        assert!(!m.token_ok(None));
        assert!(!k.token_ok(Some(&format!("Bearer {t}"))));
    }
}
