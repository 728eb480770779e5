//! A hostile site: a TLS server of this test's own on loopback that answers
//! `/version` normally and every list with an endless JSON array streamed as fast as
//! it can (`{"kind":"PodList","items":[{},{},…` forever), and every watch with an
//! endless event. The sweep, the site view, the bundle collector and the live watches
//! each fail with the typed size error naming the site and the limit, and the
//! process's peak memory (VmHWM, reset first) grows by less than 100 MB. Then
//! honest-looking pages with a continue token, forever: lists and watched kinds stop
//! at their bound of objects. Its own test binary, so nothing else moves the peak.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod site_support;

use outpost_core::client::{ClientCache, ClientError, Timeouts};
use outpost_core::health::{FleetMonitor, MonitorOptions};
use outpost_core::paths::Home;
use site_support::{Hostile, site, vm};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The size error, naming the site and a limit.
fn assert_too_large(e: &ClientError, what: &str) {
    let ClientError::TooLarge {
        site,
        what: w,
        limit,
    } = e
    else {
        panic!("expected the size error, got {e:?}");
    };
    assert_eq!(e.kind(), outpost_core::error::ErrorKind::TooLarge);
    assert_eq!(site, "hostile");
    assert!(w.contains(what), "{e}");
    assert!(*limit > 0);
    let text = e.to_string();
    assert!(
        text.contains("hostile") && text.contains(&limit.to_string()),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_path_fails_with_the_size_error_in_bounded_memory() {
    let server = Hostile::start();
    let mut s = site(&server);
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let vault = site_support::vault(&home, &mut s);
    let cache = ClientCache::new(vault.clone(), Timeouts::default());
    let deadline = Duration::from_secs(20);

    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = vm("VmRSS:");

    // The sweep: every list is endless.
    let t = std::time::Instant::now();
    let e = outpost_core::health::sweep(&s, &cache, deadline)
        .await
        .unwrap_err();
    assert_too_large(&e, "items in one list");
    eprintln!("sweep: {e} after {:?}", t.elapsed());

    // An endless `/version` (and calm lists): bounded in bytes.
    server.how.endless_version.store(1, Ordering::SeqCst);
    server.how.calm_lists.store(usize::MAX, Ordering::SeqCst);
    let e = outpost_core::health::sweep(&s, &cache, deadline)
        .await
        .unwrap_err();
    assert_too_large(&e, "bytes in one response");
    server.how.endless_version.store(0, Ordering::SeqCst);
    server.how.calm_lists.store(0, Ordering::SeqCst);

    // The site view's lists.
    let e = outpost_core::detail::fetch(&s, &cache, None, deadline)
        .await
        .unwrap_err();
    assert_too_large(&e, "items in one list");

    // The bundle collector.
    let opts = outpost_core::bundle::CollectOptions {
        deadline,
        ..Default::default()
    };
    let e = outpost_core::bundle::collect::bundle(&s, &cache, &opts)
        .await
        .unwrap_err();
    let outpost_core::bundle::BundleError::Site { source, .. } = &e else {
        panic!("{e:?}");
    };
    assert_too_large(source, "items in one list");

    // Live watches. The sweep's six lists are answered calmly; after that every list
    // the watchers make is endless, and every watch is one endless event.
    let watch = async |calm: usize| {
        // Requests the previous steps abandoned (a failed join drops its other lists)
        // may still reach the server: let them, before counting calm answers.
        tokio::time::sleep(Duration::from_millis(500)).await;
        server.how.calm_lists.store(calm, Ordering::SeqCst);
        FleetMonitor::start(
            vec![s.clone()],
            vault.clone(),
            None,
            MonitorOptions {
                ping_every: Duration::from_secs(3600),
                ..MonitorOptions::default()
            },
        )
    };
    let m = watch(6).await;
    let h = m
        .wait_for("hostile", deadline, |h| {
            h.reach_reason
                .as_deref()
                .is_some_and(|r| r.contains("items in one list"))
        })
        .await;
    let h = h.expect("the watches report the endless lists");
    eprintln!("watch lists: {:?}", h.reach_reason);
    assert!(m.stats("hostile").unwrap().sweeps >= 1);
    drop(m);
    // Every list calm: the watches start, and each event is endless.
    let m = watch(usize::MAX).await;
    let h = m
        .wait_for("hostile", deadline, |h| {
            h.reach_reason
                .as_deref()
                .is_some_and(|r| r.contains("bytes in one watch event"))
        })
        .await;
    let h = h.expect("the watches report the endless events");
    assert!(h.reach_reason.as_deref().unwrap().contains("hostile"));
    drop(m);

    let grew = vm("VmHWM:").saturating_sub(before);
    eprintln!("endless answers: the peak grew {grew} bytes");
    assert!(grew < 100 << 20, "the peak grew by {grew} bytes");

    // Honest-looking pages forever (a continue token each): the list stops at its
    // bound of objects; endless small events, each a new object: the watched kind
    // stops at the same bound.
    // Memory here is what objects up to the bound take: the sweep prunes page by page
    // (about nothing), the collector keeps up to the bound of each of its twelve
    // resources (about 140 MB here).
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = vm("VmRSS:");
    server.how.paging.store(1, Ordering::SeqCst);
    server.how.calm_lists.store(0, Ordering::SeqCst);
    let e = outpost_core::health::sweep(&s, &cache, deadline)
        .await
        .unwrap_err();
    assert_too_large(&e, "objects");
    assert!(
        matches!(&e, ClientError::TooLarge { limit, .. } if *limit == outpost_core::client::MAX_OBJECTS as u64),
        "{e}"
    );
    let e = outpost_core::bundle::collect::bundle(&s, &cache, &opts)
        .await
        .unwrap_err();
    let outpost_core::bundle::BundleError::Site { source, .. } = &e else {
        panic!("{e:?}");
    };
    assert_too_large(source, "objects");
    // The site view shows the first pages only.
    let d = outpost_core::detail::fetch(&s, &cache, None, deadline)
        .await
        .unwrap();
    assert!(d.pods.len() <= 2000, "{}", d.pods.len());
    // Watches, after a calm sweep: endless pages make the watchers' relists stop at
    // the bound. (Endless new objects in events stop at the same bound, tested in
    // `health::watches`: here each event re-evaluates the site, which takes minutes
    // to reach the bound in a debug build.)
    let bound = format!("more than {} ", outpost_core::client::MAX_OBJECTS);
    {
        let calm = 6;
        let m = watch(calm).await;
        let t = std::time::Instant::now();
        let h = m
            .wait_for("hostile", deadline, |h| {
                h.reach_reason
                    .as_deref()
                    .is_some_and(|r| r.contains(&bound) && r.ends_with(" objects"))
            })
            .await;
        let h = h.expect("the watches report too many objects");
        eprintln!(
            "watch objects ({calm} calm lists): {:?} after {:?}",
            h.reach_reason,
            t.elapsed()
        );
        assert!(m.stats("hostile").unwrap().sweeps >= 1);
        let most = m
            .with_state("hostile", |st| st.pods.len().max(st.nodes.len()))
            .unwrap();
        assert!(most <= outpost_core::client::MAX_OBJECTS, "{most}");
        drop(m);
    }

    let grew = vm("VmHWM:").saturating_sub(before);
    eprintln!("endless pages: the peak grew {grew} bytes");
    assert!(grew < 400 << 20, "the peak grew by {grew} bytes");
}
