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

/// `/version`, like a real server.
pub fn version(spec: &SiteSpec) -> Value {
    let git = spec.version.clone();
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
