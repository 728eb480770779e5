//! An open [`Session`] follows its profile's site registry: a site another writer (the
//! CLI, in another process, is one more `SiteStore` on the same file) adds is listed and
//! monitored within a second, and one it removes leaves the list, the published health
//! and the health engine.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it session_follow::`.

use crate::health_support;

use health_support::{fast_opts, spec, start, suffix, wait, workload};
use outpost_core::health::Reach;
use outpost_core::registry::SiteStore;
use outpost_core::session::Session;
use outpost_sim::spec::{Distro, WorkloadKind};
use std::time::{Duration, Instant};

async fn until(what: &str, within: Duration, f: impl Fn() -> bool) -> Duration {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    t0.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_another_writer_adds_or_removes_are_followed_within_a_second() {
    let s = suffix();
    let (a, b) = (format!("follow-a-{s}"), format!("follow-b-{s}"));
    let w = || vec![workload("pos", WorkloadKind::Deployment, 1, false)];
    let env = start(vec![
        spec(&a, Distro::K3s, 1, w()),
        spec(&b, Distro::MicroK8s, 1, w()),
    ])
    .await;
    // The app opens with `a` only; `b` is taken out of the registry first.
    let b_record = env.store.remove(&b).expect("take b out");
    let home = env.home.clone();
    let vault = env.vault.clone();
    let session =
        tokio::task::spawn_blocking(move || Session::open(home, vault, fast_opts()).unwrap())
            .await
            .unwrap();
    assert_eq!(session.sites().len(), 1);
    wait(session.monitor(), &a, 30, "reachable", |h| {
        h.reach == Reach::Reachable
    })
    .await;

    // Another writer on the same file, as `outpost site import` is.
    let cli = SiteStore::new(&env.home);
    cli.add(b_record).expect("the CLI adds b");
    let took = until("b listed", Duration::from_secs(10), || {
        session.sites().iter().any(|x| x.name == b) && session.monitor().site(&b).is_some()
    })
    .await;
    eprintln!("a site added by another writer was followed after {took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // It is monitored, not only listed: it gets reached.
    wait(session.monitor(), &b, 30, "reachable", |h| {
        h.reach == Reach::Reachable
    })
    .await;
    let rows: Vec<String> = session.summaries().into_iter().map(|r| r.name).collect();
    assert_eq!(rows, [a.clone(), b.clone()]);

    cli.remove(&a).expect("the CLI removes a");
    let took = until("a gone", Duration::from_secs(10), || {
        !session.sites().iter().any(|x| x.name == a)
            && session.monitor().site(&a).is_none()
            && !session.monitor().current().sites.contains_key(&a)
    })
    .await;
    eprintln!("a site removed by another writer was followed after {took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // Its task stopped: its counters are gone with it and it is not re-published.
    assert!(session.monitor().stats(&a).is_none());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!session.monitor().current().sites.contains_key(&a));
    let rows: Vec<String> = session.summaries().into_iter().map(|r| r.name).collect();
    assert_eq!(rows, [b]);

    drop(session);
    env.finish().await;
}
