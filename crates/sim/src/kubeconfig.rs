//! Kubeconfig and sites-file writers for a running fleet. The entry-based builders are
//! shared with the real-site test bed (`outpost-testbed`), so both write the same formats.

use crate::site::Site;
use crate::spec::SiteSpec;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::sync::Arc;

/// One site's kubeconfig entry: where it answers and the admin's credentials.
#[derive(Clone)]
pub struct Entry {
    pub name: String,
    pub endpoint: String,
    pub ca_pem: String,
    /// K3s: client certificate and key (PEM).
    pub cert_pem: Option<String>,
    pub key_pem: Option<String>,
    /// MicroK8s: bearer token.
    pub token: Option<String>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

fn user(e: &Entry) -> Value {
    match (&e.cert_pem, &e.key_pem, &e.token) {
        (Some(c), Some(k), _) => {
            json!({"client-certificate-data": B64.encode(c), "client-key-data": B64.encode(k)})
        }
        (_, _, Some(t)) => json!({"token": t}),
        _ => json!({}),
    }
}

/// One context per entry; cluster, user and context all named after the site.
pub fn entries_kubeconfig(entries: &[Entry]) -> Value {
    let mut clusters = Vec::new();
    let mut users = Vec::new();
    let mut contexts = Vec::new();
    for e in entries {
        let name = &e.name;
        clusters.push(json!({"name": name, "cluster": {
            "server": e.endpoint, "certificate-authority-data": B64.encode(&e.ca_pem)}}));
        users.push(json!({"name": name, "user": user(e)}));
        contexts.push(json!({"name": name, "context": {"cluster": name, "user": name}}));
    }
    let current = entries.first().map(|e| e.name.clone()).unwrap_or_default();
    json!({"apiVersion": "v1", "kind": "Config", "preferences": {}, "clusters": clusters,
           "users": users, "contexts": contexts, "current-context": current})
}

/// One context per site; cluster, user and context all named after the site.
pub fn kubeconfig(sites: &[Arc<Site>]) -> Value {
    let entries: Vec<Entry> = sites
        .iter()
        .map(|s| Entry {
            name: s.spec.name.clone(),
            endpoint: s.endpoint(),
            ca_pem: s.tls.ca_pem.clone(),
            cert_pem: s.tls.client_cert_pem.clone(),
            key_pem: s.tls.client_key_pem.clone(),
            token: s.tls.token.clone(),
        })
        .collect();
    entries_kubeconfig(&entries)
}

/// One sites-file record.
pub fn site_record(p: &SiteSpec, endpoint: &str) -> Value {
    json!({"name": p.name, "display_name": p.display_name, "city": p.city,
           "latitude": p.latitude, "longitude": p.longitude, "tags": p.tags,
           "distro": p.distro, "version": p.version, "endpoint": endpoint})
}

/// The sites file: what the desktop app imports.
pub fn sites_file(sites: &[Arc<Site>]) -> Value {
    Value::Array(
        sites
            .iter()
            .map(|s| site_record(&s.spec, &s.endpoint()))
            .collect(),
    )
}
