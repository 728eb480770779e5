//! Building a [`kube::Client`] from a [`Site`] and its keyring credentials.

use super::ClientError;
use super::observe::Seen;
use crate::credentials::{CredentialError, Item, Vault};
use crate::registry::{CredentialKind, Site};
use crate::secret::Secret;
use base64::Engine;
use kube::config::{AuthInfo, ExecConfig};
use secrecy::SecretString;
use std::collections::HashMap;
use std::time::Duration;

/// Connection and request budgets.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// TCP connect.
    pub connect: Duration,
    /// Reading/writing one request (not watches).
    pub request: Duration,
    /// A watch stream with no byte for this long (no event, no bookmark) fails and is
    /// started again: longer than the watches' server-side timeout, after which an
    /// API server ends every watch by itself.
    pub watch_idle: Duration,
    /// HTTP/2 keepalive: a ping this often while streams are open, and a connection
    /// whose ping is not answered within as long is closed (a NAT dropped it).
    pub keepalive: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(4),
            watch_idle: Duration::from_secs(90),
            keepalive: Duration::from_secs(15),
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The site's credentials as kube's `AuthInfo`, reading its items with `get`.
pub(super) fn auth_info(
    site: &Site,
    get: &mut dyn FnMut(Item) -> Result<Secret, CredentialError>,
) -> Result<AuthInfo, ClientError> {
    let creds = &site.credentials;
    let mut a = AuthInfo::default();
    let mut text = |item: Item| -> Result<SecretString, ClientError> {
        let s = get(item)?;
        let t = s
            .expose_str()
            .ok_or_else(|| ClientError::Auth(format!("{} is not UTF-8", item.as_str())))?;
        Ok(SecretString::from(t.trim().to_string()))
    };
    match creds.kind {
        CredentialKind::ClientCert => {
            let cert = get(Item::ClientCert)?;
            let key = get(Item::ClientKey)?;
            a.client_certificate_data = Some(b64(cert.expose()));
            a.client_key_data = Some(SecretString::from(b64(key.expose())));
        }
        CredentialKind::Token => a.token = Some(text(Item::Token)?),
        CredentialKind::Basic => {
            a.username = creds.username.clone();
            a.password = Some(text(Item::Password)?);
        }
        CredentialKind::Exec => {
            let spec = creds
                .exec
                .as_ref()
                .ok_or_else(|| ClientError::Config("exec credentials without a command".into()))?;
            if !creds.exec_approved {
                return Err(ClientError::Auth(format!(
                    "the exec credential plugin {:?} is not approved (re-import with --allow-exec)",
                    spec.command
                )));
            }
            let mut env = Vec::new();
            if !spec.env_names.is_empty() {
                let raw = get(Item::ExecEnv)?;
                let map: HashMap<String, String> =
                    serde_json::from_slice(raw.expose()).map_err(|_| {
                        ClientError::Credentials("exec env entry is not a JSON object".into())
                    })?;
                for (name, value) in map {
                    env.push(HashMap::from([
                        ("name".to_string(), name),
                        ("value".to_string(), value),
                    ]));
                }
            }
            a.exec = Some(ExecConfig {
                api_version: Some(spec.api_version.clone()),
                command: Some(spec.command.clone()),
                args: Some(spec.args.clone()),
                env: Some(env),
                ..ExecConfig::default()
            });
        }
    }
    Ok(a)
}

fn config(
    site: &Site,
    auth: AuthInfo,
    t: Timeouts,
    watch: bool,
) -> Result<kube::Config, ClientError> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let uri: http::Uri = site
        .endpoint
        .parse()
        .map_err(|e| ClientError::Config(format!("endpoint {:?}: {e}", site.endpoint)))?;
    let mut cfg = kube::Config::new(uri);
    if let Some(pem) = &site.ca_pem {
        let ders = CertificateDer::pem_slice_iter(pem.as_bytes())
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ClientError::Config(format!("CA is not valid PEM: {e}")))?;
        cfg.root_cert = Some(ders);
    }
    cfg.accept_invalid_certs = site.insecure_skip_tls_verify;
    cfg.tls_server_name = site.tls_server_name.clone();
    cfg.connect_timeout = Some(t.connect);
    // No hidden retry loop (kube retries 429/503/504 up to 15 times, honouring
    // Retry-After): callers own their back-off, and a site answering 429 must show as
    // answering with errors within the deadline, not as a timeout.
    cfg.default_retry = false;
    cfg.write_timeout = Some(t.request);
    if !watch {
        // Watches are long-lived; the idle bound of their streams guards them
        // (`Timeouts::watch_idle`, see `limit`).
        cfg.read_timeout = Some(t.request);
        cfg.reset_reader_on_write = true;
    }
    cfg.auth_info = auth;
    Ok(cfg)
}

/// Builds two clients for a site: one for requests (with a read deadline) and one
/// for watches (no read deadline), reading its credentials from `vault`. Both offer
/// HTTP/2 and HTTP/1.1 by ALPN. Needs a Tokio runtime.
pub fn build_clients(
    site: &Site,
    vault: &Vault,
    t: Timeouts,
) -> Result<(kube::Client, kube::Client), ClientError> {
    let auth = auth_info(site, &mut |item| vault.get_listed(site, item))?;
    clients_from(site, &auth, t, false, Seen::default())
}

/// The two clients from credentials already read; `h2_only` when the site is
/// expected to speak HTTP/2 (see [`super::stack`]). The request client's handshakes
/// are noted in `seen`.
pub(super) fn clients_from(
    site: &Site,
    auth: &AuthInfo,
    t: Timeouts,
    h2_only: bool,
    seen: Seen,
) -> Result<(kube::Client, kube::Client), ClientError> {
    let mk = |watch: bool, seen: Seen| -> Result<kube::Client, ClientError> {
        let cfg = config(site, auth.clone(), t, watch)?;
        super::stack::kube_client(&cfg, &site.name, t, h2_only, seen)
    };
    Ok((mk(false, seen)?, mk(true, Seen::default())?))
}
