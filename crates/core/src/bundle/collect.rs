//! Reading a live site for a bundle or a live diff: raw JSON lists of the resources an
//! operator browses (paginated), `/version`, the TLS probe, and log tails. Secrets are
//! listed as metadata only, so their values never leave the site.

use super::content::{Bundle, LogTail, Manifest, Redactions};
use super::error::BundleError;
use super::format::VERSION;
use super::redact;
use crate::client::{ClientCache, ClientError, MAX_OBJECTS, classify, probe, with_deadline};
use crate::health::{Observation, detect_distro, evaluate, prune};
use crate::model::{Reach, SiteState};
use crate::registry::Site;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// `(API prefix, plural)` of everything a bundle holds.
pub const RESOURCES: [(&str, &str); 12] = [
    ("/api/v1", "namespaces"),
    ("/api/v1", "nodes"),
    ("/api/v1", "pods"),
    ("/api/v1", "services"),
    ("/api/v1", "configmaps"),
    ("/api/v1", "secrets"),
    ("/api/v1", "events"),
    ("/apis/apps/v1", "deployments"),
    ("/apis/apps/v1", "replicasets"),
    ("/apis/apps/v1", "daemonsets"),
    ("/apis/apps/v1", "statefulsets"),
    ("/apis/batch/v1", "jobs"),
];

const PAGE: u32 = 500;
const METADATA_ONLY: &str =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

/// How much to read.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Last lines kept per container (0: no logs).
    pub log_lines: u32,
    /// Byte bound per container log.
    pub log_bytes: u32,
    /// Budget for the whole read.
    pub deadline: Duration,
    /// Log requests in flight.
    pub concurrency: usize,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            log_lines: 200,
            log_bytes: 256 * 1024,
            deadline: Duration::from_secs(60),
            concurrency: 8,
        }
    }
}

/// A site as read, pruned and redacted.
#[derive(Debug, Clone)]
pub struct Live {
    pub version: String,
    pub cert_not_after: Option<jiff::Timestamp>,
    pub resources: BTreeMap<String, Vec<Value>>,
    pub redactions: Redactions,
}

async fn get_text(c: &kube::Client, path: &str, accept: &str) -> Result<String, ClientError> {
    let req = http::Request::get(path)
        .header(http::header::ACCEPT, accept)
        .body(Vec::new())
        .map_err(|e| ClientError::Config(e.to_string()))?;
    c.request_text(req).await.map_err(|e| classify(&e))
}

