//! system-upgrade-controller: executes `upgrade.cattle.io/v1` Plans. For each matching node
//! whose kubelet is not at `spec.version` (at most `concurrency` at a time) it cordons
//! (and drains), runs an `apply-<plan>-on-<node>-with-<hash>` Job, and when the Job
//! completes sets the node's version, labels it done and uncordons it. In stuck mode the
//! Job hits `activeDeadlineSeconds` and fails; the node stays cordoned and in
//! `status.applying` (the real controller never rolls back). In hang mode the Job starts
//! but never finishes nor fails: the upgrade makes no progress at all.

use super::objects::{
    fnv64, i64_at, label, map_mut, mix, name, namespace, secs_between, selector_matches, str_at,
    time_at, uid,
};
use super::seed::UPGRADE_NAMESPACE;
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::HashSet;

/// SYSTEM_UPGRADE_JOB_ACTIVE_DEADLINE_SECONDS default.
pub const JOB_DEADLINE_SECS: i64 = 900;

/// How long one node's upgrade Job runs (simulated seconds, 40–90).
pub fn upgrade_secs(node: &str) -> f64 {
    40.0 + (fnv64(node.as_bytes()) % 51) as f64
}

/// The plan's `latestHash`: a sha224-length hex digest of its spec.
pub fn plan_hash(plan: &Value) -> String {
    let h = super::objects::value_hash(plan.get("spec").unwrap_or(&Value::Null));
    (0..4u64)
        .map(|i| format!("{:016x}", mix(&[h, i])))
        .collect::<String>()[..56]
        .to_string()
}

pub fn job_name(plan: &str, node: &str, hash: &str) -> String {
    let full = format!("apply-{plan}-on-{node}-with-{hash}");
    if full.len() <= 63 {
        return full;
    }
    format!(
        "{}-{:05x}",
        &full[..57].trim_end_matches('-'),
        fnv64(full.as_bytes()) & 0xfffff
    )
}

fn done_label(plan: &str) -> String {
    format!("plan.upgrade.cattle.io/{plan}")
}

/// Runs every Plan; returns the nodes currently restarting (NotReady) for an upgrade.
pub fn reconcile(txn: &mut Txn<'_>, stuck: bool, hang: bool) -> HashSet<String> {
    let mut restarting = HashSet::new();
    for plan in txn.list(Resource::Plan, Some(UPGRADE_NAMESPACE)) {
        if !uid(&plan).is_empty() {
            run_plan(txn, &plan, stuck, hang, &mut restarting);
        }
    }
    restarting
}

