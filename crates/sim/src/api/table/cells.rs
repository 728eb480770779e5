//! Per-resource column definitions and row cells, as kubectl's printers compute them.

use super::human_duration;
use crate::resource::Resource;
use serde_json::{Value, json};

fn age_of(ts: Option<&str>) -> String {
    match ts.and_then(|t| t.parse::<jiff::Timestamp>().ok()) {
        Some(t) => human_duration((jiff::Timestamp::now().as_second()) - t.as_second()),
        None => "<unknown>".into(),
    }
}

fn age(o: &Value) -> String {
    age_of(
        o.pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str),
    )
}

fn s<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or("")
}

fn n(o: &Value, p: &str) -> i64 {
    o.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

fn or_none(v: &str) -> String {
    if v.is_empty() {
        "<none>".into()
    } else {
        v.into()
    }
}

fn col(name: &str, ty: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": ty, "format": format, "description": "", "priority": priority})
}

fn containers_images(o: &Value) -> (String, String) {
    let cs = o
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = cs.iter().filter_map(|c| c.get("name")?.as_str()).collect();
    let images: Vec<&str> = cs.iter().filter_map(|c| c.get("image")?.as_str()).collect();
    (names.join(","), images.join(","))
}

fn selector(o: &Value) -> String {
    let labels = o
        .pointer("/spec/selector/matchLabels")
        .or_else(|| o.pointer("/spec/selector"));
    match labels.and_then(Value::as_object) {
        Some(m) if !m.is_empty() => m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(","),
        _ => "<none>".into(),
    }
}

/// A pod's STATUS column, as kubectl computes it.
pub fn pod_status(o: &Value) -> String {
    if o.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
    {
        return "Terminating".into();
    }
    let mut reason = s(o, "/status/reason").to_string();
    if reason.is_empty() {
        reason = s(o, "/status/phase").to_string();
    }
    for cs in o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let w = s(cs, "/state/waiting/reason");
        let t = s(cs, "/state/terminated/reason");
        if !w.is_empty() {
            reason = w.into();
        } else if !t.is_empty() {
            reason = t.into();
        }
    }
    if reason.is_empty() {
        "Pending".into()
    } else {
        reason
    }
}

fn pod_cells(o: &Value) -> Vec<Value> {
    let statuses = o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let total = o
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ready = statuses
        .iter()
        .filter(|c| c.get("ready") == Some(&json!(true)))
        .count();
    let restarts: i64 = statuses.iter().map(|c| n(c, "/restartCount")).sum();
    let last = statuses
        .iter()
        .filter_map(|c| c.pointer("/lastState/terminated/finishedAt")?.as_str())
        .max();
    let restarts = match (restarts, last) {
        (r, Some(t)) if r > 0 => format!("{r} ({} ago)", age_of(Some(t))),
        (r, _) => r.to_string(),
    };
    vec![
        json!(s(o, "/metadata/name")),
        json!(format!("{ready}/{total}")),
        json!(pod_status(o)),
        json!(restarts),
        json!(age(o)),
        json!(or_none(s(o, "/status/podIP"))),
        json!(or_none(s(o, "/spec/nodeName"))),
        json!("<none>"),
        json!("<none>"),
    ]
}

