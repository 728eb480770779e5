//! Read-only serving of recorded site snapshots over the simulator's Kubernetes API.
//!
//! Each snapshot becomes a [`Site`] whose store is filled with the recorded objects as
//! they were (uid, resourceVersion and timestamps kept) and whose world never ticks.
//! Requests go through the same API layer as the simulator (discovery, lists, gets,
//! tables, watches), behind TLS and the same credentials; every write is refused with
//! a `405 MethodNotAllowed` Status naming the snapshot, and pod logs come from the
//! recorded log tails.

use crate::api::{self, Body, Route};
use crate::faults::FaultSet;
use crate::fleet::SimError;
use crate::resource::Resource;
use crate::site::{SimClock, Site, site_seed};
use crate::spec::{Distro, SiteSpec};
use crate::store::Store;
use crate::tls::{ServingMode, SiteTls};
use crate::world::logs::LogMode;
use http::{HeaderValue, Method, Request, Response, header};
use hyper::service::service_fn;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// `(namespace, pod, container)`.
pub type LogKey = (String, String, String);

/// One recorded site to serve.
#[derive(Debug, Clone)]
pub struct SnapshotSite {
    /// Context name (the site's name).
    pub name: String,
    pub display_name: String,
    pub distro: Distro,
    /// `/version` gitVersion.
    pub version: String,
    /// When the snapshot was taken (shown in refusals).
    pub taken_at: String,
    /// Recorded objects by resource plural (`pods`, `deployments`, …); unknown plurals
    /// are skipped.
    pub objects: Vec<(String, Vec<Value>)>,
    pub logs: HashMap<LogKey, Vec<u8>>,
}

struct Served {
    site: Arc<Site>,
    taken_at: String,
    logs: HashMap<LogKey, Vec<u8>>,
}

/// Serving snapshots; dropped or [`ReadOnlyFleet::shutdown`] to stop.
pub struct ReadOnlyFleet {
    sites: Vec<Arc<Site>>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

fn spec_of(s: &SnapshotSite) -> SiteSpec {
    SiteSpec {
        name: s.name.clone(),
        display_name: s.display_name.clone(),
        city: String::new(),
        latitude: 0.0,
        longitude: 0.0,
        tags: vec!["snapshot".into()],
        distro: s.distro,
        version: s.version.clone(),
        nodes: Vec::new(),
        workloads: Vec::new(),
        upgrade_controller: false,
        cert_valid_days: 365,
        offline: false,
    }
}

impl ReadOnlyFleet {
    /// Starts one TLS listener per snapshot on `ip` (ephemeral ports).
    pub async fn start(snaps: Vec<SnapshotSite>, ip: IpAddr) -> Result<ReadOnlyFleet, SimError> {
        let mut names = std::collections::HashSet::new();
        let (shutdown, _) = watch::channel(false);
        let mut sites = Vec::new();
        let mut tasks = Vec::new();
        for snap in snaps {
            if !names.insert(snap.name.clone()) {
                return Err(SimError::DuplicateName(snap.name));
            }
            let want = SocketAddr::new(ip, 0);
            let listener = TcpListener::bind(want)
                .await
                .map_err(|source| SimError::Bind { addr: want, source })?;
            let addr = listener
                .local_addr()
                .map_err(|source| SimError::Bind { addr: want, source })?;
            let spec = spec_of(&snap);
            let (name, distro) = (spec.name.clone(), spec.distro);
            let tls =
                tokio::task::spawn_blocking(move || SiteTls::generate(&name, distro, ip, 365))
                    .await
                    .map_err(|e| SimError::Join(e.to_string()))??;
            let store = Store::new(Duration::from_secs(3600));
            for (plural, items) in snap.objects {
                let Some(r) = Resource::ALL.into_iter().find(|r| r.plural() == plural) else {
                    continue;
                };
                for mut o in items {
                    if let Some(m) = o.as_object_mut() {
                        m.insert("apiVersion".into(), json!(r.api_version()));
                        m.insert("kind".into(), json!(r.kind()));
                    }
                    if let Err(e) = store.restore(r, o) {
                        tracing::warn!(site = %snap.name, error = %e, "recorded object skipped");
                    }
                }
            }
            let site = Arc::new(Site {
                seed: site_seed(0, &spec.name),
                spec,
                addr,
                store,
                tls,
                faults: watch::channel(FaultSet::default()).0,
                sleep_epoch: watch::channel(0).0,
                clock: SimClock::new(0.0),
                log_mode: LogMode::Normal,
                base_rtt: Duration::ZERO,
                bookmark_every: Duration::from_secs(5),
                requests: Default::default(),
                served: Default::default(),
                tls_accepted: Default::default(),
                h2_accepted: Default::default(),
                upgrade_stuck: Default::default(),
                upgrade_hang: Default::default(),
            });
            let served = Arc::new(Served {
                site: site.clone(),
                taken_at: snap.taken_at,
                logs: snap.logs,
            });
            let span = tracing::info_span!("snapshot", site = %site.spec.name);
            tasks.push(tokio::spawn(tracing::Instrument::instrument(
                accept_loop(served, listener, shutdown.subscribe()),
                span,
            )));
            sites.push(site);
        }
        Ok(ReadOnlyFleet {
            sites,
            shutdown,
            tasks,
        })
    }

