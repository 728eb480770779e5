//! Run-time control of sites: [`SiteHandle`] for tests and a plain-HTTP loopback
//! control endpoint (`outpost sim --control 127.0.0.1:PORT`):
//!
//! - `GET /sites` → `[{name, endpoint, faults}]`
//! - `POST /sites/{name}/fault` with `{"fault": "offline"}` (or the bare kind as text)
//! - `DELETE /sites/{name}/fault` clears every fault
//! - `POST /sites/{name}/sleep` cuts watches and compacts history
//! - `POST /sites/{name}/upgrade-hang` makes its K3s upgrade Jobs hang (`DELETE` undoes it)
//!
//! Every request must carry the run's random token (`Authorization: Bearer TOKEN`,
//! see [`Control::token`]), a loopback `Host` (`localhost`, `127.x.y.z`, `[::1]`) and no
//! `Origin` or a loopback one, so neither another local user nor a web page (DNS
//! rebinding, a form post) can switch faults; bodies are capped at [`MAX_BODY`] bytes.

use crate::error::ErrorKind;

use crate::faults::{Fault, FaultSet};
use crate::site::Site;
use crate::store::Store;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::net::TcpListener;

/// The largest request body the control endpoint reads.
pub const MAX_BODY: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("control endpoint must be on loopback, not {0}")]
    NotLoopback(SocketAddr),
    #[error("binding control endpoint {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
}

impl ControlError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ControlError::NotLoopback(_) => ErrorKind::Config,
            ControlError::Bind(..) => ErrorKind::Bind,
        }
    }
}

/// What a Deployment had before [`SiteHandle::change_deployment`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentBefore {
    pub replicas: i64,
    /// Its first container's name and image.
    pub container: String,
    pub image: String,
}

/// A running site, for tests and the control endpoint.
#[derive(Clone)]
pub struct SiteHandle {
    site: Arc<Site>,
}

impl SiteHandle {
    pub(crate) fn new(site: Arc<Site>) -> SiteHandle {
        SiteHandle { site }
    }

    pub fn name(&self) -> &str {
        &self.site.spec.name
    }

    pub fn endpoint(&self) -> String {
        self.site.endpoint()
    }

    pub fn addr(&self) -> SocketAddr {
        self.site.addr
    }

    /// Turns a fault on (`Sleep` acts once instead).
    pub fn set_fault(&self, f: Fault) {
        if f == Fault::Sleep {
            self.sleep();
            return;
        }
        self.site.faults.send_modify(|s| s.add(f));
    }

    pub fn clear_faults(&self) {
        self.site.faults.send_replace(FaultSet::default());
    }

    pub fn faults(&self) -> FaultSet {
        self.site.faults.borrow().clone()
    }

    /// "The laptop slept": every open watch ends and history is compacted, so resumes
    /// get 410 Gone.
    pub fn sleep(&self) {
        self.site.store.compact();
        self.site.sleep_epoch.send_modify(|e| *e += 1);
    }

    /// Direct access to the site's objects.
    pub fn store(&self) -> &Store {
        &self.site.store
    }

    /// Sets a Deployment's replicas and its first container's image to what `change`
    /// makes of the current ones, as `kubectl scale` and `kubectl set image` would while
    /// nobody watches; returns what it had.
    pub fn change_deployment(
        &self,
        ns: &str,
        name: &str,
        change: impl FnOnce(&DeploymentBefore) -> (i64, String),
    ) -> Result<DeploymentBefore, crate::store::StoreError> {
        use crate::resource::Resource;
        let obj = self
            .site
            .store
            .get(Resource::Deployment, Some(ns), name)
            .ok_or_else(|| crate::store::StoreError::NotFound {
                plural: Resource::Deployment.plural(),
                name: name.to_string(),
            })?;
        let mut obj: Value = (*obj).clone();
        let c = &obj["spec"]["template"]["spec"]["containers"][0];
        let before = DeploymentBefore {
            replicas: obj["spec"]["replicas"].as_i64().unwrap_or(1),
            container: c["name"].as_str().unwrap_or_default().to_string(),
            image: c["image"].as_str().unwrap_or_default().to_string(),
        };
        let (replicas, image) = change(&before);
        obj["spec"]["replicas"] = json!(replicas);
        obj["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
        self.site
            .store
            .update(Resource::Deployment, obj, crate::store::UpdateMode::Main)?;
        Ok(before)
    }

    /// Makes system-upgrade-controller Jobs fail past their deadline.
    pub fn set_upgrade_stuck(&self, stuck: bool) {
        self.site.upgrade_stuck.store(stuck, Ordering::Relaxed);
    }

    /// Makes system-upgrade-controller Jobs hang: they start (the node is cordoned) but
    /// never finish nor fail, so the node never moves version.
    pub fn set_upgrade_hang(&self, hang: bool) {
        self.site.upgrade_hang.store(hang, Ordering::Relaxed);
    }

    /// HTTP requests the site has served since it started (every path and outcome).
    pub fn requests_served(&self) -> u64 {
        self.site.served.load(Ordering::Relaxed)
    }

    /// TLS connections the site has accepted (completed handshakes), and how many of
    /// them chose HTTP/2 by ALPN.
    pub fn tls_accepted(&self) -> (u64, u64) {
        (
            self.site.tls_accepted.load(Ordering::Relaxed),
            self.site.h2_accepted.load(Ordering::Relaxed),
        )
    }

    /// PEM of the site's server CA.
    pub fn ca_pem(&self) -> &str {
        &self.site.tls.ca_pem
    }

    /// The site's bearer token (MicroK8s sites).
    pub fn token(&self) -> Option<&str> {
        self.site.tls.token.as_deref()
    }
}

fn reply(code: u16, v: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(v.to_string())));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

