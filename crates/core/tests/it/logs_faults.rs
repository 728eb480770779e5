//! Log streams under trouble: the slow-logs fault (a line every 2 s, which must not be
//! cut by request deadlines) and a crash-looping container followed across restarts
//! without repeating lines.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it logs_faults::`.

use crate::health_support;
use crate::logs_support;

use health_support::{spec as site_spec, start, start_with, suffix, workload};
use logs_support::*;
use outpost_core::logs::BufferOptions;
use outpost_sim::spec::{Distro, WorkloadKind};
use outpost_sim::{Fault, FleetConfig};
use std::collections::HashSet;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_log_stream_trickles_on_without_timing_out() {
    let s = format!("lsl-{}", suffix());
    let env = start_with(FleetConfig {
        sites: vec![site_spec(
            &s,
            Distro::K3s,
            1,
            vec![workload("kiosk", WorkloadKind::Deployment, 1, false)],
        )],
        speed: 20.0,
        tick: Duration::from_millis(250),
        bookmark_every: Duration::from_millis(500),
        faults: vec![(s.clone(), Fault::SlowLogs)],
        ..FleetConfig::default()
    })
    .await;
    let pods = wait_pods(&env, &s, "kiosk", 30, "running", |p| {
        p.len() == 1 && p[0]["status"]["containerStatuses"][0]["state"]["running"].is_object()
    })
    .await;
    let stream = open(
        &env,
        &[&s],
        spec(pod(&name_of(&pods[0])), true),
        BufferOptions::default(),
    )
    .await;
    let mut seen = Seen::default();
    read_until(&stream, &mut seen, 10_000, 30, "the first window", |s| {
        !s.lines.is_empty()
    })
    .await;
    let first = seen.lines.len();
    let t0 = Instant::now();
    // The default request deadline is 4 s; the stream must outlive it.
    read_until(
        &stream,
        &mut seen,
        10_000,
        40,
        "3 trickled lines over more than 4 s",
        |s| s.lines.len() >= first + 3 && t0.elapsed() > Duration::from_secs(5),
    )
    .await;
    assert!(
        seen.lines.len() - first <= 4 + (t0.elapsed().as_secs() as usize) / 2,
        "the fault allows about one line per 2 s: {} in {:?}",
        seen.lines.len() - first,
        t0.elapsed()
    );
    assert!(
        seen.notices.is_empty(),
        "no timeouts or reconnect errors: {:#?}",
        seen.notices
    );
    assert!(seen.ended.is_none());
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_connection_resumes_from_the_last_line_without_gaps_or_repeats() {
    let s = format!("lrc-{}", suffix());
    let env = start(vec![site_spec(
        &s,
        Distro::K3s,
        1,
        vec![workload("meter", WorkloadKind::Deployment, 1, false)],
    )])
    .await;
    let pods = wait_pods(&env, &s, "meter", 30, "running", |p| {
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
        s.lines.len() >= 5
    })
    .await;
    // The site drops off the network (every connection is cut) and comes back.
    env.site(&s).set_fault(Fault::Offline);
    tokio::time::sleep(Duration::from_secs(2)).await;
    env.site(&s).clear_faults();
    let before = seen.lines.len();
    let t0 = Instant::now();
    read_until(
        &stream,
        &mut seen,
        10_000,
        60,
        "lines after the reconnect",
        |s| s.lines.len() >= before + 40 && t0.elapsed() > Duration::from_secs(2),
    )
    .await;
    assert!(
        seen.notices
            .iter()
            .any(|n| n.kind == outpost_core::error::ErrorKind::Unreachable),
        "the stream was cut and retried while the site was down: {:#?}",
        seen.notices
    );
    stream.close();
    // The whole log of the container, read afresh, starts with exactly what was followed.
    let all = open(
        &env,
        &[&s],
        spec(pod(&pod_name), false),
        BufferOptions::default(),
    )
    .await;
    let mut full = Seen::default();
    read_until(&all, &mut full, 100_000, 30, "the whole log", |s| {
        s.ended.is_some()
    })
    .await;
    let key = |l: &outpost_core::logs::Line| (l.ts, l.text.to_string());
    let followed: Vec<_> = seen.lines.iter().map(key).collect();
    let fresh: Vec<_> = full.lines.iter().map(key).take(followed.len()).collect();
    assert_eq!(
        followed.len(),
        fresh.len(),
        "the fresh read is at least as long"
    );
    if let Some(i) = (0..followed.len()).find(|i| followed[*i] != fresh[*i]) {
        panic!(
            "followed log differs at line {i}: {:?} vs {:?}",
            followed[i], fresh[i]
        );
    }
    let mut keys = HashSet::new();
    assert!(
        followed.iter().all(|k| keys.insert(k.clone())),
        "no line twice"
    );
    env.finish().await;
}
