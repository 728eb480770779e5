//! Turning Kubernetes objects into the small structs health needs; the full objects
//! (managedFields, annotations, specs) are dropped as soon as they are read.

use crate::model::{EventInfo, NodeInfo, PodInfo, PodTrouble, WorkloadInfo};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod, PodTemplateSpec};
use kube::ResourceExt;
use std::collections::BTreeMap;

/// Conditions that mean a node is under pressure when `True`.
const PRESSURE: [&str; 4] = [
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// `ns/name` (or `name` for cluster objects).
pub fn key_of<K: kube::Resource>(o: &K) -> String {
    match o.meta().namespace.as_deref() {
        Some(ns) => format!("{ns}/{}", o.name_any()),
        None => o.name_any(),
    }
}

pub fn node(n: &Node) -> NodeInfo {
    let conds = n
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .map(Vec::as_slice)
        .unwrap_or_default();
    let ready = conds
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    let pressure = conds
        .iter()
        .filter(|c| PRESSURE.contains(&c.type_.as_str()) && c.status == "True")
        .map(|c| c.type_.clone())
        .collect();
    let microk8s = n.labels().contains_key("microk8s.io/cluster");
    let kubelet_version = n
        .status
        .as_ref()
        .and_then(|s| s.node_info.as_ref())
        .map(|i| i.kubelet_version.clone());
    NodeInfo {
        ready,
        pressure,
        microk8s,
        kubelet_version,
    }
}

/// Container name → image of a pod template.
fn images(t: &PodTemplateSpec) -> BTreeMap<String, String> {
    t.spec
        .iter()
        .flat_map(|s| &s.containers)
        .filter_map(|c| Some((c.name.clone(), c.image.clone()?)))
        .collect()
}

fn workload(
    kind: &str,
    meta: &kube::api::ObjectMeta,
    template: &PodTemplateSpec,
    desired: i32,
    available: i32,
) -> WorkloadInfo {
    WorkloadInfo {
        kind: kind.to_string(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        desired,
        available,
        images: images(template),
    }
}

pub fn deployment(d: &Deployment) -> WorkloadInfo {
    let desired = d.spec.replicas.unwrap_or(1);
    let available = d
        .status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0);
    workload(
        "Deployment",
        &d.metadata,
        &d.spec.template,
        desired,
        available,
    )
}

pub fn statefulset(s: &StatefulSet) -> WorkloadInfo {
    let desired = s.spec.replicas.unwrap_or(1);
    let st = s.status.as_ref();
    let available = st
        .and_then(|s| s.available_replicas.or(s.ready_replicas))
        .unwrap_or(0);
    workload(
        "StatefulSet",
        &s.metadata,
        &s.spec.template,
        desired,
        available,
    )
}

pub fn daemonset(d: &DaemonSet) -> WorkloadInfo {
    let st = d.status.as_ref();
    let desired = st.map_or(0, |s| s.desired_number_scheduled);
    let available = st.and_then(|s| s.number_available).unwrap_or(0);
    workload(
        "DaemonSet",
        &d.metadata,
        &d.spec.template,
        desired,
        available,
    )
}

/// The workload cache key: `Kind/ns/name`.
pub fn workload_key(w: &WorkloadInfo) -> String {
    format!("{}/{}/{}", w.kind, w.namespace, w.name)
}

pub fn pod(p: &Pod) -> PodInfo {
    let statuses = p
        .status
        .as_ref()
        .map(|s| {
            let mut v = s.container_statuses.clone().unwrap_or_default();
            v.extend(s.init_container_statuses.clone().unwrap_or_default());
            v
        })
        .unwrap_or_default();
    let restarts = statuses.iter().map(|c| c.restart_count).sum();
    let mut trouble = None;
    let mut reason = None;
    for c in &statuses {
        let waiting = c
            .state
            .as_ref()
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.clone());
        let Some(w) = waiting else { continue };
        let t = match w.as_str() {
            "CrashLoopBackOff" => Some(PodTrouble::CrashLoop),
            "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull" => {
                Some(PodTrouble::ImagePull)
            }
            _ => None,
        };
        if t.is_some() {
            trouble = t;
            reason = Some(w);
            break;
        }
    }
    // The owning workload: a ReplicaSet named `<deployment>-<pod-template-hash>` stands
    // for its Deployment.
    let owner = p
        .owner_references()
        .iter()
        .find(|o| o.controller == Some(true))
        .or_else(|| p.owner_references().first())
        .map(|o| {
            let hash = p.labels().get("pod-template-hash");
            match hash.and_then(|h| o.name.strip_suffix(&format!("-{h}"))) {
                Some(dep) if o.kind == "ReplicaSet" => format!("Deployment/{dep}"),
                _ => format!("{}/{}", o.kind, o.name),
            }
        });
    PodInfo {
        namespace: p.namespace().unwrap_or_default(),
        name: p.name_any(),
        restarts,
        trouble,
        reason,
        owner,
    }
}

pub fn event(e: &Event) -> EventInfo {
    let obj = &e.involved_object;
    let mut message = e.message.clone().unwrap_or_default();
    if message.len() > 200 {
        let mut cut = 200;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
    }
    let last_seen = e
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0));
    EventInfo {
        namespace: e.namespace().unwrap_or_default(),
        object: format!(
            "{}/{}",
            obj.kind.clone().unwrap_or_default(),
            obj.name.clone().unwrap_or_default()
        ),
        reason: e.reason.clone().unwrap_or_default(),
        message,
        count: e.count.unwrap_or(1),
        last_seen,
    }
}
