//! Discovery documents: `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`, `/version`.

use crate::resource::Resource;
use crate::spec::SiteSpec;
use serde_json::{Value, json};

pub const METRICS_GROUP: &str = "metrics.k8s.io";

const VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];

fn short_names(r: Resource) -> &'static [&'static str] {
    match r {
        Resource::Namespace => &["ns"],
        Resource::Node => &["no"],
        Resource::Pod => &["po"],
        Resource::Service => &["svc"],
        Resource::ConfigMap => &["cm"],
        Resource::Event => &["ev"],
        Resource::Deployment => &["deploy"],
        Resource::ReplicaSet => &["rs"],
        Resource::DaemonSet => &["ds"],
        Resource::StatefulSet => &["sts"],
        _ => &[],
    }
}

fn in_all(r: Resource) -> bool {
    matches!(
        r,
        Resource::Pod
            | Resource::Service
            | Resource::Deployment
            | Resource::ReplicaSet
            | Resource::DaemonSet
            | Resource::StatefulSet
            | Resource::Job
    )
}

/// Whether the site serves this resource at all.
pub fn served(spec: &SiteSpec, r: Resource) -> bool {
    r != Resource::Plan || spec.upgrade_controller
}

/// The version the API server runs: a K3s/MicroK8s server's `/version` is its own
/// binary's, so after an upgrade it follows the control-plane node's kubelet version;
/// the spec's version until a server node reports one.
pub fn server_version(spec: &SiteSpec, store: &crate::store::Store) -> String {
    let (nodes, _) = store.list(Resource::Node, None);
    nodes
        .iter()
        .filter(|n| {
            n.pointer("/metadata/labels")
                .and_then(Value::as_object)
                .is_some_and(|l| {
                    l.contains_key("node-role.kubernetes.io/control-plane")
                        || l.contains_key("node-role.kubernetes.io/master")
                })
        })
        .filter_map(|n| n.pointer("/status/nodeInfo/kubeletVersion")?.as_str())
        .min_by(|a, b| a.cmp(b))
        .map_or_else(|| spec.version.clone(), str::to_string)
}

/// `/version`, like a real server.
pub fn version(git: &str) -> Value {
    let git = git.to_string();
    let core = git.trim_start_matches('v');
    let mut parts = core.split(['.', '+', '-']);
    let major = parts.next().unwrap_or("1").to_string();
    let minor = parts.next().unwrap_or("0").to_string();
    json!({
        "major": major, "minor": minor, "gitVersion": git,
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2024-12-10T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn api_versions(server: &str) -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
           "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}]})
}

fn group_entry(name: &str, version: &str) -> Value {
    let gv = format!("{name}/{version}");
    json!({"name": name, "versions": [{"groupVersion": gv, "version": version}],
           "preferredVersion": {"groupVersion": gv, "version": version}})
}

/// `/apis`.
pub fn api_groups(spec: &SiteSpec) -> Value {
    let mut groups = vec![group_entry("apps", "v1"), group_entry("batch", "v1")];
    if spec.upgrade_controller {
        groups.push(group_entry("upgrade.cattle.io", "v1"));
    }
    groups.push(group_entry(METRICS_GROUP, "v1beta1"));
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn resource_entry(r: Resource) -> Value {
    let mut e = json!({
        "name": r.plural(), "singularName": r.kind().to_lowercase(), "namespaced": r.namespaced(),
        "kind": r.kind(), "verbs": VERBS,
    });
    if !short_names(r).is_empty() {
        e["shortNames"] = json!(short_names(r));
    }
    if in_all(r) {
        e["categories"] = json!(["all"]);
    }
    e
}

fn sub_entry(r: Resource, sub: &str, kind: Value, verbs: &[&str]) -> Value {
    let mut e = json!({"name": format!("{}/{sub}", r.plural()), "singularName": "", "namespaced": r.namespaced(), "verbs": verbs});
    if let Value::Object(k) = kind {
        for (key, v) in k {
            e[key] = v;
        }
    }
    e
}

/// `/api/v1` or `/apis/<group>/<version>`; None when the site does not serve it.
pub fn resource_list(spec: &SiteSpec, group: &str, version: &str) -> Option<Value> {
    if group == METRICS_GROUP && version == "v1beta1" {
        return Some(
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "metrics.k8s.io/v1beta1",
            "resources": [
                {"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics", "verbs": ["get", "list"]},
                {"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]},
            ]}),
        );
    }
    if version != "v1" {
        return None;
    }
    let mut out = Vec::new();
    for r in Resource::ALL
        .into_iter()
        .filter(|r| r.group() == group && served(spec, *r))
    {
        out.push(resource_entry(r));
        let status_kind = json!({"kind": r.kind()});
        match r {
            Resource::Pod => {
                out.push(sub_entry(r, "log", status_kind.clone(), &["get"]));
                out.push(sub_entry(
                    r,
                    "status",
                    status_kind,
                    &["get", "patch", "update"],
                ));
            }
            Resource::Deployment | Resource::ReplicaSet | Resource::StatefulSet => {
                out.push(sub_entry(
                    r,
                    "status",
                    status_kind,
                    &["get", "patch", "update"],
                ));
                out.push(sub_entry(
                    r,
                    "scale",
                    json!({"group": "autoscaling", "version": "v1", "kind": "Scale"}),
                    &["get", "patch", "update"],
                ));
            }
            Resource::ConfigMap | Resource::Secret | Resource::Event => {}
            _ => out.push(sub_entry(
                r,
                "status",
                status_kind,
                &["get", "patch", "update"],
            )),
        }
    }
    if out.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}),
    )
}

