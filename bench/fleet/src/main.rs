//! `outpost-bench`: the benchmarks of issue 4 (simulator scale) and issue 5 (health
//! engine P1–P3), printed as tables. Everything talks to loopback only.
//!
//! ```text
//! scripts/with-keyring.sh cargo run --release -p outpost-bench -- health
//! cargo run --release -p outpost-bench -- sim-scale
//! ```
//!
//! `health` starts 200 simulated sites (about 20 pods each, 20 ms RTT) in this process,
//! imports them into a temporary `OUTPOST_HOME` (credentials in the OS keyring), writes
//! a kubeconfig, then measures P1 (`outpost status --json` against a kubectl loop), P2
//! (change-to-model latency) and P3 (RSS of a child process watching every site).
//! `sim-scale` runs `outpost sim --sites 500` as a child and measures time to serve and RSS.

mod offline;
mod p1;
mod p1_costs;
mod p2;
mod p3;
mod proc;
mod rollout;
mod scale;
mod setup;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "outpost-bench", about = "Outpost benchmarks (loopback only)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// P1–P3 of the health engine against simulated sites.
    Health(HealthArgs),
    /// Simulator scale: `outpost sim --sites N` until every site serves, and its RSS.
    SimScale(ScaleArgs),
    /// P6 (issue 7): a 100-site rollout's time against the simulated rollouts' own time.
    Rollout(rollout::RolloutArgs),
    /// Issue 8: every site shown from its snapshot when started with no network.
    OfflineStart(offline::OfflineArgs),
    /// (Internal) the P3 child: watches every site of a profile and reports when synced.
    #[command(hide = true)]
    MonitorChild(p3::ChildArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct HealthArgs {
    /// Simulated sites.
    #[arg(long, default_value_t = 200)]
    pub sites: usize,
    /// Pods per site (approximate: system pods plus a filler deployment).
    #[arg(long, default_value_t = 20)]
    pub pods: usize,
    /// Round-trip time the simulator adds to every request, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub rtt_ms: u64,
    /// P2 samples.
    #[arg(long, default_value_t = 20)]
    pub samples: usize,
    /// `outpost status --json` runs (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub status_runs: usize,
    /// Seconds P3 keeps sampling the child's RSS once every site is synced.
    #[arg(long, default_value_t = 20)]
    pub rss_secs: u64,
    /// The `outpost` binary (default: built with `$CARGO build --release -p outpost-cli`).
    #[arg(long)]
    pub outpost: Option<PathBuf>,
    /// kubectl to compare against.
    #[arg(long, default_value = "/usr/bin/kubectl")]
    pub kubectl: PathBuf,
    /// Skip the kubectl loop (P1 then has no ratio).
    #[arg(long)]
    pub skip_kubectl: bool,
    /// Measure P1 only (no P2, no P3).
    #[arg(long)]
    pub p1_only: bool,
    /// Keep the temporary directory (kubeconfig, OUTPOST_HOME) for inspection.
    #[arg(long)]
    pub keep: bool,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ScaleArgs {
    #[arg(long, default_value_t = 500)]
    pub sites: usize,
    /// Seconds to keep the simulator running (world ticks) before the last RSS sample.
    #[arg(long, default_value_t = 20)]
    pub run_secs: u64,
    /// The `outpost` binary (default: built with `$CARGO build --release -p outpost-cli`).
    #[arg(long)]
    pub outpost: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let r = rt.block_on(async {
        match cli.cmd {
            Cmd::Health(a) => health(a).await,
            Cmd::SimScale(a) => scale::run(a).await,
            Cmd::Rollout(a) => rollout::run(a).await,
            Cmd::OfflineStart(a) => offline::run(a).await,
            Cmd::MonitorChild(a) => p3::child(a).await,
        }
    });
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn health(a: HealthArgs) -> anyhow::Result<()> {
    let outpost = proc::outpost_binary(a.outpost.as_deref())?;
    println!("{}", proc::machine());
    let env = setup::start(&a).await?;
    let p1 = p1::run(&a, &env, &outpost).await?;
    let (p2, p3) = if a.p1_only {
        (Vec::new(), Vec::new())
    } else {
        (
            p2::run(&a, &env).await?.table(),
            p3::run(&a, &env).await?.table(),
        )
    };
    println!();
    println!(
        "## Health engine: {} sites, {:.1} pods/site on average, RTT {} ms, keyring backend {}",
        a.sites, env.pods_per_site, a.rtt_ms, env.backend
    );
    println!();
    for line in p1.table().into_iter().chain(p2).chain(p3) {
        println!("{line}");
    }
    println!();
    for line in p1.notes() {
        println!("{line}");
    }
    env.finish(a.keep).await;
    Ok(())
}
