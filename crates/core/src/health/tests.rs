use super::evaluate::{Observation, detect_distro, evaluate, fmt_age};
use super::prune;
use crate::model::*;
use crate::registry::{Distro, Site};
use k8s_openapi::api::core::v1::{Node, Pod};

fn site(endpoint: &str) -> Site {
    let mut s = crate::testing::site("lyon-1", endpoint);
    s.display_name = "Lyon".into();
    s.credentials.entries.clear();
    s
}

fn obs(state: &SiteState, reach: Reach) -> Observation<'_> {
    Observation {
        state,
        reach,
        reach_kind: None,
        reach_reason: None,
        last_seen: None,
        snapshot_at: None,
        have_data: true,
    }
}

fn node(ready: bool, mk8s: bool, pressure: &[&str]) -> NodeInfo {
    NodeInfo {
        ready,
        pressure: pressure.iter().map(|s| s.to_string()).collect(),
        microk8s: mk8s,
        kubelet_version: None,
    }
}

#[test]
fn distro_from_version_labels_and_port() {
    let mut st = SiteState {
        git_version: Some("v1.31.4+k3s1".into()),
        ..SiteState::default()
    };
    assert_eq!(
        detect_distro(&site("https://10.0.0.1:6443"), &st),
        Some(Distro::K3s)
    );
    st.git_version = Some("v1.30.8".into());
    assert_eq!(
        detect_distro(&site("https://10.0.0.1:6443"), &st),
        Some(Distro::Kubernetes)
    );
    assert_eq!(
        detect_distro(&site("https://10.0.0.1:16443"), &st),
        Some(Distro::MicroK8s)
    );
    st.nodes.insert("n1".into(), node(true, true, &[]));
    assert_eq!(
        detect_distro(&site("https://10.0.0.1:6443"), &st),
        Some(Distro::MicroK8s)
    );
}

#[test]
fn levels_roll_up_with_reasons() {
    let now = jiff::Timestamp::now();
    let s = site("https://10.0.0.1:6443");
    let mut st = SiteState::default();
    st.nodes.insert("n1".into(), node(true, false, &[]));
    st.nodes.insert("n2".into(), node(true, false, &[]));
    st.workloads.insert(
        "Deployment/shop/pos".into(),
        WorkloadInfo {
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "pos".into(),
            desired: 2,
            available: 2,
            images: Default::default(),
        },
    );
    let h = evaluate(&s, &obs(&st, Reach::Reachable), now);
    assert_eq!((h.level, h.nodes_ready, h.nodes_total), (Level::Ok, 2, 2));
    assert!(h.reasons.is_empty());
    // Pressure and a node down: warning.
    st.nodes
        .insert("n2".into(), node(false, false, &["DiskPressure"]));
    let h = evaluate(&s, &obs(&st, Reach::Reachable), now);
    assert_eq!(h.level, Level::Warning);
    assert_eq!(h.node_pressure, vec!["n2: DiskPressure".to_string()]);
    assert!(
        h.reasons.iter().any(|r| r == "1 of 2 nodes not Ready"),
        "{:?}",
        h.reasons
    );
    // A crash loop: critical, with the pod and its restarts.
    st.pods.insert(
        "shop/pos-1".into(),
        PodInfo {
            namespace: "shop".into(),
            name: "pos-1".into(),
            restarts: 7,
            trouble: Some(PodTrouble::CrashLoop),
            reason: Some("CrashLoopBackOff".into()),
            owner: None,
        },
    );
    let h = evaluate(&s, &obs(&st, Reach::Reachable), now);
    assert_eq!(h.level, Level::Critical);
    assert_eq!(h.problem_pods[0].restarts, 7);
    assert!(
        h.reasons
            .iter()
            .any(|r| r.contains("shop/pos-1") && r.contains("7 restarts"))
    );
    // Unreachable with data: critical and (with a snapshot time) stale.
    let mut o = obs(&st, Reach::Unreachable);
    o.reach_reason = Some("connection refused".into());
    o.snapshot_at = Some(now - jiff::SignedDuration::from_secs(125));
    let h = evaluate(&s, &o, now);
    assert!(h.stale && h.level == Level::Critical);
    assert_eq!(h.snapshot_age_secs, Some(125));
    assert!(
        h.reasons
            .iter()
            .any(|r| r == "stale: showing the snapshot from 2m ago")
    );
    // Nothing known yet: unknown.
    let empty = SiteState::default();
    let mut o = obs(&empty, Reach::Unknown);
    o.have_data = false;
    assert_eq!(evaluate(&s, &o, now).level, Level::Unknown);
}

