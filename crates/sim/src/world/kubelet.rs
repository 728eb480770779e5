//! The kubelet, per pod, in simulated seconds: sandbox (ContainerCreating), image pull,
//! start, readiness; failed pulls (ErrImagePull → ImagePullBackOff with growing back-off);
//! crash loops (Error → CrashLoopBackOff 10 s → 300 s, `lastState.terminated` kept).

use super::kubelet_status::{container_id, image_id, pod_ip, set_pod_conditions};
use super::objects::{
    annotation, fnv64, mix, name, namespace, plus, secs_between, str_at, time_at, ts, uid,
};
use super::pods::is_active;
use super::templates::{CRASH_ANNOTATION, CRASH_IMAGE_ANNOTATION};
use super::txn::Txn;
use crate::resource::Resource;
use crate::spec::image_rules;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

/// Back-off before restart number `restarts + 1` (upstream: 10 s doubling to 300 s; the
/// very first restart is immediate).
pub fn crash_backoff(restarts: i64) -> f64 {
    if restarts <= 0 {
        0.0
    } else {
        (10.0 * 2f64.powi((restarts - 1).min(10) as i32)).min(300.0)
    }
}

/// Seconds from the first pull attempt to attempt `k` (image pull back-off 10 s → 300 s).
fn pull_attempt_offset(k: u32) -> f64 {
    (0..k)
        .map(|i| (10.0 * 2f64.powi(i.min(10) as i32)).min(300.0))
        .sum()
}

fn h(parts: &[&str]) -> u64 {
    mix(&parts
        .iter()
        .map(|p| fnv64(p.as_bytes()))
        .collect::<Vec<_>>())
}

/// Image pull time for a pod's container (1.5–7.5 s).
fn pull_secs(pod: &Value, c: &str) -> f64 {
    1.5 + (h(&[name(pod), c, "pull"]) % 60) as f64 / 10.0
}

/// How long a crashing container runs before exiting (3–8 s).
pub fn crash_run_secs(pod: &Value, c: &str, restarts: i64) -> f64 {
    3.0 + (h(&[name(pod), c, &restarts.to_string()]) % 50) as f64 / 10.0
}

struct Ev {
    warning: bool,
    reason: &'static str,
    msg: String,
}

/// Advances every bound pod. `prev` is the simulated time of the previous tick.
pub fn reconcile(
    txn: &mut Txn<'_>,
    pods: &[Arc<Value>],
    prev: jiff::Timestamp,
    restarting: &HashSet<String>,
) {
    let nodes = txn.list(Resource::Node, None);
    for p in pods {
        let Some(node_name) = str_at(p, "/spec/nodeName") else {
            continue;
        };
        if !is_active(p) || restarting.contains(node_name) {
            continue;
        }
        if steady(p) {
            continue;
        }
        if txn.get(Resource::Pod, namespace(p), name(p)).is_none() {
            continue; // deleted this tick
        }
        let node = nodes
            .iter()
            .find(|n| name(n) == node_name)
            .map(|n| n.as_ref());
        let mut events = Vec::new();
        let Some(status) = advance(p, node, txn.now, prev, &mut events) else {
            continue;
        };
        if p.get("status") == Some(&status) {
            continue;
        }
        if let Some(o) = txn.edit_obj(Resource::Pod, p) {
            o["status"] = status;
        }
        for e in events {
            txn.event(
                Resource::Pod,
                p,
                e.warning,
                e.reason,
                &e.msg,
                "kubelet",
                node_name,
            );
        }
    }
}

/// A pod with every container running and ready, none of them crash-prone: nothing to do.
/// (The common case, checked without cloning anything.)
fn steady(p: &Value) -> bool {
    if annotation(p, CRASH_ANNOTATION) == Some("true")
        || str_at(p, "/status/phase") != Some("Running")
    {
        return false;
    }
    let (Some(specs), Some(statuses)) = (
        p.pointer("/spec/containers").and_then(Value::as_array),
        p.pointer("/status/containerStatuses")
            .and_then(Value::as_array),
    ) else {
        return false;
    };
    specs.len() == statuses.len()
        && specs
            .iter()
            .all(|c| !c["image"].as_str().is_some_and(image_rules::crashes))
        && statuses
            .iter()
            .all(|c| c["ready"] == true && c.pointer("/state/running").is_some())
}

