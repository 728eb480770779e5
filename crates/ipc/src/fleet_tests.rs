//! Serde shapes of the fleet types: what the backend must send, byte for byte.

use super::*;
use crate::ErrorKind;
use serde_json::json;

fn summary_json() -> serde_json::Value {
    json!({
        "name": "store-berlin-01",
        "display_name": "Berlin Mitte store",
        "city": "Berlin",
        "latitude": 52.52,
        "longitude": 13.405,
        "tags": ["retail", "eu"],
        "distro": "k3s",
        "version": "v1.31.4+k3s1",
        "level": "critical",
        "reasons": ["pod pos/api-7f9 CrashLoopBackOff"],
        "reachability": {"state": "reachable"},
        "last_seen_ms": 1_764_000_000_000_i64,
        "stale": null,
        "nodes_ready": 2,
        "nodes_total": 2,
        "workloads_available": 3,
        "workloads_desired": 4,
        "problem_pods": 1,
        "cert_expires_ms": 1_790_000_000_000_i64
    })
}

#[test]
fn site_summary_round_trips_with_snake_case_enums() {
    let s: SiteSummary = serde_json::from_value(summary_json()).unwrap();
    assert_eq!(s.distro, Distro::K3s);
    assert_eq!(s.level, HealthLevel::Critical);
    assert_eq!(s.reachability.state, ReachabilityState::Reachable);
    assert_eq!(s.reachability.detail, None);
    assert_eq!(serde_json::to_value(&s).unwrap(), summary_json());
}

#[test]
fn site_summary_rejects_unknown_fields_and_unknown_levels() {
    let mut v = summary_json();
    v["colour"] = json!("red");
    assert!(serde_json::from_value::<SiteSummary>(v).is_err());
    let mut v = summary_json();
    v["level"] = json!("degraded");
    assert!(serde_json::from_value::<SiteSummary>(v).is_err());
    let mut v = summary_json();
    v["distro"] = json!("MicroK8s");
    assert!(
        serde_json::from_value::<SiteSummary>(v).is_err(),
        "enums are snake_case only"
    );
}

#[test]
fn reachability_names_and_offline() {
    let r: Reachability = serde_json::from_value(
        json!({"state": "tls_failed", "kind": "tls", "since_ms": 5, "detail": "unknown CA"}),
    )
    .unwrap();
    assert_eq!(r.state, ReachabilityState::TlsFailed);
    assert_eq!(r.kind, Some(ErrorKind::Tls));
    assert_eq!(r.since_ms, Some(5));
    assert_eq!(r.detail.as_deref(), Some("unknown CA"));
    assert!(r.state.is_offline());
    assert!(!ReachabilityState::Reachable.is_offline());
    assert!(!ReachabilityState::Unknown.is_offline());
    for s in [
        ReachabilityState::Reachable,
        ReachabilityState::Unreachable,
        ReachabilityState::Timeout,
        ReachabilityState::AuthFailed,
        ReachabilityState::TlsFailed,
        ReachabilityState::Unknown,
    ] {
        assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
    }
}

#[test]
fn health_level_names_and_severity_order() {
    for l in HealthLevel::ALL {
        assert_eq!(serde_json::to_value(l).unwrap(), json!(l.as_str()));
    }
    assert!(HealthLevel::Critical.severity() > HealthLevel::Warning.severity());
    assert!(HealthLevel::Warning.severity() > HealthLevel::Unknown.severity());
    assert!(HealthLevel::Unknown.severity() > HealthLevel::Ok.severity());
}

#[test]
fn fleet_update_is_internally_tagged() {
    let s: SiteSummary = serde_json::from_value(summary_json()).unwrap();
    let full = FleetUpdate::Full {
        sites: vec![s.clone()],
    };
    let v = serde_json::to_value(&full).unwrap();
    assert_eq!(v["type"], "full");
    assert_eq!(v["sites"][0]["name"], "store-berlin-01");
    let removed: FleetUpdate =
        serde_json::from_value(json!({"type": "removed", "name": "x"})).unwrap();
    assert_eq!(removed, FleetUpdate::Removed { name: "x".into() });
    let changed: FleetUpdate =
        serde_json::from_value(json!({"type": "changed", "site": summary_json()})).unwrap();
    assert_eq!(changed, FleetUpdate::Changed { site: Box::new(s) });
    assert!(
        serde_json::from_value::<FleetUpdate>(json!({"type": "renamed", "name": "x"})).is_err()
    );
}

#[test]
fn site_detail_shapes() {
    let v = json!({
        "summary": summary_json(),
        "nodes": [{
            "name": "node-a", "ready": true, "roles": ["control-plane"], "kubelet_version": "v1.31.4+k3s1",
            "conditions": [{"type": "Ready", "status": "True"}],
            "cpu_percent": 41.5, "memory_percent": null
        }],
        "workloads": [{"kind": "Deployment", "namespace": "pos", "name": "api", "ready": 0, "desired": 1,
            "images": ["registry.local/pos-api:2.3.1"]}],
        "pods": [{"namespace": "pos", "name": "<img src=x onerror=alert(1)>", "phase": "Running",
            "reason": "CrashLoopBackOff", "ready": false, "restarts": 42, "started_ms": 1_763_990_000_000_i64,
            "node": "node-a", "owner": "Deployment/api"}],
        "events": [{"type": "Warning", "reason": "BackOff", "object": "Pod/api-7f9",
            "message": "Back-off restarting failed container", "count": 12, "last_ms": 1_764_000_000_000_i64}]
    });
    let d: SiteDetail = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(d.nodes[0].conditions[0].type_, "Ready");
    assert_eq!(d.pods[0].reason.as_deref(), Some("CrashLoopBackOff"));
    assert_eq!(d.events[0].type_, EventType::Warning);
    assert_eq!(serde_json::to_value(&d).unwrap(), v);
}

#[test]
fn requests_are_empty_objects_or_named() {
    assert_eq!(
        serde_json::to_value(ListSitesRequest {}).unwrap(),
        json!({})
    );
    assert_eq!(
        serde_json::to_value(WatchFleetRequest {}).unwrap(),
        json!({})
    );
    assert_eq!(
        serde_json::to_value(SiteDetailRequest { name: "a".into() }).unwrap(),
        json!({"name": "a"})
    );
    assert_eq!(ListSitesCmd::NAME, "list_sites");
    assert_eq!(SiteDetailCmd::NAME, "site_detail");
    assert_eq!(WatchFleetCmd::NAME, "watch_fleet");
    for c in [ListSitesCmd::NAME, SiteDetailCmd::NAME, WatchFleetCmd::NAME] {
        assert!(crate::COMMANDS.contains(&c), "{c} is in the ACL manifest");
    }
}
