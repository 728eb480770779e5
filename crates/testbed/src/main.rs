//! `outpost-testbed up`: real sites on loopback until Ctrl-C / SIGTERM, with the
//! kubeconfig and sites file `outpost sim` writes. Prints `ready: N sites` once every site
//! answers; on a signal every program is stopped before exiting.

use anyhow::Context;
use clap::{Parser, Subcommand};
use outpost_testbed::{Binaries, Testbed, TestbedConfig};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "outpost-testbed",
    about = "Real Kubernetes sites on loopback for tests"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Start sites and serve until interrupted.
    Up {
        /// Number of sites in all.
        #[arg(long, default_value_t = 1)]
        sites: usize,
        /// How many of them are MicroK8s-style (the others are K3s-style).
        #[arg(long, default_value_t = 0)]
        microk8s: usize,
        /// Seed of the generated fleet (names, workloads), as for `outpost sim`.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        kubeconfig: Option<PathBuf>,
        #[arg(long)]
        sites_file: Option<PathBuf>,
        /// Keep the sites' files (databases, logs, certificates) here.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,kube_client=off")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let Cmd::Up {
        sites,
        microk8s,
        seed,
        kubeconfig,
        sites_file,
        dir,
    } = Cli::parse().cmd;
    if microk8s > sites {
        anyhow::bail!("--microk8s {microk8s} is more than --sites {sites}");
    }
    let bins = Binaries::find()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    rt.block_on(async move {
        let cfg = TestbedConfig {
            k3s: sites - microk8s,
            microk8s,
            seed,
            dir,
        };
        let bed = tokio::select! {
            r = Testbed::start(cfg, &bins) => r?,
            _ = signal() => return Ok(()),
        };
        if let Some(p) = &kubeconfig {
            bed.write_kubeconfig(p)?;
        }
        if let Some(p) = &sites_file {
            bed.write_sites_file(p)?;
        }
        println!("ready: {} sites", bed.sites.len());
        signal().await;
        bed.shutdown();
        Ok(())
    })
}

async fn signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
