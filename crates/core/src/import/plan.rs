//! Building an [`ImportPlan`] from a kubeconfig.

use super::kubeconfig::{self, AuthInfo, Cluster, Kubeconfig, decode_data, read_ref};
use super::sitesfile::{self, SiteMeta};
use super::tlscheck::{self, SanCheck};
use super::{ImportError, ImportOptions, ImportPlan, Input, PlannedSite, Rename, Selection};
use crate::credentials::{Item, entry_id};
use crate::net::endpoint::{Endpoint, parse_host_port, parse_https};
use crate::registry::{
    CredentialKind, CredentialRef, Distro, ExecSpec, Location, Site, is_dns_label, to_dns_label,
};
use crate::secret::Secret;
use std::collections::HashSet;
use std::path::Path;
use tracing::Instrument;

/// Warn when a client certificate expires within this many days.
const EXPIRY_WARN_DAYS: i64 = 30;

/// Context names K3s and MicroK8s write, which say nothing about the site.
const GENERIC: [&str; 3] = ["default", "microk8s", "microk8s-cluster"];

/// Plans an import. `existing` are the registered sites (duplicates are refused).
pub async fn plan(
    input: &Input,
    opts: &ImportOptions,
    existing: &[Site],
) -> Result<ImportPlan, ImportError> {
    let (text, base, source) = match input {
        Input::Path(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| ImportError::Input {
                path: p.clone(),
                reason: e.to_string(),
            })?;
            let base = p.parent().map(Path::to_path_buf).unwrap_or_default();
            (text, base, p.display().to_string())
        }
        Input::Text { text, base_dir } => (text.clone(), base_dir.clone(), "<stdin>".to_string()),
    };
    let kc = kubeconfig::parse(&text, &source)?;
    let available: Vec<String> = kc.contexts.iter().map(|c| c.name.clone()).collect();
    if available.is_empty() {
        return Err(ImportError::NoContexts(source));
    }
    let selected: Vec<String> = match &opts.selection {
        Selection::All => available.clone(),
        Selection::Context(c) => vec![c.clone()],
        Selection::Current => match &kc.current_context {
            Some(c) if !c.is_empty() => vec![c.clone()],
            _ if available.len() == 1 => available.clone(),
            _ => return Err(ImportError::NoCurrentContext { available }),
        },
    };
    for c in &selected {
        if !available.contains(c) {
            return Err(ImportError::ContextNotFound {
                context: c.clone(),
                available,
            });
        }
    }
    if selected.len() > 1 && (opts.name.is_some() || opts.address.is_some()) {
        return Err(ImportError::Usage(
            "--name and --address apply to one context: use --context, or a --sites-file \
             with a name and endpoint per context"
                .into(),
        ));
    }
    let meta = match &opts.sites_file {
        Some(p) => sitesfile::load(p)?,
        None => Vec::new(),
    };
    let mut sites = Vec::new();
    for ctx in &selected {
        let m = meta.iter().find(|m| &m.name == ctx);
        let span = tracing::info_span!("import", context = %ctx);
        let p = plan_one(&kc, ctx, &base, opts, m).instrument(span).await?;
        sites.push(p);
    }
    check_duplicates(&sites, existing)?;
    Ok(ImportPlan { source, sites })
}

fn check_duplicates(sites: &[PlannedSite], existing: &[Site]) -> Result<(), ImportError> {
    let mut names = HashSet::new();
    let mut eps = HashSet::new();
    let key = |u: &str| {
        parse_https(u)
            .map(|e| e.authority().to_ascii_lowercase())
            .unwrap_or_default()
    };
    for s in existing {
        names.insert(s.name.clone());
        eps.insert(key(&s.endpoint));
    }
    for p in sites {
        if !names.insert(p.site.name.clone()) {
            return Err(ImportError::Duplicate(format!(
                "context {:?}: a site named {:?} already exists (pass --name to choose another)",
                p.context, p.site.name
            )));
        }
        if !eps.insert(key(&p.site.endpoint)) {
            return Err(ImportError::Duplicate(format!(
                "context {:?}: endpoint {} is already registered",
                p.context, p.site.endpoint
            )));
        }
    }
    Ok(())
}

fn invalid(ctx: &str, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        context: ctx.to_string(),
        message: message.into(),
    }
}

fn detect_distro(cluster: &str, user: &str, ctx: &str, ep: &Endpoint) -> Option<Distro> {
    if cluster == "microk8s-cluster" || ctx == "microk8s" || ep.port == 16443 {
        Some(Distro::MicroK8s)
    } else if cluster == "default" && user == "default" && ctx == "default" && ep.port == 6443 {
        Some(Distro::K3s)
    } else {
        None
    }
}