#[test]
fn a_site_answering_with_errors_is_a_warning_when_data_is_known() {
    let now = jiff::Timestamp::now();
    let s = site("https://10.0.0.1:6443");
    let mut st = SiteState::default();
    st.nodes.insert("n1".into(), node(true, false, &[]));
    let mut o = obs(&st, Reach::Reachable);
    assert_eq!(evaluate(&s, &o, now).level, Level::Ok);
    o.reach_kind = Some(crate::error::ErrorKind::Api);
    o.reach_reason = Some("API error 500: etcdserver: request timed out".into());
    let h = evaluate(&s, &o, now);
    assert_eq!(h.level, Level::Warning);
    assert!(!h.stale && h.nodes_total == 1);
    // The words, from the kind; the API's own message is the detail only.
    let words = "Answering with errors, so the data may lag: check the site's control plane.";
    assert_eq!(h.reasons, vec![words]);
    assert!(
        h.reach_reason
            .as_deref()
            .is_some_and(|d| d.contains("API error 500"))
    );
    // Without data, the same answer leaves the level unknown, with the same words.
    o.have_data = false;
    let h = evaluate(&s, &o, now);
    assert_eq!(h.level, Level::Unknown);
    assert_eq!(h.reasons, vec![words]);
}

#[test]
fn a_down_site_reads_one_short_sentence_with_the_chain_only_in_the_detail() {
    let now = jiff::Timestamp::now();
    let s = site("https://10.0.0.1:6443");
    let mut st = SiteState::default();
    st.nodes.insert("n1".into(), node(true, false, &[]));
    let chain = "unreachable: Error reading events stream: ServiceError: error reading a body \
        from connection: ServiceError: peer closed connection without sending TLS close_notify: \
        https://docs.rs/rustls/latest/rustls/manual/_03_howto/index.html#unexpected-eof";
    let e = crate::client::ClientError::Unreachable(chain.into());
    let mut o = obs(&st, Reach::of(&e));
    o.reach_kind = Some(e.kind());
    o.reach_reason = Some(e.to_string());
    o.last_seen = Some(now - jiff::SignedDuration::from_secs(600));
    let h = evaluate(&s, &o, now);
    assert_eq!(h.level, Level::Critical);
    assert_eq!(
        h.reasons,
        vec!["Not answering: check the site's power and network."]
    );
    // Across the IPC: typed, since the last answer, the chain as the detail.
    let r = crate::health::reachability(&h);
    assert_eq!(r.kind, Some(outpost_ipc::ErrorKind::Unreachable));
    assert_eq!(r.since_ms, o.last_seen.map(|t| t.as_millisecond()));
    assert!(
        r.detail
            .as_deref()
            .is_some_and(|d| d.contains("close_notify"))
    );
    assert_eq!(
        r.words(Some("14:02")).as_deref(),
        Some("Not answering since 14:02: check the site's power and network.")
    );
    for shown in h.reasons.iter().chain(r.words(None).iter()) {
        assert!(
            !shown.contains("ServiceError") && shown.len() < 100,
            "{shown}"
        );
    }
}