fn run_plan(
    txn: &mut Txn<'_>,
    plan: &Value,
    stuck: bool,
    hang: bool,
    restarting: &mut HashSet<String>,
) {
    let now = txn.now;
    let now_s = txn.now_s.clone();
    let pname = name(plan).to_string();
    let Some(version) = str_at(plan, "/spec/version").map(str::to_string) else {
        return;
    };
    let hash = plan_hash(plan);
    let concurrency = i64_at(plan, "/spec/concurrency").unwrap_or(1).max(1) as usize;
    let cordon = plan
        .pointer("/spec/cordon")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let drain = plan.pointer("/spec/drain").is_some_and(|d| !d.is_null());
    let selector = plan
        .pointer("/spec/nodeSelector")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut nodes: Vec<_> = txn
        .list(Resource::Node, None)
        .into_iter()
        .filter(|n| selector_matches(&selector, n.pointer("/metadata/labels")))
        .collect();
    nodes.sort_by(|a, b| name(a).cmp(name(b)));
    let jobs: Vec<_> = txn
        .list(Resource::Job, Some(UPGRADE_NAMESPACE))
        .into_iter()
        .filter(|j| label(j, "upgrade.cattle.io/plan") == Some(&pname))
        .collect();
    let mut applying: Vec<String> = Vec::new();
    let mut has_job: HashSet<String> = HashSet::new();
    for job in &jobs {
        let node = label(job, "upgrade.cattle.io/node")
            .unwrap_or("")
            .to_string();
        if label(job, &done_label(&pname)) != Some(&hash) {
            continue;
        }
        has_job.insert(node.clone());
        let complete = super::objects::condition(job, "/status/conditions", "Complete").is_some();
        if complete {
            continue;
        }
        applying.push(node.clone());
        if super::objects::condition(job, "/status/conditions", "Failed").is_some() {
            continue;
        }
        let Some(started) = time_at(job, "/status/startTime") else {
            if let Some(j) = txn.edit_obj(Resource::Job, job) {
                j["status"] = json!({"startTime": now_s, "active": 1, "ready": 0, "uncountedTerminatedPods": {}});
            }
            continue;
        };
        if hang {
            // Hung: the Job stays active forever and the node never moves.
            continue;
        }
        let elapsed = secs_between(started, now);
        let deadline =
            i64_at(job, "/spec/activeDeadlineSeconds").unwrap_or(JOB_DEADLINE_SECS) as f64;
        let dur = upgrade_secs(&node);
        if stuck {
            if elapsed >= deadline {
                if let Some(j) = txn.edit_obj(Resource::Job, job) {
                    let msg = "Job was active longer than specified deadline";
                    j["status"] = json!({"startTime": super::objects::ts(started), "active": 0, "failed": 1, "ready": 0,
                        "uncountedTerminatedPods": {},
                        "conditions": [
                            {"type": "FailureTarget", "status": "True", "reason": "DeadlineExceeded", "message": msg,
                             "lastProbeTime": now_s, "lastTransitionTime": now_s},
                            {"type": "Failed", "status": "True", "reason": "DeadlineExceeded", "message": msg,
                             "lastProbeTime": now_s, "lastTransitionTime": now_s}]});
                }
                txn.event(
                    Resource::Job,
                    job,
                    true,
                    "DeadlineExceeded",
                    "Job was active longer than specified deadline",
                    "job-controller",
                    "",
                );
            }
        } else if elapsed >= dur {
            if let Some(j) = txn.edit_obj(Resource::Job, job) {
                j["status"] = json!({"startTime": super::objects::ts(started), "completionTime": now_s,
                    "active": 0, "succeeded": 1, "ready": 0, "uncountedTerminatedPods": {},
                    "conditions": [
                        {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                         "message": "Reached expected number of succeeded pods", "lastProbeTime": now_s, "lastTransitionTime": now_s},
                        {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                         "message": "Reached expected number of succeeded pods", "lastProbeTime": now_s, "lastTransitionTime": now_s}]});
            }
            txn.event(
                Resource::Job,
                job,
                false,
                "Completed",
                "Job completed",
                "job-controller",
                "",
            );
            finish_node(txn, &node, &pname, &hash, &version);
            applying.retain(|n| n != &node);
        } else if elapsed >= dur * 0.6 {
            restarting.insert(node.clone());
        }
    }
    // Start new nodes, up to `concurrency` in flight.
    for n in &nodes {
        let nname = name(n).to_string();
        if has_job.contains(&nname) || label(n, &done_label(&pname)) == Some(&hash) {
            continue;
        }
        if str_at(n, "/status/nodeInfo/kubeletVersion") == Some(version.as_str()) {
            if let Some(node) = txn.edit_obj(Resource::Node, n) {
                map_mut(node, &["metadata", "labels"]).insert(done_label(&pname), json!(hash));
            }
            continue;
        }
        if applying.len() >= concurrency {
            break;
        }
        start_node(txn, plan, n, &hash, &version, cordon || drain, drain);
        applying.push(nname);
    }
    applying.sort();
    let done = applying.is_empty()
        && nodes.iter().all(|n| {
            label(n, &done_label(&pname)) == Some(&hash)
                || str_at(n, "/status/nodeInfo/kubeletVersion") == Some(version.as_str())
                || has_job.contains(name(n))
        });
    let mut conds = plan
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let set = |conds: &mut Vec<Value>, t: &str, s: &str, reason: &str, msg: &str| {
        super::objects::set_condition(conds, t, s, reason, msg, &now_s, true);
    };
    set(&mut conds, "Validated", "True", "PlanIsValid", "");
    set(&mut conds, "LatestResolved", "True", "Version", "");
    if done {
        set(&mut conds, "Complete", "True", "Complete", "");
    } else {
        set(
            &mut conds,
            "Complete",
            "False",
            "Applying",
            &format!("applying to {} node(s)", applying.len()),
        );
    }
    let mut status = json!({"latestVersion": version, "latestHash": hash, "conditions": conds});
    if !applying.is_empty() {
        status["applying"] = json!(applying);
    }
    if plan.get("status") != Some(&status)
        && let Some(p) = txn.edit_obj(Resource::Plan, plan)
    {
        p["status"] = status;
    }
}

