//! Building an [`ImportPlan`] from a kubeconfig.

use super::creds::load_credentials;
use super::files::RefReader;
use super::kubeconfig::{self, Cluster, Kubeconfig, decode_data};
use super::sitesfile::{self, SiteMeta};
use super::tlscheck::{self, SanCheck};
use super::{ImportError, ImportOptions, ImportPlan, Input, PlannedSite, Rename, Selection};
use crate::net::endpoint::{Endpoint, parse_host_port, parse_https};
use crate::registry::{Distro, Location, Site, is_dns_label, to_dns_label};
use std::collections::HashSet;
use std::path::PathBuf;
use tracing::Instrument;

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
            let text = kubeconfig::read_file(p)?;
            let base = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            (text, Some(base), p.display().to_string())
        }
        Input::Text { text } => (text.clone(), None, "<stdin>".to_string()),
    };
    // The raw text holds keys and tokens: wipe it once parsed.
    let text = zeroize::Zeroizing::new(text);
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
        let refs = RefReader::new(base.as_deref(), &opts.allowed_files, &opts.approved_files);
        let p = plan_one(&kc, ctx, refs, opts, m).instrument(span).await?;
        sites.push(p);
    }
    check_duplicates(&sites, existing)?;
    let plan = ImportPlan { source, sites };
    plan.check_file_approvals(&opts.approved_files)?;
    Ok(plan)
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
    mut refs: RefReader,
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
    // A proxy would be silently bypassed: refuse rather than connect around it.
    if let Some(proxy_url) = cluster.proxy_url.as_ref().filter(|p| !p.trim().is_empty()) {
        return Err(ImportError::ProxyUnsupported {
            context: ctx.to_string(),
            proxy_url: proxy_url.clone(),
        });
    }

    // Address.
    let before = parse_https(&cluster.server).map_err(|m| invalid(ctx, m.to_string()))?;
    let mut ep = before.clone();
    if let Some(a) = &opts.address {
        let (host, port) =
            parse_host_port(a).map_err(|m| ImportError::Usage(format!("--address {m}")))?;
        ep.host = host;
        ep.port = port.unwrap_or(before.port);
    } else if let Some(e) = meta.and_then(|m| m.endpoint.as_deref()) {
        ep = parse_https(e).map_err(|m| invalid(ctx, format!("sites file: {m}")))?;
    }
    let from_sites_file = meta.and_then(|m| m.endpoint.as_deref()).is_some();
    if ep.is_loopback() && opts.address.is_none() && !from_sites_file {
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
    let (ca_pem, ca_pending) = match load_ca(cluster, &mut refs, ctx)? {
        Ca::Pem(p) => (Some(p), false),
        Ca::None => (None, false),
        Ca::Pending => (None, true),
    };
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
    } else if ca_pem.is_none() && !ca_pending {
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
    } else if ca_pending {
        SanCheck::Skipped {
            reason: "the certificate-authority file awaits your approval".into(),
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
    let creds = load_credentials(user, &mut refs, ctx, &name, &mut warnings)?;

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
        exec_needs_approval: creds.exec.is_some(),
        exec: creds.exec,
        client_cert_expires: creds.expires,
        file_refs: refs.read,
        warnings,
        site,
        secrets: creds.secrets,
    })
}

/// The cluster's certificate authority.
enum Ca {
    Pem(Vec<u8>),
    None,
    /// In a file outside the kubeconfig's folder not approved yet.
    Pending,
}

fn load_ca(cluster: &Cluster, refs: &mut RefReader, ctx: &str) -> Result<Ca, ImportError> {
    let pem = if let Some(d) = &cluster.certificate_authority_data {
        decode_data(d.as_bytes(), "certificate-authority-data", ctx)?
    } else if let Some(p) = &cluster.certificate_authority {
        match refs.read(p, "certificate-authority", ctx)? {
            Some(pem) => pem,
            None => return Ok(Ca::Pending),
        }
    } else {
        return Ok(Ca::None);
    };
    if super::certs::pem_certs(&pem).is_empty() {
        return Err(invalid(
            ctx,
            "the certificate authority is not a PEM certificate",
        ));
    }
    Ok(Ca::Pem(pem))
}
