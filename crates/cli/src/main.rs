//! `outpost`: the command-line interface, a thin layer over `outpost-core` and
//! `outpost-sim`. Each subcommand lives in its own module.

#[macro_use]
mod term;

mod logs;
mod rollout;
mod session;
mod sim;
mod site;
mod snapshot;
mod status;
mod upgrade;
mod words;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "outpost",
    version,
    about = "Run a fleet of K3s/MicroK8s edge sites"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run simulated sites (a Kubernetes API per site) for tests, benchmarks and the demo.
    Sim(sim::SimArgs),
    /// Manage the registered sites.
    #[command(subcommand)]
    Site(site::SiteCmd),
    /// Show the health of every site (live, or from the last snapshot when unreachable).
    Status(status::StatusArgs),
    /// Roll a new image out to many sites in waves, with health gates and rollback.
    #[command(subcommand)]
    Rollout(rollout::RolloutCmd),
    /// Upgrade K3s through system-upgrade-controller; show upgrade progress.
    #[command(subcommand)]
    Upgrade(upgrade::UpgradeCmd),
    /// Show a pod's log lines (live, or kept in the site's stored bundle when it does not answer).
    Logs(logs::LogsArgs),
    /// Snapshot bundles: export, import, show, diff, and serve them read-only to kubectl.
    #[command(subcommand)]
    Snapshot(snapshot::SnapshotCmd),
}

/// The data directory and profile to use, made private (0700) if it exists and is
/// looser; nothing is created here.
fn open_home(
    explicit: Option<&std::path::Path>,
    profile: &str,
) -> anyhow::Result<outpost_core::paths::Home> {
    let home = outpost_core::paths::Home::resolve(explicit, profile)?;
    home.tighten()?;
    Ok(home)
}

impl Command {
    /// The log level on stderr unless `RUST_LOG` says otherwise: the simulator says
    /// more (it is a server), the rest only errors (their output is the answer).
    fn default_log(&self) -> &'static str {
        match self {
            Command::Sim(_) => "warn",
            _ => "error",
        }
    }

    /// The simulator serves many sites and takes every core; the rest talk to a few
    /// sites at a time and need two workers.
    fn worker_threads(&self) -> Option<usize> {
        match self {
            Command::Sim(_) => None,
            _ => Some(2),
        }
    }
}

/// Logs go to stderr (stdout is the command's answer), filtered by `RUST_LOG`.
fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    use std::io::IsTerminal as _;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only on a terminal: a pipe or a log file gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// The one runtime every subcommand runs on.
fn runtime(workers: Option<usize>) -> std::io::Result<tokio::runtime::Runtime> {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = workers {
        b.worker_threads(n);
    }
    b.enable_all().build()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.command.default_log());
    let rt = match runtime(cli.command.worker_threads()) {
        Ok(rt) => rt,
        Err(e) => {
            errln!("error: starting the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match cli.command {
        Command::Sim(args) => sim::run(args, &rt),
        Command::Site(cmd) => site::run(cmd, &rt),
        Command::Status(args) => status::run(args, &rt),
        Command::Rollout(cmd) => rollout::run(cmd, &rt),
        Command::Upgrade(cmd) => upgrade::run(cmd, &rt),
        Command::Snapshot(cmd) => snapshot::run(cmd, &rt),
        Command::Logs(args) => logs::run(args, &rt),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            errln!("{}", words::error_text(&e));
            ExitCode::from(1)
        }
    }
}
