//! The diff view of a health [`SiteState`]: the pruned state the health engine keeps in
//! memory and in its snapshot cache, so a site that comes back can be compared with the
//! state it had before (the snapshot store's reconnect baseline) by the
//! same [`diff`](super::diff::diff) as bundles.

use super::diff::{View, Workload};
use super::state::{PodTrouble, SiteState};

impl View {
    /// Builds a view from a health state. Crash loops are attributed to their workload:
    /// a pod owned by ReplicaSet `web-5d8f7c` belongs to Deployment `web` when the site
    /// has one (the ReplicaSet's name is the Deployment's plus the pod-template hash).
    pub fn of_state(label: String, taken_at: Option<jiff::Timestamp>, st: &SiteState) -> View {
        let mut v = View {
            label,
            taken_at,
            version: st.git_version.clone(),
            ..View::default()
        };
        for (name, n) in &st.nodes {
            v.nodes
                .insert(name.clone(), (n.ready, n.kubelet_version.clone()));
        }
        for w in st.workloads.values() {
            let replicas = (w.kind != "DaemonSet").then_some(i64::from(w.desired));
            v.workloads.insert(
                format!("{}/{}/{}", w.kind, w.namespace, w.name),
                Workload {
                    replicas,
                    images: w.images.clone(),
                },
            );
        }
        for p in st.pods.values() {
            if p.trouble != Some(PodTrouble::CrashLoop) {
                continue;
            }
            let ns = &p.namespace;
            let subject = match p.owner.as_deref().and_then(|o| o.split_once('/')) {
                Some(("ReplicaSet", rs)) => rs
                    .rsplit_once('-')
                    .map(|(d, _)| format!("Deployment/{ns}/{d}"))
                    .filter(|d| st.workloads.contains_key(d))
                    .unwrap_or_else(|| format!("ReplicaSet/{ns}/{rs}")),
                Some((kind, name)) => format!("{kind}/{ns}/{name}"),
                None => format!("Pod/{ns}/{}", p.name),
            };
            v.crash_loops.insert(subject);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diff::{ChangeKind, diff};
    use crate::model::{NodeInfo, PodInfo, WorkloadInfo};

    fn state(image: &str, replicas: i32, crash: bool, kubelet: Option<&str>) -> SiteState {
        let mut st = SiteState {
            git_version: Some("v1.31.4+k3s1".into()),
            ..SiteState::default()
        };
        st.nodes.insert(
            "n0".into(),
            NodeInfo {
                ready: true,
                pressure: vec![],
                microk8s: false,
                kubelet_version: kubelet.map(str::to_string),
            },
        );
        st.workloads.insert(
            "Deployment/shop/web".into(),
            WorkloadInfo {
                kind: "Deployment".into(),
                namespace: "shop".into(),
                name: "web".into(),
                desired: replicas,
                available: replicas,
                images: [("app".to_string(), image.to_string())].into(),
            },
        );
        st.pods.insert(
            "shop/web-5d8f7c-x1".into(),
            PodInfo {
                namespace: "shop".into(),
                name: "web-5d8f7c-x1".into(),
                restarts: 3,
                trouble: crash.then_some(PodTrouble::CrashLoop),
                reason: None,
                owner: Some("ReplicaSet/web-5d8f7c".into()),
            },
        );
        st
    }

    #[test]
    fn state_views_diff_images_replicas_crash_loops_and_kubelet() {
        let a = View::of_state("a".into(), None, &state("web:1", 2, false, Some("v1.31.4")));
        let b = View::of_state("b".into(), None, &state("web:2", 3, true, Some("v1.31.5")));
        let got: Vec<(ChangeKind, String)> = diff(&a, &b)
            .into_iter()
            .map(|c| (c.kind, c.subject))
            .collect();
        assert_eq!(
            got,
            vec![
                (ChangeKind::NodeVersion, "Node/n0".to_string()),
                (ChangeKind::Image, "Deployment/shop/web:app".to_string()),
                (ChangeKind::Replicas, "Deployment/shop/web".to_string()),
                (
                    ChangeKind::CrashLoopStarted,
                    "Deployment/shop/web".to_string()
                ),
            ]
        );
    }

    #[test]
    fn unknown_images_and_kubelet_versions_are_not_changes() {
        let mut old = state("web:1", 2, false, None);
        for w in old.workloads.values_mut() {
            w.images.clear();
        }
        let a = View::of_state("old".into(), None, &old);
        let b = View::of_state("new".into(), None, &state("web:2", 2, false, Some("v1")));
        assert!(diff(&a, &b).is_empty(), "{:?}", diff(&a, &b));
    }
}
