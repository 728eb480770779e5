//! The log tails a bundle holds for a log viewer target (one pod, or every pod of a
//! workload, found through the bundle's pods and ReplicaSets), as recorded lines for
//! [`crate::logs::from_recorded`].

use super::content::Bundle;
use crate::logs::{Recorded, Target};
use serde_json::Value;
use std::collections::BTreeSet;

fn s<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

fn owner(v: &Value) -> Option<(&str, &str)> {
    let refs = v.pointer("/metadata/ownerReferences")?.as_array()?;
    let o = refs
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .or_else(|| refs.first())?;
    Some((s(o, "/kind")?, s(o, "/name")?))
}

/// Pods of `target` in the bundle (namespace, name).
fn pods(b: &Bundle, target: &Target) -> BTreeSet<(String, String)> {
    let ns = target.namespace();
    let items = |p: &str| b.resources.get(p).map(Vec::as_slice).unwrap_or_default();
    let in_ns = |v: &&Value| s(v, "/metadata/namespace") == Some(ns);
    match target {
        Target::Pod { name, .. } => [(ns.to_string(), name.clone())].into(),
        Target::Workload { kind, name, .. } => {
            let kind = kind.as_str();
            // ReplicaSets of a Deployment (by owner, else by the pod-template-hash name).
            let rs_of_deploy: BTreeSet<&str> = items("replicasets")
                .iter()
                .filter(in_ns)
                .filter(|r| owner(r) == Some(("Deployment", name.as_str())))
                .filter_map(|r| s(r, "/metadata/name"))
                .collect();
            items("pods")
                .iter()
                .filter(in_ns)
                .filter(|p| match owner(p) {
                    Some((k, n)) if k == kind => n == name,
                    Some(("ReplicaSet", rs)) if kind == "Deployment" => {
                        rs_of_deploy.contains(rs)
                            || rs.rsplit_once('-').is_some_and(|(d, _)| d == name)
                    }
                    _ => false,
                })
                .filter_map(|p| s(p, "/metadata/name"))
                .map(|n| (ns.to_string(), n.to_string()))
                .collect()
        }
    }
}

/// The recorded tails of `target` (and `container`, if given) on `site`.
pub fn recorded(b: &Bundle, site: &str, target: &Target, container: Option<&str>) -> Vec<Recorded> {
    let pods = pods(b, target);
    b.logs
        .iter()
        .filter(|t| pods.contains(&(t.namespace.clone(), t.pod.clone())))
        .filter(|t| container.is_none_or(|c| c == t.container))
        .map(|t| Recorded {
            site: site.to_string(),
            namespace: t.namespace.clone(),
            pod: t.pod.clone(),
            container: t.container.clone(),
            text: t.text.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::content::LogTail;
    use crate::logs::WorkloadKind;
    use serde_json::json;

    fn tail(pod: &str, container: &str) -> LogTail {
        LogTail {
            namespace: "shop".into(),
            pod: pod.into(),
            container: container.into(),
            text: format!("{pod} {container}\n").into_bytes(),
        }
    }

    #[test]
    fn tails_of_a_pod_a_deployment_and_a_statefulset() {
        let mut b = crate::bundle::tests::sample();
        let owned = |name: &str, kind: &str, owner: &str| {
            json!({"metadata": {"name": name, "namespace": "shop",
                "ownerReferences": [{"kind": kind, "name": owner, "controller": true}]}})
        };
        b.resources.insert(
            "pods".into(),
            vec![
                owned("web-5d8f-a", "ReplicaSet", "web-5d8f"),
                owned("web-5d8f-b", "ReplicaSet", "web-5d8f"),
                owned("webhook-77-c", "ReplicaSet", "webhook-77"),
                owned("db-0", "StatefulSet", "db"),
            ],
        );
        b.resources.insert(
            "replicasets".into(),
            vec![owned("web-5d8f", "Deployment", "web")],
        );
        b.logs = vec![
            tail("web-5d8f-a", "app"),
            tail("web-5d8f-a", "proxy"),
            tail("web-5d8f-b", "app"),
            tail("webhook-77-c", "app"),
            tail("db-0", "db"),
        ];
        let names = |t: &Target, c: Option<&str>| -> Vec<String> {
            recorded(&b, "lyon-1", t, c)
                .into_iter()
                .map(|r| format!("{}/{}", r.pod, r.container))
                .collect()
        };
        let web = Target::Workload {
            namespace: "shop".into(),
            kind: WorkloadKind::Deployment,
            name: "web".into(),
        };
        assert_eq!(
            names(&web, None),
            ["web-5d8f-a/app", "web-5d8f-a/proxy", "web-5d8f-b/app"]
        );
        assert_eq!(
            names(&web, Some("app")),
            ["web-5d8f-a/app", "web-5d8f-b/app"]
        );
        let db = Target::Workload {
            namespace: "shop".into(),
            kind: WorkloadKind::StatefulSet,
            name: "db".into(),
        };
        assert_eq!(names(&db, None), ["db-0/db"]);
        let pod = Target::Pod {
            namespace: "shop".into(),
            name: "webhook-77-c".into(),
        };
        assert_eq!(names(&pod, None), ["webhook-77-c/app"]);
        let other_ns = Target::Pod {
            namespace: "kube-system".into(),
            name: "web-5d8f-a".into(),
        };
        assert!(names(&other_ns, None).is_empty());
        assert!(
            recorded(&b, "lyon-1", &web, None)
                .iter()
                .all(|r| r.site == "lyon-1")
        );
    }
}
