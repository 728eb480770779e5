//! A watch over a connection that a NAT silently drops: a loopback TCP proxy of this
//! test's own between the health engine and a site stops forwarding mid-watch,
//! without closing anything. Pings are off, so only the watches can notice: over
//! HTTP/1.1 (a quiet site of the test's own: one object, then a bookmark every
//! 200 ms) by their idle bound; over HTTP/2 (a simulated site) by the connection's
//! keepalive pings, well before the idle bound. Both report it, and reconnect once
//! the proxy forwards again.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use crate::site_support;

use outpost_core::client::Timeouts;
use outpost_core::health::{FleetMonitor, MonitorOptions, Reach};
use outpost_core::paths::Home;
use site_support::{Hostile, site};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Copies `from` to `to` while the proxy forwards; while it blackholes, what arrives
/// is dropped and nothing is sent (nor closed).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    hole: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if hole.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// A TCP proxy to `upstream`; `hole` set: new and open connections go silent.
async fn proxy(
    upstream: SocketAddr,
    hole: Arc<AtomicBool>,
) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let hole = hole.clone();
            conns.spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::join!(pump(cr, sw, hole.clone()), pump(sr, cw, hole));
            });
        }
    });
    (addr, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silently_dropped_watch_connection_is_noticed_and_reconnected() {
    let server = Hostile::start();
    server.how.quiet.store(1, Ordering::SeqCst);
    let hole = Arc::new(AtomicBool::new(false));
    let (addr, task) = proxy(server.addr, hole.clone()).await;
    let mut s = site(&server);
    s.endpoint = format!("https://{addr}");
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let vault = site_support::vault(&home, &mut s);
    let idle = Duration::from_secs(2);
    let m = FleetMonitor::start(
        vec![s.clone()],
        vault,
        None,
        MonitorOptions {
            // Only the watches may notice.
            ping_every: Duration::from_secs(3600),
            watch_timeout_secs: 1,
            timeouts: Timeouts {
                watch_idle: idle,
                keepalive: Duration::from_secs(1),
                ..Timeouts::default()
            },
            ..MonitorOptions::default()
        },
    );
    let name = s.name.as_str();
    // Watching: every kind got its object.
    let until = Instant::now() + Duration::from_secs(20);
    while m.stats(name).is_none_or(|st| st.watch_events < 6) {
        assert!(
            Instant::now() < until,
            "{:?} {:?}",
            m.site(name),
            m.stats(name)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Healthy and quiet: bookmarks keep the streams alive past the idle bound.
    tokio::time::sleep(idle * 2).await;
    let st = m.stats(name).unwrap();
    assert_eq!(st.watch_errors, 0, "{st:?}");
    assert_eq!(m.site(name).unwrap().reach, Reach::Reachable);

    hole.store(true, Ordering::SeqCst);
    let dropped = Instant::now();
    let h = m
        .wait_for(name, Duration::from_secs(15), |h| h.reach == Reach::Timeout)
        .await;
    let noticed = dropped.elapsed();
    let h = h.unwrap_or_else(|| panic!("not noticed: {:?}", m.site(name)));
    eprintln!("noticed after {noticed:?}: {:?}", h.reach_reason);
    assert!(noticed < idle + Duration::from_secs(3), "{noticed:?}");
    assert!(m.stats(name).unwrap().watch_errors > 0);

    let watches = server.how.watches.load(Ordering::SeqCst);
    hole.store(false, Ordering::SeqCst);
    let h = m
        .wait_for(name, Duration::from_secs(60), |h| {
            h.reach == Reach::Reachable
        })
        .await;
    assert!(h.is_some(), "not back: {:?}", m.site(name));
    assert!(server.how.watches.load(Ordering::SeqCst) > watches);
    drop(m);
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_keepalive_notices_a_dropped_connection_before_the_idle_bound() {
    use outpost_sim::spec::Distro;
    use site_support::rollout;

    let env = rollout::start(
        vec![rollout::spec("nat-site", Distro::MicroK8s, 1, false)],
        1.0,
    )
    .await;
    let mut s = env.sites().remove(0);
    let upstream: SocketAddr = s.endpoint.trim_start_matches("https://").parse().unwrap();
    let hole = Arc::new(AtomicBool::new(false));
    let (addr, task) = proxy(upstream, hole.clone()).await;
    s.endpoint = format!("https://{addr}");
    let name = s.name.clone();
    let idle = Duration::from_secs(120);
    let m = FleetMonitor::start(
        vec![s],
        env.vault.clone(),
        None,
        MonitorOptions {
            ping_every: Duration::from_secs(3600),
            timeouts: Timeouts {
                watch_idle: idle,
                keepalive: Duration::from_secs(1),
                ..Timeouts::default()
            },
            ..MonitorOptions::default()
        },
    );
    let until = Instant::now() + Duration::from_secs(30);
    while m.stats(&name).is_none_or(|st| st.relists < 6) {
        assert!(
            Instant::now() < until,
            "{:?} {:?}",
            m.site(&name),
            m.stats(&name)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(m.site(&name).unwrap().reach, Reach::Reachable);

    hole.store(true, Ordering::SeqCst);
    let dropped = Instant::now();
    let h = m
        .wait_for(&name, Duration::from_secs(20), |h| {
            h.reach != Reach::Reachable
        })
        .await;
    let noticed = dropped.elapsed();
    let h = h.unwrap_or_else(|| panic!("not noticed: {:?}", m.site(&name)));
    eprintln!(
        "noticed after {noticed:?}: {:?} {:?}",
        h.reach, h.reach_reason
    );
    assert!(noticed < Duration::from_secs(8), "{noticed:?}");
    assert!(
        !h.reach_reason
            .as_deref()
            .unwrap_or("")
            .contains("no watch event"),
        "{h:?}"
    );

    // Forwarding again: the watches reconnect and see the next change.
    hole.store(false, Ordering::SeqCst);
    env.site("nat-site")
        .change_deployment("shop", "pos", |_| {
            (2, "registry.local:5000/apps/pos:2.0.0".into())
        })
        .unwrap();
    let h = m
        .wait_for(&name, Duration::from_secs(60), |h| {
            h.reach == Reach::Reachable
        })
        .await;
    assert!(
        h.is_some(),
        "not back: {:?} {:?}",
        m.site(&name),
        m.stats(&name)
    );
    drop(m);
    task.abort();
    env.finish().await;
}
