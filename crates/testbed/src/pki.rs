//! A real site's PKI, written as PEM files the Go programs read: the server CA and the
//! apiserver's serving certificate (also kwok's, as the nodes' kubelet), the client CA with
//! a `system:admin` (`system:masters`) certificate, the service-account signing key, the
//! front-proxy CA and client for the aggregator, and for MicroK8s-style sites the bearer
//! token in a `--token-auth-file`.

use crate::TestbedError;
use outpost_sim::spec::Distro;
use outpost_sim::tls::{ca_params, leaf_params, random_token};
use rcgen::{ExtendedKeyUsagePurpose, Issuer, KeyPair};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// Paths of the written files, and the admin credentials for kubeconfigs.
#[derive(Clone)]
pub struct SitePki {
    pub dir: PathBuf,
    pub ca_pem: String,
    pub admin_cert_pem: String,
    pub admin_key_pem: String,
    /// MicroK8s-style sites: the admin's bearer token.
    pub token: Option<String>,
}

impl std::fmt::Debug for SitePki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SitePki").field("dir", &self.dir).finish()
    }
}

fn ca(cn: &str) -> Result<(Issuer<'static, KeyPair>, String), TestbedError> {
    let p = ca_params(cn.to_string(), 365);
    let key = KeyPair::generate()?;
    let cert = p.self_signed(&key)?;
    Ok((Issuer::new(p, key), cert.pem()))
}

fn leaf(
    issuer: &Issuer<'static, KeyPair>,
    sans: Vec<String>,
    cn: &str,
    org: Option<&str>,
    eku: ExtendedKeyUsagePurpose,
) -> Result<(String, String), TestbedError> {
    let now = OffsetDateTime::now_utc();
    let p = leaf_params(
        sans,
        cn,
        org,
        eku,
        now - Duration::hours(1),
        now + Duration::days(365),
    )
    .map_err(|e| TestbedError::Config(e.to_string()))?;
    let key = KeyPair::generate()?;
    let cert = p.signed_by(&key, issuer)?;
    Ok((cert.pem(), key.serialize_pem()))
}

pub(crate) fn write(path: &Path, data: &str) -> Result<(), TestbedError> {
    std::fs::write(path, data).map_err(|source| TestbedError::Io {
        what: format!("writing {}", path.display()),
        source,
    })
}

impl SitePki {
    /// Generates and writes everything for a site named `name` serving on `ip`.
    pub fn generate(
        dir: &Path,
        name: &str,
        distro: Distro,
        ip: Ipv4Addr,
    ) -> Result<SitePki, TestbedError> {
        std::fs::create_dir_all(dir).map_err(|source| TestbedError::Io {
            what: format!("creating {}", dir.display()),
            source,
        })?;
        let stamp = jiff::Timestamp::now().as_second();
        let (server_ca, ca_pem) = ca(&format!("k3s-server-ca@{stamp}"))?;
        let sans = vec![
            ip.to_string(),
            "127.0.0.1".into(),
            "localhost".into(),
            name.to_string(),
            "kubernetes".into(),
            "kubernetes.default".into(),
            "kubernetes.default.svc".into(),
            "kubernetes.default.svc.cluster.local".into(),
        ];
        let (serving, serving_key) = leaf(
            &server_ca,
            sans,
            "kube-apiserver",
            None,
            ExtendedKeyUsagePurpose::ServerAuth,
        )?;
        let (client_ca, client_ca_pem) = ca(&format!("k3s-client-ca@{stamp}"))?;
        let (admin, admin_key) = leaf(
            &client_ca,
            vec![],
            "system:admin",
            Some("system:masters"),
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;
        let (proxy_ca, proxy_ca_pem) = ca(&format!("k3s-request-header-ca@{stamp}"))?;
        let (proxy, proxy_key) = leaf(
            &proxy_ca,
            vec![],
            "system:auth-proxy",
            None,
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;
        // The apiserver reads public keys only from --service-account-key-file.
        let sa_key = KeyPair::generate()?;
        let (sa, sa_pub) = (sa_key.serialize_pem(), sa_key.public_key_pem());
        let files = [
            ("ca.crt", ca_pem.as_str()),
            ("serving.crt", serving.as_str()),
            ("serving.key", serving_key.as_str()),
            ("client-ca.crt", client_ca_pem.as_str()),
            ("admin.crt", admin.as_str()),
            ("admin.key", admin_key.as_str()),
            ("front-proxy-ca.crt", proxy_ca_pem.as_str()),
            ("front-proxy-client.crt", proxy.as_str()),
            ("front-proxy-client.key", proxy_key.as_str()),
            ("sa.key", sa.as_str()),
            ("sa.pub", sa_pub.as_str()),
        ];
        for (f, data) in files {
            write(&dir.join(f), data)?;
        }
        let token = match distro {
            Distro::K3s => None,
            Distro::MicroK8s => Some(random_token()),
        };
        // The token file always exists (empty for K3s-style sites) so the flags are the same.
        let tokens = token
            .as_ref()
            .map(|t| format!("{t},admin,admin,\"system:masters\"\n"))
            .unwrap_or_default();
        write(&dir.join("tokens.csv"), &tokens)?;
        Ok(SitePki {
            dir: dir.to_path_buf(),
            ca_pem,
            admin_cert_pem: admin,
            admin_key_pem: admin_key,
            token,
        })
    }

    pub fn file(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_k3s_and_microk8s_material() {
        let d = tempfile::tempdir().expect("tmp");
        let k = SitePki::generate(
            &d.path().join("k"),
            "a",
            Distro::K3s,
            Ipv4Addr::new(127, 0, 3, 1),
        )
        .expect("k3s");
        assert!(k.token.is_none());
        assert!(k.admin_cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        for f in ["ca.crt", "serving.key", "sa.key", "front-proxy-client.crt"] {
            assert!(d.path().join("k").join(f).is_file(), "{f}");
        }
        let m = SitePki::generate(
            &d.path().join("m"),
            "b",
            Distro::MicroK8s,
            Ipv4Addr::new(127, 0, 4, 1),
        )
        .expect("mk8s");
        let t = m.token.clone().expect("token");
        let csv = std::fs::read_to_string(d.path().join("m/tokens.csv")).expect("csv");
        assert!(csv.starts_with(&format!("{t},admin,admin,")), "{csv}");
    }
}
