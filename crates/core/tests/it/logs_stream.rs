//! The log viewer against an in-process simulated fleet: following one container,
//! the previous instance after a crash, a deployment's pods aggregated on one and two
//! sites (new pods followed as they appear), and request errors.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it logs_stream::`.

use crate::health_support;
use crate::logs_support;

use health_support::{spec as site_spec, start, suffix, workload};
use logs_support::*;
use outpost_core::logs::{self, BufferOptions, OpenSpec, Target};
use outpost_sim::spec::{Distro, WorkloadKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_one_container_sees_new_lines() {
    let s = format!("lf-{}", suffix());
    let env = start(vec![site_spec(
        &s,
        Distro::K3s,
        1,
        vec![workload("cashier", WorkloadKind::Deployment, 1, false)],
    )])
    .await;
    let pods = wait_pods(&env, &s, "cashier", 30, "running", |p| {
        p.len() == 1 && p[0]["status"]["containerStatuses"][0]["state"]["running"].is_object()
    })
    .await;
    let pod_name = name_of(&pods[0]);
    let stream = open(
        &env,
        &[&s],
        spec(pod(&pod_name), true),
        BufferOptions::default(),
    )
    .await;
    let mut seen = Seen::default();
    read_until(&stream, &mut seen, 10_000, 30, "some lines", |s| {
        s.lines.len() >= 3
    })
    .await;
    let first_batch = seen.lines.len();
    let last_seq = seen.lines.last().map(|l| l.seq).unwrap_or(0);
    // Simulated time runs 20x: new lines keep arriving on the open stream.
    read_until(&stream, &mut seen, 10_000, 30, "new lines", |s| {
        s.lines.len() >= first_batch + 5
    })
    .await;
    assert!(seen.lines.iter().any(|l| l.seq > last_seq));
    assert!(seen.ended.is_none(), "a follow stream stays open");
    assert_eq!(seen.sources.len(), 1);
    let src = &seen.sources[0];
    assert_eq!(
        (src.site.as_str(), src.pod.as_str(), src.container.as_str()),
        (s.as_str(), pod_name.as_str(), "app")
    );
    // Sequence numbers are contiguous and timestamps never go back.
    for w in seen.lines.windows(2) {
        assert_eq!(w[1].seq, w[0].seq + 1);
        assert!(w[1].ts >= w[0].ts, "{:?} then {:?}", w[0].ts, w[1].ts);
    }
    assert!(
        seen.lines.iter().all(|l| l.ts.is_some()),
        "the kubelet timestamp is parsed off"
    );
    assert!(
        seen.lines[0].text.contains("starting app"),
        "{}",
        seen.lines[0].text
    );
    // tailLines: a second stream starts with only the last two lines.
    let tail = open(
        &env,
        &[&s],
        OpenSpec {
            tail_lines: Some(2),
            ..spec(pod(&pod_name), false)
        },
        BufferOptions::default(),
    )
    .await;
    let mut t = Seen::default();
    read_until(&tail, &mut t, 10_000, 30, "ended", |s| s.ended.is_some()).await;
    assert_eq!(t.lines.len(), 2, "{:?}", t.lines);
    stream.close();
    let mut after = Seen {
        cursor: seen.cursor,
        ..Seen::default()
    };
    read_until(&stream, &mut after, 10_000, 5, "closed", |s| {
        s.ended.is_some()
    })
    .await;
    assert_eq!(after.ended.as_deref(), Some("closed"));
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_container_after_a_crash_ends_with_its_fatal_error() {
    let s = format!("lc-{}", suffix());
    let env = start(vec![site_spec(
        &s,
        Distro::MicroK8s,
        1,
        vec![workload("ledger", WorkloadKind::Deployment, 1, true)],
    )])
    .await;
    let pods = wait_pods(&env, &s, "ledger", 60, "restarted", |p| {
        p.len() == 1
            && p[0]["status"]["containerStatuses"][0]["lastState"]["terminated"].is_object()
    })
    .await;
    let pod_name = name_of(&pods[0]);
    let c = clients(&env);
    let info = logs::containers(&c, &sites(&env, &[&s])[0], &pod(&pod_name))
        .await
        .expect("containers");
    assert_eq!(info.len(), 1);
    assert_eq!(info[0].containers[0].name, "app");
    assert!(info[0].containers[0].has_previous);
    assert!(info[0].containers[0].restarts >= 1);
    let prev = OpenSpec {
        previous: true,
        ..spec(pod(&pod_name), true)
    };
    let stream = open(&env, &[&s], prev, BufferOptions::default()).await;
    let mut seen = Seen::default();
    read_until(&stream, &mut seen, 10_000, 30, "ended", |s| {
        s.ended.is_some()
    })
    .await;
    assert!(seen.sources[0].previous);
    let texts: Vec<&str> = seen.lines.iter().map(|l| &*l.text).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("FATAL: app: failed to open database")),
        "{texts:#?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("panic: runtime error")),
        "{texts:#?}"
    );
    assert_eq!(
        texts.last().copied(),
        Some("\t/src/cmd/server/main.go:57 +0x2a5"),
        "the trace is the last thing"
    );
    assert!(seen.notices.is_empty(), "{:#?}", seen.notices);
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_is_aggregated_across_its_pods_and_two_sites() {
    let (a, b) = (format!("la-{}", suffix()), format!("lb-{}", suffix()));
    let env = start(vec![
        site_spec(
            &a,
            Distro::K3s,
            2,
            vec![workload("kiosk", WorkloadKind::Deployment, 3, false)],
        ),
        site_spec(
            &b,
            Distro::MicroK8s,
            1,
            vec![workload("kiosk", WorkloadKind::Deployment, 2, false)],
        ),
    ])
    .await;
    for (site, n) in [(&a, 3), (&b, 2)] {
        wait_pods(&env, site, "kiosk", 30, "running", |p| {
            p.len() == n
                && p.iter()
                    .all(|p| p["status"]["containerStatuses"][0]["state"]["running"].is_object())
        })
        .await;
    }
    let stream = open(
        &env,
        &[&a, &b],
        spec(deployment("kiosk"), true),
        BufferOptions::default(),
    )
    .await;
    let mut seen = Seen::default();
    read_until(
        &stream,
        &mut seen,
        10_000,
        40,
        "lines from all 5 pods",
        |s| s.pods().len() == 5,
    )
    .await;
    let pods = seen.pods();
    assert_eq!(pods.iter().filter(|(s, _)| *s == a).count(), 3);
    assert_eq!(pods.iter().filter(|(s, _)| *s == b).count(), 2);
    let colours: std::collections::BTreeSet<u8> = seen.sources.iter().map(|s| s.colour).collect();
    assert_eq!(colours.len(), 5, "one colour per pod: {:#?}", seen.sources);
    // A pod that appears later is followed too (scale the deployment on site b).
    let before: Vec<String> = pods_of(&env, &b, "kiosk").iter().map(name_of).collect();
    let c = clients(&env);
    let api: kube::Api<k8s_openapi::api::apps::v1::Deployment> = kube::Api::namespaced(
        c.get(&sites(&env, &[&b])[0]).expect("client").requests,
        "shop",
    );
    let patch = serde_json::json!({"spec": {"replicas": 3}});
    api.patch(
        "kiosk",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&patch),
    )
    .await
    .expect("scale");
    let grown = wait_pods(&env, &b, "kiosk", 30, "scaled to 3", |p| p.len() == 3).await;
    let new_pod = grown
        .iter()
        .map(name_of)
        .find(|n| !before.contains(n))
        .expect("a new pod");
    read_until(
        &stream,
        &mut seen,
        10_000,
        40,
        "lines from the new pod",
        |s| s.pods().contains(&(b.clone(), new_pod.clone())),
    )
    .await;
    assert!(seen.ended.is_none());
    // The merged buffer can be filtered by pod-specific text: every pod logs its own start.
    let q = stream
        .query(
            &logs::FilterSpec {
                pattern: "starting app".into(),
                ..Default::default()
            },
            logs::Window {
                offset: Some(0),
                limit: 100,
            },
        )
        .expect("query");
    assert!(q.total >= 6, "{}", q.total);
    assert!(
        q.lines
            .iter()
            .all(|(l, h)| l.text.contains("starting app") && !h.is_empty())
    );
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_fail_with_typed_errors() {
    let s = format!("le-{}", suffix());
    let env = start(vec![site_spec(
        &s,
        Distro::K3s,
        1,
        vec![workload("scale", WorkloadKind::Deployment, 1, false)],
    )])
    .await;
    wait_pods(&env, &s, "scale", 30, "created", |p| p.len() == 1).await;
    let c = clients(&env);
    let site = sites(&env, &[&s]);
    let err = |spec: OpenSpec| {
        let (c, site) = (c.clone(), site.clone());
        async move {
            logs::open(&c, site, spec, BufferOptions::default())
                .await
                .err()
                .map(|e| e.kind())
        }
    };
    assert_eq!(
        err(spec(pod("no-such-pod"), false)).await,
        Some(outpost_core::error::ErrorKind::NotFound)
    );
    assert_eq!(
        err(spec(deployment("no-such-deploy"), true)).await,
        Some(outpost_core::error::ErrorKind::NotFound)
    );
    assert_eq!(
        err(spec(pod("<script>"), false)).await,
        Some(outpost_core::error::ErrorKind::InvalidInput)
    );
    assert_eq!(
        err(spec(
            Target::Pod {
                namespace: "../kube-system".into(),
                name: "x".into()
            },
            false
        ))
        .await,
        Some(outpost_core::error::ErrorKind::InvalidInput)
    );
    assert_eq!(
        err(OpenSpec {
            container: Some("nope".into()),
            ..spec(deployment("scale"), false)
        })
        .await,
        Some(outpost_core::error::ErrorKind::NotFound)
    );
    assert_eq!(
        logs::open(
            &c,
            Vec::new(),
            spec(pod("x"), false),
            BufferOptions::default()
        )
        .await
        .err()
        .map(|e| e.kind()),
        Some(outpost_core::error::ErrorKind::InvalidInput)
    );
    let bad = logs::FilterSpec {
        pattern: "([".into(),
        regex: true,
        case_sensitive: true,
    };
    let stream = open(
        &env,
        &[&s],
        spec(deployment("scale"), false),
        BufferOptions::default(),
    )
    .await;
    assert_eq!(
        stream
            .query(
                &bad,
                logs::Window {
                    offset: None,
                    limit: 10
                }
            )
            .err()
            .map(|e| e.kind()),
        Some(outpost_core::error::ErrorKind::InvalidInput)
    );
    env.finish().await;
}
