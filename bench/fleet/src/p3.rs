//! P3: the resident memory of a process watching every site. The watcher runs as a
//! child process (this binary's hidden `monitor-child`), so the simulator's memory is
//! not counted; its `VmRSS` is sampled from `/proc` once every site is synced.

use crate::HealthArgs;
use crate::proc::{mib, row, status_kib};
use crate::setup::Env;
use anyhow::{Context as _, bail};
use outpost_core::credentials::Vault;
use outpost_core::health::{FleetMonitor, MonitorOptions, Reach};
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::snapshot::SnapshotStore;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

#[derive(clap::Args, Debug, Clone)]
pub struct ChildArgs {
    /// The `OUTPOST_HOME` root.
    #[arg(long)]
    home: PathBuf,
}

pub struct P3 {
    sites: usize,
    ready_secs: f64,
    rss_max_kib: u64,
    rss_last_kib: u64,
    hwm_kib: u64,
    secs: u64,
}

/// The child: watch every site; print `ready` once all are synced; exit when stdin closes.
pub async fn child(a: ChildArgs) -> anyhow::Result<()> {
    let home = Home::at(&a.home, "default")?;
    let vault = Arc::new(Vault::open(&home)?);
    let sites = SiteStore::new(&home).list()?;
    let n = sites.len();
    let t = Instant::now();
    let mon = FleetMonitor::start(
        sites.clone(),
        vault,
        Some(SnapshotStore::new(&home)),
        MonitorOptions::default(),
    );
    loop {
        let fh = mon.current();
        let synced = fh
            .sites
            .values()
            .filter(|h| h.reach == Reach::Reachable && h.nodes_total > 0 && !h.stale)
            .count();
        let watching = sites
            .iter()
            .filter(|s| mon.stats(&s.name).is_some_and(|st| st.relists >= 6))
            .count();
        if synced == n && watching == n {
            break;
        }
        if t.elapsed() > Duration::from_secs(180) {
            bail!("only {synced}/{n} synced, {watching} watching after 180 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("ready {n} {:.3}", t.elapsed().as_secs_f64());
    // Run until the parent closes stdin.
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    mon.stop();
    Ok(())
}

pub async fn run(a: &HealthArgs, env: &Env) -> anyhow::Result<P3> {
    let me = std::env::current_exe()?;
    let mut child = tokio::process::Command::new(me)
        .arg("monitor-child")
        .arg("--home")
        .arg(&env.root)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting the monitor child")?;
    let pid = child.id().context("child pid")?;
    let stdout = child.stdout.take().context("child stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(200), lines.next_line())
        .await
        .context("the monitor child did not get ready in 200 s")??
        .context("the monitor child exited before it was ready")?;
    let ready_secs: f64 = line
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("unexpected child line {line:?}"))?;
    eprintln!("P3 child {pid}: {line}");
    let mut rss_max_kib = 0;
    let mut rss_last_kib = 0;
    for _ in 0..a.rss_secs.max(1) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss_last_kib = status_kib(pid, "VmRSS").context("child VmRSS")?;
        rss_max_kib = rss_max_kib.max(rss_last_kib);
    }
    let hwm_kib = status_kib(pid, "VmHWM").unwrap_or(0);
    drop(child.stdin.take());
    match tokio::time::timeout(Duration::from_secs(10), child.wait()).await {
        Ok(st) => {
            st?;
        }
        Err(_) => child.kill().await?,
    }
    Ok(P3 {
        sites: env.names.len(),
        ready_secs,
        rss_max_kib,
        rss_last_kib,
        hwm_kib,
        secs: a.rss_secs,
    })
}

impl P3 {
    pub fn table(&self) -> Vec<String> {
        vec![row(&[
            format!(
                "P3 RSS of a process watching all {} sites (separate process)",
                self.sites
            ),
            format!(
                "{:.0} MiB max over {} s after sync ({:.0} MiB last, peak VmHWM {:.0} MiB; synced in {:.1} s)",
                mib(self.rss_max_kib),
                self.secs,
                mib(self.rss_last_kib),
                mib(self.hwm_kib),
                self.ready_secs
            ),
            "≤ 150 MB".into(),
            if (self.rss_max_kib as f64) * 1024.0 <= 150e6 {
                "met"
            } else {
                "NOT met"
            }
            .into(),
        ])]
    }
}
