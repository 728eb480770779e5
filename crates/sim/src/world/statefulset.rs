//! The StatefulSet controller (OrderedReady): pods `<name>-0..N-1` created in order, each
//! waiting for the previous to be Ready; scale-down and rolling updates from the highest
//! ordinal, one pod at a time.

use super::objects::{
    generation, i64_at, label, name, namespace, owner_ref, spec_template_hash, str_at, uid,
};
use super::pods::{is_available, is_ready, new_pod};
use super::replicaset::same_status;
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const REV: &str = "controller-revision-hash";

fn ordinal(sts: &str, pod: &str) -> Option<usize> {
    pod.strip_prefix(sts)?.strip_prefix('-')?.parse().ok()
}

pub fn reconcile(txn: &mut Txn<'_>, pods_by_owner: &HashMap<String, Vec<Arc<Value>>>) {
    let now = txn.now;
    for sts in txn.list(Resource::StatefulSet, None) {
        if uid(&sts).is_empty() {
            continue;
        }
        let ns = namespace(&sts).to_string();
        let sname = name(&sts).to_string();
        let want = i64_at(&sts, "/spec/replicas").unwrap_or(1).max(0) as usize;
        static NULL: Value = Value::Null;
        let template = sts.pointer("/spec/template").unwrap_or(&NULL);
        let update_rev = format!("{sname}-{}", spec_template_hash(&sts));
        let current_rev = str_at(&sts, "/status/currentRevision")
            .unwrap_or(&update_rev)
            .to_string();
        let mut by_ord: BTreeMap<usize, Arc<Value>> = BTreeMap::new();
        for p in pods_by_owner.get(uid(&sts)).into_iter().flatten() {
            if let Some(o) = ordinal(&sname, name(p)) {
                by_ord.insert(o, p.clone());
            }
        }
        let mut acted = false;
        for i in 0..want {
            match by_ord.get(&i) {
                None => {
                    let pod_name = format!("{sname}-{i}");
                    let mut pod = new_pod(
                        template,
                        &ns,
                        &pod_name,
                        None,
                        owner_ref(&sts, "apps/v1", "StatefulSet"),
                        &[
                            (REV, update_rev.clone()),
                            ("statefulset.kubernetes.io/pod-name", pod_name.clone()),
                            ("apps.kubernetes.io/pod-index", i.to_string()),
                        ],
                    );
                    pod["spec"]["hostname"] = json!(pod_name);
                    if let Some(svc) = str_at(&sts, "/spec/serviceName") {
                        pod["spec"]["subdomain"] = json!(svc);
                    }
                    txn.create(Resource::Pod, pod);
                    let msg = format!("create Pod {pod_name} in StatefulSet {sname} successful");
                    txn.event(
                        Resource::StatefulSet,
                        &sts,
                        false,
                        "SuccessfulCreate",
                        &msg,
                        "statefulset-controller",
                        "",
                    );
                    acted = true;
                    break;
                }
                Some(p) if !is_ready(p) => {
                    acted = true;
                    break;
                }
                Some(_) => {}
            }
        }
        if !acted && let Some((&o, p)) = by_ord.iter().next_back().filter(|(o, _)| **o >= want) {
            txn.delete(Resource::Pod, &ns, name(p));
            let msg = format!("delete Pod {} in StatefulSet {sname} successful", name(p));
            txn.event(
                Resource::StatefulSet,
                &sts,
                false,
                "SuccessfulDelete",
                &msg,
                "statefulset-controller",
                "",
            );
            by_ord.remove(&o);
            acted = true;
        }
        if !acted
            && let Some((&o, p)) = by_ord
                .iter()
                .rev()
                .find(|(_, p)| label(p, REV) != Some(&update_rev))
        {
            txn.delete(Resource::Pod, &ns, name(p));
            let msg = format!("delete Pod {} in StatefulSet {sname} successful", name(p));
            txn.event(
                Resource::StatefulSet,
                &sts,
                false,
                "SuccessfulDelete",
                &msg,
                "statefulset-controller",
                "",
            );
            by_ord.remove(&o);
        }
        let pods: Vec<&Arc<Value>> = by_ord.values().collect();
        let updated = pods
            .iter()
            .filter(|p| label(p, REV) == Some(&update_rev))
            .count();
        let current_rev = if updated == pods.len() && pods.len() == want {
            update_rev.clone()
        } else {
            current_rev
        };
        let status = json!({
            "replicas": pods.len(),
            "readyReplicas": pods.iter().filter(|p| is_ready(p)).count(),
            "availableReplicas": pods.iter().filter(|p| is_available(p, 0, now)).count(),
            "currentReplicas": pods.iter().filter(|p| label(p, REV) == Some(&current_rev)).count(),
            "updatedReplicas": updated,
            "currentRevision": current_rev,
            "updateRevision": update_rev,
            "collisionCount": 0,
            "observedGeneration": generation(&sts),
        });
        if !same_status(sts.get("status"), &status)
            && let Some(o) = txn.edit_obj(Resource::StatefulSet, &sts)
        {
            o["status"] = status;
        }
    }
}
