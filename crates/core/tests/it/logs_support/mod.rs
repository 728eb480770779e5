//! Helpers for the log viewer's integration tests: clients for an imported simulated
//! fleet, opening a stream, and reading it until a condition holds.
#![allow(dead_code)]

use crate::health_support::Env;
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::logs::{
    self, BufferOptions, Cursor, Line, LogStream, Notice, OpenSpec, SourceInfo, Target,
    WorkloadKind,
};
use outpost_core::registry::Site;
use std::time::{Duration, Instant};

pub fn clients(env: &Env) -> ClientCache {
    ClientCache::new(env.vault.clone(), Timeouts::default())
}

pub fn sites(env: &Env, names: &[&str]) -> Vec<Site> {
    names
        .iter()
        .map(|n| env.store.get(n).expect("site registered"))
        .collect()
}

pub fn pod(name: &str) -> Target {
    Target::Pod {
        namespace: "shop".into(),
        name: name.into(),
    }
}

pub fn deployment(name: &str) -> Target {
    Target::Workload {
        namespace: "shop".into(),
        kind: WorkloadKind::Deployment,
        name: name.into(),
    }
}

pub fn spec(target: Target, follow: bool) -> OpenSpec {
    OpenSpec {
        target,
        container: None,
        follow,
        previous: false,
        tail_lines: None,
    }
}

pub async fn open(env: &Env, names: &[&str], spec: OpenSpec, opts: BufferOptions) -> LogStream {
    logs::open(&clients(env), sites(env, names), spec, opts)
        .await
        .expect("stream opens")
}

/// Everything a reader received.
#[derive(Debug, Default)]
pub struct Seen {
    pub lines: Vec<Line>,
    pub sources: Vec<SourceInfo>,
    pub notices: Vec<Notice>,
    pub dropped: u64,
    pub ended: Option<String>,
    pub cursor: Cursor,
}

impl Seen {
    pub fn text_of(&self, l: &Line) -> String {
        l.text.to_string()
    }

    pub fn pods(&self) -> std::collections::BTreeSet<(String, String)> {
        self.lines
            .iter()
            .filter_map(|l| self.sources.get(l.source as usize))
            .map(|s| (s.site.clone(), s.pod.clone()))
            .collect()
    }
}

/// Reads `s` (batches of at most `max` lines) until `done` holds; panics after `secs`.
pub async fn read_until(
    s: &LogStream,
    seen: &mut Seen,
    max: usize,
    secs: u64,
    what: &str,
    done: impl Fn(&Seen) -> bool,
) {
    let mut rx = s.subscribe();
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let d = s.read(&mut seen.cursor, max, usize::MAX, max as u64);
        for (i, src) in d.new_sources {
            assert_eq!(i as usize, seen.sources.len(), "sources arrive in order");
            seen.sources.push(src);
        }
        seen.dropped += d.dropped;
        seen.lines.extend(d.lines);
        seen.notices.extend(d.notices);
        if d.ended.is_some() {
            seen.ended = d.ended;
        }
        if done(seen) {
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "not {what} within {secs}s: {} lines, {} sources, dropped {}, ended {:?}, notices {:#?}",
            seen.lines.len(),
            seen.sources.len(),
            seen.dropped,
            seen.ended,
            seen.notices
        );
        let _ = tokio::time::timeout(left.min(Duration::from_millis(500)), rx.changed()).await;
    }
}

/// The name of the first pod of `workload` on a simulated site.
pub fn pods_of(env: &Env, site: &str, workload: &str) -> Vec<serde_json::Value> {
    let (pods, _) = env
        .site(site)
        .store()
        .list(outpost_sim::resource::Resource::Pod, Some("shop"));
    let mut v: Vec<serde_json::Value> = pods
        .iter()
        .filter(|p| {
            p["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(&format!("{workload}-")))
        })
        .map(|p| (**p).clone())
        .collect();
    v.sort_by_key(|p| p["metadata"]["name"].as_str().unwrap_or("").to_string());
    v
}

pub fn name_of(p: &serde_json::Value) -> String {
    p["metadata"]["name"].as_str().unwrap_or("").to_string()
}

/// Waits until `pred` holds for the pods of `workload` on `site`.
pub async fn wait_pods(
    env: &Env,
    site: &str,
    workload: &str,
    secs: u64,
    what: &str,
    pred: impl Fn(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let pods = pods_of(env, site, workload);
        if pred(&pods) {
            return pods;
        }
        assert!(
            Instant::now() < deadline,
            "{site}/{workload}: not {what} within {secs}s: {pods:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
