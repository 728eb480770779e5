//! kube-rs 5 against the simulator: list, watch, patch, and every fault seen as the
//! right client error.

use crate::common;

use common::{pod, populate, spec, start};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use outpost_sim::faults::ErrorMode;
use outpost_sim::resource::Resource;
use outpost_sim::spec::Distro;
use outpost_sim::{Fault, Fleet};
use serde_json::json;
use std::time::Duration;

async fn client(fleet: &Fleet, context: &str) -> Client {
    let kc =
        Kubeconfig::from_yaml(&fleet.kubeconfig_yaml().expect("yaml")).expect("parse kubeconfig");
    let opts = KubeConfigOptions {
        context: Some(context.into()),
        ..Default::default()
    };
    let mut cfg = Config::from_custom_kubeconfig(kc, &opts)
        .await
        .expect("config");
    cfg.connect_timeout = Some(Duration::from_secs(2));
    cfg.read_timeout = Some(Duration::from_secs(2));
    // kube retries 429s itself (15 times, honouring Retry-After); these tests want to
    // see each answer.
    cfg.default_retry = false;
    Client::try_from(cfg).expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_watch_patch() {
    let f = start(vec![spec("k1", Distro::K3s), spec("m1", Distro::MicroK8s)]).await;
    for site in ["k1", "m1"] {
        let h = f.site(site);
        populate(&h);
        let c = client(&f.fleet, site).await;
        let ns: Api<Namespace> = Api::all(c.clone());
        let names: Vec<String> = ns
            .list(&ListParams::default())
            .await
            .expect("list ns")
            .items
            .into_iter()
            .filter_map(|n| n.metadata.name)
            .collect();
        assert!(
            names.contains(&"default".to_string()) && names.contains(&"kube-system".to_string()),
            "{names:?}"
        );
        let pods: Api<Pod> = Api::namespaced(c.clone(), "default");
        let list = pods
            .list(&ListParams::default().labels("app=web"))
            .await
            .expect("list pods");
        assert!(
            list.items
                .iter()
                .any(|p| p.metadata.name.as_deref() == Some("web-1"))
        );
        let rv = list.metadata.resource_version.clone().expect("rv");
        // Watch from the list's version; a change through the handle arrives.
        let mut stream = pods
            .watch(&WatchParams::default().timeout(10), &rv)
            .await
            .expect("watch")
            .boxed();
        h.store()
            .create(Resource::Pod, pod("default", "web-2", "x", "nginx:1"))
            .expect("pod");
        let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .expect("event in time")
            .expect("ok")
            .expect("some");
        match ev {
            WatchEvent::Added(p) => assert_eq!(p.metadata.name.as_deref(), Some("web-2")),
            other => panic!("unexpected {other:?}"),
        }
        // Patch (strategic merge) a deployment's image.
        let deps: Api<Deployment> = Api::namespaced(c.clone(), "default");
        deps.create(
            &Default::default(),
            &serde_json::from_value(common::deployment("default", "pos", "pos:1", 1))
                .expect("deploy"),
        )
        .await
        .expect("create");
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "pos", "image": "pos:2"}]}}}});
        let d = deps
            .patch("pos", &PatchParams::default(), &Patch::Strategic(&patch))
            .await
            .expect("patch");
        let d = serde_json::to_value(&d).expect("json");
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["image"],
            "pos:2"
        );
        let m = deps
            .patch(
                "pos",
                &PatchParams::default(),
                &Patch::Merge(&json!({"metadata": {"labels": {"tier": "front"}}})),
            )
            .await
            .expect("merge");
        let m = serde_json::to_value(&m).expect("json");
        assert_eq!(m["metadata"]["labels"]["tier"], "front");
        let err = deps.get("nope").await.expect_err("missing");
        assert!(
            matches!(err, kube::Error::Api(ref s) if s.code == 404),
            "{err:?}"
        );
    }
    f.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_after_sleep_gets_410() {
    let f = start(vec![spec("s1", Distro::K3s)]).await;
    let h = f.site("s1");
    let c = client(&f.fleet, "s1").await;
    let pods: Api<Pod> = Api::namespaced(c, "default");
    let rv = pods
        .list(&ListParams::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let mut stream = pods
        .watch(&WatchParams::default().timeout(30), &rv)
        .await
        .expect("watch")
        .boxed();
    h.sleep();
    let end = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .expect("watch cut in time");
    assert!(matches!(end, Ok(None) | Err(_)), "watch ends: {end:?}");
    let mut again = pods
        .watch(&WatchParams::default(), &rv)
        .await
        .expect("watch")
        .boxed();
    let ev = tokio::time::timeout(Duration::from_secs(5), again.try_next())
        .await
        .expect("timely")
        .expect("ok")
        .expect("event");
    match ev {
        WatchEvent::Error(e) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("expected 410, got {other:?}"),
    }
    f.fleet.shutdown().await;
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = format!("{e} | {e:?}");
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(&format!(" <- {c} | {c:?}"));
        cur = c.source();
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_surface_as_the_right_kube_errors() {
    let f = start(vec![spec("f1", Distro::K3s), spec("f2", Distro::MicroK8s)]).await;
    for site in ["f1", "f2"] {
        let h = f.site(site);
        let c = client(&f.fleet, site).await;
        let ns: Api<Namespace> = Api::all(c.clone());
        ns.list(&ListParams::default())
            .await
            .expect("healthy first");
        h.set_fault(Fault::Offline);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let e = ns.list(&ListParams::default()).await.expect_err("offline");
        assert!(
            chain(&e).contains("onnection refused"),
            "offline: {}",
            chain(&e)
        );
        h.clear_faults();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let c = client(&f.fleet, site).await;
        let ns: Api<Namespace> = Api::all(c.clone());
        ns.list(&ListParams::default()).await.expect("back online");
        h.set_fault(Fault::ExpiredCert);
        let e = client(&f.fleet, site)
            .await
            .list_api_groups()
            .await
            .expect_err("expired");
        assert!(chain(&e).contains("Expired"), "expired: {}", chain(&e));
        h.clear_faults();
        h.set_fault(Fault::WrongCa);
        let e = client(&f.fleet, site)
            .await
            .list_api_groups()
            .await
            .expect_err("wrong ca");
        assert!(
            chain(&e).contains("UnknownIssuer"),
            "wrong-ca: {}",
            chain(&e)
        );
        h.clear_faults();

        let c = client(&f.fleet, site).await;
        let ns: Api<Namespace> = Api::all(c.clone());
        h.set_fault(Fault::RevokedToken);
        let e = tokio::time::timeout(Duration::from_secs(5), ns.list(&ListParams::default()))
            .await
            .expect("revoked answered")
            .expect_err("revoked");
        assert!(
            matches!(e, kube::Error::Api(ref s) if s.code == 401),
            "revoked: {e:?}"
        );
        h.clear_faults();

        for (mode, code) in [
            (ErrorMode::TooManyRequests, 429),
            (ErrorMode::Internal, 500),
        ] {
            h.set_fault(Fault::Errors(mode));
            let e = ns.list(&ListParams::default()).await.expect_err("errors");
            assert!(
                matches!(e, kube::Error::Api(ref s) if s.code == code),
                "errors {code}: {e:?}"
            );
            h.clear_faults();
        }
        h.set_fault(Fault::Rtt(Duration::from_millis(300)));
        let t = std::time::Instant::now();
        ns.list(&ListParams::default())
            .await
            .expect("slow but fine");
        assert!(t.elapsed() >= Duration::from_millis(300));
        h.clear_faults();
        ns.list(&ListParams::default())
            .await
            .expect("healthy again");
    }
    f.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_credentials_get_401() {
    let f = start(vec![spec("r1", Distro::K3s), spec("r2", Distro::MicroK8s)]).await;
    for site in ["r1", "r2"] {
        let c = client(&f.fleet, site).await;
        let ns: Api<Namespace> = Api::all(c.clone());
        f.site(site).set_fault(Fault::RevokedToken);
        let e = tokio::time::timeout(Duration::from_secs(5), ns.list(&ListParams::default()))
            .await
            .expect("answered")
            .expect_err("revoked");
        assert!(
            matches!(e, kube::Error::Api(ref s) if s.code == 401),
            "revoked: {e:?}"
        );
    }
    f.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blackhole_times_out() {
    let f = start(vec![spec("b1", Distro::K3s)]).await;
    let site = "b1";
    let h = f.site(site);
    h.set_fault(Fault::Blackhole);
    let r = tokio::time::timeout(
        Duration::from_secs(6),
        client(&f.fleet, site).await.list_api_groups(),
    )
    .await;
    match r {
        Err(_) => {}
        Ok(Err(e)) => assert!(
            chain(&e).to_lowercase().contains("timed out") || chain(&e).contains("Elapsed"),
            "blackhole: {}",
            chain(&e)
        ),
        Ok(Ok(_)) => panic!("blackhole answered"),
    }
    h.clear_faults();

    f.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookmarks_and_timeouts() {
    let f = start(vec![spec("bm", Distro::K3s)]).await;
    let c = client(&f.fleet, "bm").await;
    let pods: Api<Pod> = Api::namespaced(c, "default");
    let rv = pods
        .list(&ListParams::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    f.site("bm")
        .store()
        .create(
            Resource::ConfigMap,
            json!({"metadata": {"name": "x", "namespace": "default"}}),
        )
        .expect("cm");
    let mut s = pods
        .watch(
            &WatchParams {
                bookmarks: true,
                ..WatchParams::default()
            }
            .timeout(2),
            &rv,
        )
        .await
        .expect("watch")
        .boxed();
    let mut bookmark_rv = None;
    let started = std::time::Instant::now();
    while let Some(ev) = s.try_next().await.expect("event") {
        if let WatchEvent::Bookmark(b) = ev {
            bookmark_rv = Some(b.metadata.resource_version);
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "timeoutSeconds ends the watch"
    );
    let b: u64 = bookmark_rv
        .expect("a bookmark")
        .parse()
        .expect("numeric rv");
    assert!(
        b > rv.parse::<u64>().expect("rv"),
        "bookmark moves past unrelated changes"
    );
    f.fleet.shutdown().await;
}
