//! Pod helpers shared by the workload controllers: building pods from templates,
//! readiness/availability, indexing by owner, and the scheduler that binds pods to nodes.

use super::nodes::{is_ready as is_node_ready, schedulable};
use super::objects::{condition, controller_uid, name, secs_between, str_at, time_at};
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Pods that count towards a controller (not finished).
pub fn is_active(pod: &Value) -> bool {
    !matches!(
        str_at(pod, "/status/phase"),
        Some("Succeeded") | Some("Failed")
    ) && pod.pointer("/metadata/deletionTimestamp").is_none()
}

pub fn is_ready(pod: &Value) -> bool {
    condition(pod, "/status/conditions", "Ready").and_then(|c| c["status"].as_str()) == Some("True")
}

/// Ready for at least `min_ready` seconds at `now`.
pub fn is_available(pod: &Value, min_ready: i64, now: jiff::Timestamp) -> bool {
    if !is_ready(pod) {
        return false;
    }
    if min_ready <= 0 {
        return true;
    }
    condition(pod, "/status/conditions", "Ready")
        .and_then(|c| time_at(c, "/lastTransitionTime"))
        .is_some_and(|t| secs_between(t, now) >= min_ready as f64)
}

/// Active pods grouped by the uid of their controlling owner.
pub fn by_owner(pods: &[Arc<Value>]) -> HashMap<String, Vec<Arc<Value>>> {
    let mut m: HashMap<String, Vec<Arc<Value>>> = HashMap::new();
    for p in pods.iter().filter(|p| is_active(p)) {
        if let Some(u) = controller_uid(p) {
            m.entry(u.to_string()).or_default().push(p.clone());
        }
    }
    m
}

/// A pod from `template`, owned by `owner_ref`, not yet bound to a node.
pub fn new_pod(
    template: &Value,
    ns: &str,
    pod_name: &str,
    generate_name: Option<&str>,
    owner_ref: Value,
    extra_labels: &[(&str, String)],
) -> Value {
    let mut meta = template
        .get("metadata")
        .cloned()
        .unwrap_or_else(|| json!({}));
    meta["name"] = json!(pod_name);
    meta["namespace"] = json!(ns);
    if let Some(g) = generate_name {
        meta["generateName"] = json!(g);
    }
    meta["ownerReferences"] = json!([owner_ref]);
    let labels = super::objects::map_mut(&mut meta, &["labels"]);
    for (k, v) in extra_labels {
        labels.insert((*k).to_string(), json!(v));
    }
    let mut spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
    if spec.get("serviceAccountName").is_none() {
        spec["serviceAccountName"] = json!("default");
        spec["serviceAccount"] = json!("default");
    }
    spec["enableServiceLinks"] = json!(true);
    spec["preemptionPolicy"] = json!("PreemptLowerPriority");
    spec["priority"] = json!(0);
    // Admission adds the default not-ready/unreachable tolerations to the template's own.
    let mut tolerations = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !tolerations.iter().any(|t| t["key"] == key) {
            tolerations.push(
                json!({"key": key, "operator": "Exists", "effect": "NoExecute",
                                    "tolerationSeconds": 300}),
            );
        }
    }
    spec["tolerations"] = Value::Array(tolerations);
    let qos = qos_class(&spec);
    json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
        "status": {"phase": "Pending", "qosClass": qos},
    })
}