/// Every object of one resource, at most [`MAX_OBJECTS`] (past that an error naming
/// `site`); `None` when the site does not serve it.
async fn list(
    c: &kube::Client,
    site: &str,
    prefix: &str,
    plural: &str,
) -> Result<Option<Vec<Value>>, ClientError> {
    let accept = if plural == "secrets" {
        METADATA_ONLY
    } else {
        "application/json"
    };
    let mut out = Vec::new();
    let mut cont = String::new();
    loop {
        let mut path = format!("{prefix}/{plural}?limit={PAGE}");
        if !cont.is_empty() {
            path.push_str("&continue=");
            path.push_str(&form_urlencode(&cont));
        }
        let text = match get_text(c, &path, accept).await {
            Ok(t) => t,
            Err(ClientError::Api { code: 404, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut v: Value = serde_json::from_str(&text).map_err(|e| ClientError::Api {
            code: 200,
            reason: format!("{plural}: {e}"),
        })?;
        if let Some(Value::Array(items)) = v.get_mut("items").map(Value::take) {
            out.extend(items);
        }
        if out.len() > MAX_OBJECTS {
            let what = format!("{plural} objects");
            return Err(ClientError::too_large(site, what, MAX_OBJECTS as u64));
        }
        match v.pointer("/metadata/continue").and_then(Value::as_str) {
            Some(c) if !c.is_empty() => cont = c.to_string(),
            _ => return Ok(Some(out)),
        }
    }
}

fn form_urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Reads a site: probe, version and every resource, pruned and redacted.
pub async fn live(
    site: &Site,
    clients: &ClientCache,
    deadline: Duration,
) -> Result<Live, ClientError> {
    let t = clients.timeouts();
    let p = probe(site, t.connect, deadline).await?;
    let c = clients.get(site)?.requests;
    let work = async {
        let version = async {
            c.apiserver_version()
                .await
                .map(|v| v.git_version)
                .map_err(|e| classify(&e))
        };
        let lists = futures::future::try_join_all(RESOURCES.iter().map(|(prefix, plural)| async {
            Ok((*plural, list(&c, &site.name, prefix, plural).await?))
        }));
        let (version, lists) = futures::try_join!(version, lists)?;
        let mut redactions = Redactions::default();
        let mut resources = BTreeMap::new();
        for (plural, items) in lists {
            let Some(mut items) = items else { continue };
            for o in &mut items {
                if plural == "secrets"
                    && let Some(m) = o.as_object_mut()
                {
                    m.insert("apiVersion".into(), "v1".into());
                    m.insert("kind".into(), "Secret".into());
                }
                redact::prune(plural, o, &mut redactions);
            }
            resources.insert(plural.to_string(), items);
        }
        Ok(Live {
            version,
            cert_not_after: p.cert_not_after,
            resources,
            redactions,
        })
    };
    with_deadline(deadline, &format!("reading {}", site.endpoint), work).await
}

fn typed<T: serde::de::DeserializeOwned>(items: Option<&Vec<Value>>) -> Vec<T> {
    items
        .map(|v| {
            v.iter()
                .filter_map(|o| serde_json::from_value(o.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The health engine's pruned state, computed from the same read.
pub fn state_of(live: &Live) -> SiteState {
    let r = &live.resources;
    let nodes: Vec<Node> = typed(r.get("nodes"));
    let pods: Vec<Pod> = typed(r.get("pods"));
    let deps: Vec<Deployment> = typed(r.get("deployments"));
    let sts: Vec<StatefulSet> = typed(r.get("statefulsets"));
    let dss: Vec<DaemonSet> = typed(r.get("daemonsets"));
    let events: Vec<Event> = typed(r.get("events"));
    let workloads = deps
        .iter()
        .map(prune::deployment)
        .chain(sts.iter().map(prune::statefulset))
        .chain(dss.iter().map(prune::daemonset));
    SiteState {
        git_version: Some(live.version.clone()),
        cert_not_after: live.cert_not_after,
        nodes: nodes
            .iter()
            .map(|n| (prune::key_of(n), prune::node(n)))
            .collect(),
        workloads: workloads.map(|w| (prune::workload_key(&w), w)).collect(),
        pods: pods
            .iter()
            .map(|p| (prune::key_of(p), prune::pod(p)))
            .collect(),
        events: events
            .iter()
            .filter(|e| e.type_.as_deref() == Some("Warning"))
            .map(|e| (prune::key_of(e), prune::event(e)))
            .collect(),
    }
}

/// `(namespace, pod, container)` of every container of every pod.
fn containers(pods: &[Value]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for p in pods {
        let ns = p.pointer("/metadata/namespace").and_then(Value::as_str);
        let name = p.pointer("/metadata/name").and_then(Value::as_str);
        let (Some(ns), Some(name)) = (ns, name) else {
            continue;
        };
        let list = p.pointer("/spec/containers").and_then(Value::as_array);
        for c in list.into_iter().flatten() {
            if let Some(cn) = c.get("name").and_then(Value::as_str) {
                out.push((ns.to_string(), name.to_string(), cn.to_string()));
            }
        }
    }
    out
}

/// The last lines of every container's log; failures are counted, not fatal.
async fn log_tails(c: &kube::Client, pods: &[Value], o: &CollectOptions) -> (Vec<LogTail>, u64) {
    if o.log_lines == 0 {
        return (Vec::new(), 0);
    }
    let jobs = containers(pods).into_iter().map(|(ns, pod, container)| async move {
        let path = format!(
            "/api/v1/namespaces/{ns}/pods/{pod}/log?container={container}&tailLines={}&limitBytes={}",
            o.log_lines, o.log_bytes
        );
        let r = get_text(c, &path, "*/*").await;
        (ns, pod, container, r)
    });
    let results: Vec<_> = futures::stream::iter(jobs)
        .buffer_unordered(o.concurrency.max(1))
        .collect()
        .await;
    let mut tails = Vec::new();
    let mut failed = 0;
    for (namespace, pod, container, r) in results {
        match r {
            Ok(text) => tails.push(LogTail {
                namespace,
                pod,
                container,
                text: text.into_bytes(),
            }),
            Err(_) => failed += 1,
        }
    }
    tails.sort_by_key(LogTail::entry_name);
    (tails, failed)
}

/// Reads a site into a bundle.
pub async fn bundle(
    site: &Site,
    clients: &ClientCache,
    o: &CollectOptions,
) -> Result<Bundle, BundleError> {
    let err = |source| BundleError::Site {
        site: site.name.clone(),
        source,
    };
    let started = tokio::time::Instant::now();
    let live = live(site, clients, o.deadline).await.map_err(err)?;
    let now = jiff::Timestamp::now();
    let state = state_of(&live);
    let health = evaluate(
        site,
        &Observation {
            state: &state,
            reach: Reach::Reachable,
            reach_kind: None,
            reach_reason: None,
            last_seen: Some(now),
            snapshot_at: None,
            have_data: true,
        },
        now,
    );
    let c = clients.get(site).map_err(err)?.requests;
    let pods = live.resources.get("pods").cloned().unwrap_or_default();
    let left = o.deadline.saturating_sub(started.elapsed());
    let (logs, logs_failed) = tokio::time::timeout(left, log_tails(&c, &pods, o))
        .await
        .map_err(|_| err(ClientError::Timeout("reading log tails".into())))?;
    let manifest = Manifest {
        format: VERSION,
        site: site.name.clone(),
        display_name: site.display_name.clone(),
        tags: site.tags.clone(),
        endpoint: site.endpoint.clone(),
        taken_at: now,
        distro: detect_distro(site, &state).or(site.distro),
        version: Some(live.version.clone()),
        outpost_version: crate::VERSION.to_string(),
        log_lines: o.log_lines,
        counts: live
            .resources
            .iter()
            .map(|(k, v)| (k.clone(), v.len() as u64))
            .collect(),
        logs: logs.len() as u64,
        logs_failed,
        redactions: live.redactions.clone(),
    };
    Ok(Bundle {
        manifest,
        health,
        state,
        resources: live.resources,
        logs,
    })
}