fn node_cells(o: &Value) -> Vec<Value> {
    let conds = o
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ready = conds
        .iter()
        .find(|c| s(c, "/type") == "Ready")
        .map(|c| s(c, "/status") == "True");
    let mut status = match ready {
        Some(true) => "Ready".to_string(),
        Some(false) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if o.pointer("/spec/unschedulable") == Some(&json!(true)) {
        status.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<String> = o
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.keys()
                .filter_map(|k| {
                    k.strip_prefix("node-role.kubernetes.io/")
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    roles.sort();
    let addr = |t: &str| {
        o.pointer("/status/addresses")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|x| s(x, "/type") == t))
            .map(|x| s(x, "/address").to_string())
            .unwrap_or_else(|| "<none>".into())
    };
    vec![
        json!(s(o, "/metadata/name")),
        json!(status),
        json!(if roles.is_empty() {
            "<none>".into()
        } else {
            roles.join(",")
        }),
        json!(age(o)),
        json!(s(o, "/status/nodeInfo/kubeletVersion")),
        json!(addr("InternalIP")),
        json!(addr("ExternalIP")),
        json!(s(o, "/status/nodeInfo/osImage")),
        json!(s(o, "/status/nodeInfo/kernelVersion")),
        json!(s(o, "/status/nodeInfo/containerRuntimeVersion")),
    ]
}

fn event_cells(o: &Value) -> Vec<Value> {
    let last = [
        s(o, "/lastTimestamp"),
        s(o, "/eventTime"),
        s(o, "/metadata/creationTimestamp"),
    ]
    .into_iter()
    .find(|t| !t.is_empty())
    .map(|t| age_of(Some(t)))
    .unwrap_or_else(|| "<unknown>".into());
    let object = format!(
        "{}/{}",
        s(o, "/involvedObject/kind").to_lowercase(),
        s(o, "/involvedObject/name")
    );
    vec![
        json!(last),
        json!(s(o, "/type")),
        json!(s(o, "/reason")),
        json!(object),
        json!(s(o, "/message")),
        json!(s(o, "/involvedObject/fieldPath")),
        json!(format!(
            "{}{}",
            s(o, "/source/component"),
            if s(o, "/source/host").is_empty() {
                String::new()
            } else {
                format!(", {}", s(o, "/source/host"))
            }
        )),
        json!(age_of(
            Some(s(o, "/firstTimestamp")).filter(|t| !t.is_empty())
        )),
        json!(n(o, "/count").max(1)),
        json!(s(o, "/metadata/name")),
    ]
}

fn service_cells(o: &Value) -> Vec<Value> {
    let ports: Vec<String> = o
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let np = n(p, "/nodePort");
            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            if np > 0 {
                format!("{}:{np}/{proto}", n(p, "/port"))
            } else {
                format!("{}/{proto}", n(p, "/port"))
            }
        })
        .collect();
    let ext = o
        .pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|i| s(i, "/ip").to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| {
            if s(o, "/spec/type") == "LoadBalancer" {
                "<pending>".into()
            } else {
                "<none>".into()
            }
        });
    vec![
        json!(s(o, "/metadata/name")),
        json!(if s(o, "/spec/type").is_empty() {
            "ClusterIP"
        } else {
            s(o, "/spec/type")
        }),
        json!(or_none(s(o, "/spec/clusterIP"))),
        json!(ext),
        json!(if ports.is_empty() {
            "<none>".into()
        } else {
            ports.join(",")
        }),
        json!(age(o)),
        json!(selector(o)),
    ]
}

