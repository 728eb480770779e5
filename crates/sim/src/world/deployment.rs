//! The Deployment controller, following upstream's `rolloutRolling`/`rolloutRecreate`:
//! ReplicaSets per pod-template-hash, revisions, surge/unavailability bounds, pause,
//! history cleanup and the status that `kubectl rollout status/history/undo` read.

use super::deployment_status::{self as dstatus, RsInfo};
use super::objects::{
    annotation, bool_at, controller_uid, i64_at, int_or_percent, label, name, namespace, owner_ref,
    spec_template_hash, str_at, template_hash, uid,
};
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub(super) const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
pub(super) const MAX: &str = "deployment.kubernetes.io/max-replicas";

/// The revision annotation of an RS (0 when missing).
pub fn revision(rs: &Value) -> i64 {
    annotation(rs, REVISION)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

pub fn reconcile(txn: &mut Txn<'_>) {
    let mut owned: HashMap<String, Vec<Arc<Value>>> = HashMap::new();
    for rs in txn.list(Resource::ReplicaSet, None) {
        if let Some(u) = controller_uid(&rs) {
            owned.entry(u.to_string()).or_default().push(rs);
        }
    }
    for d in txn.list(Resource::Deployment, None) {
        if uid(&d).is_empty() {
            continue;
        }
        let rses = owned.remove(uid(&d)).unwrap_or_default();
        sync(txn, &d, rses);
    }
}

/// Sizes of one rollout.
pub struct Bounds {
    pub desired: i64,
    pub max_surge: i64,
    pub max_unavailable: i64,
}

pub fn bounds(d: &Value) -> Bounds {
    let desired = i64_at(d, "/spec/replicas").unwrap_or(1).max(0);
    let recreate = str_at(d, "/spec/strategy/type") == Some("Recreate");
    if recreate {
        return Bounds {
            desired,
            max_surge: 0,
            max_unavailable: desired,
        };
    }
    let ru = d.pointer("/spec/strategy/rollingUpdate");
    let mut max_surge = int_or_percent(ru.and_then(|r| r.get("maxSurge")), desired, true, "25%");
    let mut max_unavailable = int_or_percent(
        ru.and_then(|r| r.get("maxUnavailable")),
        desired,
        false,
        "25%",
    );
    if max_surge == 0 && max_unavailable == 0 {
        max_unavailable = 1;
    }
    max_unavailable = max_unavailable.min(desired);
    max_surge = max_surge.max(0);
    Bounds {
        desired,
        max_surge,
        max_unavailable,
    }
}

fn sync(txn: &mut Txn<'_>, d: &Value, rses: Vec<Arc<Value>>) {
    let ns = namespace(d).to_string();
    let dname = name(d).to_string();
    static NULL: Value = Value::Null;
    let template = d.pointer("/spec/template").unwrap_or(&NULL);
    let hash = spec_template_hash(d);
    let paused = bool_at(d, "/spec/paused");
    let recreate = str_at(d, "/spec/strategy/type") == Some("Recreate");
    let b = bounds(d);

    let mut infos: Vec<RsInfo> = rses.iter().map(RsInfo::from).collect();
    infos.sort_by(|a, b| a.created.cmp(&b.created).then(a.name.cmp(&b.name)));
    // The RS's pod-template-hash label is the hash of its template (we wrote both), so
    // matching labels is matching templates; only unlabeled RSes need hashing.
    let new_idx = infos
        .iter()
        .position(|i| match label(&i.obj, "pod-template-hash") {
            Some(h) => h == hash,
            None => template_hash(&i.obj["spec"]["template"]) == hash,
        });
    let max_old_rev = infos
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != new_idx)
        .map(|(_, r)| r.revision)
        .max()
        .unwrap_or(0);
    // A replicas change of active ReplicaSets is handled first (upstream `sync`/`scale`),
    // without starting a rollout in the same pass.
    let scaling = !paused && super::deployment_scale::is_scaling_event(&infos, b.desired);
    let mut progress_event: Option<(&str, String)> = None;
    let new_idx = match new_idx {
        Some(i) => {
            // The new RS follows the deployment's minReadySeconds (upstream getNewReplicaSet).
            let min_ready = i64_at(d, "/spec/minReadySeconds").unwrap_or(0);
            if i64_at(&infos[i].obj, "/spec/minReadySeconds").unwrap_or(0) != min_ready
                && let Some(rs) = txn.edit(Resource::ReplicaSet, &ns, &infos[i].name)
            {
                rs["spec"]["minReadySeconds"] = serde_json::json!(min_ready);
            }
            if infos[i].revision <= max_old_rev {
                let old_rev = infos[i].revision;
                let rs_name = infos[i].name.clone();
                if let Some(rs) = txn.edit(Resource::ReplicaSet, &ns, &rs_name) {
                    let mut hist: Vec<String> = annotation(rs, REVISION_HISTORY)
                        .map(|h| h.split(',').map(str::to_string).collect())
                        .unwrap_or_default();
                    hist.push(old_rev.to_string());
                    super::objects::set_annotation(rs, REVISION_HISTORY, &hist.join(","));
                    super::objects::set_annotation(rs, REVISION, &(max_old_rev + 1).to_string());
                    copy_change_cause(d, rs);
                }
                infos[i].revision = max_old_rev + 1;
                progress_event = Some((
                    "FoundNewReplicaSet",
                    format!("Found new replica set \"{rs_name}\""),
                ));
            }
            Some(i)
        }
        None if paused || scaling => None,
        None => {
            let rs_name = format!("{dname}-{hash}");
            let others_active = infos
                .iter()
                .any(|r| r.replicas > 0 || r.status_replicas > 0);
            let initial = if recreate {
                if others_active { 0 } else { b.desired }
            } else {
                let current: i64 = infos.iter().map(|r| r.replicas).sum();
                (b.desired + b.max_surge - current).clamp(0, b.desired)
            };
            let rev = max_old_rev + 1;
            let rs = new_replicaset(d, template, &hash, &rs_name, initial, rev, &b);
            txn.create(Resource::ReplicaSet, rs.clone());
            if initial > 0 {
                let msg = format!("Scaled up replica set {rs_name} from 0 to {initial}");
                txn.event(
                    Resource::Deployment,
                    d,
                    false,
                    "ScalingReplicaSet",
                    &msg,
                    "deployment-controller",
                    "",
                );
            }
            progress_event = Some((
                "NewReplicaSetCreated",
                format!("Created new replica set \"{rs_name}\""),
            ));
            let mut info = RsInfo::from(&Arc::new(rs));
            info.replicas = initial;
            info.revision = rev;
            infos.push(info);
            Some(infos.len() - 1)
        }
    };

    if paused || scaling {
        super::deployment_scale::scale_event(txn, d, &mut infos, new_idx, &b);
    } else if let Some(ni) = new_idx {
        if recreate {
            rollout_recreate(txn, d, &mut infos, ni, &b);
        } else {
            rollout_rolling(txn, d, &mut infos, ni, &b);
        }
    }
    let complete = new_idx.is_some_and(|ni| {
        infos
            .iter()
            .enumerate()
            .all(|(i, r)| i == ni || (r.replicas == 0 && r.status_replicas == 0))
            && infos[ni].replicas == b.desired
    });
    if complete || paused {
        cleanup_history(txn, d, &infos, new_idx);
    }
    dstatus::update(txn, d, &infos, new_idx, &b, progress_event);
}

