//! Kubeconfigs for real sites: the `outpost sim` format (shared builder in
//! `outpost_sim::kubeconfig`), the shapes K3s and MicroK8s themselves write (for import
//! tests), the components' own kubeconfig, and kube clients.

use crate::TestbedError;
use crate::pki::SitePki;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
pub use outpost_sim::kubeconfig::Entry;
use serde_json::{Value, json};

/// The `outpost sim` kubeconfig: one context per site, all named after the site.
pub fn site_kubeconfig(entries: &[Entry]) -> Value {
    outpost_sim::kubeconfig::entries_kubeconfig(entries)
}

/// The kubeconfig the site's own programs use (admin client certificate; MicroK8s-style
/// sites accept client certificates too, like MicroK8s' own components).
pub fn admin_cert_kubeconfig(endpoint: &str, pki: &SitePki) -> String {
    let e = Entry {
        name: "local".into(),
        endpoint: endpoint.to_string(),
        ca_pem: pki.ca_pem.clone(),
        cert_pem: Some(pki.admin_cert_pem.clone()),
        key_pem: Some(pki.admin_key_pem.clone()),
        token: None,
    };
    // JSON is YAML: every kubeconfig reader takes it (serde_yaml is banned, see deny.toml).
    serde_json::to_string_pretty(&site_kubeconfig(&[e])).unwrap_or_default()
}

/// What `/etc/rancher/k3s/k3s.yaml` looks like: `default` everywhere and
/// `https://127.0.0.1:6443`, whatever address the site really answers on.
pub fn k3s_shaped(e: &Entry) -> Value {
    json!({"apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": "default", "cluster": {
            "certificate-authority-data": B64.encode(&e.ca_pem),
            "server": "https://127.0.0.1:6443"}}],
        "contexts": [{"name": "default", "context": {"cluster": "default", "user": "default"}}],
        "current-context": "default",
        "users": [{"name": "default", "user": {
            "client-certificate-data": B64.encode(e.cert_pem.as_deref().unwrap_or_default()),
            "client-key-data": B64.encode(e.key_pem.as_deref().unwrap_or_default())}}]})
}

/// What `microk8s config` prints: `microk8s-cluster`, user `admin`, context `microk8s`,
/// the node's address on port 16443 and a bearer token.
pub fn microk8s_shaped(e: &Entry) -> Value {
    json!({"apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": "microk8s-cluster", "cluster": {
            "certificate-authority-data": B64.encode(&e.ca_pem),
            "server": e.endpoint}}],
        "contexts": [{"name": "microk8s", "context": {"cluster": "microk8s-cluster", "user": "admin"}}],
        "current-context": "microk8s",
        "users": [{"name": "admin", "user": {"token": e.token.as_deref().unwrap_or_default()}}]})
}

/// A kube client for `context` of a kubeconfig value.
pub async fn client(kubeconfig: &Value, context: &str) -> Result<kube::Client, TestbedError> {
    let kc: kube::config::Kubeconfig = serde_json::from_value(kubeconfig.clone())
        .map_err(|e| TestbedError::Config(format!("kubeconfig: {e}")))?;
    let opts = kube::config::KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| TestbedError::Kube(e.to_string()))?;
    kube::Client::try_from(cfg).map_err(|e| TestbedError::Kube(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_the_distros() {
        let e = Entry {
            name: "a".into(),
            endpoint: "https://127.0.9.1:16443".into(),
            ca_pem: "CA".into(),
            cert_pem: Some("C".into()),
            key_pem: Some("K".into()),
            token: Some("T".into()),
        };
        let k = k3s_shaped(&e);
        assert_eq!(
            k["clusters"][0]["cluster"]["server"],
            "https://127.0.0.1:6443"
        );
        assert_eq!(k["contexts"][0]["context"]["user"], "default");
        let m = microk8s_shaped(&e);
        assert_eq!(m["clusters"][0]["name"], "microk8s-cluster");
        assert_eq!(m["users"][0]["user"]["token"], "T");
        let s = site_kubeconfig(std::slice::from_ref(&e));
        assert_eq!(s["contexts"][0]["name"], "a");
    }
}
