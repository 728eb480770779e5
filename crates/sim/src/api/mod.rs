//! The Kubernetes HTTP API of one site: authentication, routing, discovery and the
//! per-resource verbs.

pub mod discovery;
mod logs;
mod metrics;
mod objects;
pub mod patch;
pub mod status;
pub mod table;
mod watch;

pub use logs::{LogQuery, LogSource, log_window};
pub use status::ApiError;

use crate::faults::error_status;
use crate::resource::Resource;
use crate::site::Site;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Response body: whole or streamed.
pub type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// Biggest request body accepted.
const MAX_BODY: usize = 3 * 1024 * 1024;

pub fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

pub fn json_response(code: u16, v: &Value) -> Response<Body> {
    body_response(code, v)
}

/// A JSON response from anything serializable, written straight from it (a list's
/// items are encoded from the store's objects without copying them into a `Value`).
pub fn body_response<T: serde::Serialize + ?Sized>(code: u16, v: &T) -> Response<Body> {
    let mut r = Response::new(full(serde_json::to_vec(v).unwrap_or_default()));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

pub fn error_response(e: &ApiError, details: Option<(&str, &str)>) -> Response<Body> {
    let mut r = json_response(e.code(), &e.status(details));
    if matches!(e, ApiError::TooManyRequests) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

/// A parsed request to a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

/// What a path points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Discovery(String, String),
    Object(Target),
}

fn is_plural(group: &str, s: &str) -> bool {
    Resource::from_group_plural(group, s).is_some()
        || (group == discovery::METRICS_GROUP && (s == "pods" || s == "nodes"))
}

/// Parses `/api/v1/...` and `/apis/<g>/<v>/...`.
pub fn route(path: &str) -> Option<Route> {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    if rest.is_empty() {
        return Some(Route::Discovery(group.into(), version.into()));
    }
    let own = |s: &&str| s.to_string();
    let t = match rest {
        ["namespaces", ns, plural, tail @ ..] if is_plural(group, plural) => Target {
            group: group.into(),
            version: version.into(),
            plural: plural.to_string(),
            namespace: Some(ns.to_string()),
            name: tail.first().map(own),
            sub: tail.get(1).map(own),
        },
        [plural, tail @ ..] => Target {
            group: group.into(),
            version: version.into(),
            plural: plural.to_string(),
            namespace: None,
            name: tail.first().map(own),
            sub: tail.get(1).map(own),
        },
        [] => return None,
    };
    Some(Route::Object(t))
}

pub fn query(req: &Request<hyper::body::Incoming>) -> HashMap<String, String> {
    req.uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// Whether the request carries this site's credentials.
fn authenticated(site: &Site, req: &Request<hyper::body::Incoming>, client_cert: bool) -> bool {
    if site.faults.borrow().revoked {
        return false;
    }
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    client_cert || site.tls.token_ok(auth)
}

fn is_public(path: &str) -> bool {
    matches!(path, "/version" | "/version/")
        || ["/healthz", "/livez", "/readyz"]
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// Handles one request. `client_cert`: the TLS peer presented a certificate signed by
/// the site's client CA.
pub async fn handle(
    site: Arc<Site>,
    req: Request<hyper::body::Incoming>,
    client_cert: bool,
) -> Response<Body> {
    let delay = site.base_rtt + site.faults.borrow().rtt.unwrap_or_default();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let path = req.uri().path().to_string();
    if is_public(&path) {
        if path.starts_with("/version") {
            let git = discovery::server_version(&site.spec, &site.store);
            return json_response(200, &discovery::version(&git));
        }
        let mut r = Response::new(full("ok"));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return r;
    }
    if !authenticated(&site, &req, client_cert) {
        return error_response(&ApiError::Unauthorized, None);
    }
    let errors = site.faults.borrow().errors;
    if let Some(mode) = errors {
        let n = site.requests.fetch_add(1, Ordering::Relaxed);
        return match error_status(mode, n) {
            429 => error_response(&ApiError::TooManyRequests, None),
            _ => error_response(
                &ApiError::Internal(
                    "Internal error occurred: etcdserver: request timed out".into(),
                ),
                None,
            ),
        };
    }
    match dispatch(site, req, &path).await {
        Ok(r) => r,
        Err(e) => error_response(&e, None),
    }
}

async fn read_json(req: Request<hyper::body::Incoming>) -> Result<(Value, String), ApiError> {
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let body = http_body_util::Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| ApiError::BadRequest(format!("reading request body: {e}")))?
        .to_bytes();
    if ctype.contains("protobuf") || ctype.contains("yaml") {
        return Err(ApiError::UnsupportedMediaType(format!(
            "the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {ctype})"
        )));
    }
    let v = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the object provided is unrecognized: {e}")))?;
    Ok((v, ctype))
}

async fn dispatch(
    site: Arc<Site>,
    req: Request<hyper::body::Incoming>,
    path: &str,
) -> Result<Response<Body>, ApiError> {
    match path.trim_end_matches('/') {
        "/api" => {
            return Ok(json_response(
                200,
                &discovery::api_versions(&site.addr.to_string()),
            ));
        }
        "/apis" => return Ok(json_response(200, &discovery::api_groups(&site.spec))),
        "/openapi/v2" => {
            let accept = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let (body, ctype) = discovery::openapi_v2(&site.spec, accept.contains("protobuf"));
            let mut r = Response::new(full(body));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            return Ok(r);
        }
        _ => {}
    }
    let not_found =
        || ApiError::NotFound("the server could not find the requested resource".into());
    let t = match route(path).ok_or_else(not_found)? {
        Route::Discovery(g, v) => {
            return discovery::resource_list(&site.spec, &g, &v)
                .map(|d| json_response(200, &d))
                .ok_or_else(not_found);
        }
        Route::Object(t) => t,
    };
    let q = query(&req);
    if t.group == discovery::METRICS_GROUP {
        return metrics::serve(&site, &t, &q);
    }
    if t.version != "v1" {
        return Err(not_found());
    }
    let r = Resource::from_group_plural(&t.group, &t.plural)
        .filter(|r| discovery::served(&site.spec, *r))
        .ok_or_else(not_found)?;
    if r.namespaced() && t.name.is_some() && t.namespace.is_none() {
        return Err(not_found());
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let method = req.method().clone();
    match (method, t.name.as_deref(), t.sub.as_deref()) {
        (Method::GET, None, _) if q.get("watch").is_some_and(|w| w == "1" || w == "true") => {
            watch::serve(site, r, &t, &q, &accept)
        }
        (Method::GET, None, _) => objects::list(&site, r, &t, &q, &accept),
        (Method::GET, Some(name), Some("log")) if r == Resource::Pod => {
            logs::serve(site, &t, name, &q).await
        }
        (Method::GET, Some(name), Some("scale")) => objects::get_scale(&site, r, &t, name),
        (Method::GET, Some(name), None | Some("status")) => {
            objects::get(&site, r, &t, name, &accept, &q)
        }
        (Method::POST, None, None) => objects::create(&site, r, &t, read_json(req).await?.0),
        (Method::PUT, Some(name), sub) => {
            objects::replace(&site, r, &t, name, sub, read_json(req).await?.0)
        }
        (Method::PATCH, Some(name), sub) => {
            let (body, ctype) = read_json(req).await?;
            objects::patch(&site, r, &t, name, sub, &ctype, &body)
        }
        (Method::DELETE, Some(name), None) => objects::delete(&site, r, &t, name),
        _ => Err(ApiError::MethodNotAllowed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let r = route("/api/v1/namespaces/default/pods/web-1/log");
        let Some(Route::Object(t)) = r else {
            panic!("route {r:?}")
        };
        assert_eq!(
            (
                t.namespace.as_deref(),
                t.plural.as_str(),
                t.name.as_deref(),
                t.sub.as_deref()
            ),
            (Some("default"), "pods", Some("web-1"), Some("log"))
        );
        let Some(Route::Object(t)) = route("/api/v1/namespaces/kube-system") else {
            panic!("ns")
        };
        assert_eq!(
            (t.plural.as_str(), t.name.as_deref()),
            ("namespaces", Some("kube-system"))
        );
        let Some(Route::Object(t)) = route("/api/v1/namespaces/x/status") else {
            panic!("ns status")
        };
        assert_eq!(
            (t.plural.as_str(), t.name.as_deref(), t.sub.as_deref()),
            ("namespaces", Some("x"), Some("status"))
        );
        let Some(Route::Object(t)) = route("/apis/apps/v1/deployments") else {
            panic!("deploy")
        };
        assert_eq!((t.group.as_str(), t.namespace.clone()), ("apps", None));
        assert_eq!(
            route("/apis/apps/v1"),
            Some(Route::Discovery("apps".into(), "v1".into()))
        );
        assert_eq!(route("/foo"), None);
    }
}
