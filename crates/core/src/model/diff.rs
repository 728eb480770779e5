//! What changed between two states of a site (two bundles, or a bundle and the live
//! site): API version, workload images and replica counts, workloads added or removed,
//! crash loops that started or ended, nodes added, removed, readiness and kubelet
//! version. Rendered for humans or serialized as JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Version,
    NodeAdded,
    NodeRemoved,
    NodeReady,
    NodeVersion,
    WorkloadAdded,
    WorkloadRemoved,
    Image,
    Replicas,
    CrashLoopStarted,
    CrashLoopEnded,
}

/// One change. `subject` is `Kind/namespace/name`, `Node/name`, or `site`; for images
/// it ends with `:container`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub kind: ChangeKind,
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Workload {
    pub(crate) replicas: Option<i64>,
    /// Empty when unknown (a health snapshot written before images were kept).
    pub(crate) images: BTreeMap<String, String>,
}

/// The parts of a site's state a diff compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// `bundle FILE` or `live SITE`.
    pub label: String,
    pub taken_at: Option<jiff::Timestamp>,
    pub version: Option<String>,
    /// Node → (Ready, kubelet version).
    pub(crate) nodes: BTreeMap<String, (bool, Option<String>)>,
    pub(crate) workloads: BTreeMap<String, Workload>,
    pub(crate) crash_loops: BTreeSet<String>,
}

fn s<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

fn ns_name(v: &Value) -> (String, String) {
    (
        s(v, "/metadata/namespace").unwrap_or("").to_string(),
        s(v, "/metadata/name").unwrap_or("").to_string(),
    )
}

fn owner(v: &Value) -> Option<(String, String)> {
    let o = v
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .first()?;
    Some((s(o, "/kind")?.to_string(), s(o, "/name")?.to_string()))
}

impl View {
    /// Builds a view from pruned objects by plural.
    pub fn of(
        label: String,
        version: Option<String>,
        taken_at: Option<jiff::Timestamp>,
        res: &BTreeMap<String, Vec<Value>>,
    ) -> View {
        let items = |p: &str| res.get(p).map(Vec::as_slice).unwrap_or_default();
        let mut v = View {
            label,
            taken_at,
            version,
            ..View::default()
        };
        for n in items("nodes") {
            let ready = n
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| s(c, "/type") == Some("Ready") && s(c, "/status") == Some("True"))
                });
            let kubelet = s(n, "/status/nodeInfo/kubeletVersion").map(str::to_string);
            v.nodes.insert(ns_name(n).1, (ready, kubelet));
        }
        for (plural, kind) in [
            ("deployments", "Deployment"),
            ("statefulsets", "StatefulSet"),
            ("daemonsets", "DaemonSet"),
        ] {
            for w in items(plural) {
                let (ns, name) = ns_name(w);
                let images = w
                    .pointer("/spec/template/spec/containers")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| Some((s(c, "/name")?.to_string(), s(c, "/image")?.to_string())))
                    .collect();
                let replicas = if kind == "DaemonSet" {
                    None
                } else {
                    Some(
                        w.pointer("/spec/replicas")
                            .and_then(Value::as_i64)
                            .unwrap_or(1),
                    )
                };
                v.workloads
                    .insert(format!("{kind}/{ns}/{name}"), Workload { replicas, images });
            }
        }
        let rs_owner: BTreeMap<(String, String), (String, String)> = items("replicasets")
            .iter()
            .filter_map(|r| Some((ns_name(r), owner(r)?)))
            .collect();
        for p in items("pods") {
            let looping = p
                .pointer("/status/containerStatuses")
                .and_then(Value::as_array)
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| s(c, "/state/waiting/reason") == Some("CrashLoopBackOff"))
                });
            if !looping {
                continue;
            }
            let (ns, name) = ns_name(p);
            let subject = match owner(p) {
                Some((k, rs)) if k == "ReplicaSet" => match rs_owner.get(&(ns.clone(), rs.clone()))
                {
                    Some((k, d)) => format!("{k}/{ns}/{d}"),
                    None => format!("ReplicaSet/{ns}/{rs}"),
                },
                Some((k, o)) => format!("{k}/{ns}/{o}"),
                None => format!("Pod/{ns}/{name}"),
            };
            v.crash_loops.insert(subject);
        }
        v
    }
}

