//! What the kubelet reports about a pod besides container states: image and container
//! ids, the pod IP, and the pod conditions derived from its containers.

use super::objects::{fnv64, mix, name, namespace, str_at, uid};
use serde_json::{Value, json};

fn h(parts: &[&str]) -> u64 {
    mix(&parts
        .iter()
        .map(|p| fnv64(p.as_bytes()))
        .collect::<Vec<_>>())
}

pub fn image_id(image: &str) -> String {
    let repo = image.split('@').next().unwrap_or(image);
    let slash = repo.rfind('/').map_or(0, |i| i + 1);
    let repo = match repo[slash..].find(':') {
        Some(i) => &repo[..slash + i],
        None => repo,
    };
    let first = repo.split('/').next().unwrap_or("");
    let full = if repo.contains('/') && (first.contains('.') || first.contains(':')) {
        repo.to_string()
    } else if repo.contains('/') {
        format!("docker.io/{repo}")
    } else {
        format!("docker.io/library/{repo}")
    };
    let a = fnv64(image.as_bytes());
    format!(
        "{full}@sha256:{:016x}{:016x}{:016x}{:016x}",
        a,
        mix(&[a, 1]),
        mix(&[a, 2]),
        mix(&[a, 3])
    )
}

pub fn container_id(pod: &Value, c: &str, restarts: i64) -> String {
    let a = h(&[uid(pod), name(pod), c, &restarts.to_string()]);
    format!(
        "containerd://{:016x}{:016x}{:016x}{:016x}",
        a,
        mix(&[a, 1]),
        mix(&[a, 2]),
        mix(&[a, 3])
    )
}

/// The pod IP: from the node's podCIDR on K3s (10.42.N.x), Calico-style otherwise.
pub fn pod_ip(pod: &Value, node: Option<&Value>) -> String {
    let host = (h(&[name(pod), namespace(pod)]) % 250 + 3) as u8;
    let cidr = node.and_then(|n| str_at(n, "/spec/podCIDR"));
    match cidr.and_then(|c| c.strip_suffix(".0/24")) {
        Some(prefix) => format!("{prefix}.{host}"),
        None => {
            let n = node.map(|n| fnv64(name(n).as_bytes()) % 200).unwrap_or(0);
            format!("10.1.{}.{host}", n + 20)
        }
    }
}

/// PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled.
pub fn set_pod_conditions(st: &mut Value, now: &str) {
    let statuses = st["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let all_ready = !statuses.is_empty() && statuses.iter().all(|c| c["ready"] == true);
    let not_ready: Vec<&str> = statuses
        .iter()
        .filter(|c| c["ready"] != true)
        .filter_map(|c| c["name"].as_str())
        .collect();
    let mut conds: Vec<Value> = st
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let msg = format!("containers with unready status: [{}]", not_ready.join(" "));
    let set = |conds: &mut Vec<Value>, t: &str, ok: bool, reason: &str| {
        let s = if ok { "True" } else { "False" };
        if let Some(c) = conds.iter_mut().find(|c| c["type"] == t) {
            if c["status"] != s {
                c["lastTransitionTime"] = json!(now);
            }
            c["status"] = json!(s);
            if ok {
                if let Some(m) = c.as_object_mut() {
                    m.remove("reason");
                    m.remove("message");
                }
            } else {
                c["reason"] = json!(reason);
                c["message"] = json!(msg);
            }
        } else {
            let mut c =
                json!({"type": t, "status": s, "lastProbeTime": null, "lastTransitionTime": now});
            if !ok {
                c["reason"] = json!(reason);
                c["message"] = json!(msg);
            }
            conds.push(c);
        }
    };
    set(&mut conds, "PodReadyToStartContainers", true, "");
    set(&mut conds, "Initialized", true, "");
    set(&mut conds, "Ready", all_ready, "ContainersNotReady");
    set(
        &mut conds,
        "ContainersReady",
        all_ready,
        "ContainersNotReady",
    );
    let order = [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ];
    conds.sort_by_key(|c| order.iter().position(|o| c["type"] == *o).unwrap_or(9));
    st["conditions"] = Value::Array(conds);
}
