//! Core's rollout runner (what the app and the CLI both run rollouts through): a run
//! lock that a watcher holds for an instant is retried instead of failing the run, one
//! held for good still answers `busy`, and a rollout this process runs already is not
//! run twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use outpost_core::actions::WorkloadRef;
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::credentials::{EphemeralStore, Vault};
use outpost_core::paths::Home;
use outpost_core::rollout::{
    EngineOptions, HealthGate, OnFailure, Plan, RolloutError, RolloutStore, Status, Targets, new_id,
};
use outpost_core::session::{LiveRuns, Runner};
use std::sync::Arc;
use std::time::Duration;

/// A rollout of no sites (it completes as soon as it runs) and a runner for its home.
fn setup(dir: &std::path::Path) -> (Runner, String) {
    let home = Home::resolve(Some(dir), "default").unwrap();
    home.ensure().unwrap();
    let id = new_id();
    RolloutStore::new(&home)
        .create(Plan {
            id: id.clone(),
            workload: WorkloadRef::parse("shop/pos").unwrap(),
            images: [("pos".to_string(), "pos:2".to_string())].into(),
            targets: Targets::Sites(vec![]),
            waves: vec![],
            gate: HealthGate {
                deadline: Duration::from_secs(5),
                soak: Duration::ZERO,
            },
            max_failures: 0,
            on_failure: OnFailure::Pause,
            created_at: jiff::Timestamp::now(),
            created_by: "test".into(),
        })
        .unwrap();
    let vault = Arc::new(Vault::new(Box::new(EphemeralStore::new()), &home));
    let clients = ClientCache::new(vault, Timeouts::default());
    let runner = Runner::new(home, clients, LiveRuns::default(), EngineOptions::default());
    (runner, id)
}

#[tokio::test]
async fn a_lock_held_for_an_instant_is_retried_one_held_for_good_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let (runner, id) = setup(dir.path());
    let store = runner.store();

    // A watcher's probe: the lock for 300 ms (three retries' worth).
    let lock = store.lock(&id).unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(lock);
    });
    let (tx, _rx) = tokio::sync::watch::channel(store.view(&id).unwrap());
    let v = runner
        .run(vec![], &id, tx)
        .await
        .expect("retried past the busy lock");
    release.join().unwrap();
    assert_eq!(v.status, Status::Completed);
    assert!(
        runner.runs().live(&store, &id).is_none(),
        "released after the run"
    );

    // Held for longer than every attempt: busy, and not left registered.
    let (runner, id) = setup(dir.path());
    let store = runner.store();
    let _held = store.lock(&id).unwrap();
    let (tx, _rx) = tokio::sync::watch::channel(store.view(&id).unwrap());
    let e = runner.run(vec![], &id, tx).await.unwrap_err();
    assert!(matches!(e, RolloutError::Busy(_)), "{e}");
    assert_eq!(e.kind(), outpost_core::error::ErrorKind::Busy);
    assert!(runner.runs().live(&store, &id).is_none());
}

#[tokio::test]
async fn a_rollout_this_process_runs_is_not_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (runner, id) = setup(dir.path());
    let store = runner.store();
    // Held so the background run keeps retrying (and stays registered) for a while.
    let lock = store.lock(&id).unwrap();
    let spawner = runner.clone();
    let sid = id.clone();
    tokio::task::spawn_blocking(move || spawner.spawn(vec![], &sid))
        .await
        .unwrap()
        .unwrap();
    assert!(runner.runs().live(&store, &id).is_some(), "registered");
    assert!(runner.runs().running(&store, &id));
    let (tx, _rx) = tokio::sync::watch::channel(store.view(&id).unwrap());
    let e = runner.run(vec![], &id, tx).await.unwrap_err();
    assert!(matches!(e, RolloutError::Busy(_)), "{e}");
    drop(lock);
    // The background run takes the lock on a retry and completes.
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    while runner.runs().live(&store, &id).is_some() && tokio::time::Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(runner.runs().live(&store, &id).is_none());
    assert_eq!(store.view(&id).unwrap().status, Status::Completed);
}