fn change(kind: ChangeKind, subject: String, from: Option<String>, to: Option<String>) -> Change {
    Change {
        kind,
        subject,
        from,
        to,
    }
}

/// Every change from `a` to `b`, sorted by kind then subject.
pub fn diff(a: &View, b: &View) -> Vec<Change> {
    use ChangeKind as K;
    let mut out = Vec::new();
    if a.version != b.version {
        out.push(change(
            K::Version,
            "site".into(),
            a.version.clone(),
            b.version.clone(),
        ));
    }
    for (n, (ready, kubelet)) in &a.nodes {
        match b.nodes.get(n) {
            None => out.push(change(K::NodeRemoved, format!("Node/{n}"), None, None)),
            Some((r2, k2)) => {
                if ready != r2 {
                    let f = |r: bool| Some(if r { "Ready" } else { "NotReady" }.to_string());
                    out.push(change(K::NodeReady, format!("Node/{n}"), f(*ready), f(*r2)));
                }
                // An unknown version on either side is no change.
                if kubelet.is_some() && k2.is_some() && kubelet != k2 {
                    out.push(change(
                        K::NodeVersion,
                        format!("Node/{n}"),
                        kubelet.clone(),
                        k2.clone(),
                    ));
                }
            }
        }
    }
    for n in b.nodes.keys().filter(|n| !a.nodes.contains_key(*n)) {
        out.push(change(K::NodeAdded, format!("Node/{n}"), None, None));
    }
    for (w, wa) in &a.workloads {
        let Some(wb) = b.workloads.get(w) else {
            out.push(change(K::WorkloadRemoved, w.clone(), None, None));
            continue;
        };
        if wa.replicas != wb.replicas {
            let f = |r: Option<i64>| r.map(|r| r.to_string());
            out.push(change(
                K::Replicas,
                w.clone(),
                f(wa.replicas),
                f(wb.replicas),
            ));
        }
        // Images unknown on either side (an older health snapshot) are not compared.
        let known = !wa.images.is_empty() && !wb.images.is_empty();
        let containers: BTreeSet<&String> = wa.images.keys().chain(wb.images.keys()).collect();
        for c in containers.into_iter().filter(|_| known) {
            let (ia, ib) = (wa.images.get(c), wb.images.get(c));
            if ia != ib {
                out.push(change(
                    K::Image,
                    format!("{w}:{c}"),
                    ia.cloned(),
                    ib.cloned(),
                ));
            }
        }
    }
    for w in b.workloads.keys().filter(|w| !a.workloads.contains_key(*w)) {
        out.push(change(K::WorkloadAdded, w.clone(), None, None));
    }
    for c in b.crash_loops.difference(&a.crash_loops) {
        out.push(change(K::CrashLoopStarted, c.clone(), None, None));
    }
    for c in a.crash_loops.difference(&b.crash_loops) {
        out.push(change(K::CrashLoopEnded, c.clone(), None, None));
    }
    out.sort();
    out
}

/// A diff with what it compares, as printed by `outpost snapshot diff --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_time: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_time: Option<jiff::Timestamp>,
    pub changes: Vec<Change>,
}

impl Diff {
    pub fn between(a: &View, b: &View) -> Diff {
        Diff {
            from: a.label.clone(),
            to: b.label.clone(),
            from_time: a.taken_at,
            to_time: b.taken_at,
            changes: diff(a, b),
        }
    }