/// Whether `host` (a `Host` header, or an `Origin`'s authority) names this machine's
/// loopback: `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Equal without an early exit on the first differing byte.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a request is refused before it is looked at, as (status, message).
fn refusal<B>(req: &Request<B>, token: &str) -> Option<(u16, &'static str)> {
    let header = |n: http::header::HeaderName| {
        req.headers()
            .get(n)
            .map(|v| v.to_str().unwrap_or("\u{fffd}"))
    };
    if !header(http::header::HOST).is_some_and(loopback_host) {
        return Some((403, "Host must be a loopback address"));
    }
    if let Some(origin) = header(http::header::ORIGIN) {
        let authority = origin.strip_prefix("http://").unwrap_or("\u{fffd}");
        if !loopback_host(authority) {
            return Some((403, "foreign Origin"));
        }
    }
    let given = header(http::header::AUTHORIZATION)
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_secret(given.as_bytes(), token.as_bytes()) {
        return Some((401, "missing or wrong control token"));
    }
    let declared = header(http::header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Some((413, "body too large"));
    }
    None
}

async fn control(
    handles: Arc<Vec<SiteHandle>>,
    token: Arc<str>,
    req: Request<hyper::body::Incoming>,
) -> Response<Full<Bytes>> {
    if let Some((code, why)) = refusal(&req, &token) {
        return reply(code, json!({ "error": why }));
    }
    let path = req.uri().path().to_string();
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method().clone();
    let find = |n: &str| handles.iter().find(|h| h.name() == n).cloned();
    match (method, segs.as_slice()) {
        (Method::GET, ["sites"]) => reply(
            200,
            Value::Array(handles.iter().map(|h| json!({"name": h.name(), "endpoint": h.endpoint(), "faults": h.faults().names()})).collect()),
        ),
        (m, ["sites", name, action]) => {
            let Some(h) = find(name) else {
                return reply(404, json!({"error": format!("unknown site {name}")}));
            };
            match (m, *action) {
                (Method::DELETE, "fault") => {
                    h.clear_faults();
                    reply(200, json!({"name": h.name(), "faults": h.faults().names()}))
                }
                (ref m @ (Method::POST | Method::DELETE), "upgrade-hang") => {
                    let on = *m == Method::POST;
                    h.set_upgrade_hang(on);
                    reply(200, json!({"name": h.name(), "upgrade_hang": on}))
                }
                (Method::POST, "sleep") => {
                    h.sleep();
                    reply(200, json!({"name": h.name(), "slept": true}))
                }
                (Method::POST, "fault") => {
                    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
                        Ok(b) => b.to_bytes(),
                        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                            return reply(413, json!({"error": "body too large"}));
                        }
                        Err(e) => return reply(400, json!({"error": e.to_string()})),
                    };
                    let text = String::from_utf8_lossy(&body).to_string();
                    let kind = serde_json::from_str::<Value>(&text)
                        .ok()
                        .and_then(|v| v.get("fault").and_then(Value::as_str).map(str::to_string))
                        .unwrap_or_else(|| text.trim().to_string());
                    match kind.parse::<Fault>() {
                        Ok(f) => {
                            h.set_fault(f);
                            reply(200, json!({"name": h.name(), "faults": h.faults().names()}))
                        }
                        Err(e) => reply(400, json!({"error": e.to_string()})),
                    }
                }
                _ => reply(405, json!({"error": "method not allowed"})),
            }
        }
        _ => reply(404, json!({"error": "not found"})),
    }
}

/// A running control endpoint.
pub struct Control {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The run's secret: requests send `Authorization: Bearer TOKEN`.
    pub token: String,
    /// The accept loop; abort it to stop the endpoint.
    pub task: tokio::task::JoinHandle<()>,
}

/// A fresh random token (256 bits, hex).
fn new_token() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serves the control endpoint on a loopback address, with a new random token, until
/// the task is aborted.
pub async fn serve_control(
    addr: SocketAddr,
    handles: Vec<SiteHandle>,
) -> Result<Control, ControlError> {
    if !addr.ip().is_loopback() {
        return Err(ControlError::NotLoopback(addr));
    }
    let l = TcpListener::bind(addr)
        .await
        .map_err(|e| ControlError::Bind(addr, e))?;
    let bound = l.local_addr().map_err(|e| ControlError::Bind(addr, e))?;
    let handles = Arc::new(handles);
    let token = new_token();
    let secret: Arc<str> = Arc::from(token.as_str());
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = l.accept().await {
            let hs = handles.clone();
            let secret = secret.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| {
                    let hs = hs.clone();
                    let secret = secret.clone();
                    async move { Ok::<_, Infallible>(control(hs, secret, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    Ok(Control {
        addr: bound,
        token,
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_pass() {
        for ok in [
            "localhost",
            "localhost:7070",
            "127.0.0.1:80",
            "127.9.9.9",
            "[::1]:1",
        ] {
            assert!(loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:7070",
            "10.0.0.1:7070",
            "",
            "[fe80::1]:1",
        ] {
            assert!(!loopback_host(bad), "{bad}");
        }
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd") && !same_secret(b"abc", b"ab"));
        assert_eq!(new_token().len(), 64);
        assert_ne!(new_token(), new_token());
    }
}
