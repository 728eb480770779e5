//! Reading a kubeconfig user's credentials into keyring items and a [`CredentialRef`].

use super::ImportError;
use super::files::RefReader;
use super::kubeconfig::{AuthInfo, decode_data};
use crate::credentials::Item;
use crate::registry::{CredentialKind, CredentialRef, ExecSpec};
use crate::secret::Secret;

/// Warn when a client certificate expires within this many days.
const EXPIRY_WARN_DAYS: i64 = 30;

fn invalid(ctx: &str, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        context: ctx.to_string(),
        message: message.into(),
    }
}

pub(super) struct Creds {
    pub(super) reference: CredentialRef,
    pub(super) secrets: Vec<(Item, Secret)>,
    pub(super) exec: Option<super::exec::ExecPreview>,
    pub(super) expires: Option<jiff::Timestamp>,
}

pub(super) fn load_credentials(
    u: &AuthInfo,
    refs: &mut RefReader,
    ctx: &str,
    site: &str,
    warnings: &mut Vec<String>,
) -> Result<Creds, ImportError> {
    let mut secrets = Vec::new();
    let mut kind = None;
    let mut username = None;
    let mut exec = None;
    let mut preview = None;
    let mut expires = None;
    if u.auth_provider.is_some() {
        return Err(invalid(
            ctx,
            "auth-provider plugins are not supported: use exec or a token",
        ));
    }
    let has_cert = u.client_certificate.is_some() || u.client_certificate_data.is_some();
    let has_key = u.client_key.is_some() || u.client_key_data.is_some();
    if has_cert != has_key {
        return Err(invalid(
            ctx,
            "a client certificate needs a client key (and the other way round)",
        ));
    }
    if has_cert {
        let cert = match (&u.client_certificate_data, &u.client_certificate) {
            (Some(d), _) => Some(decode_data(d.as_bytes(), "client-certificate-data", ctx)?),
            (None, Some(p)) => refs.read(p, "client-certificate", ctx)?,
            _ => unreachable_pair(ctx)?,
        };
        let key = match (&u.client_key_data, &u.client_key) {
            (Some(d), _) => Some(decode_data(d.expose(), "client-key-data", ctx)?),
            (None, Some(p)) => refs.read(p, "client-key", ctx)?,
            _ => unreachable_pair(ctx)?,
        };
        kind = Some(CredentialKind::ClientCert);
        // A file awaiting approval was not read: the plan shows it, apply refuses.
        if let (Some(cert), Some(key)) = (cert, key) {
            let key = Secret::new(key);
            let der = super::certs::pem_certs(&cert);
            let leaf = der
                .first()
                .ok_or_else(|| invalid(ctx, "the client certificate is not a PEM certificate"))?;
            let na = super::certs::not_after(leaf)
                .map_err(|m| invalid(ctx, format!("client certificate: {m}")))?;
            let now = jiff::Timestamp::now();
            if na <= now {
                return Err(ImportError::ExpiredClientCert {
                    context: ctx.to_string(),
                    expired_at: na,
                });
            }
            let days = (na.as_second() - now.as_second()) / 86_400;
            if days < EXPIRY_WARN_DAYS {
                warnings.push(format!(
                    "the client certificate expires in {days} days ({na}); K3s renews it only \
                     when the server restarts close to expiry"
                ));
            }
            expires = Some(na);
            secrets.push((Item::ClientCert, Secret::new(cert)));
            secrets.push((Item::ClientKey, key));
        }
    }
    let token = match (&u.token, &u.token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(p)) => match refs.read(p, "tokenFile", ctx)? {
            Some(raw) => {
                let t =
                    String::from_utf8(raw).map_err(|_| invalid(ctx, "token file is not text"))?;
                Some(Secret::from_string(t.trim().to_string()))
            }
            None => {
                // Awaiting approval: the kind is known, the token is not read.
                kind.get_or_insert(CredentialKind::Token);
                None
            }
        },
        _ => None,
    };
    if let Some(t) = token {
        secrets.push((Item::Token, t));
        kind.get_or_insert(CredentialKind::Token);
    }
    if let Some(p) = &u.password {
        username = Some(
            u.username
                .clone()
                .ok_or_else(|| invalid(ctx, "password without a username"))?,
        );
        secrets.push((Item::Password, p.clone()));
        kind.get_or_insert(CredentialKind::Basic);
    }
    if let Some(e) = &u.exec {
        let spec = ExecSpec {
            api_version: e
                .api_version
                .clone()
                .unwrap_or_else(|| "client.authentication.k8s.io/v1".into()),
            command: e.command.clone(),
            args: e.args.clone(),
            env_names: e.env.iter().map(|v| v.name.clone()).collect(),
        };
        if !e.env.is_empty() {
            let map: serde_json::Map<String, serde_json::Value> = e
                .env
                .iter()
                .map(|v| {
                    let val = v.value.expose_str().unwrap_or_default().to_string();
                    (v.name.clone(), serde_json::Value::String(val))
                })
                .collect();
            let json = serde_json::to_vec(&map).map_err(|e| invalid(ctx, e.to_string()))?;
            secrets.push((Item::ExecEnv, Secret::new(json)));
        }
        let env: Vec<(String, Secret)> = e
            .env
            .iter()
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect();
        let p = super::exec::ExecPreview {
            command: spec.command.clone(),
            args: spec.args.clone(),
            env_names: spec.env_names.clone(),
            hash: super::exec::hash(ctx, &spec.api_version, &spec.command, &spec.args, &env),
        };
        warnings.push(format!(
            "credentials come from running `{}`: it will not run until approved (--allow-exec)",
            p.command_line()
        ));
        preview = Some(p);
        exec = Some(spec);
        kind.get_or_insert(CredentialKind::Exec);
    }
    let kind = kind.ok_or_else(|| invalid(ctx, format!("user {site:?} has no credentials")))?;
    Ok(Creds {
        reference: CredentialRef {
            kind,
            // Filled in by `apply` with the profile's entry ids.
            entries: Vec::new(),
            username,
            // Only `ImportPlan::approve_exec` approves, by hash.
            exec_approved: false,
            exec,
        },
        secrets,
        exec: preview,
        expires,
    })
}

fn unreachable_pair<T>(ctx: &str) -> Result<T, ImportError> {
    Err(invalid(ctx, "incomplete client certificate pair"))
}