fn copy_change_cause(d: &Value, rs: &mut Value) {
    if let Some(c) = annotation(d, "kubernetes.io/change-cause") {
        let c = c.to_string();
        super::objects::set_annotation(rs, "kubernetes.io/change-cause", &c);
    }
}

fn new_replicaset(
    d: &Value,
    template: &Value,
    hash: &str,
    rs_name: &str,
    replicas: i64,
    rev: i64,
    b: &Bounds,
) -> Value {
    let mut tpl = template.clone();
    super::objects::map_mut(&mut tpl, &["metadata", "labels"])
        .insert("pod-template-hash".into(), json!(hash));
    let mut labels = tpl["metadata"]["labels"].clone();
    labels["pod-template-hash"] = json!(hash);
    let mut selector = d
        .pointer("/spec/selector")
        .cloned()
        .unwrap_or_else(|| json!({}));
    super::objects::map_mut(&mut selector, &["matchLabels"])
        .insert("pod-template-hash".into(), json!(hash));
    let mut annotations = json!({
        REVISION: rev.to_string(),
        DESIRED: b.desired.to_string(),
        MAX: (b.desired + b.max_surge).to_string(),
    });
    if let Some(c) = annotation(d, "kubernetes.io/change-cause") {
        annotations["kubernetes.io/change-cause"] = json!(c);
    }
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": rs_name, "namespace": namespace(d), "labels": labels,
                     "annotations": annotations,
                     "ownerReferences": [owner_ref(d, "apps/v1", "Deployment")]},
        "spec": {"replicas": replicas, "selector": selector, "template": tpl,
                 "minReadySeconds": i64_at(d, "/spec/minReadySeconds").unwrap_or(0)},
        "status": {"replicas": 0, "observedGeneration": 1},
    })
}

