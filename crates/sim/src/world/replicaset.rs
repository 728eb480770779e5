//! The ReplicaSet controller: keeps `spec.replicas` pods alive and reports status.

use super::objects::{generation, i64_at, name, namespace, owner_ref, random_suffix, str_at, uid};
use super::pods::{is_available, is_ready, new_pod};
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Deletion preference like upstream's `ActivePods` ordering: unscheduled, then pending,
/// then not ready, then the youngest.
fn delete_rank(p: &Value) -> (u8, u8, u8, std::cmp::Reverse<String>) {
    let unscheduled = u8::from(str_at(p, "/spec/nodeName").is_some());
    let running = u8::from(str_at(p, "/status/phase") == Some("Running"));
    let ready = u8::from(is_ready(p));
    let created = str_at(p, "/metadata/creationTimestamp")
        .unwrap_or("")
        .to_string();
    (unscheduled, running, ready, std::cmp::Reverse(created))
}

pub fn reconcile(
    txn: &mut Txn<'_>,
    pods_by_owner: &HashMap<String, Vec<Arc<Value>>>,
    rng: &mut rand::rngs::StdRng,
) {
    let now = txn.now;
    for rs in txn.list(Resource::ReplicaSet, None) {
        let rs_uid = uid(&rs);
        if rs_uid.is_empty() {
            continue;
        }
        let ns = namespace(&rs).to_string();
        let rs_name = name(&rs).to_string();
        let want = i64_at(&rs, "/spec/replicas").unwrap_or(1).max(0) as usize;
        let mut pods: Vec<Arc<Value>> = pods_by_owner.get(rs_uid).cloned().unwrap_or_default();
        if pods.len() < want {
            let template = rs
                .pointer("/spec/template")
                .cloned()
                .unwrap_or_else(|| json!({}));
            for _ in pods.len()..want {
                let pod_name = format!("{rs_name}-{}", random_suffix(rng, 5));
                let pod = new_pod(
                    &template,
                    &ns,
                    &pod_name,
                    Some(&format!("{rs_name}-")),
                    owner_ref(&rs, "apps/v1", "ReplicaSet"),
                    &[],
                );
                txn.create(Resource::Pod, pod);
                let msg = format!("Created pod: {pod_name}");
                txn.event(
                    Resource::ReplicaSet,
                    &rs,
                    false,
                    "SuccessfulCreate",
                    &msg,
                    "replicaset-controller",
                    "",
                );
            }
        } else if pods.len() > want {
            pods.sort_by_key(|p| delete_rank(p));
            for p in pods.drain(..pods.len() - want) {
                txn.delete(Resource::Pod, &ns, name(&p));
                let msg = format!("Deleted pod: {}", name(&p));
                txn.event(
                    Resource::ReplicaSet,
                    &rs,
                    false,
                    "SuccessfulDelete",
                    &msg,
                    "replicaset-controller",
                    "",
                );
            }
        }
        let min_ready = i64_at(&rs, "/spec/minReadySeconds").unwrap_or(0);
        let ready = pods.iter().filter(|p| is_ready(p)).count();
        let available = pods
            .iter()
            .filter(|p| is_available(p, min_ready, now))
            .count();
        let status = json!({
            "replicas": pods.len(),
            "fullyLabeledReplicas": pods.len(),
            "readyReplicas": ready,
            "availableReplicas": available,
            "observedGeneration": generation(&rs),
        });
        if !same_status(rs.get("status"), &status)
            && let Some(o) = txn.edit_obj(Resource::ReplicaSet, &rs)
        {
            o["status"] = status;
        }
    }
}

/// Status equality treating missing zero counters like zero (the API omits them).
pub fn same_status(old: Option<&Value>, new: &Value) -> bool {
    let Some(old) = old else { return false };
    let Some(m) = new.as_object() else {
        return false;
    };
    let old_len = old.as_object().map_or(0, |o| o.len());
    old_len == m.len() && m.iter().all(|(k, v)| old.get(k) == Some(v))
}