/// A minimal OpenAPI v2 document (no definitions: clients skip schema validation of
/// types they find no schema for), as protobuf (what kubectl asks for) or JSON.
pub fn openapi_v2(spec: &SiteSpec, protobuf: bool) -> (Vec<u8>, &'static str) {
    if !protobuf {
        let doc = json!({"swagger": "2.0", "info": {"title": "Kubernetes", "version": spec.version},
                         "paths": {}, "definitions": {}});
        return (doc.to_string().into_bytes(), "application/json");
    }
    fn field(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
        out.push(tag);
        let mut n = bytes.len();
        while n >= 0x80 {
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out.extend_from_slice(bytes);
    }
    let mut info = Vec::new();
    field(&mut info, 0x0a, b"Kubernetes");
    field(&mut info, 0x12, spec.version.as_bytes());
    let mut doc = Vec::new();
    field(&mut doc, 0x0a, b"2.0");
    field(&mut doc, 0x12, &info);
    field(&mut doc, 0x42, &[]);
    field(&mut doc, 0x4a, &[]);
    (
        doc,
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use std::time::Duration;

    fn node(name: &str, role: Option<&str>, kubelet: &str) -> Value {
        let mut labels = serde_json::Map::new();
        if let Some(r) = role {
            labels.insert(format!("node-role.kubernetes.io/{r}"), json!("true"));
        }
        json!({"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels},
            "status": {"nodeInfo": {"kubeletVersion": kubelet}}})
    }

    #[test]
    fn version_follows_the_upgraded_server_not_the_agents() {
        let spec = crate::demo::demo_fleet()
            .into_iter()
            .next()
            .expect("a demo site");
        let store = Store::new(Duration::from_secs(75));
        assert_eq!(server_version(&spec, &store), spec.version, "no nodes yet");
        store
            .create(
                Resource::Node,
                node("s1", Some("control-plane"), "v1.31.9+k3s1"),
            )
            .expect("server");
        store
            .create(Resource::Node, node("a1", None, "v1.30.8+k3s1"))
            .expect("agent");
        assert_eq!(server_version(&spec, &store), "v1.31.9+k3s1");
        let v = version("v1.31.9+k3s1");
        assert_eq!(
            (v["major"].as_str(), v["minor"].as_str()),
            (Some("1"), Some("31"))
        );
    }
}