#[test]
fn certificate_expiry_warns_inside_30_days() {
    let now = jiff::Timestamp::now();
    let s = site("https://10.0.0.1:6443");
    let mut st = SiteState {
        cert_not_after: Some(now + jiff::SignedDuration::from_hours(24 * 12 + 1)),
        ..SiteState::default()
    };
    let h = evaluate(&s, &obs(&st, Reach::Reachable), now);
    assert_eq!((h.level, h.cert_days_left), (Level::Warning, Some(12)));
    assert!(h.reasons[0].contains("expires in 12 days"));
    st.cert_not_after = Some(now + jiff::SignedDuration::from_hours(24 * 90));
    assert_eq!(
        evaluate(&s, &obs(&st, Reach::Reachable), now).level,
        Level::Ok
    );
    st.cert_not_after = Some(now - jiff::SignedDuration::from_hours(1));
    assert_eq!(
        evaluate(&s, &obs(&st, Reach::Reachable), now).level,
        Level::Critical
    );
}

#[test]
fn pruning_keeps_only_what_health_needs() {
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "cam-1", "namespace": "vision",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{huge}"},
            "managedFields": [{"manager": "kubectl", "operation": "Apply"}]},
        "spec": {"containers": [{"name": "a", "image": "x.invalid/cam:1"}]},
        "status": {"phase": "Pending", "containerStatuses": [
            {"name": "a", "image": "x.invalid/cam:1", "imageID": "", "ready": false, "restartCount": 0,
             "state": {"waiting": {"reason": "ImagePullBackOff", "message": "back-off"}}}]}
    }))
    .unwrap();
    let p = prune::pod(&pod);
    assert_eq!(p.trouble, Some(PodTrouble::ImagePull));
    assert_eq!(p.reason.as_deref(), Some("ImagePullBackOff"));
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        !json.contains("last-applied")
            && !json.contains("managedFields")
            && !json.contains("x.invalid"),
        "{json}"
    );
    let n: Node = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "n1", "labels": {"microk8s.io/cluster": "true"}},
        "status": {"conditions": [
            {"type": "Ready", "status": "True"},
            {"type": "MemoryPressure", "status": "True"},
            {"type": "DiskPressure", "status": "False"}]}
    }))
    .unwrap();
    assert_eq!(prune::node(&n), node(true, true, &["MemoryPressure"]));
}

#[test]
fn pruned_pods_name_their_workload_and_workloads_their_images() {
    let owned = |kind: &str, owner: &str, hash: Option<&str>| -> Pod {
        let mut labels = serde_json::Map::new();
        if let Some(h) = hash {
            labels.insert("pod-template-hash".into(), h.into());
        }
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "shop", "labels": labels,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": owner,
                                     "uid": "u", "controller": true}]},
            "spec": {"containers": []}
        }))
        .unwrap()
    };
    let owner = |p: Pod| prune::pod(&p).owner;
    assert_eq!(
        owner(owned("ReplicaSet", "web-5d8f7c", Some("5d8f7c"))).as_deref(),
        Some("Deployment/web")
    );
    assert_eq!(
        owner(owned("ReplicaSet", "web-5d8f7c", None)).as_deref(),
        Some("ReplicaSet/web-5d8f7c")
    );
    assert_eq!(
        owner(owned("StatefulSet", "db", None)).as_deref(),
        Some("StatefulSet/db")
    );
    let d: k8s_openapi::api::apps::v1::Deployment = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 3, "selector": {},
                 "template": {"spec": {"containers": [
                     {"name": "app", "image": "r.local/web:2"},
                     {"name": "proxy", "image": "r.local/envoy:1"}]}}}
    }))
    .unwrap();
    let w = prune::deployment(&d);
    assert_eq!(w.desired, 3);
    assert_eq!(
        w.images.into_iter().collect::<Vec<_>>(),
        vec![
            ("app".to_string(), "r.local/web:2".to_string()),
            ("proxy".to_string(), "r.local/envoy:1".to_string())
        ]
    );
}

#[test]
fn ages_read_naturally() {
    assert_eq!(fmt_age(5), "5s ago");
    assert_eq!(fmt_age(125), "2m ago");
    assert_eq!(fmt_age(7200), "2h ago");
    assert_eq!(fmt_age(200_000), "2d ago");
}
