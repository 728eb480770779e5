//! Deployment status: counters, `Available` and `Progressing` conditions (with the
//! progress deadline, which only reports and never rolls back), and the revision annotation.

use super::deployment::{Bounds, REVISION, revision};
use super::objects::{
    generation, i64_at, name, secs_between, set_annotation, str_at, time_at, uid,
};
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::sync::Arc;

/// What the controller needs of one owned ReplicaSet.
pub struct RsInfo {
    pub name: String,
    pub obj: Arc<Value>,
    pub replicas: i64,
    pub status_replicas: i64,
    pub ready: i64,
    pub available: i64,
    pub revision: i64,
    pub created: String,
    /// Created this tick (not in the store yet).
    pub pending_create: bool,
}

impl RsInfo {
    pub fn from(rs: &Arc<Value>) -> RsInfo {
        RsInfo {
            name: name(rs).to_string(),
            replicas: i64_at(rs, "/spec/replicas").unwrap_or(1),
            status_replicas: i64_at(rs, "/status/replicas").unwrap_or(0),
            ready: i64_at(rs, "/status/readyReplicas").unwrap_or(0),
            available: i64_at(rs, "/status/availableReplicas").unwrap_or(0),
            revision: revision(rs),
            created: str_at(rs, "/metadata/creationTimestamp")
                .unwrap_or("~")
                .to_string(),
            pending_create: uid(rs).is_empty(),
            obj: rs.clone(),
        }
    }
}

fn cond<'a>(conds: &'a [Value], t: &str) -> Option<&'a Value> {
    conds.iter().find(|c| c["type"] == t)
}

/// Sets a deployment condition the way upstream does: `lastUpdateTime` always moves,
/// `lastTransitionTime` only when the status flips.
fn set(conds: &mut Vec<Value>, t: &str, status: &str, reason: &str, msg: &str, now: &str) {
    let prev_transition = cond(conds, t)
        .filter(|c| c["status"] == status)
        .and_then(|c| c["lastTransitionTime"].as_str())
        .map(str::to_string);
    conds.retain(|c| c["type"] != t);
    conds.push(json!({
        "type": t, "status": status, "reason": reason, "message": msg,
        "lastUpdateTime": now,
        "lastTransitionTime": prev_transition.as_deref().unwrap_or(now),
    }));
    conds.sort_by_key(|c| if c["type"] == "Available" { 0 } else { 1 });
}