fn start_node(
    txn: &mut Txn<'_>,
    plan: &Value,
    node: &Value,
    hash: &str,
    version: &str,
    cordon: bool,
    drain: bool,
) {
    let pname = name(plan);
    let nname = name(node).to_string();
    if cordon && let Some(n) = txn.edit_obj(Resource::Node, node) {
        n["spec"]["unschedulable"] = json!(true);
        let msg = format!("Node {nname} status is now: NodeNotSchedulable");
        txn.event(
            Resource::Node,
            node,
            false,
            "NodeNotSchedulable",
            &msg,
            "kubelet",
            &nname,
        );
    }
    if drain {
        for p in txn.list(Resource::Pod, None) {
            let owner_kind = p
                .pointer("/metadata/ownerReferences/0/kind")
                .and_then(Value::as_str);
            if str_at(&p, "/spec/nodeName") == Some(nname.as_str())
                && matches!(owner_kind, Some("ReplicaSet") | Some("StatefulSet"))
            {
                txn.delete(Resource::Pod, namespace(&p), name(&p));
                txn.event(
                    Resource::Pod,
                    &p,
                    false,
                    "Killing",
                    "Stopping container (node drained for upgrade)",
                    "kubelet",
                    &nname,
                );
            }
        }
    }
    let image = str_at(plan, "/spec/upgrade/image").unwrap_or("rancher/k3s-upgrade");
    let jname = job_name(pname, &nname, hash);
    let labels = json!({
        "upgrade.cattle.io/controller": "system-upgrade-controller",
        "upgrade.cattle.io/node": nname,
        "upgrade.cattle.io/plan": pname,
        "upgrade.cattle.io/version": version,
        done_label(pname): hash,
    });
    let job = json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": jname, "namespace": UPGRADE_NAMESPACE, "labels": labels,
                     "ownerReferences": [{"apiVersion": "upgrade.cattle.io/v1", "kind": "Plan", "name": pname,
                                          "uid": uid(plan), "controller": false, "blockOwnerDeletion": false}]},
        "spec": {
            "activeDeadlineSeconds": JOB_DEADLINE_SECS, "backoffLimit": 99, "completions": 1, "parallelism": 1,
            "ttlSecondsAfterFinished": 900,
            "template": {
                "metadata": {"labels": labels,
                             "annotations": {super::templates::LOGS_ANNOTATION: "k3s-upgrade"}},
                "spec": {
                    "nodeSelector": {"kubernetes.io/hostname": nname},
                    "hostIPC": true, "hostPID": true, "hostNetwork": true,
                    "serviceAccountName": "system-upgrade", "restartPolicy": "Never",
                    "tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                     "effect": "NoSchedule"},
                                    {"key": "CriticalAddonsOnly", "operator": "Exists"}],
                    "containers": [{"name": "upgrade", "image": format!("{image}:{}", version.replace('+', "-")),
                                    "args": ["upgrade"],
                                    "env": [{"name": "SYSTEM_UPGRADE_NODE_NAME", "value": nname},
                                            {"name": "SYSTEM_UPGRADE_PLAN_LATEST_VERSION", "value": version}]}],
                },
            },
        },
        "status": {"startTime": txn.now_s, "active": 1, "ready": 0, "uncountedTerminatedPods": {}},
    });
    txn.create(Resource::Job, job);
}

fn finish_node(txn: &mut Txn<'_>, node: &str, plan: &str, hash: &str, version: &str) {
    let Some(obj) = txn.get(Resource::Node, "", node) else {
        return;
    };
    let was_cordoned = super::objects::bool_at(&obj, "/spec/unschedulable");
    if let Some(n) = txn.edit(Resource::Node, "", node) {
        n["status"]["nodeInfo"]["kubeletVersion"] = json!(version);
        n["status"]["nodeInfo"]["kubeProxyVersion"] = json!(version);
        map_mut(n, &["metadata", "labels"]).insert(done_label(plan), json!(hash));
        if let Some(spec) = n.get_mut("spec").and_then(Value::as_object_mut) {
            spec.remove("unschedulable");
        }
    }
    if was_cordoned {
        let msg = format!("Node {node} status is now: NodeSchedulable");
        txn.event(
            Resource::Node,
            &obj,
            false,
            "NodeSchedulable",
            &msg,
            "kubelet",
            node,
        );
    }
}
