//! The DaemonSet controller: one pod per eligible node (cordoned nodes included, as the
//! daemon pods tolerate `unschedulable`), rolling updates one pod at a time.

use super::objects::{
    generation, name, namespace, owner_ref, random_suffix, selector_matches, spec_template_hash,
    str_at, uid,
};
use super::pods::{is_available, is_ready, new_pod, pinned_node};
use super::replicaset::same_status;
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

fn pod_node(p: &Value) -> Option<&str> {
    str_at(p, "/spec/nodeName").or_else(|| pinned_node(p))
}

pub fn reconcile(
    txn: &mut Txn<'_>,
    pods_by_owner: &HashMap<String, Vec<Arc<Value>>>,
    rng: &mut rand::rngs::StdRng,
) {
    let now = txn.now;
    let nodes = txn.list(Resource::Node, None);
    for ds in txn.list(Resource::DaemonSet, None) {
        if uid(&ds).is_empty() {
            continue;
        }
        let ns = namespace(&ds).to_string();
        let ds_name = name(&ds).to_string();
        static NULL: Value = Value::Null;
        let template = ds.pointer("/spec/template").unwrap_or(&NULL);
        let hash = spec_template_hash(&ds);
        let node_sel = template.pointer("/spec/nodeSelector").cloned();
        let eligible: Vec<&str> = nodes
            .iter()
            .filter(|n| {
                node_sel.as_ref().is_none_or(|s| {
                    selector_matches(&json!({"matchLabels": s}), n.pointer("/metadata/labels"))
                })
            })
            .map(|n| name(n))
            .collect();
        let mut pods: Vec<Arc<Value>> = pods_by_owner.get(uid(&ds)).cloned().unwrap_or_default();
        pods.sort_by(|a, b| name(a).cmp(name(b)));
        // Delete pods on vanished nodes and duplicates.
        let mut seen: Vec<String> = Vec::new();
        let mut keep = Vec::new();
        for p in pods {
            let n = pod_node(&p).unwrap_or("").to_string();
            if !eligible.contains(&n.as_str()) || seen.contains(&n) {
                txn.delete(Resource::Pod, &ns, name(&p));
                let msg = format!("Deleted pod: {}", name(&p));
                txn.event(
                    Resource::DaemonSet,
                    &ds,
                    false,
                    "SuccessfulDelete",
                    &msg,
                    "daemonset-controller",
                    "",
                );
            } else {
                seen.push(n);
                keep.push(p);
            }
        }
        for node in &eligible {
            if seen.iter().any(|s| s == node) {
                continue;
            }
            let pod_name = format!("{ds_name}-{}", random_suffix(rng, 5));
            let mut pod = new_pod(
                template,
                &ns,
                &pod_name,
                Some(&format!("{ds_name}-")),
                owner_ref(&ds, "apps/v1", "DaemonSet"),
                &[
                    ("controller-revision-hash", hash.clone()),
                    ("pod-template-generation", generation(&ds).to_string()),
                ],
            );
            pod["spec"]["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}});
            if let Some(t) = pod["spec"]["tolerations"].as_array_mut() {
                t.push(json!({"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}));
            }
            txn.create(Resource::Pod, pod);
            let msg = format!("Created pod: {pod_name}");
            txn.event(
                Resource::DaemonSet,
                &ds,
                false,
                "SuccessfulCreate",
                &msg,
                "daemonset-controller",
                "",
            );
        }
        // Rolling update, maxUnavailable 1: replace one outdated pod when all are ready.
        let all_ready = keep.len() == eligible.len() && keep.iter().all(|p| is_ready(p));
        if all_ready
            && let Some(old) = keep
                .iter()
                .find(|p| super::objects::label(p, "controller-revision-hash") != Some(&hash))
        {
            txn.delete(Resource::Pod, &ns, name(old));
            let msg = format!("Deleted pod: {}", name(old));
            txn.event(
                Resource::DaemonSet,
                &ds,
                false,
                "SuccessfulDelete",
                &msg,
                "daemonset-controller",
                "",
            );
        }
        let ready = keep.iter().filter(|p| is_ready(p)).count();
        let available = keep.iter().filter(|p| is_available(p, 0, now)).count();
        let updated = keep
            .iter()
            .filter(|p| super::objects::label(p, "controller-revision-hash") == Some(&hash))
            .count();
        let status = json!({
            "currentNumberScheduled": keep.len(),
            "desiredNumberScheduled": eligible.len(),
            "numberMisscheduled": 0,
            "numberReady": ready,
            "numberAvailable": available,
            "numberUnavailable": eligible.len().saturating_sub(available),
            "updatedNumberScheduled": updated,
            "observedGeneration": generation(&ds),
        });
        if !same_status(ds.get("status"), &status)
            && let Some(o) = txn.edit_obj(Resource::DaemonSet, &ds)
        {
            o["status"] = status;
        }
    }
}
