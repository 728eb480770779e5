//! The Job controller, as far as upgrade Jobs need it: one pod per running Job; when the
//! Job completes its pod ends `Succeeded` (container `Completed`, exit 0); when it fails
//! on its deadline its active pod is deleted.

use super::objects::{condition, name, namespace, owner_ref, random_suffix, uid};
use super::pods::new_pod;
use super::txn::Txn;
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub fn reconcile(
    txn: &mut Txn<'_>,
    pods_by_owner: &HashMap<String, Vec<Arc<Value>>>,
    rng: &mut rand::rngs::StdRng,
) {
    for job in txn.list(Resource::Job, None) {
        let job_uid = uid(&job);
        if job_uid.is_empty() {
            continue;
        }
        let pods = pods_by_owner
            .get(job_uid)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let complete = condition(&job, "/status/conditions", "Complete").is_some();
        let failed = condition(&job, "/status/conditions", "Failed").is_some();
        let upgrade = super::objects::label(&job, "upgrade.cattle.io/plan").is_some();
        if !upgrade && !complete && !failed {
            finish_plain_job(txn, &job, pods);
        }
        if complete {
            for p in pods {
                succeed(txn, p);
            }
        } else if failed {
            for p in pods {
                txn.delete(Resource::Pod, namespace(p), name(p));
            }
        } else if pods.is_empty() && job.pointer("/status/succeeded").is_none() {
            let jname = name(&job).to_string();
            let pod_name = format!("{jname}-{}", random_suffix(rng, 5));
            static NULL: Value = Value::Null;
            let template = job.pointer("/spec/template").unwrap_or(&NULL);
            let pod = new_pod(
                template,
                namespace(&job),
                &pod_name,
                Some(&format!("{jname}-")),
                owner_ref(&job, "batch/v1", "Job"),
                &[
                    ("batch.kubernetes.io/job-name", jname.clone()),
                    ("job-name", jname.clone()),
                    ("batch.kubernetes.io/controller-uid", job_uid.to_string()),
                    ("controller-uid", job_uid.to_string()),
                ],
            );
            txn.create(Resource::Pod, pod);
            let msg = format!("Created pod: {pod_name}");
            txn.event(
                Resource::Job,
                &job,
                false,
                "SuccessfulCreate",
                &msg,
                "job-controller",
                "",
            );
        }
    }
}

/// How long a plain (non-upgrade) Job's pod works before succeeding: 5–25 s.
pub fn plain_job_secs(job: &Value) -> f64 {
    5.0 + (super::objects::fnv64(name(job).as_bytes()) % 200) as f64 / 10.0
}

/// Jobs other than upgrade Jobs (e.g. `kubectl create job`): the Job gets its start time,
/// and completes once its pod has run for a while.
fn finish_plain_job(txn: &mut Txn<'_>, job: &Value, pods: &[Arc<Value>]) {
    let now = txn.now;
    let now_s = txn.now_s.clone();
    let started = super::objects::time_at(job, "/status/startTime");
    let ran_long_enough = pods.iter().any(|p| {
        super::objects::time_at(p, "/status/containerStatuses/0/state/running/startedAt")
            .is_some_and(|t| super::objects::secs_between(t, now) >= plain_job_secs(job))
    });
    if started.is_some() && !ran_long_enough {
        return;
    }
    let Some(j) = txn.edit_obj(Resource::Job, job) else {
        return;
    };
    match started {
        None => {
            j["status"] = json!({"startTime": now_s, "active": 1, "ready": 0,
                                 "uncountedTerminatedPods": {}});
        }
        Some(t) => {
            let reason = "CompletionsReached";
            let msg = "Reached expected number of succeeded pods";
            j["status"] = json!({"startTime": super::objects::ts(t), "completionTime": now_s,
                "active": 0, "succeeded": 1, "ready": 0, "uncountedTerminatedPods": {},
                "conditions": [
                    {"type": "SuccessCriteriaMet", "status": "True", "reason": reason, "message": msg,
                     "lastProbeTime": now_s, "lastTransitionTime": now_s},
                    {"type": "Complete", "status": "True", "reason": reason, "message": msg,
                     "lastProbeTime": now_s, "lastTransitionTime": now_s}]});
            txn.event(
                Resource::Job,
                job,
                false,
                "Completed",
                "Job completed",
                "job-controller",
                "",
            );
        }
    }
}

/// The pod's containers exit 0 and it ends `Succeeded`.
fn succeed(txn: &mut Txn<'_>, p: &Value) {
    let now_s = txn.now_s.clone();
    let Some(pod) = txn.edit_obj(Resource::Pod, p) else {
        return;
    };
    let st = &mut pod["status"];
    st["phase"] = json!("Succeeded");
    if let Some(cs) = st
        .get_mut("containerStatuses")
        .and_then(Value::as_array_mut)
    {
        for c in cs {
            let started = c
                .pointer("/state/running/startedAt")
                .cloned()
                .unwrap_or_else(|| json!(now_s));
            c["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed",
                "startedAt": started, "finishedAt": now_s, "containerID": c["containerID"].clone()}});
            c["ready"] = json!(false);
            c["started"] = json!(false);
        }
    }
    if let Some(conds) = st.get_mut("conditions").and_then(Value::as_array_mut) {
        for c in conds.iter_mut() {
            if c["type"] == "Ready" || c["type"] == "ContainersReady" {
                if c["status"] != "False" {
                    c["lastTransitionTime"] = json!(now_s);
                }
                c["status"] = json!("False");
                c["reason"] = json!("PodCompleted");
            }
        }
    }
}
