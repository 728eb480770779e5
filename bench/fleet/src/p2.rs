//! P2: latency from a change at a site (a Deployment scaled, a pod deleted, a warning
//! event) to its appearance in the [`FleetMonitor`]'s watched model, with every site
//! watched at once.

use crate::HealthArgs;
use crate::proc::{quantile, row};
use crate::setup::Env;
use anyhow::{Context as _, bail};
use outpost_core::health::{FleetMonitor, MonitorOptions, Reach, SiteState};
use outpost_core::snapshot::SnapshotStore;
use outpost_sim::SiteHandle;
use outpost_sim::resource::Resource;
use outpost_sim::store::UpdateMode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub struct P2 {
    /// (kind of change, latency in ms)
    samples: Vec<(&'static str, f64)>,
    sync_secs: f64,
}

fn user_object(h: &SiteHandle, r: Resource) -> Option<Value> {
    let (objs, _) = h.store().list(r, None);
    objs.iter()
        .find(|o| {
            let ns = o["metadata"]["namespace"].as_str().unwrap_or("");
            ns != "kube-system" && (r != Resource::Pod || o["status"]["phase"] == "Running")
        })
        .map(|o| (**o).clone())
}

/// The condition that shows a change in the model.
type Seen = Box<dyn Fn(&SiteState) -> bool + Send>;

/// Makes one change; returns its kind and the condition that shows it in the model.
fn change(h: &SiteHandle, i: usize) -> anyhow::Result<(&'static str, Seen)> {
    match i % 3 {
        0 => {
            let mut d = user_object(h, Resource::Deployment).context("no deployment")?;
            let (ns, name) = (
                d["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                d["metadata"]["name"].as_str().unwrap_or("").to_string(),
            );
            let old = d["spec"]["replicas"].as_i64().unwrap_or(1);
            let new = if old > 1 { old - 1 } else { old + 1 };
            d["spec"]["replicas"] = json!(new);
            h.store()
                .update(Resource::Deployment, d, UpdateMode::Main)
                .map_err(|e| anyhow::anyhow!("scale: {e}"))?;
            let key = format!("Deployment/{ns}/{name}");
            let want = i32::try_from(new).unwrap_or(0);
            Ok((
                "scale deployment",
                Box::new(move |s| s.workloads.get(&key).is_some_and(|w| w.desired == want)),
            ))
        }
        1 => {
            let p = user_object(h, Resource::Pod).context("no running pod")?;
            let (ns, name) = (
                p["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                p["metadata"]["name"].as_str().unwrap_or("").to_string(),
            );
            h.store()
                .delete(Resource::Pod, Some(&ns), &name)
                .map_err(|e| anyhow::anyhow!("delete pod: {e}"))?;
            let key = format!("{ns}/{name}");
            Ok(("delete pod", Box::new(move |s| !s.pods.contains_key(&key))))
        }
        _ => {
            let name = format!("bench-p2-{i}");
            let now = jiff::Timestamp::now().to_string();
            h.store()
                .create(
                    Resource::Event,
                    json!({"apiVersion": "v1", "kind": "Event",
                       "metadata": {"name": name, "namespace": "default"},
                       "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"},
                       "reason": "BenchWarning", "message": "P2 marker", "type": "Warning",
                       "count": 1, "firstTimestamp": now, "lastTimestamp": now}),
                )
                .map_err(|e| anyhow::anyhow!("event: {e}"))?;
            let key = format!("default/{name}");
            Ok((
                "warning event",
                Box::new(move |s| s.events.contains_key(&key)),
            ))
        }
    }
}

pub async fn run(a: &HealthArgs, env: &Env) -> anyhow::Result<P2> {
    let sites = env.store.list()?;
    let t = Instant::now();
    let mon = FleetMonitor::start(
        sites,
        env.vault.clone(),
        Some(SnapshotStore::new(&env.home)),
        MonitorOptions::default(),
    );
    // Every site synced and its watches listed.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let fh = mon.current();
        let synced = fh
            .sites
            .values()
            .filter(|h| h.reach == Reach::Reachable && h.nodes_total > 0 && !h.stale)
            .count();
        let relisted = env
            .names
            .iter()
            .filter(|n| mon.stats(n).is_some_and(|s| s.relists >= 6))
            .count();
        if synced == env.names.len() && relisted == env.names.len() {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "only {synced} sites synced and {relisted} watching after 120 s: P2 not measured"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sync_secs = t.elapsed().as_secs_f64();
    eprintln!("monitor: every site synced and watched after {sync_secs:.1}s");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut samples = Vec::new();
    let step = (env.names.len() / a.samples.max(1)).max(1);
    for i in 0..a.samples {
        let name = &env.names[(i * step + 3) % env.names.len()];
        let h = env.fleet.site(name).context("site handle")?;
        // From just before the write at the site to the model showing it.
        let t0 = Instant::now();
        let (kind, seen) = change(&h, i)?;
        loop {
            if mon.with_state(name, |s| seen(s)).unwrap_or(false) {
                break;
            }
            if t0.elapsed() > Duration::from_secs(10) {
                bail!("{name}: {kind} not in the model after 10 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        eprintln!("P2 sample {}: {name}: {kind}: {ms:.2} ms", i + 1);
        samples.push((kind, ms));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    mon.stop();
    Ok(P2 { samples, sync_secs })
}

impl P2 {
    pub fn table(&self) -> Vec<String> {
        let mut v: Vec<f64> = self.samples.iter().map(|s| s.1).collect();
        v.sort_by(f64::total_cmp);
        let (p50, p95, max) = (quantile(&v, 0.5), quantile(&v, 0.95), quantile(&v, 1.0));
        vec![
            row(&[
                format!(
                    "P2 change → watched model, {} samples (scale / pod delete / event)",
                    v.len()
                ),
                format!("p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms"),
                "≤ 1 s".into(),
                if max <= 1000.0 { "met" } else { "NOT met" }.into(),
            ]),
            row(&[
                "P2 setup: monitor start → all sites synced and watched".into(),
                format!("{:.1} s", self.sync_secs),
                "-".into(),
                "-".into(),
            ]),
        ]
    }
}