pub fn update(
    txn: &mut Txn<'_>,
    d: &Value,
    infos: &[RsInfo],
    new_idx: Option<usize>,
    b: &Bounds,
    progress_event: Option<(&str, String)>,
) {
    let now = txn.now;
    let now_s = txn.now_s.clone();
    static EMPTY: Value = Value::Null;
    let old = d.get("status").unwrap_or(&EMPTY);
    let sum = |f: fn(&RsInfo) -> i64| infos.iter().map(f).sum::<i64>();
    let replicas = sum(|r| r.status_replicas);
    let updated = new_idx.map_or(0, |i| infos[i].status_replicas);
    let ready = sum(|r| r.ready);
    let available = sum(|r| r.available);
    let spec_total = sum(|r| r.replicas);
    let unavailable = (spec_total - available).max(0);
    let gen_ = generation(d);
    // Fast path for a settled deployment: same counters, same generation, complete and
    // available, nothing new to report. Avoids rebuilding the status every tick.
    if progress_event.is_none() && !super::objects::bool_at(d, "/spec/paused") {
        let o = |k: &str| old.get(k).and_then(Value::as_i64);
        let settled = o("observedGeneration") == Some(gen_)
            && o("replicas") == Some(replicas)
            && o("updatedReplicas") == Some(updated)
            && o("readyReplicas") == Some(ready)
            && o("availableReplicas") == Some(available)
            && o("unavailableReplicas") == Some((spec_total - available).max(0))
            && available >= b.desired - b.max_unavailable
            && super::objects::condition(d, "/status/conditions", "Progressing")
                .is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
            && super::objects::condition(d, "/status/conditions", "Available")
                .is_some_and(|c| c["status"] == "True")
            && new_idx.is_none_or(|i| {
                super::objects::annotation(d, REVISION)
                    == Some(infos[i].revision.to_string().as_str())
            });
        if settled {
            return;
        }
    }
    let mut conds: Vec<Value> = old
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();

    let (a_status, a_reason, a_msg) = if available >= b.desired - b.max_unavailable {
        (
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        )
    } else {
        (
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    };
    let a_same = cond(&conds, "Available")
        .is_some_and(|c| c["status"] == a_status && c["reason"] == a_reason);
    if !a_same {
        set(&mut conds, "Available", a_status, a_reason, a_msg, &now_s);
    }

    let paused = super::objects::bool_at(d, "/spec/paused");
    let new_name = new_idx.map(|i| infos[i].name.clone()).unwrap_or_default();
    let p_reason = cond(&conds, "Progressing")
        .and_then(|c| c["reason"].as_str())
        .map(str::to_string);
    let deadline = i64_at(d, "/spec/progressDeadlineSeconds");
    if paused {
        if p_reason.as_deref() != Some("DeploymentPaused") {
            set(
                &mut conds,
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused",
                &now_s,
            );
        }
    } else if p_reason.as_deref() == Some("DeploymentPaused") {
        set(
            &mut conds,
            "Progressing",
            "True",
            "DeploymentResumed",
            "Deployment is resumed",
            &now_s,
        );
    } else if let Some((reason, msg)) = progress_event {
        set(&mut conds, "Progressing", "True", reason, &msg, &now_s);
    } else if deadline.is_some() && new_idx.is_some() {
        let complete = updated == b.desired
            && replicas == b.desired
            && available == b.desired
            && infos
                .iter()
                .enumerate()
                .all(|(i, r)| Some(i) == new_idx || r.replicas == 0);
        let old_i = |k: &str| i64_at(old, &format!("/{k}")).unwrap_or(0);
        let progressed = updated > old_i("updatedReplicas")
            || replicas < old_i("replicas")
            || ready > old_i("readyReplicas")
            || available > old_i("availableReplicas");
        if complete {
            if p_reason.as_deref() != Some("NewReplicaSetAvailable") {
                let msg = format!("ReplicaSet \"{new_name}\" has successfully progressed.");
                set(
                    &mut conds,
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    &msg,
                    &now_s,
                );
            }
        } else if progressed {
            let msg = format!("ReplicaSet \"{new_name}\" is progressing.");
            set(
                &mut conds,
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                &msg,
                &now_s,
            );
        } else if p_reason.as_deref() != Some("ProgressDeadlineExceeded")
            && p_reason.as_deref() != Some("NewReplicaSetAvailable")
        {
            let last = cond(&conds, "Progressing").and_then(|c| time_at(c, "/lastUpdateTime"));
            let limit = deadline.unwrap_or(600) as f64;
            match last {
                Some(t) if secs_between(t, now) > limit => {
                    let msg = format!("ReplicaSet \"{new_name}\" has timed out progressing.");
                    set(
                        &mut conds,
                        "Progressing",
                        "False",
                        "ProgressDeadlineExceeded",
                        &msg,
                        &now_s,
                    );
                }
                None => {
                    let msg = format!("ReplicaSet \"{new_name}\" is progressing.");
                    set(
                        &mut conds,
                        "Progressing",
                        "True",
                        "ReplicaSetUpdated",
                        &msg,
                        &now_s,
                    );
                }
                _ => {}
            }
        }
    }
    let status = json!({
        "observedGeneration": gen_,
        "replicas": replicas,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "unavailableReplicas": unavailable,
        "conditions": conds,
    });
    let rev = new_idx.map(|i| infos[i].revision.to_string());
    let rev_ok = rev
        .as_deref()
        .is_none_or(|r| super::objects::annotation(d, REVISION) == Some(r));
    if &status == old && rev_ok {
        return;
    }
    if let Some(o) = txn.edit_obj(Resource::Deployment, d) {
        o["status"] = status;
        if let Some(r) = rev {
            set_annotation(o, REVISION, &r);
        }
    }
}