    /// `(name, endpoint)` of every served snapshot.
    pub fn endpoints(&self) -> Vec<(String, String)> {
        self.sites
            .iter()
            .map(|s| (s.spec.name.clone(), s.endpoint()))
            .collect()
    }

    /// The kubeconfig, one context per snapshot.
    pub fn kubeconfig_yaml(&self) -> Result<String, SimError> {
        serde_saphyr::to_string(&crate::kubeconfig::kubeconfig(&self.sites))
            .map_err(|e| SimError::Encode(e.to_string()))
    }

    /// Writes the kubeconfig (mode 0600: it holds credentials).
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), SimError> {
        crate::fleet::write_private(path, self.kubeconfig_yaml()?.as_bytes())
    }

    /// Stops every listener.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

async fn accept_loop(s: Arc<Served>, l: TcpListener, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            acc = l.accept() => if let Ok((tcp, _)) = acc {
                let _ = tcp.set_nodelay(true);
                tokio::spawn(connection(s.clone(), tcp, shutdown.clone()));
            },
            _ = shutdown.changed() => return,
        }
    }
}

async fn connection(s: Arc<Served>, tcp: TcpStream, mut shutdown: watch::Receiver<bool>) {
    let Ok(cfg) = s.site.tls.config(ServingMode::Valid) else {
        return;
    };
    let accept = TlsAcceptor::from(cfg).accept(tcp);
    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), accept).await else {
        return;
    };
    let client_cert = tls
        .get_ref()
        .1
        .peer_certificates()
        .is_some_and(|c| !c.is_empty());
    let svc = service_fn(move |req| {
        let s = s.clone();
        async move { Ok::<_, Infallible>(handle(s, req, client_cert).await) }
    });
    tokio::select! {
        _ = crate::server::serve_http(tls, svc) => {}
        _ = shutdown.changed() => {}
    }
}

fn status(code: u16, reason: &str, message: String) -> Response<Body> {
    api::json_response(
        code,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "code": code}),
    )
}

/// Refuses writes, answers log requests from the recorded tails, and hands every
/// other request to the simulator's API layer.
async fn handle(
    s: Arc<Served>,
    req: Request<hyper::body::Incoming>,
    client_cert: bool,
) -> Response<Body> {
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let authenticated = client_cert || s.site.tls.token_ok(auth);
    if !authenticated {
        return api::handle(s.site.clone(), req, client_cert).await;
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return status(
            405,
            "MethodNotAllowed",
            format!(
                "{} is not allowed: this is a read-only snapshot of site {} taken at {}",
                req.method(),
                s.site.spec.name,
                s.taken_at
            ),
        );
    }
    if let Some(Route::Object(t)) = api::route(req.uri().path())
        && t.plural == "pods"
        && t.sub.as_deref() == Some("log")
        && let (Some(ns), Some(pod)) = (t.namespace.clone(), t.name.clone())
    {
        return log_tail(&s, &api::query(&req), ns, pod);
    }
    api::handle(s.site.clone(), req, client_cert).await
}

fn log_tail(s: &Served, q: &HashMap<String, String>, ns: String, pod: String) -> Response<Body> {
    let container = q.get("container").cloned().or_else(|| {
        let mut cs = s
            .logs
            .keys()
            .filter(|(n, p, _)| *n == ns && *p == pod)
            .map(|(_, _, c)| c.clone());
        let first = cs.next();
        if cs.next().is_some() { None } else { first }
    });
    let Some(container) = container else {
        return status(
            400,
            "BadRequest",
            format!("a container name must be specified for pod {pod}"),
        );
    };
    let Some(text) = s.logs.get(&(ns, pod.clone(), container.clone())) else {
        return status(
            404,
            "NotFound",
            format!("no log tail of container {container} in pod {pod} in this snapshot"),
        );
    };
    let mut text = text.as_slice();
    if let Some(n) = q.get("tailLines").and_then(|n| n.parse::<usize>().ok()) {
        let lines: Vec<usize> = text
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        let ends_nl = text.last() == Some(&b'\n');
        let count = lines.len() + usize::from(!ends_nl && !text.is_empty());
        if n == 0 {
            text = &[];
        } else if count > n {
            let skip = count - n;
            text = &text[lines[skip - 1] + 1..];
        }
    }
    let mut r = Response::new(api::full(text.to_vec()));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    r
}
