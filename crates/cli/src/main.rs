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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sim(args) => sim::run(args),
        Command::Site(cmd) => site::run(cmd),
        Command::Status(args) => status::run(args),
        Command::Rollout(cmd) => rollout::run(cmd),
        Command::Upgrade(cmd) => upgrade::run(cmd),
        Command::Snapshot(cmd) => snapshot::run(cmd),
        Command::Logs(args) => logs::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            errln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