    /// Human-readable lines, one per change.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let at = |t: Option<jiff::Timestamp>| t.map(|t| format!(" ({t})")).unwrap_or_default();
        let _ = writeln!(o, "from {}{}", self.from, at(self.from_time));
        let _ = writeln!(o, "to   {}{}", self.to, at(self.to_time));
        if self.changes.is_empty() {
            let _ = writeln!(o, "no changes");
        }
        let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".into());
        for c in &self.changes {
            let line = match c.kind {
                ChangeKind::Version => format!("version      {} -> {}", v(&c.from), v(&c.to)),
                ChangeKind::NodeAdded => format!("node added   {}", c.subject),
                ChangeKind::NodeRemoved => format!("node removed {}", c.subject),
                ChangeKind::NodeReady | ChangeKind::NodeVersion => {
                    format!("node         {}: {} -> {}", c.subject, v(&c.from), v(&c.to))
                }
                ChangeKind::WorkloadAdded => format!("added        {}", c.subject),
                ChangeKind::WorkloadRemoved => format!("removed      {}", c.subject),
                ChangeKind::Image => {
                    format!("image        {}: {} -> {}", c.subject, v(&c.from), v(&c.to))
                }
                ChangeKind::Replicas => {
                    format!("replicas     {}: {} -> {}", c.subject, v(&c.from), v(&c.to))
                }
                ChangeKind::CrashLoopStarted => format!("crash loop   {} (new)", c.subject),
                ChangeKind::CrashLoopEnded => {
                    format!("recovered    {} (crash loop ended)", c.subject)
                }
            };
            let _ = writeln!(o, "{line}");
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(
        image: &str,
        replicas: i64,
        crash: bool,
        nodes: &[&str],
    ) -> BTreeMap<String, Vec<Value>> {
        let mut m = BTreeMap::new();
        m.insert("deployments".into(), vec![json!({"metadata": {"namespace": "shop", "name": "web"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "app", "image": image}]}}}})]);
        m.insert(
            "replicasets".into(),
            vec![json!({"metadata": {"namespace": "shop", "name": "web-abc",
            "ownerReferences": [{"kind": "Deployment", "name": "web"}]}})],
        );
        let reason = if crash {
            "CrashLoopBackOff"
        } else {
            "ContainerCreating"
        };
        m.insert(
            "pods".into(),
            vec![
                json!({"metadata": {"namespace": "shop", "name": "web-abc-1",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc"}]},
            "status": {"containerStatuses": [{"state": {"waiting": {"reason": reason}}}]}}),
            ],
        );
        m.insert(
            "nodes".into(),
            nodes
                .iter()
                .map(|n| {
                    json!({"metadata": {"name": n},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
                })
                .collect(),
        );
        m
    }

    #[test]
    fn finds_exactly_the_changes() {
        let a = View::of(
            "a".into(),
            Some("v1.30.1".into()),
            None,
            &res("web:1", 2, false, &["n0", "n1"]),
        );
        let b = View::of(
            "b".into(),
            Some("v1.31.0".into()),
            None,
            &res("web:2", 3, true, &["n0", "n2"]),
        );
        let d = diff(&a, &b);
        let kinds: Vec<(ChangeKind, &str)> =
            d.iter().map(|c| (c.kind, c.subject.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (ChangeKind::Version, "site"),
                (ChangeKind::NodeAdded, "Node/n2"),
                (ChangeKind::NodeRemoved, "Node/n1"),
                (ChangeKind::Image, "Deployment/shop/web:app"),
                (ChangeKind::Replicas, "Deployment/shop/web"),
                (ChangeKind::CrashLoopStarted, "Deployment/shop/web"),
            ]
        );
        assert!(diff(&a, &a).is_empty());
        let text = Diff::between(&a, &b).render();
        assert!(
            text.contains("image        Deployment/shop/web:app: web:1 -> web:2"),
            "{text}"
        );
        let j = serde_json::to_value(&d[4]).unwrap_or_default();
        assert_eq!(
            j,
            json!({"kind": "replicas", "subject": "Deployment/shop/web", "from": "2", "to": "3"})
        );
    }
}
