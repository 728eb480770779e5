//! Kubernetes objects to the site view's `outpost-ipc` types.

use super::quantity::{parse_cpu_millis, parse_memory_bytes};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod, PodSpec};
use kube::ResourceExt;
use outpost_ipc as ipc;
use std::collections::HashMap;

/// Usage of one node from `metrics.k8s.io`: (CPU millicores, memory bytes).
pub type NodeUsage = HashMap<String, (f64, f64)>;

/// Longest event message kept.
const MAX_MESSAGE: usize = 500;

fn percent(used: f64, total: Option<f64>) -> Option<f32> {
    total
        .filter(|t| *t > 0.0)
        .map(|t| ((used / t) * 100.0).clamp(0.0, 999.0) as f32)
}

pub fn node(n: &Node, usage: &NodeUsage) -> ipc::NodeInfo {
    let status = n.status.as_ref();
    let conditions: Vec<ipc::NodeCondition> = status
        .and_then(|s| s.conditions.as_ref())
        .map(|cs| {
            cs.iter()
                .map(|c| ipc::NodeCondition {
                    type_: c.type_.clone(),
                    status: ipc::ConditionStatus::parse(&c.status),
                    message: c.message.clone().filter(|m| !m.is_empty()),
                })
                .collect()
        })
        .unwrap_or_default();
    let ready = conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == ipc::ConditionStatus::True);
    let mut roles: Vec<String> = n
        .labels()
        .keys()
        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    roles.sort();
    roles.dedup();
    let alloc = status.and_then(|s| s.allocatable.as_ref());
    let cap = |k: &str, parse: fn(&str) -> Option<f64>| {
        alloc.and_then(|a| a.get(k)).and_then(|q| parse(&q.0))
    };
    let (cpu_percent, memory_percent) = match usage.get(&n.name_any()) {
        Some((cpu, mem)) => (
            percent(*cpu, cap("cpu", parse_cpu_millis)),
            percent(*mem, cap("memory", parse_memory_bytes)),
        ),
        None => (None, None),
    };
    ipc::NodeInfo {
        name: n.name_any(),
        ready,
        roles,
        kubelet_version: status
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone())
            .unwrap_or_default(),
        conditions,
        cpu_percent,
        memory_percent,
    }
}

fn images(spec: Option<&PodSpec>) -> Vec<String> {
    spec.map(|s| {
        s.containers
            .iter()
            .filter_map(|c| c.image.clone())
            .collect()
    })
    .unwrap_or_default()
}

fn count(v: Option<i32>) -> u32 {
    v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0)
}

pub fn deployment(d: &Deployment) -> ipc::WorkloadInfo {
    let spec = &d.spec;
    ipc::WorkloadInfo {
        kind: ipc::WorkloadKind::Deployment,
        namespace: d.namespace().unwrap_or_default(),
        name: d.name_any(),
        ready: count(d.status.as_ref().and_then(|s| s.ready_replicas)),
        desired: count(Some(spec.replicas.unwrap_or(1))),
        images: images(spec.template.spec.as_ref()),
    }
}

pub fn statefulset(s: &StatefulSet) -> ipc::WorkloadInfo {
    let spec = &s.spec;
    ipc::WorkloadInfo {
        kind: ipc::WorkloadKind::StatefulSet,
        namespace: s.namespace().unwrap_or_default(),
        name: s.name_any(),
        ready: count(s.status.as_ref().and_then(|s| s.ready_replicas)),
        desired: count(Some(spec.replicas.unwrap_or(1))),
        images: images(spec.template.spec.as_ref()),
    }
}

pub fn daemonset(d: &DaemonSet) -> ipc::WorkloadInfo {
    let st = d.status.as_ref();
    ipc::WorkloadInfo {
        kind: ipc::WorkloadKind::DaemonSet,
        namespace: d.namespace().unwrap_or_default(),
        name: d.name_any(),
        ready: count(st.map(|s| s.number_ready)),
        desired: count(st.map(|s| s.desired_number_scheduled)),
        images: images(d.spec.template.spec.as_ref()),
    }
}

/// `Kind/name` of the workload owning a pod (a ReplicaSet's Deployment when the
/// ReplicaSet name is the Deployment's plus the pod-template hash).
fn owner(p: &Pod) -> Option<String> {
    let o = p
        .owner_references()
        .iter()
        .find(|o| o.controller == Some(true))?;
    if o.kind == "ReplicaSet"
        && let Some(hash) = p.labels().get("pod-template-hash")
        && let Some(dep) = o.name.strip_suffix(&format!("-{hash}"))
    {
        return Some(format!("Deployment/{dep}"));
    }
    Some(format!("{}/{}", o.kind, o.name))
}

pub fn pod(p: &Pod) -> ipc::PodInfo {
    let pruned = crate::health::prune::pod(p);
    let st = p.status.as_ref();
    let statuses = st.and_then(|s| s.container_statuses.as_ref());
    // The worst container's reason: a known trouble first, then any waiting or
    // terminated reason, then the pod's own (Evicted, …).
    let reason = pruned.reason.clone().or_else(|| {
        statuses
            .into_iter()
            .flatten()
            .find_map(|c| {
                let s = c.state.as_ref()?;
                s.waiting
                    .as_ref()
                    .and_then(|w| w.reason.clone())
                    .or_else(|| s.terminated.as_ref().and_then(|t| t.reason.clone()))
            })
            .or_else(|| st.and_then(|s| s.reason.clone()))
    });
    let ready = st
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    ipc::PodInfo {
        namespace: pruned.namespace,
        name: pruned.name,
        phase: st
            .and_then(|s| s.phase.as_deref())
            .map(ipc::PodPhase::parse)
            .unwrap_or_default(),
        reason,
        ready,
        restarts: u32::try_from(pruned.restarts).unwrap_or(0),
        started_ms: p.creation_timestamp().map(|t| t.0.as_millisecond()),
        node: p.spec.as_ref().and_then(|s| s.node_name.clone()),
        owner: owner(p),
    }
}

pub fn event(e: &Event) -> ipc::EventInfo {
    let obj = &e.involved_object;
    let mut message = e.message.clone().unwrap_or_default();
    if message.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push('…');
    }
    let last = e
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.creation_timestamp().map(|t| t.0));
    ipc::EventInfo {
        type_: if e.type_.as_deref() == Some("Warning") {
            ipc::EventType::Warning
        } else {
            ipc::EventType::Normal
        },
        reason: e.reason.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            obj.kind.clone().unwrap_or_default(),
            obj.name.clone().unwrap_or_default()
        ),
        message,
        count: count(e.count).max(1),
        last_ms: last.map(|t| t.as_millisecond()),
    }
}

/// Warnings first, then newest first.
pub fn order_events(events: &mut [ipc::EventInfo]) {
    events.sort_by(|a, b| {
        let w = |e: &ipc::EventInfo| e.type_ == ipc::EventType::Warning;
        w(b).cmp(&w(a)).then_with(|| b.last_ms.cmp(&a.last_ms))
    });
}
