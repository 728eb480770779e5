use super::*;
use crate::model::{Level, Reach, SiteHealth, SiteState, WorkloadInfo};

fn health(site: &str) -> SiteHealth {
    SiteHealth {
        name: site.into(),
        display_name: site.into(),
        tags: vec![],
        level: Level::Ok,
        reasons: vec![],
        reach: Reach::Reachable,
        reach_kind: None,
        reach_reason: None,
        last_seen: Some(jiff::Timestamp::now()),
        distro: None,
        version: Some("v1.31.4+k3s1".into()),
        nodes_ready: 1,
        nodes_total: 1,
        node_pressure: vec![],
        workloads_available: 1,
        workloads_total: 1,
        problem_pods: vec![],
        warnings: vec![],
        cert_not_after: None,
        cert_days_left: None,
        stale: false,
        snapshot_at: None,
        snapshot_age_secs: None,
    }
}

fn snap(site: &str, pods: usize) -> Snapshot {
    let mut state = SiteState {
        git_version: Some("v1.31.4+k3s1".into()),
        ..SiteState::default()
    };
    state.workloads.insert(
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
    for i in 0..pods {
        // Random-ish names so the data does not compress to nothing.
        let n = format!("pod-{i}-{:x}", rand::random::<u64>());
        state.pods.insert(
            format!("shop/{n}"),
            crate::model::PodInfo {
                namespace: "shop".into(),
                name: n,
                restarts: 0,
                trouble: None,
                reason: None,
                owner: None,
            },
        );
    }
    Snapshot {
        format: FORMAT,
        site: site.into(),
        taken_at: jiff::Timestamp::now(),
        state,
        health: health(site),
    }
}

#[test]
fn round_trip_is_compressed_and_atomic() {
    let tmp = tempfile::tempdir().unwrap();
    let store = SnapshotStore::at(tmp.path().join("snapshots"), DEFAULT_MAX_BYTES);
    assert!(store.read("lyon-1").unwrap().is_none());
    let s = snap("lyon-1", 20);
    let bytes = store.write(&s).unwrap();
    let path = store.path("lyon-1");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), bytes);
    let json_len = serde_json::to_vec(&s).unwrap().len() as u64;
    assert!(bytes < json_len, "zstd shrinks it: {bytes} vs {json_len}");
    assert_eq!(store.read("lyon-1").unwrap(), Some(s));
    // Only the snapshot itself is left (no temp files).
    let files: Vec<_> = std::fs::read_dir(store.dir()).unwrap().collect();
    assert_eq!(files.len(), 1);
}

#[test]
fn corrupt_or_foreign_snapshots_are_reported_not_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let store = SnapshotStore::at(tmp.path(), DEFAULT_MAX_BYTES);
    std::fs::write(store.path("bad"), b"not zstd at all").unwrap();
    let e = store.read("bad").unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Corrupt);
    assert!(e.to_string().contains("bad.json.zst"), "{e}");
    // Valid zstd, invalid JSON.
    std::fs::write(
        store.path("bad"),
        zstd::bulk::compress(b"{\"format\":", 3).unwrap(),
    )
    .unwrap();
    assert_eq!(
        store.read("bad").unwrap_err().kind(),
        crate::error::ErrorKind::Corrupt
    );
    // A snapshot of another site copied under this name.
    store.write(&snap("other", 1)).unwrap();
    std::fs::copy(store.path("other"), store.path("mine")).unwrap();
    assert_eq!(
        store.read("mine").unwrap_err().kind(),
        crate::error::ErrorKind::Corrupt
    );
}

#[test]
fn total_size_is_bounded_by_evicting_the_oldest() {
    let tmp = tempfile::tempdir().unwrap();
    let probe = SnapshotStore::at(tmp.path().join("probe"), DEFAULT_MAX_BYTES);
    let one = probe.write(&snap("a", 200)).unwrap();
    // Room for about three snapshots.
    let store = SnapshotStore::at(tmp.path().join("s"), one * 3 + one / 2);
    for i in 0..6 {
        store.write(&snap(&format!("site-{i}"), 200)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let total: u64 = std::fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total <= one * 3 + one / 2 + one / 4, "bounded: {total}");
    assert!(store.read("site-5").unwrap().is_some(), "newest kept");
    assert!(store.read("site-0").unwrap().is_none(), "oldest evicted");
}

#[test]
fn reconnect_baseline_is_kept_once_counted_in_the_bound_and_dismissed() {
    let tmp = tempfile::tempdir().unwrap();
    let store = SnapshotStore::at(tmp.path(), DEFAULT_MAX_BYTES);
    assert!(store.read_baseline("lyon-1").unwrap().is_none());
    let before = snap("lyon-1", 3);
    assert!(
        store.keep_baseline(&before).unwrap(),
        "first baseline written"
    );
    // A later reconnect keeps the undismissed older baseline.
    let later = snap("lyon-1", 5);
    assert!(!store.keep_baseline(&later).unwrap());
    assert_eq!(store.read_baseline("lyon-1").unwrap(), Some(before.clone()));
    // The site's own snapshot is a separate file, untouched by the baseline.
    store.write(&later).unwrap();
    assert_eq!(store.read("lyon-1").unwrap(), Some(later.clone()));
    assert_eq!(store.read_baseline("lyon-1").unwrap(), Some(before));
    // Against a state with one more replica: exactly that change.
    let mut now = later.state.clone();
    now.workloads
        .get_mut("Deployment/shop/pos")
        .unwrap()
        .desired = 3;
    let d = store.since_baseline("lyon-1", &now, None).unwrap().unwrap();
    assert_eq!(d.changes.len(), 1, "{}", d.render());
    assert_eq!(d.changes[0].subject, "Deployment/shop/pos");
    assert!(d.from.starts_with(BASELINE_LABEL), "{}", d.from);
    assert!(store.dismiss_baseline("lyon-1").unwrap());
    assert!(!store.dismiss_baseline("lyon-1").unwrap());
    assert!(
        store
            .since_baseline("lyon-1", &now, None)
            .unwrap()
            .is_none()
    );
    assert!(store.read("lyon-1").unwrap().is_some(), "snapshot kept");
}

#[test]
fn baselines_count_in_the_size_bound() {
    let tmp = tempfile::tempdir().unwrap();
    let probe = SnapshotStore::at(tmp.path().join("probe"), DEFAULT_MAX_BYTES);
    let one = probe.write(&snap("a", 200)).unwrap();
    let store = SnapshotStore::at(tmp.path().join("s"), one * 2 + one / 2);
    store.keep_baseline(&snap("old", 200)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    for i in 0..3 {
        store.write(&snap(&format!("site-{i}"), 200)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(store.read_baseline("old").unwrap().is_none(), "evicted");
    assert!(store.read("site-2").unwrap().is_some());
}
