//! Kubeconfig and sites-file writers for a running fleet.

use crate::site::Site;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::sync::Arc;

/// One context per site; cluster, user and context all named after the site.
pub fn kubeconfig(sites: &[Arc<Site>]) -> Value {
    let mut clusters = Vec::new();
    let mut users = Vec::new();
    let mut contexts = Vec::new();
    for s in sites {
        let name = &s.spec.name;
        clusters.push(json!({"name": name, "cluster": {
            "server": s.endpoint(), "certificate-authority-data": B64.encode(&s.tls.ca_pem)}}));
        let user = match (&s.tls.client_cert_pem, &s.tls.client_key_pem, &s.tls.token) {
            (Some(c), Some(k), _) => {
                json!({"client-certificate-data": B64.encode(c), "client-key-data": B64.encode(k)})
            }
            (_, _, Some(t)) => json!({"token": t}),
            _ => json!({}),
        };
        users.push(json!({"name": name, "user": user}));
        contexts.push(json!({"name": name, "context": {"cluster": name, "user": name}}));
    }
    let current = sites
        .first()
        .map(|s| s.spec.name.clone())
        .unwrap_or_default();
    json!({"apiVersion": "v1", "kind": "Config", "preferences": {}, "clusters": clusters,
           "users": users, "contexts": contexts, "current-context": current})
}

/// The sites file: what the desktop app imports.
pub fn sites_file(sites: &[Arc<Site>]) -> Value {
    Value::Array(
        sites
            .iter()
            .map(|s| {
                let p = &s.spec;
                json!({"name": p.name, "display_name": p.display_name, "city": p.city,
                       "latitude": p.latitude, "longitude": p.longitude, "tags": p.tags,
                       "distro": p.distro, "version": p.version, "endpoint": s.endpoint()})
            })
            .collect(),
    )
}
