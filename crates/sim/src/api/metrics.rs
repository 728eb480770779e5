//! `metrics.k8s.io/v1beta1`: NodeMetrics and PodMetrics computed from `world::metrics`.

use super::{ApiError, Body, Target, json_response};
use crate::resource::Resource;
use crate::site::Site;
use crate::store::meta::k8s_time;
use crate::world::metrics::{node_usage, pod_usage};
use http::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

fn usage(cpu_millis: u64, mem_bytes: u64) -> Value {
    json!({"cpu": format!("{}n", cpu_millis * 1_000_000), "memory": format!("{}Ki", mem_bytes / 1024)})
}

fn node_metrics(site: &Site, node: &Value, now: jiff::Timestamp) -> Value {
    let (c, m) = node_usage(site.seed, node, now);
    json!({"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
           "metadata": {"name": node["metadata"]["name"], "labels": node["metadata"]["labels"], "creationTimestamp": k8s_time(now)},
           "timestamp": k8s_time(now), "window": "10.062s", "usage": usage(c, m)})
}

fn pod_metrics(site: &Site, pod: &Value, now: jiff::Timestamp) -> Value {
    let containers: Vec<Value> = pod_usage(site.seed, pod, now)
        .into_iter()
        .map(|(name, c, m)| json!({"name": name, "usage": usage(c, m)}))
        .collect();
    json!({"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
           "metadata": {"name": pod["metadata"]["name"], "namespace": pod["metadata"]["namespace"],
                        "labels": pod["metadata"]["labels"], "creationTimestamp": k8s_time(now)},
           "timestamp": k8s_time(now), "window": "10.062s", "containers": containers})
}

fn running(p: &Value) -> bool {
    p.pointer("/status/phase").and_then(Value::as_str) == Some("Running")
}

pub fn serve(
    site: &Site,
    t: &Target,
    q: &HashMap<String, String>,
) -> Result<Response<Body>, ApiError> {
    let not_found = |what: &str| ApiError::NotFound(format!("{what} not found"));
    if t.version != "v1beta1" {
        return Err(not_found(
            "the server could not find the requested resource;",
        ));
    }
    let (ls, fs) = super::objects::selectors(q)?;
    let now = jiff::Timestamp::now();
    let (resource, kind) = match t.plural.as_str() {
        "nodes" => (Resource::Node, "NodeMetricsList"),
        "pods" => (Resource::Pod, "PodMetricsList"),
        _ => {
            return Err(not_found(
                "the server could not find the requested resource;",
            ));
        }
    };
    let render = |o: &Value| match resource {
        Resource::Node => node_metrics(site, o, now),
        _ => pod_metrics(site, o, now),
    };
    if let Some(name) = &t.name {
        let o = site
            .store
            .get(resource, t.namespace.as_deref(), name)
            .filter(|o| resource == Resource::Node || running(o))
            .ok_or_else(|| not_found(&format!("{}.metrics.k8s.io \"{name}\"", t.plural)))?;
        return Ok(json_response(200, &render(&o)));
    }
    let (items, _) = site.store.list(resource, t.namespace.as_deref());
    let items: Vec<Value> = items
        .iter()
        .filter(|o| (resource == Resource::Node || running(o)) && ls.matches(o) && fs.matches(o))
        .map(|o| render(o))
        .collect();
    Ok(json_response(
        200,
        &json!({"kind": kind, "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items}),
    ))
}
