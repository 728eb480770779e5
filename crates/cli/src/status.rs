//! `outpost status`: fleet health as a table or JSON, from one sweep with a deadline
//! (or kept live with `--watch`), through the same `Session` as the app. Sites that do not answer are reported (with their
//! last snapshot, flagged stale), never waited on past the deadline.

mod table;

use anyhow::bail;
use outpost_core::health::{FleetHealth, SiteHealth};
use outpost_core::registry::{Site, SiteStore};
use outpost_core::session::Session;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::runtime::Runtime;

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// Print JSON (one object per site; with --watch, one array per line on change).
    #[arg(long)]
    json: bool,
    /// Keep watching and reprint on change (Ctrl-C to stop).
    #[arg(long)]
    watch: bool,
    /// Only this site (repeatable).
    #[arg(long = "site", value_name = "S")]
    sites: Vec<String>,
    /// Only sites with this tag (repeatable).
    #[arg(long = "tag", value_name = "T")]
    tags: Vec<String>,
    /// Seconds for the whole sweep; sites not answering by then are reported as timeout.
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    timeout: f64,
    /// Data directory (default: $OUTPOST_HOME, then the OS data directory).
    #[arg(long, value_name = "PATH")]
    home: Option<PathBuf>,
    /// Profile inside the data directory.
    #[arg(long, default_value = "default")]
    profile: String,
}

fn select(all: Vec<Site>, names: &[String], tags: &[String]) -> anyhow::Result<Vec<Site>> {
    for n in names {
        if !all.iter().any(|s| &s.name == n) {
            bail!("no site named {n:?} (see `outpost site list`)");
        }
    }
    if names.is_empty() && tags.is_empty() {
        return Ok(all);
    }
    Ok(all
        .into_iter()
        .filter(|s| names.contains(&s.name) || s.tags.iter().any(|t| tags.contains(t)))
        .collect())
}

pub fn run(args: StatusArgs, rt: &Runtime) -> anyhow::Result<ExitCode> {
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 3600.0) {
        bail!("--timeout must be between 0 and 3600 seconds");
    }
    let home = crate::open_home(args.home.as_deref(), &args.profile)?;
    let sites = SiteStore::new(&home).list()?;
    let sites = select(sites, &args.sites, &args.tags)?;
    if sites.is_empty() {
        if args.json {
            outln!("[]");
        } else {
            outln!("no sites (import some with `outpost site import`)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    let total = Duration::from_secs_f64(args.timeout);
    let session = crate::session::open(rt, home, &names, total, args.watch)?;
    let fleet = session.monitor().current();
    print(&fleet, args.json)?;
    if args.watch {
        rt.block_on(follow(&session, fleet.generation, args.json))?;
    }
    session.monitor().stop();
    Ok(ExitCode::SUCCESS)
}

/// Reprints on every change until Ctrl-C.
async fn follow(session: &Session, mut last: u64, json: bool) -> anyhow::Result<()> {
    let mut rx = session.subscribe();
    loop {
        tokio::select! {
            r = rx.changed() => if r.is_err() { break },
            _ = tokio::signal::ctrl_c() => break,
        }
        // Coalesce bursts of watch events into one reprint.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let fleet = rx.borrow_and_update().clone();
        if fleet.generation != last {
            last = fleet.generation;
            print(&fleet, json)?;
        }
    }
    Ok(())
}

fn print(fleet: &FleetHealth, json: bool) -> anyhow::Result<()> {
    let sites: Vec<&SiteHealth> = fleet.sites.values().map(|s| s.as_ref()).collect();
    if json {
        jsonln!(serde_json::to_string(&sites)?);
    } else {
        print!("{}", table::render(&sites, table::use_colour()));
        outln!();
    }
    Ok(())
}
