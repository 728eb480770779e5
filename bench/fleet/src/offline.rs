//! Issue 8: "started with no network at all, the app shows every site's last state
//! within a second". The fleet is synced once (every site snapshotted), then every site
//! is made unreachable (blackholed: connections accepted and never answered, the worst
//! case; or refused), and the health engine is opened again as the desktop app opens
//! it (`Session::open`, default options). Measured: from the call to the moment every
//! site's health is published stale from its snapshot, with its age; and how many
//! sites had been answered (or given up on) by then: none should have been waited for.

use crate::HealthArgs;
use anyhow::Context as _;
use outpost_core::health::{MonitorOptions, Reach};
use outpost_core::session::Session;
use outpost_sim::Fault;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug, Clone)]
pub struct OfflineArgs {
    #[arg(long, default_value_t = 200)]
    pub sites: usize,
    /// Pods per site (approximate).
    #[arg(long, default_value_t = 20)]
    pub pods: usize,
    /// Start-ups measured per kind of outage (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

struct Sample {
    all_stale: Duration,
    /// Sites whose check had ended (answered, refused or timed out) at that moment.
    checked: usize,
}

async fn one(env: &crate::setup::Env, sites: usize) -> anyhow::Result<Sample> {
    let (home, vault) = (env.home.clone(), env.vault.clone());
    let t0 = Instant::now();
    let session =
        tokio::task::spawn_blocking(move || Session::open(home, vault, MonitorOptions::default()))
            .await??;
    let mon = session.monitor().clone();
    let mut rx = mon.subscribe();
    let until = t0 + Duration::from_secs(30);
    loop {
        let (stale, checked) = {
            let fh = rx.borrow_and_update();
            let stale = fh
                .sites
                .values()
                .filter(|h| h.stale && h.snapshot_age_secs.is_some() && h.nodes_total > 0)
                .count();
            let checked = fh
                .sites
                .values()
                .filter(|h| h.reach != Reach::Unknown)
                .count();
            (stale, checked)
        };
        if stale == sites {
            let s = Sample {
                all_stale: t0.elapsed(),
                checked,
            };
            mon.stop();
            return Ok(s);
        }
        anyhow::ensure!(
            Instant::now() < until,
            "only {stale} of {sites} sites stale after 30 s"
        );
        let _ = tokio::time::timeout(Duration::from_millis(50), rx.changed()).await;
    }
}

pub async fn run(a: OfflineArgs) -> anyhow::Result<()> {
    println!("{}", crate::proc::machine());
    let h = HealthArgs {
        sites: a.sites,
        pods: a.pods,
        rtt_ms: 20,
        samples: 0,
        status_runs: 0,
        rss_secs: 0,
        outpost: None,
        kubectl: "/usr/bin/kubectl".into(),
        skip_kubectl: true,
        p1_only: true,
        keep: false,
    };
    let env = crate::setup::start(&h).await?;
    // Sync once: every site snapshotted.
    let (home, vault) = (env.home.clone(), env.vault.clone());
    let t = Instant::now();
    let session =
        tokio::task::spawn_blocking(move || Session::open(home, vault, MonitorOptions::default()))
            .await??;
    let mon = session.monitor().clone();
    loop {
        let done = env
            .names
            .iter()
            .filter(|n| mon.stats(n).is_some_and(|s| s.snapshots_written > 0))
            .count();
        if done == env.names.len() {
            break;
        }
        anyhow::ensure!(
            t.elapsed() < Duration::from_secs(180),
            "only {done} sites snapshotted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!(
        "{} sites synced and snapshotted in {:.1}s",
        env.names.len(),
        t.elapsed().as_secs_f64()
    );
    mon.stop();
    drop(session);
    let mut rows = Vec::new();
    for (label, fault) in [
        ("blackholed (never answer)", Fault::Blackhole),
        ("refused (port closed)", Fault::Offline),
    ] {
        for s in env.fleet.handles() {
            s.set_fault(fault);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut samples = Vec::new();
        for _ in 0..a.runs.max(1) {
            samples.push(one(&env, env.names.len()).await.context(label)?);
        }
        samples.sort_by_key(|s| s.all_stale);
        let med = &samples[samples.len() / 2];
        let all: Vec<String> = samples
            .iter()
            .map(|s| format!("{:.0}", s.all_stale.as_secs_f64() * 1e3))
            .collect();
        rows.push(format!(
            "| every site shown stale from its snapshot, {label} | {:.0} ms (median of {}: {}) | {} of {} | ≤ 1000 ms |",
            med.all_stale.as_secs_f64() * 1e3,
            samples.len(),
            all.join(", "),
            med.checked,
            env.names.len()
        ));
    }
    println!();
    println!(
        "## Start with no network: {} sites, {:.1} pods/site, snapshots on disk",
        env.names.len(),
        env.pods_per_site
    );
    println!();
    println!("| figure | measured | sites already checked then | target |");
    println!("| --- | --- | --- | --- |");
    for r in rows {
        println!("{r}");
    }
    env.finish(false).await;
    Ok(())
}
