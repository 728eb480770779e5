//! `outpost upgrade`: K3s upgrades through system-upgrade-controller Plans (`k3s`), and
//! per-node progress with stuck detection (`status`: a failed Job, or no progress for
//! `--no-progress`, tracked across runs in the data directory). MicroK8s sites get the exact
//! `snap refresh` command: Outpost says it rather than leaving a silent gap.

use crate::rollout::HomeArgs;
use anyhow::{Context as _, bail};
use outpost_core::actions::{ChangeLog, ChangeRecord, os_user};
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::credentials::Vault;
use outpost_core::health::{FleetMonitor, MonitorOptions};
use outpost_core::registry::{Distro, MaintenanceWindow, Site, SiteStore};
use outpost_core::upgrade::{self, NodeState, ProgressMarkers, Started};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

#[derive(clap::Args, Debug, Clone)]
pub struct Select {
    /// Only these sites (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', conflicts_with = "tag")]
    sites: Vec<String>,
    /// Only sites with this tag.
    #[arg(long)]
    tag: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum UpgradeCmd {
    /// Upgrade K3s: create server/agent Plans pinned to VERSION (concurrency 1, cordon).
    K3s {
        /// The exact K3s version, e.g. v1.31.4+k3s1 (pinned: sites need no internet).
        #[arg(long)]
        version: String,
        #[command(flatten)]
        select: Select,
        /// Only upgrade inside this window: `DAYS HH:MM-HH:MM TZ` (e.g. `sat,sun 02:00-05:00 Europe/Paris`).
        #[arg(long)]
        window: Option<String>,
        /// Upgrade even sites whose health check fails now.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        home: HomeArgs,
        #[arg(long)]
        json: bool,
    },
    /// Per-node upgrade progress of every site; stuck upgrades with next steps.
    /// Exit code 2 when an upgrade is stuck.
    Status {
        #[command(flatten)]
        select: Select,
        /// Report an upgrade as stuck when nothing moved (applying nodes, versions, Jobs)
        /// for this long, across runs of this command (e.g. 15m, 90s).
        #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = crate::rollout::parse_duration)]
        no_progress: Duration,
        #[command(flatten)]
        home: HomeArgs,
        #[arg(long)]
        json: bool,
    },
}

fn pick(all: Vec<Site>, s: &Select) -> anyhow::Result<Vec<Site>> {
    for n in &s.sites {
        if !all.iter().any(|x| &x.name == n) {
            bail!("no site named {n:?} (see `outpost site list`)");
        }
    }
    Ok(all
        .into_iter()
        .filter(|x| {
            (s.sites.is_empty() || s.sites.contains(&x.name))
                && s.tag.as_ref().is_none_or(|t| x.tags.contains(t))
        })
        .collect())
}

/// `sudo snap refresh microk8s --channel=1.31/stable` for the minor after `current`.
fn next_microk8s(current: &str) -> String {
    let v = current.trim_start_matches('v');
    let mut it = v.split('.');
    match (
        it.next().and_then(|m| m.parse::<u32>().ok()),
        it.next().and_then(|m| m.parse::<u32>().ok()),
    ) {
        (Some(ma), Some(mi)) => format!(
            "sudo snap refresh microk8s --channel={ma}.{}/stable",
            mi + 1
        ),
        _ => "sudo snap refresh microk8s --channel=<major.minor>/stable".into(),
    }
}

pub fn run(cmd: UpgradeCmd, rt: &Runtime) -> anyhow::Result<ExitCode> {
    match cmd {
        UpgradeCmd::K3s {
            version,
            select,
            window,
            force,
            home,
            json,
        } => {
            let home = home.resolve()?;
            let sites = pick(SiteStore::new(&home).list()?, &select)?;
            let window = window.map(|w| MaintenanceWindow::parse(&w)).transpose()?;
            let vault = Arc::new(Vault::open(&home).context("opening the keyring")?);
            let changes = ChangeLog::new(&home);
            rt.block_on(start(
                sites,
                vault,
                &version,
                window.as_ref(),
                force,
                json,
                &changes,
            ))
        }
        UpgradeCmd::Status {
            select,
            no_progress,
            home,
            json,
        } => {
            let home = home.resolve()?;
            let sites = pick(SiteStore::new(&home).list()?, &select)?;
            let vault = Arc::new(Vault::open(&home).context("opening the keyring")?);
            let markers = ProgressMarkers::new(&home);
            rt.block_on(status(sites, vault, &markers, no_progress, json))
        }
    }
}

async fn start(
    sites: Vec<Site>,
    vault: Arc<Vault>,
    version: &str,
    window: Option<&MaintenanceWindow>,
    force: bool,
    json: bool,
    changes: &ChangeLog,
) -> anyhow::Result<ExitCode> {
    // A bad version is refused before anything else (no health sweep, nothing touched).
    if sites.iter().any(|s| s.distro != Some(Distro::MicroK8s))
        && !upgrade::valid_k3s_version(version)
    {
        bail!("{version:?} is not a K3s version like v1.31.4+k3s1 (pin the exact version)");
    }
    // The health gate: one sweep now is the site's last health check.
    let mon = FleetMonitor::start(
        sites.clone(),
        vault.clone(),
        None,
        MonitorOptions::default(),
    );
    let fleet = mon.first_sweep(Duration::from_secs(8)).await;
    mon.stop();
    let clients = ClientCache::new(vault, Timeouts::default());
    let mut results = Vec::new();
    let mut ok = true;
    for site in &sites {
        let health = fleet.sites.get(&site.name).map(|h| h.as_ref());
        let r = async {
            upgrade::check_health(&site.name, health, force)?;
            let c = clients.get(site).map_err(upgrade::UpgradeError::from)?;
            upgrade::start(&c.requests, site, version, window).await
        }
        .await;
        let (line, result) = match &r {
            Ok(Started::Plans {
                created,
                updated,
                unchanged,
            }) => (
                format!(
                    "{}: upgrading to {version} (plans created: {}; updated: {}; unchanged: {})",
                    site.name,
                    created.join(" "),
                    updated.join(" "),
                    unchanged.join(" ")
                ),
                "plans applied".to_string(),
            ),
            Ok(Started::MicroK8s { command }) => (
                format!(
                    "{}: MicroK8s cannot be upgraded by Outpost; on each node run: {command}",
                    site.name
                ),
                "microk8s: manual snap refresh needed".to_string(),
            ),
            Err(e) => {
                ok = false;
                (
                    format!("{}: {e}", site.name),
                    format!("refused: {}", e.kind()),
                )
            }
        };
        let _ = changes.record(&ChangeRecord {
            at: jiff::Timestamp::now(),
            user: os_user(),
            site: site.name.clone(),
            object: "k3s".into(),
            what: format!("k3s upgrade to {version}"),
            result,
            rollout: None,
        });
        if json {
            results.push(serde_json::json!({
                "site": site.name,
                "result": r.as_ref().ok(),
                "error": r.as_ref().err().map(|e| serde_json::json!({"kind": e.kind(), "message": e.to_string()})),
            }));
        } else {
            outln!("{line}");
        }
    }
    if json {
        jsonln!(serde_json::to_string(&results)?);
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn status(
    sites: Vec<Site>,
    vault: Arc<Vault>,
    markers: &ProgressMarkers,
    window: Duration,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let clients = ClientCache::new(vault, Timeouts::default());
    let mut out = String::new();
    let mut rows = Vec::new();
    let mut stuck = false;
    for site in &sites {
        if site.distro == Some(Distro::MicroK8s) {
            let v = site.version.clone().unwrap_or_else(|| "unknown".into());
            let cmd = next_microk8s(&v);
            let _ = writeln!(
                out,
                "{}  MicroK8s {v}: upgrades need `{cmd}` on each node (Outpost does not run it)",
                site.name
            );
            rows.push(serde_json::json!({"site": site.name, "distro": "microk8s", "version": v, "command": cmd}));
            continue;
        }
        let r = match clients.get(site) {
            Ok(c) => upgrade::status(&c.requests).await,
            Err(e) => Err(e.into()),
        }
        .and_then(|mut st| {
            markers.observe(&site.name, &mut st, window, jiff::Timestamp::now())?;
            Ok(st)
        });
        match r {
            Err(e) => {
                let _ = writeln!(out, "{}  {e}", site.name);
                rows.push(serde_json::json!({"site": site.name, "error": {"kind": e.kind(), "message": e.to_string()}}));
            }
            Ok(st) => {
                let head = match (&st.target, st.controller.installed(), st.done) {
                    (_, false, _) => "no system-upgrade-controller".to_string(),
                    (None, true, _) => "no upgrade planned".to_string(),
                    (Some(t), true, true) => format!("at {t}"),
                    (Some(t), true, false) => format!("upgrading to {t}"),
                };
                let _ = writeln!(out, "{}  {head}", site.name);
                for n in &st.nodes {
                    let state = match n.state {
                        NodeState::UpToDate => "up to date",
                        NodeState::Waiting => "waiting",
                        NodeState::Upgrading => "upgrading",
                        NodeState::Stuck => "STUCK",
                    };
                    let _ = writeln!(
                        out,
                        "  {:<24} {:<6} {:<16} {state}{}{}",
                        n.name,
                        n.role,
                        n.version,
                        if n.cordoned { ", cordoned" } else { "" },
                        n.job
                            .as_ref()
                            .map(|j| format!(", job {j}"))
                            .unwrap_or_default()
                    );
                }
                for s in &st.stuck {
                    stuck = true;
                    let since = s
                        .since
                        .map(|t| {
                            format!(" (unchanged since {})", t.strftime("%Y-%m-%d %H:%M:%S UTC"))
                        })
                        .unwrap_or_default();
                    let _ = writeln!(out, "  stuck: {}: {}{since}", s.node, s.reason);
                    for step in &s.next_steps {
                        let _ = writeln!(out, "    - {step}");
                    }
                }
                rows.push(serde_json::json!({"site": site.name, "upgrade": st}));
            }
        }
    }
    if json {
        jsonln!(serde_json::to_string(&rows)?);
    } else {
        out!("{out}");
    }
    Ok(if stuck {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