fn advance(
    p: &Value,
    node: Option<&Value>,
    now: jiff::Timestamp,
    prev: jiff::Timestamp,
    ev: &mut Vec<Ev>,
) -> Option<Value> {
    let now_s = ts(now);
    let mut st = p.get("status").cloned().unwrap_or_else(|| json!({}));
    let containers: Vec<Value> = p
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let crash_all = annotation(p, CRASH_ANNOTATION) == Some("true");
    let never_restart = str_at(p, "/spec/restartPolicy") == Some("Never");
    let Some(start) = time_at(p, "/status/startTime") else {
        // Sandbox: accept the pod, start pulling.
        let ip = pod_ip(p, node);
        let host_ip = node
            .and_then(|n| n.pointer("/status/addresses/0/address"))
            .cloned()
            .unwrap_or(json!(""));
        st["startTime"] = json!(now_s);
        st["phase"] = json!("Pending");
        st["hostIP"] = host_ip.clone();
        st["hostIPs"] = json!([{"ip": host_ip}]);
        st["podIP"] = json!(ip);
        st["podIPs"] = json!([{"ip": ip}]);
        st["containerStatuses"] = Value::Array(
            containers
                .iter()
                .map(|c| {
                    ev.push(Ev {
                        warning: false,
                        reason: "Pulling",
                        msg: format!("Pulling image \"{}\"", c["image"].as_str().unwrap_or("")),
                    });
                    json!({"name": c["name"], "image": c["image"], "imageID": "", "ready": false,
                           "restartCount": 0, "started": false, "lastState": {},
                           "state": {"waiting": {"reason": "ContainerCreating"}}})
                })
                .collect(),
        );
        set_pod_conditions(&mut st, &now_s);
        return Some(st);
    };
    let mut statuses: Vec<Value> = st
        .get("containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for c in &containers {
        let cname = c["name"].as_str().unwrap_or("");
        let image = c["image"].as_str().unwrap_or("");
        let crashes = (crash_all
            && annotation(p, CRASH_IMAGE_ANNOTATION).is_none_or(|img| img == image))
            || image_rules::crashes(image);
        let ready_delay = c
            .pointer("/readinessProbe/initialDelaySeconds")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            + 1.0;
        let Some(cs) = statuses.iter_mut().find(|s| s["name"] == cname) else {
            continue;
        };
        let restarts = cs["restartCount"].as_i64().unwrap_or(0);
        let waiting = str_at(cs, "/state/waiting/reason").map(str::to_string);
        let pod_ref = format!("{}_{}({})", name(p), namespace(p), uid(p));
        let start_container = |cs: &mut Value, restarts: i64, ev: &mut Vec<Ev>, fresh: bool| {
            if fresh {
                let pull = pull_secs(p, cname);
                ev.push(Ev { warning: false, reason: "Pulled", msg: format!("Successfully pulled image \"{image}\" in {pull:.3}s ({pull:.3}s including waiting). Image size: {} bytes.", 20_000_000 + fnv64(image.as_bytes()) % 180_000_000) });
            } else {
                ev.push(Ev {
                    warning: false,
                    reason: "Pulled",
                    msg: format!("Container image \"{image}\" already present on machine"),
                });
            }
            ev.push(Ev {
                warning: false,
                reason: "Created",
                msg: format!("Created container {cname}"),
            });
            ev.push(Ev {
                warning: false,
                reason: "Started",
                msg: format!("Started container {cname}"),
            });
            cs["state"] = json!({"running": {"startedAt": now_s}});
            cs["started"] = json!(true);
            cs["ready"] = json!(false);
            cs["restartCount"] = json!(restarts);
            cs["imageID"] = json!(image_id(image));
            cs["containerID"] = json!(container_id(p, cname, restarts));
        };
        match waiting.as_deref() {
            Some("ContainerCreating") => {
                if secs_between(start, now) < pull_secs(p, cname) {
                    continue;
                }
                if image_rules::pullable(image) {
                    start_container(cs, restarts, ev, true);
                } else {
                    pull_failed(cs, image, ev);
                }
            }
            Some("ErrImagePull") => {
                cs["state"] = json!({"waiting": {"reason": "ImagePullBackOff", "message": format!("Back-off pulling image \"{image}\"")}});
                ev.push(Ev {
                    warning: false,
                    reason: "BackOff",
                    msg: format!("Back-off pulling image \"{image}\""),
                });
                ev.push(Ev {
                    warning: true,
                    reason: "Failed",
                    msg: "Error: ImagePullBackOff".into(),
                });
            }
            Some("ImagePullBackOff") => {
                let first = plus(start, pull_secs(p, cname));
                let due = (1..64u32)
                    .map(|k| plus(first, pull_attempt_offset(k)))
                    .find(|t| *t > prev);
                if due.is_some_and(|t| t <= now) {
                    ev.push(Ev {
                        warning: false,
                        reason: "Pulling",
                        msg: format!("Pulling image \"{image}\""),
                    });
                    if image_rules::pullable(image) {
                        start_container(cs, restarts, ev, true);
                    } else {
                        pull_failed(cs, image, ev);
                    }
                }
            }
            Some("CrashLoopBackOff") => {
                let fin = time_at(cs, "/lastState/terminated/finishedAt").unwrap_or(start);
                if secs_between(fin, now) >= crash_backoff(restarts) {
                    start_container(cs, restarts + 1, ev, false);
                }
            }
            Some(_) => {}
            None => {
                if never_restart && cs.pointer("/state/terminated").is_some() {
                    // restartPolicy Never: the container stays terminated.
                } else if let Some(fin) = time_at(cs, "/state/terminated/finishedAt") {
                    let term = cs["state"]["terminated"].clone();
                    cs["lastState"] = json!({"terminated": term});
                    let backoff = crash_backoff(restarts);
                    if secs_between(fin, now) >= backoff {
                        start_container(cs, restarts + 1, ev, false);
                    } else {
                        let msg = format!(
                            "back-off {backoff:.0}s restarting failed container={cname} pod={pod_ref}"
                        );
                        cs["state"] =
                            json!({"waiting": {"reason": "CrashLoopBackOff", "message": msg}});
                        ev.push(Ev {
                            warning: true,
                            reason: "BackOff",
                            msg: format!(
                                "Back-off restarting failed container {cname} in pod {pod_ref}"
                            ),
                        });
                    }
                } else if let Some(started) = time_at(cs, "/state/running/startedAt") {
                    let up = secs_between(started, now);
                    if crashes && up >= crash_run_secs(p, cname, restarts) {
                        let fin = plus(started, crash_run_secs(p, cname, restarts));
                        let fin = if fin > now { now } else { fin };
                        cs["state"] = json!({"terminated": {"exitCode": 1, "reason": "Error",
                            "startedAt": ts(started), "finishedAt": ts(fin),
                            "containerID": cs["containerID"].clone()}});
                        cs["ready"] = json!(false);
                        cs["started"] = json!(false);
                    } else if !crashes && cs["ready"] != true && up >= ready_delay {
                        cs["ready"] = json!(true);
                    }
                }
            }
        }
    }
    st["containerStatuses"] = Value::Array(statuses);
    let ever_started = st["containerStatuses"].as_array().is_some_and(|a| {
        a.iter().any(|c| {
            c.pointer("/state/running").is_some()
                || c.pointer("/state/terminated").is_some()
                || c["restartCount"].as_i64().unwrap_or(0) > 0
                || c.pointer("/lastState/terminated").is_some()
        })
    });
    let terminated: Vec<i64> = st["containerStatuses"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    c.pointer("/state/terminated/exitCode")
                        .and_then(Value::as_i64)
                })
                .collect()
        })
        .unwrap_or_default();
    let phase = if never_restart && !containers.is_empty() && terminated.len() == containers.len() {
        if terminated.iter().all(|c| *c == 0) {
            "Succeeded"
        } else {
            "Failed"
        }
    } else if ever_started {
        "Running"
    } else {
        "Pending"
    };
    st["phase"] = json!(phase);
    set_pod_conditions(&mut st, &now_s);
    Some(st)
}

fn pull_failed(cs: &mut Value, image: &str, ev: &mut Vec<Ev>) {
    let detail = format!(
        "failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found"
    );
    cs["state"] = json!({"waiting": {"reason": "ErrImagePull", "message": detail}});
    ev.push(Ev {
        warning: true,
        reason: "Failed",
        msg: format!("Failed to pull image \"{image}\": {detail}"),
    });
    ev.push(Ev {
        warning: true,
        reason: "Failed",
        msg: "Error: ErrImagePull".into(),
    });
}