async fn plan_one(
    kc: &Kubeconfig,
    ctx: &str,
    base: &Path,
    opts: &ImportOptions,
    meta: Option<&SiteMeta>,
) -> Result<PlannedSite, ImportError> {
    let context = &kc
        .contexts
        .iter()
        .find(|c| c.name == ctx)
        .ok_or_else(|| invalid(ctx, "context vanished"))?
        .value;
    let cluster = &kc
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)
        .ok_or_else(|| invalid(ctx, format!("cluster {:?} is not defined", context.cluster)))?
        .value;
    let user = kc
        .users
        .iter()
        .find(|u| u.name == context.user)
        .map(|u| &u.user)
        .ok_or_else(|| invalid(ctx, format!("user {:?} is not defined", context.user)))?;
    let mut warnings = Vec::new();

    // Address.
    let before = parse_https(&cluster.server).map_err(|m| invalid(ctx, m))?;
    let mut ep = before.clone();
    if let Some(a) = &opts.address {
        let (host, port) =
            parse_host_port(a).map_err(|m| ImportError::Usage(format!("--address {m}")))?;
        ep.host = host;
        ep.port = port.unwrap_or(before.port);
    } else if let Some(e) = meta.and_then(|m| m.endpoint.as_deref()) {
        ep = parse_https(e).map_err(|m| invalid(ctx, format!("sites file: {m}")))?;
    }
    if ep.is_loopback() && opts.address.is_none() {
        warnings.push(format!(
            "the server is {} (this machine); pass --address HOST[:PORT] to reach the site over the network",
            ep.authority()
        ));
    }
    let distro = meta
        .and_then(|m| m.distro)
        .or_else(|| detect_distro(&context.cluster, &context.user, ctx, &before));

    // Name.
    let name = match (&opts.name, meta) {
        (Some(n), _) => n.clone(),
        (None, Some(m)) => m.name.clone(),
        (None, None) if !GENERIC.contains(&ctx) => {
            let n = to_dns_label(ctx);
            if n != ctx {
                warnings.push(format!(
                    "context {ctx:?} renamed to the valid site name {n:?}"
                ));
            }
            n
        }
        (None, None) if !ep.is_loopback() => to_dns_label(&ep.host),
        (None, None) => {
            return Err(ImportError::Usage(format!(
                "context {ctx:?} has a generic name and a loopback server: pass --name for the site"
            )));
        }
    };
    if !is_dns_label(&name) {
        return Err(ImportError::Usage(format!(
            "site name {name:?} must be a DNS-1123 label (a-z, 0-9, '-', at most 63)"
        )));
    }
    let renames = [
        ("cluster", &context.cluster),
        ("user", &context.user),
        ("context", &ctx.to_string()),
    ]
    .into_iter()
    .filter(|(_, from)| **from != name)
    .map(|(entry, from)| Rename {
        entry,
        from: from.clone(),
        to: name.clone(),
    })
    .collect();

    // TLS.
    let ca_pem = load_ca(cluster, base, ctx)?;
    let insecure = cluster.insecure_skip_tls_verify || opts.insecure_skip_tls_verify;
    if cluster.insecure_skip_tls_verify && !opts.insecure_skip_tls_verify {
        return Err(ImportError::InsecureNotAllowed {
            context: ctx.to_string(),
        });
    }
    if insecure {
        warnings.push(
            "TLS verification is OFF for this site (insecure-skip-tls-verify): anyone on the \
             path can impersonate its API server"
                .into(),
        );
    } else if ca_pem.is_none() {
        warnings.push("no certificate-authority: the system trust roots will be used".into());
    }
    let check_name = cluster
        .tls_server_name
        .clone()
        .unwrap_or_else(|| ep.host.clone());
    let san_check = if insecure {
        SanCheck::Skipped {
            reason: "TLS verification is off".into(),
        }
    } else {
        tlscheck::check(
            ctx,
            &ep,
            &check_name,
            ca_pem.as_deref(),
            distro,
            opts.tls_timeout,
        )
        .await?
    };
    if let SanCheck::NotRun { reason } = &san_check {
        warnings.push(format!(
            "could not check the serving certificate (the server is not reachable from here: {reason}); \
             make sure its SANs cover {check_name}"
        ));
    }

    // Credentials.
    let creds = load_credentials(user, base, ctx, &name, opts.allow_exec, &mut warnings)?;

    let location = Location {
        latitude: opts.location.map(|l| l.0).or(meta.and_then(|m| m.latitude)),
        longitude: opts
            .location
            .map(|l| l.1)
            .or(meta.and_then(|m| m.longitude)),
        address: meta.and_then(|m| m.city.clone()),
    };
    let mut tags: Vec<String> = meta.map(|m| m.tags.clone()).unwrap_or_default();
    for t in &opts.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    let site = Site {
        name: name.clone(),
        display_name: meta
            .and_then(|m| m.display_name.clone())
            .unwrap_or_else(|| name.clone()),
        location,
        tags,
        contact: None,
        notes: None,
        maintenance_window: None,
        distro,
        version: meta.and_then(|m| m.version.clone()),
        endpoint: ep.url(),
        ca_pem: ca_pem.and_then(|c| String::from_utf8(c).ok()),
        insecure_skip_tls_verify: insecure,
        tls_server_name: cluster.tls_server_name.clone(),
        credentials: creds.reference,
        added_at: Some(jiff::Timestamp::now()),
    };
    site.validate().map_err(|e| invalid(ctx, e.to_string()))?;
    Ok(PlannedSite {
        context: ctx.to_string(),
        renames,
        server_before: cluster.server.clone(),
        server_after: site.endpoint.clone(),
        san_check,
        credential_kind: site.credentials.kind,
        exec_needs_approval: creds.exec_needs_approval,
        client_cert_expires: creds.expires,
        warnings,
        site,
        secrets: creds.secrets,
    })
}