/// QoS class from the containers' resources: none set → BestEffort; every container with
/// cpu and memory limits equal to its requests → Guaranteed; otherwise Burstable.
fn qos_class(spec: &Value) -> &'static str {
    let containers = spec["containers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let res = |c: &Value, k: &str, r: &str| c.pointer(&format!("/resources/{k}/{r}")).cloned();
    let any = containers.iter().any(|c| {
        ["requests", "limits"].iter().any(|k| {
            c.pointer(&format!("/resources/{k}"))
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty())
        })
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        ["cpu", "memory"].iter().all(|r| {
            let lim = res(c, "limits", r);
            lim.is_some() && (res(c, "requests", r).is_none() || res(c, "requests", r) == lim)
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The node a DaemonSet pod is pinned to (via `matchFields` node affinity).
pub fn pinned_node(pod: &Value) -> Option<&str> {
    pod.pointer(
        "/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchFields/0/values/0",
    )
    .and_then(Value::as_str)
}

/// Whether the pod tolerates the cordon taint (`node.kubernetes.io/unschedulable`).
fn tolerates_cordon(pod: &Value) -> bool {
    pod.pointer("/spec/tolerations")
        .and_then(Value::as_array)
        .is_some_and(|ts| {
            ts.iter().any(|t| {
                (t["key"] == "node.kubernetes.io/unschedulable" || t.get("key").is_none())
                    && t["operator"] == "Exists"
            })
        })
}

/// Whether `pod` may go to `node`: Ready, not cordoned (unless tolerated), and the pod's
/// `nodeSelector` matches the node's labels.
fn fits(pod: &Value, node: &Value) -> bool {
    let selector_ok = pod
        .pointer("/spec/nodeSelector")
        .and_then(Value::as_object)
        .is_none_or(|sel| {
            sel.iter()
                .all(|(k, v)| node.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v))
        });
    selector_ok && (schedulable(node) || (is_node_ready(node) && tolerates_cordon(pod)))
}

/// Binds unscheduled pods: least-loaded Ready, schedulable node (ties by name order),
/// or the pinned node for DaemonSet pods. Unplaceable pods get `PodScheduled=False`.
pub fn schedule(txn: &mut Txn<'_>, pods: &[Arc<Value>]) {
    let pending: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| is_active(p) && str_at(p, "/spec/nodeName").is_none())
        .collect();
    if pending.is_empty() {
        return;
    }
    let nodes = txn.list(Resource::Node, None);
    let mut load: Vec<(String, usize, &Value)> = nodes
        .iter()
        .map(|n| (name(n).to_string(), 0, n.as_ref()))
        .collect();
    load.sort_by(|a, b| a.0.cmp(&b.0));
    for p in pods.iter().filter(|p| is_active(p)) {
        if let Some(nn) = str_at(p, "/spec/nodeName")
            && let Some(l) = load.iter_mut().find(|l| l.0 == nn)
        {
            l.1 += 1;
        }
    }
    let now_s = txn.now_s.clone();
    for p in pending {
        let target = match pinned_node(p) {
            Some(n) => load.iter().position(|l| l.0 == n),
            None => load
                .iter()
                .enumerate()
                .filter(|(_, l)| fits(p, l.2))
                .min_by_key(|(_, l)| l.1)
                .map(|(i, _)| i),
        };
        let total = load.len();
        if target.is_none() && condition(p, "/status/conditions", "PodScheduled").is_some() {
            continue;
        }
        let Some(pod) = txn.edit_obj(Resource::Pod, p) else {
            continue;
        };
        match target {
            Some(i) => {
                load[i].1 += 1;
                let node = load[i].0.clone();
                pod["spec"]["nodeName"] = json!(node);
                pod["status"]["conditions"] = json!([{"type": "PodScheduled", "status": "True",
                    "lastProbeTime": null, "lastTransitionTime": now_s}]);
                let msg = format!(
                    "Successfully assigned {}/{} to {node}",
                    super::objects::namespace(p),
                    name(p)
                );
                txn.event(
                    Resource::Pod,
                    p,
                    false,
                    "Scheduled",
                    &msg,
                    "default-scheduler",
                    "",
                );
            }
            None => {
                let msg = format!(
                    "0/{total} nodes are available: {total} node(s) were unschedulable. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
                );
                pod["status"]["conditions"] = json!([{"type": "PodScheduled", "status": "False",
                    "reason": "Unschedulable", "message": msg,
                    "lastProbeTime": null, "lastTransitionTime": now_s}]);
                txn.event(
                    Resource::Pod,
                    p,
                    true,
                    "FailedScheduling",
                    &msg,
                    "default-scheduler",
                    "",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qos_classes() {
        assert_eq!(
            qos_class(&json!({"containers": [{"name": "a"}]})),
            "BestEffort"
        );
        let g = json!({"containers": [{"name": "a", "resources": {
            "limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}}]});
        assert_eq!(qos_class(&g), "Guaranteed");
        let b = json!({"containers": [{"name": "a", "resources": {
            "limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m", "memory": "1Gi"}}}]});
        assert_eq!(qos_class(&b), "Burstable");
    }
}