/// Column definitions and one row's cells for a resource.
pub(super) fn columns(r: Resource) -> Vec<Value> {
    let c = |defs: &[(&str, &str, u8)]| defs.iter().map(|(nm, t, p)| col(nm, t, *p)).collect();
    match r {
        Resource::Pod => c(&[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
            ("Nominated Node", "string", 1),
            ("Readiness Gates", "string", 1),
        ]),
        Resource::Node => c(&[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Roles", "string", 0),
            ("Age", "string", 0),
            ("Version", "string", 0),
            ("Internal-IP", "string", 1),
            ("External-IP", "string", 1),
            ("OS-Image", "string", 1),
            ("Kernel-Version", "string", 1),
            ("Container-Runtime", "string", 1),
        ]),
        Resource::Deployment => c(&[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ]),
        Resource::ReplicaSet => c(&[
            ("Name", "string", 0),
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ]),
        Resource::DaemonSet => c(&[
            ("Name", "string", 0),
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Node Selector", "string", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ]),
        Resource::StatefulSet => c(&[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
        ]),
        Resource::Service => c(&[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Cluster-IP", "string", 0),
            ("External-IP", "string", 0),
            ("Port(s)", "string", 0),
            ("Age", "string", 0),
            ("Selector", "string", 1),
        ]),
        Resource::Event => c(&[
            ("Last Seen", "string", 0),
            ("Type", "string", 0),
            ("Reason", "string", 0),
            ("Object", "string", 0),
            ("Message", "string", 0),
            ("Subobject", "string", 1),
            ("Source", "string", 1),
            ("First Seen", "string", 1),
            ("Count", "integer", 1),
            ("Name", "string", 1),
        ]),
        Resource::Namespace => c(&[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Age", "string", 0),
        ]),
        Resource::ConfigMap => c(&[
            ("Name", "string", 0),
            ("Data", "integer", 0),
            ("Age", "string", 0),
        ]),
        Resource::Secret => c(&[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Data", "integer", 0),
            ("Age", "string", 0),
        ]),
        Resource::Job => c(&[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Completions", "string", 0),
            ("Age", "string", 0),
        ]),
        Resource::Plan => c(&[
            ("Name", "string", 0),
            ("Image", "string", 0),
            ("Channel", "string", 0),
            ("Version", "string", 0),
        ]),
    }
}

pub(super) fn cells(r: Resource, o: &Value) -> Vec<Value> {
    let name = json!(s(o, "/metadata/name"));
    let count = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())
    };
    match r {
        Resource::Pod => pod_cells(o),
        Resource::Node => node_cells(o),
        Resource::Event => event_cells(o),
        Resource::Service => service_cells(o),
        Resource::Deployment => {
            let (cs, im) = containers_images(o);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    n(o, "/status/readyReplicas"),
                    n(o, "/spec/replicas")
                )),
                json!(n(o, "/status/updatedReplicas")),
                json!(n(o, "/status/availableReplicas")),
                json!(age(o)),
                json!(cs),
                json!(im),
                json!(selector(o)),
            ]
        }
        Resource::ReplicaSet => {
            let (cs, im) = containers_images(o);
            vec![
                name,
                json!(n(o, "/spec/replicas")),
                json!(n(o, "/status/replicas")),
                json!(n(o, "/status/readyReplicas")),
                json!(age(o)),
                json!(cs),
                json!(im),
                json!(selector(o)),
            ]
        }
        Resource::DaemonSet => {
            let (cs, im) = containers_images(o);
            let ns = o
                .pointer("/spec/template/spec/nodeSelector")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| "<none>".into());
            vec![
                name,
                json!(n(o, "/status/desiredNumberScheduled")),
                json!(n(o, "/status/currentNumberScheduled")),
                json!(n(o, "/status/numberReady")),
                json!(n(o, "/status/updatedNumberScheduled")),
                json!(n(o, "/status/numberAvailable")),
                json!(ns),
                json!(age(o)),
                json!(cs),
                json!(im),
                json!(selector(o)),
            ]
        }
        Resource::StatefulSet => {
            let (cs, im) = containers_images(o);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    n(o, "/status/readyReplicas"),
                    n(o, "/spec/replicas")
                )),
                json!(age(o)),
                json!(cs),
                json!(im),
            ]
        }
        Resource::Namespace => vec![
            name,
            json!(if s(o, "/status/phase").is_empty() {
                "Active"
            } else {
                s(o, "/status/phase")
            }),
            json!(age(o)),
        ],
        Resource::ConfigMap => vec![
            name,
            json!(count("/data") + count("/binaryData")),
            json!(age(o)),
        ],
        Resource::Secret => vec![
            name,
            json!(if s(o, "/type").is_empty() {
                "Opaque"
            } else {
                s(o, "/type")
            }),
            json!(count("/data")),
            json!(age(o)),
        ],
        Resource::Job => {
            let status = if n(o, "/status/succeeded") > 0 {
                "Complete"
            } else if n(o, "/status/failed") > 0 {
                "Failed"
            } else {
                "Running"
            };
            let want = o
                .pointer("/spec/completions")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            vec![
                name,
                json!(status),
                json!(format!("{}/{want}", n(o, "/status/succeeded"))),
                json!(age(o)),
            ]
        }
        Resource::Plan => vec![
            name,
            json!(s(o, "/spec/upgrade/image")),
            json!(s(o, "/spec/channel")),
            json!(s(o, "/spec/version")),
        ],
    }
}
