//! `outpost sim`: run a fleet of simulated sites until Ctrl-C / SIGTERM.

use anyhow::Context;
use outpost_sim::control::serve_control;
use outpost_sim::faults::FaultError;
use outpost_sim::{Bind, Fault, Fleet, FleetConfig, demo};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::runtime::Runtime;

#[derive(clap::Args, Debug)]
pub struct SimArgs {
    /// Number of generated sites (ignored with --demo).
    #[arg(long, default_value_t = 3, conflicts_with = "demo")]
    pub sites: usize,
    /// The twelve-site demo fleet.
    #[arg(long)]
    pub demo: bool,
    /// Seed for generated fleets, logs and metrics.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Loopback address: 127.0.0.1 gives every site its own port on it; any other
    /// 127.x.y.z starts a range (site i at that address + i, on port 6443/16443).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Where to write the kubeconfig (one context per site).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Where to write the sites file (JSON) for the desktop app.
    #[arg(long)]
    pub sites_file: Option<PathBuf>,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub rtt_ms: u64,
    /// Simulated time speed factor.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Start with a fault: SITE=KIND (offline, blackhole, rtt=MS, flaky, slow-logs,
    /// expired-cert, wrong-ca, revoked-token, errors, sleep). Repeatable.
    #[arg(long = "fault", value_parser = parse_fault)]
    pub faults: Vec<(String, Fault)>,
    /// Plain-HTTP control endpoint on loopback (e.g. 127.0.0.1:7070); requests need the
    /// per-run token printed at start (`Authorization: Bearer TOKEN`).
    #[arg(long)]
    pub control: Option<SocketAddr>,
}

/// A `--fault` value that is not `SITE=KIND`.
#[derive(Debug, thiserror::Error)]
pub enum FaultArgError {
    #[error("expected SITE=KIND, got {0:?}")]
    Syntax(String),
    #[error(transparent)]
    Kind(#[from] FaultError),
}

fn parse_fault(s: &str) -> Result<(String, Fault), FaultArgError> {
    let (site, kind) = s
        .split_once('=')
        .ok_or_else(|| FaultArgError::Syntax(s.to_string()))?;
    let fault = kind.parse::<Fault>()?;
    Ok((site.to_string(), fault))
}

pub fn run(args: SimArgs, rt: &Runtime) -> anyhow::Result<ExitCode> {
    if !args.bind.is_loopback() {
        anyhow::bail!(
            "--bind must be a loopback address (127.0.0.0/8), got {}",
            args.bind
        );
    }
    rt.block_on(serve(args))
}

async fn serve(args: SimArgs) -> anyhow::Result<ExitCode> {
    let sites = if args.demo {
        demo::demo_fleet()
    } else {
        demo::generated_fleet(args.sites, args.seed)
    };
    if sites.is_empty() {
        anyhow::bail!("no sites to simulate (the fleet preset is empty)");
    }
    let bind = match args.bind {
        IpAddr::V4(v4) if v4 != std::net::Ipv4Addr::LOCALHOST => Bind::Range(v4),
        ip => Bind::Shared(ip),
    };
    let cfg = FleetConfig {
        sites,
        seed: args.seed,
        bind,
        speed: args.speed,
        rtt: Duration::from_millis(args.rtt_ms),
        faults: args.faults,
        ..FleetConfig::default()
    };
    let fleet = Fleet::start(cfg).await.context("starting the fleet")?;
    if let Some(p) = &args.kubeconfig {
        fleet
            .write_kubeconfig(p)
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &args.sites_file {
        fleet
            .write_sites_file(p)
            .with_context(|| format!("writing {}", p.display()))?;
    }
    let control = match args.control {
        Some(addr) => Some(
            serve_control(addr, fleet.handles())
                .await
                .context("control endpoint")?,
        ),
        None => None,
    };
    let mut line = format!("outpost sim: {} sites serving", fleet.sites().len());
    if let Some(p) = &args.kubeconfig {
        line.push_str(&format!("; kubeconfig {}", p.display()));
    }
    if let Some(c) = &control {
        // The token goes to the user who started the sim, nowhere else.
        line.push_str(&format!("; control http://{} token {}", c.addr, c.token));
    }
    outln!("{line}");
    wait_for_signal().await;
    if let Some(c) = control {
        c.task.abort();
    }
    fleet.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
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
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_fault_reads_site_and_kind() {
        let (site, fault) = parse_fault("store-a=offline").expect("valid");
        assert_eq!(site, "store-a");
        assert_eq!(fault, Fault::Offline);
        assert!(matches!(
            parse_fault("store-a"),
            Err(FaultArgError::Syntax(s)) if s == "store-a"
        ));
        let err = parse_fault("store-a=melting").expect_err("unknown kind");
        assert!(matches!(err, FaultArgError::Kind(_)));
        assert!(
            err.to_string().contains("unknown fault \"melting\""),
            "{err}"
        );
    }
}