fn load_ca(cluster: &Cluster, base: &Path, ctx: &str) -> Result<Option<Vec<u8>>, ImportError> {
    let pem = if let Some(d) = &cluster.certificate_authority_data {
        decode_data(d.as_bytes(), "certificate-authority-data", ctx)?
    } else if let Some(p) = &cluster.certificate_authority {
        read_ref(base, p, "certificate-authority", ctx)?
    } else {
        return Ok(None);
    };
    if super::certs::pem_certs(&pem).is_empty() {
        return Err(invalid(
            ctx,
            "the certificate authority is not a PEM certificate",
        ));
    }
    Ok(Some(pem))
}

struct Creds {
    reference: CredentialRef,
    secrets: Vec<(Item, Secret)>,
    exec_needs_approval: bool,
    expires: Option<jiff::Timestamp>,
}

fn load_credentials(
    u: &AuthInfo,
    base: &Path,
    ctx: &str,
    site: &str,
    allow_exec: bool,
    warnings: &mut Vec<String>,
) -> Result<Creds, ImportError> {
    let mut secrets = Vec::new();
    let mut kind = None;
    let mut username = None;
    let mut exec = None;
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
            (Some(d), _) => decode_data(d.as_bytes(), "client-certificate-data", ctx)?,
            (None, Some(p)) => read_ref(base, p, "client-certificate", ctx)?,
            _ => unreachable_pair(ctx)?,
        };
        let key = match (&u.client_key_data, &u.client_key) {
            (Some(d), _) => Secret::new(decode_data(d.expose(), "client-key-data", ctx)?),
            (None, Some(p)) => Secret::new(read_ref(base, p, "client-key", ctx)?),
            _ => unreachable_pair(ctx)?,
        };
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
                "the client certificate expires in {days} days ({na}); K3s renews it only when \
                 the server restarts close to expiry"
            ));
        }
        expires = Some(na);
        secrets.push((Item::ClientCert, Secret::new(cert)));
        secrets.push((Item::ClientKey, key));
        kind = Some(CredentialKind::ClientCert);
    }
    let token = match (&u.token, &u.token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(p)) => {
            let raw = read_ref(base, p, "tokenFile", ctx)?;
            let t = String::from_utf8(raw).map_err(|_| invalid(ctx, "token file is not text"))?;
            Some(Secret::from_string(t.trim().to_string()))
        }
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
        if !allow_exec {
            warnings.push(format!(
                "credentials come from running `{}`: it will not run until approved (--allow-exec)",
                spec.command
            ));
        }
        exec = Some(spec);
        kind.get_or_insert(CredentialKind::Exec);
    }
    let kind = kind.ok_or_else(|| invalid(ctx, format!("user {site:?} has no credentials")))?;
    let entries = secrets.iter().map(|(i, _)| entry_id(site, *i)).collect();
    let exec_needs_approval = exec.is_some() && !allow_exec;
    Ok(Creds {
        reference: CredentialRef {
            kind,
            entries,
            username,
            exec_approved: exec.is_some() && allow_exec,
            exec,
        },
        secrets,
        exec_needs_approval,
        expires,
    })
}

fn unreachable_pair<T>(ctx: &str) -> Result<T, ImportError> {
    Err(invalid(ctx, "incomplete client certificate pair"))
}
