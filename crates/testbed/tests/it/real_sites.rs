//! Real sites end to end: a K3s-style and a MicroK8s-style site start on loopback with the
//! right versions, auth and nodes; kwok runs, crash-loops and fails to pull as the image
//! rules say; kine compaction plus an apiserver restart turns an old resourceVersion into
//! 410 Gone; and nothing is left running or listening afterwards.
//!
//! Skipped (with a message) when the Go binaries are missing and OUTPOST_REQUIRE_TESTBED is
//! unset; `make test` sets it.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams, PostParams, WatchEvent, WatchParams};
use outpost_sim::spec::Distro;
use outpost_testbed::{Binaries, Component, RealSite, Testbed, TestbedConfig};
use serde_json::json;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Why a site is not there yet (the last one is shown when the wait gives up).
#[derive(Debug, thiserror::Error)]
enum NotYet {
    #[error("not checked yet")]
    Unchecked,
    #[error("listing nodes: {0}")]
    Api(#[from] kube::Error),
    #[error("{ready}/{total} ready")]
    NodesReady { ready: usize, total: usize },
    #[error("no {0} pod")]
    NoPod(&'static str),
    #[error("good: {0:?}")]
    GoodPhase(Option<String>),
    #[error("crashy restarts {0}")]
    CrashyRestarts(i32),
    #[error("unpullable: {0:?}")]
    Unpullable(Option<String>),
}

async fn eventually<F, Fut>(what: &str, timeout: Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), NotYet>>,
{
    let deadline = Instant::now() + timeout;
    let mut last = NotYet::Unchecked;
    while Instant::now() < deadline {
        match f().await {
            Ok(()) => return,
            Err(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("{what} not reached in {timeout:?}: {last}");
}

fn listening(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok()
}

fn deployment(name: &str, image: &str) -> Deployment {
    serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": image}]}}}
    }))
    .unwrap()
}

async fn pod_of(site: &RealSite, app: &str) -> Option<Pod> {
    let pods: Api<Pod> = Api::namespaced(site.client().await.ok()?, "default");
    let l = pods
        .list(&ListParams::default().labels(&format!("app={app}")))
        .await
        .ok()?;
    l.items.into_iter().next()
}

fn waiting_reason(p: &Pod) -> Option<String> {
    p.status.as_ref()?.container_statuses.as_ref()?[0]
        .state
        .as_ref()?
        .waiting
        .as_ref()?
        .reason
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k3s_and_microk8s_sites_behave_like_real_ones_and_leave_nothing() {
    let Some(bins) = Binaries::for_tests("real_sites") else {
        return;
    };
    let started = Instant::now();
    let bed = Testbed::start(
        TestbedConfig {
            k3s: 1,
            microk8s: 1,
            seed: 5,
            dir: None,
        },
        &bins,
    )
    .await
    .unwrap();
    eprintln!("two sites up in {:.1}s", started.elapsed().as_secs_f64());
    let mut addrs = Vec::new();
    let mut pids = Vec::new();
    for site in &bed.sites {
        let c = site.client().await.unwrap();
        let v = c.apiserver_version().await.unwrap();
        match site.distro() {
            Distro::K3s => assert!(v.git_version.ends_with("+k3s1"), "{}", v.git_version),
            Distro::MicroK8s => {
                assert!(!v.git_version.contains('+'), "{}", v.git_version);
                assert_eq!(site.port, 16443);
                assert!(site.entry().token.is_some() && site.entry().cert_pem.is_none());
            }
        }
        assert_eq!(v.git_version, site.spec.version);
        let n = site.spec.nodes.len();
        eventually("nodes Ready", Duration::from_secs(60), || {
            let c = c.clone();
            async move {
                let nodes: Api<Node> = Api::all(c);
                let l = nodes.list(&ListParams::default()).await?;
                let ready = l
                    .items
                    .iter()
                    .filter(|n| {
                        n.status
                            .as_ref()
                            .and_then(|s| s.conditions.as_ref())
                            .is_some_and(|cs| {
                                cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                            })
                    })
                    .count();
                (ready == n)
                    .then_some(())
                    .ok_or(NotYet::NodesReady { ready, total: n })
            }
        })
        .await;
        let deps: Api<Deployment> = Api::namespaced(c.clone(), "default");
        for (name, image) in [
            ("good", "registry.local/pos:2.4"),
            ("crashy", "registry.local/pos:2.4-crash"),
            ("unpullable", "registry.local/pos:bad-2.5"),
        ] {
            deps.create(&PostParams::default(), &deployment(name, image))
                .await
                .unwrap();
        }
        eventually(
            "good Running, crashy looping, unpullable backing off",
            Duration::from_secs(90),
            || async {
                let good = pod_of(site, "good").await.ok_or(NotYet::NoPod("good"))?;
                let phase = good.status.as_ref().and_then(|s| s.phase.clone());
                if phase.as_deref() != Some("Running") {
                    return Err(NotYet::GoodPhase(phase));
                }
                let crashy = pod_of(site, "crashy")
                    .await
                    .ok_or(NotYet::NoPod("crashy"))?;
                let restarts = crashy
                    .status
                    .as_ref()
                    .unwrap()
                    .container_statuses
                    .as_ref()
                    .map_or(0, |c| c[0].restart_count);
                if restarts < 1 {
                    return Err(NotYet::CrashyRestarts(restarts));
                }
                let bad = pod_of(site, "unpullable")
                    .await
                    .ok_or(NotYet::NoPod("unpullable"))?;
                match waiting_reason(&bad).as_deref() {
                    Some("ImagePullBackOff") => Ok(()),
                    r => Err(NotYet::Unpullable(r.map(str::to_string))),
                }
            },
        )
        .await;
        addrs.push(SocketAddr::new(site.ip.into(), site.port));
        addrs.push(SocketAddr::new(site.ip.into(), 2379));
        addrs.push(SocketAddr::new(site.ip.into(), 10250));
        pids.extend(Component::ALL.iter().filter_map(|c| site.pid(*c)));
        eprintln!("{}: {} MiB RSS", site.name(), site.rss_kib() / 1024);
    }
    assert!(addrs.iter().all(|a| listening(*a)));
    drop(bed);
    for a in addrs {
        assert!(!listening(a), "{a} still listening after drop");
    }
    for pid in pids {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        assert!(
            stat.is_empty() || stat.contains(") Z "),
            "pid {pid} survived: {stat}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_and_apiserver_restart_turn_old_resource_versions_into_410() {
    let Some(bins) = Binaries::for_tests("real_sites") else {
        return;
    };
    let bed = Testbed::start(TestbedConfig::default(), &bins)
        .await
        .unwrap();
    let site = &bed.sites[0];
    let c = site.client().await.unwrap();
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(c.clone(), "default");
    let old_rv = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    for i in 0..5 {
        let cm =
            serde_json::from_value(json!({"metadata": {"name": format!("churn-{i}")}})).unwrap();
        cms.create(&PostParams::default(), &cm).await.unwrap();
    }
    let rev = site.compact_kine().await.unwrap();
    assert!(
        rev > old_rv.parse::<i64>().unwrap(),
        "compacted to {rev}, old {old_rv}"
    );
    site.restart_component(Component::ApiServer).await.unwrap();
    let c = site.client().await.unwrap();
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(c, "default");
    let mut stream = cms
        .watch(&WatchParams::default(), &old_rv)
        .await
        .unwrap()
        .boxed();
    let first = tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .expect("an answer to the stale watch");
    match first {
        Some(Ok(WatchEvent::Error(e))) => assert_eq!(e.code, 410, "{e:?}"),
        other => panic!("expected 410 Gone, got {other:?}"),
    }
    // Relisting works and sees the changes.
    let l = cms.list(&ListParams::default()).await.unwrap();
    assert_eq!(
        l.items
            .iter()
            .filter(|c| c
                .metadata
                .name
                .as_deref()
                .unwrap_or("")
                .starts_with("churn-"))
            .count(),
        5
    );
    site.kill_component(Component::Kine);
    // Killing kine: the apiserver stops answering reads (or fails them), and is not ready.
    let listed =
        tokio::time::timeout(Duration::from_secs(5), cms.list(&ListParams::default())).await;
    assert!(
        !matches!(listed, Ok(Ok(_))) || !site.wait_ready(Duration::from_secs(3)).await,
        "the apiserver answered as if kine were there"
    );
    site.start_component(Component::Kine).await.unwrap();
    assert!(site.wait_ready(Duration::from_secs(60)).await);
}