/// Sets an RS's `spec.replicas` (and the desired/max annotations), with the event.
pub(super) fn scale(txn: &mut Txn<'_>, d: &Value, rs: &mut RsInfo, to: i64, b: &Bounds) {
    let to = to.max(0);
    let desired_s = b.desired.to_string();
    let max_s = (b.desired + b.max_surge).to_string();
    let annotations_ok = annotation(&rs.obj, DESIRED) == Some(desired_s.as_str())
        && annotation(&rs.obj, MAX) == Some(max_s.as_str());
    if rs.replicas == to && annotations_ok {
        return;
    }
    let from = rs.replicas;
    // A ReplicaSet created this tick is not in the store yet: it was created at its size.
    let Some(o) = txn.edit(Resource::ReplicaSet, namespace(d), &rs.name) else {
        return;
    };
    o["spec"]["replicas"] = json!(to);
    super::objects::set_annotation(o, DESIRED, &desired_s);
    super::objects::set_annotation(o, MAX, &max_s);
    rs.replicas = to;
    if from != to {
        let dir = if to > from { "up" } else { "down" };
        let msg = format!("Scaled {dir} replica set {} from {from} to {to}", rs.name);
        txn.event(
            Resource::Deployment,
            d,
            false,
            "ScalingReplicaSet",
            &msg,
            "deployment-controller",
            "",
        );
    }
}

fn rollout_rolling(txn: &mut Txn<'_>, d: &Value, infos: &mut [RsInfo], ni: usize, b: &Bounds) {
    // reconcileNewReplicaSet
    let cur_new = infos[ni].replicas;
    if cur_new > b.desired {
        scale(txn, d, &mut infos[ni], b.desired, b);
    } else if cur_new < b.desired {
        let current: i64 = infos.iter().map(|r| r.replicas).sum();
        let max_total = b.desired + b.max_surge;
        if current < max_total {
            let up = (max_total - current).min(b.desired - cur_new);
            scale(txn, d, &mut infos[ni], cur_new + up, b);
        }
    }
    // reconcileOldReplicaSets
    let old_count: i64 = infos
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != ni)
        .map(|(_, r)| r.replicas)
        .sum();
    if old_count == 0 {
        return;
    }
    let all: i64 = infos.iter().map(|r| r.replicas).sum();
    let min_available = b.desired - b.max_unavailable;
    let new_unavailable = (infos[ni].replicas - infos[ni].available).max(0);
    let max_scaled_down = all - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return;
    }
    // cleanupUnhealthyReplicas: old RSes, oldest first.
    let mut total = 0;
    for (i, rs) in infos.iter_mut().enumerate() {
        if i == ni || total >= max_scaled_down || rs.replicas == 0 {
            continue;
        }
        let unhealthy = (rs.replicas - rs.available).max(0);
        if unhealthy == 0 {
            continue;
        }
        let n = (max_scaled_down - total).min(unhealthy);
        let to = rs.replicas - n;
        scale(txn, d, rs, to, b);
        total += n;
    }
    // scaleDownOldReplicaSetsForRollingUpdate
    let available: i64 = infos.iter().map(|r| r.available.min(r.replicas)).sum();
    if available <= min_available {
        return;
    }
    let mut budget = available - min_available;
    for (i, rs) in infos.iter_mut().enumerate() {
        if i == ni || budget <= 0 || rs.replicas == 0 {
            continue;
        }
        let n = budget.min(rs.replicas);
        let to = rs.replicas - n;
        scale(txn, d, rs, to, b);
        budget -= n;
    }
}

fn rollout_recreate(txn: &mut Txn<'_>, d: &Value, infos: &mut [RsInfo], ni: usize, b: &Bounds) {
    let mut old_active = false;
    for (i, rs) in infos.iter_mut().enumerate() {
        if i != ni && rs.replicas > 0 {
            scale(txn, d, rs, 0, b);
            old_active = true;
        }
        if i != ni && rs.status_replicas > 0 {
            old_active = true;
        }
    }
    if !old_active {
        scale(txn, d, &mut infos[ni], b.desired, b);
    }
}

/// Deletes old, fully scaled-down ReplicaSets beyond `revisionHistoryLimit`.
fn cleanup_history(txn: &mut Txn<'_>, d: &Value, infos: &[RsInfo], new_idx: Option<usize>) {
    let limit = i64_at(d, "/spec/revisionHistoryLimit").unwrap_or(10).max(0) as usize;
    let mut dead: Vec<&RsInfo> = infos
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            Some(*i) != new_idx && r.replicas == 0 && r.status_replicas == 0 && !r.pending_create
        })
        .map(|(_, r)| r)
        .collect();
    if dead.len() <= limit {
        return;
    }
    dead.sort_by_key(|r| r.revision);
    let n = dead.len() - limit;
    for r in &dead[..n] {
        txn.delete(Resource::ReplicaSet, namespace(d), &r.name);
    }
}
