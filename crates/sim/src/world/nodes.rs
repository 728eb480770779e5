//! The node side of the kubelet and node lifecycle controller: condition heartbeats,
//! Ready/NotReady, and the `unschedulable` taint that follows `spec.unschedulable`.

use super::objects::{bool_at, name, secs_between, time_at};
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::HashSet;

/// How often (simulated seconds) the kubelet refreshes condition heartbeats.
pub const HEARTBEAT_SECS: f64 = 60.0;

const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// The four standard node conditions.
pub fn conditions(ready: bool, heartbeat: &str, transition: &str) -> Value {
    let c = |t: &str, s: &str, reason: &str, msg: &str| {
        json!({"type": t, "status": s, "reason": reason, "message": msg,
               "lastHeartbeatTime": heartbeat, "lastTransitionTime": transition})
    };
    json!([
        c(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"
        ),
        c(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        c(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        if ready {
            c(
                "Ready",
                "True",
                "KubeletReady",
                "kubelet is posting ready status",
            )
        } else {
            c(
                "Ready",
                "False",
                "KubeletNotReady",
                "container runtime is down: k3s is restarting for an upgrade",
            )
        },
    ])
}

/// Whether the node's Ready condition is True.
pub fn is_ready(node: &Value) -> bool {
    super::objects::condition(node, "/status/conditions", "Ready")
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True")
}

/// Whether new pods may be placed on the node.
pub fn schedulable(node: &Value) -> bool {
    is_ready(node) && !bool_at(node, "/spec/unschedulable")
}

/// Refreshes every node: heartbeat, Ready (false while in `restarting`), cordon taint.
pub fn reconcile(txn: &mut Txn<'_>, restarting: &HashSet<String>) {
    let now = txn.now;
    let now_s = txn.now_s.clone();
    for node in txn.list(Resource::Node, None) {
        let want_ready = !restarting.contains(name(&node));
        let hb = super::objects::condition(&node, "/status/conditions", "Ready")
            .and_then(|c| time_at(c, "/lastHeartbeatTime"));
        let stale = hb.is_none_or(|t| secs_between(t, now) >= HEARTBEAT_SECS);
        let ready_changed = is_ready(&node) != want_ready;
        let cordoned = bool_at(&node, "/spec/unschedulable");
        let has_taint = node
            .pointer("/spec/taints")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|t| t["key"] == UNSCHEDULABLE_TAINT));
        if !stale && !ready_changed && cordoned == has_taint {
            continue;
        }
        let Some(n) = txn.edit_obj(Resource::Node, &node) else {
            continue;
        };
        if stale || ready_changed {
            let transition = if ready_changed {
                now_s.clone()
            } else {
                super::objects::condition(n, "/status/conditions", "Ready")
                    .and_then(|c| c["lastTransitionTime"].as_str())
                    .unwrap_or(&now_s)
                    .to_string()
            };
            let mut conds = conditions(want_ready, &now_s, &transition);
            // Keep the pressure conditions' own transition times.
            if let (Some(old), Some(new)) = (
                n.pointer("/status/conditions")
                    .and_then(Value::as_array)
                    .cloned(),
                conds.as_array_mut(),
            ) {
                for c in new.iter_mut().filter(|c| c["type"] != "Ready") {
                    if let Some(o) = old.iter().find(|o| o["type"] == c["type"]) {
                        c["lastTransitionTime"] = o["lastTransitionTime"].clone();
                    }
                }
            }
            n["status"]["conditions"] = conds;
        }
        if cordoned != has_taint {
            let spec = super::objects::map_mut(n, &["spec"]);
            let mut taints: Vec<Value> = spec
                .get("taints")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            taints.retain(|t| t["key"] != UNSCHEDULABLE_TAINT);
            if cordoned {
                taints.push(json!({"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule",
                                   "timeAdded": now_s}));
            }
            if taints.is_empty() {
                spec.remove("taints");
            } else {
                spec.insert("taints".into(), Value::Array(taints));
            }
        }
        if ready_changed {
            let reason = if want_ready {
                "NodeReady"
            } else {
                "NodeNotReady"
            };
            let msg = format!("Node {} status is now: {reason}", name(&node));
            txn.event(
                Resource::Node,
                &node,
                false,
                reason,
                &msg,
                "kubelet",
                name(&node),
            );
        }
    }
}
