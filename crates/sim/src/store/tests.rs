//! Unit tests of the store.

use super::*;
use serde_json::json;

fn pod(name: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": "default", "labels": {"app": "x"}},
           "spec": {"containers": [{"name": "c", "image": "i:1"}]}, "status": {"phase": "Pending"}})
}

fn rv(v: &Value) -> u64 {
    v["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("rv")
}

#[test]
fn create_fills_metadata_and_versions_increase() {
    let s = Store::new(Duration::from_secs(75));
    let a = s.create(Resource::Pod, pod("a")).expect("create");
    let b = s.create(Resource::Pod, pod("b")).expect("create");
    assert!(rv(&b) > rv(&a));
    assert_eq!(a["metadata"]["generation"], 1);
    assert_eq!(a["kind"], "Pod");
    assert_eq!(a["apiVersion"], "v1");
    assert_eq!(a["metadata"]["uid"].as_str().map(str::len), Some(36));
    assert!(
        a["metadata"]["creationTimestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let dup = s.create(Resource::Pod, pod("a")).expect_err("dup");
    assert_eq!(dup.kind(), crate::error::ErrorKind::AlreadyExists);
    let g = s
        .create(
            Resource::Pod,
            json!({"metadata": {"generateName": "web-", "namespace": "default"}}),
        )
        .expect("generateName");
    let n = g["metadata"]["name"].as_str().expect("name");
    assert!(n.starts_with("web-") && n.len() == 9, "{n}");
}

#[test]
fn update_conflicts_on_stale_version_and_bumps_generation() {
    let s = Store::new(Duration::from_secs(75));
    let a = s.create(Resource::Pod, pod("a")).expect("create");
    let mut changed = (*a).clone();
    changed["status"]["phase"] = json!("Running");
    let u = s
        .update(Resource::Pod, changed.clone(), UpdateMode::Full)
        .expect("update");
    assert_eq!(
        u["metadata"]["generation"], 1,
        "status change keeps generation"
    );
    assert_eq!(u["status"]["phase"], "Running");
    let stale = s
        .update(Resource::Pod, changed, UpdateMode::Full)
        .expect_err("stale");
    assert_eq!(stale.kind(), crate::error::ErrorKind::Conflict);
    let mut spec = (*u).clone();
    spec["spec"]["containers"][0]["image"] = json!("i:2");
    spec["status"]["phase"] = json!("Failed");
    let u2 = s
        .update(Resource::Pod, spec, UpdateMode::Main)
        .expect("update");
    assert_eq!(u2["metadata"]["generation"], 2);
    assert_eq!(
        u2["status"]["phase"], "Running",
        "main-resource write keeps status"
    );
    // An identical write is a no-op: no new version.
    let same = s
        .update(Resource::Pod, (*u2).clone(), UpdateMode::Full)
        .expect("noop");
    assert_eq!(rv(&same), rv(&u2));
}

#[test]
fn delete_cascades_to_owned_objects() {
    let s = Store::new(Duration::from_secs(75));
    let d = s
        .create(
            Resource::Deployment,
            json!({"metadata": {"name": "d", "namespace": "default"}, "spec": {}}),
        )
        .expect("create");
    let uid = d["metadata"]["uid"].clone();
    s.create(
        Resource::ReplicaSet,
        json!({"metadata": {"name": "d-1", "namespace": "default",
        "ownerReferences": [{"uid": uid, "kind": "Deployment", "name": "d"}]}}),
    )
    .expect("rs");
    s.delete(Resource::Deployment, Some("default"), "d")
        .expect("delete");
    assert!(
        s.get(Resource::ReplicaSet, Some("default"), "d-1")
            .is_none()
    );
    assert_eq!(
        s.delete(Resource::Deployment, Some("default"), "d")
            .expect_err("gone")
            .kind(),
        crate::error::ErrorKind::NotFound
    );
}

#[test]
fn watch_replays_history_and_expires_after_compaction() {
    let s = Store::new(Duration::from_secs(75));
    let a = s.create(Resource::Pod, pod("a")).expect("create");
    let from = rv(&a);
    s.create(Resource::Pod, pod("b")).expect("create");
    s.create(
        Resource::ConfigMap,
        json!({"metadata": {"name": "c", "namespace": "default"}}),
    )
    .expect("cm");
    s.delete(Resource::Pod, Some("default"), "a")
        .expect("delete");
    let w = s.watch(Resource::Pod, None, Some(from)).expect("watch");
    let kinds: Vec<_> = w
        .replay
        .iter()
        .map(|e| (e.kind, e.object["metadata"]["name"].clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventType::Added, json!("b")),
            (EventType::Deleted, json!("a"))
        ]
    );
    let all = s
        .watch(Resource::Pod, Some("default"), None)
        .expect("watch");
    assert_eq!(all.replay.len(), 1);
    s.compact();
    let err = s
        .watch(Resource::Pod, None, Some(from))
        .err()
        .expect("expired");
    assert_eq!(err.kind(), crate::error::ErrorKind::Expired);
    let now = s.resource_version();
    assert!(s.watch(Resource::Pod, None, Some(now)).is_ok());
}

#[test]
fn history_window_trims_old_events() {
    let s = Store::new(Duration::from_millis(1));
    s.create(Resource::Pod, pod("first")).expect("create");
    let a = s.create(Resource::Pod, pod("a")).expect("create");
    std::thread::sleep(Duration::from_millis(5));
    s.create(Resource::Pod, pod("b")).expect("create");
    assert!(s.oldest_resumable() >= rv(&a));
    assert!(s.watch(Resource::Pod, None, Some(rv(&a) - 1)).is_err());
}
