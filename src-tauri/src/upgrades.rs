//! Upgrades view commands: the fleet's version drift, starting a K3s upgrade on picked
//! sites, and their per-node progress streamed over a `tauri::ipc::Channel`. Each
//! validates, makes one `outpost_core::upgrade` call and maps the error.
//!
//! One watch runs at a time: a new `upgrade_watch` (an empty one when the view goes
//! away) ends the previous one. A watch also ends once every watched site is done.

use crate::{error, state::AppState};
use outpost_core::actions::ChangeLog;
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::registry::{Distro, Site, is_dns_label};
use outpost_core::upgrade::{self, DEFAULT_NO_PROGRESS, ProgressMarkers, UpgradeError};
use outpost_ipc::upgrade::{
    SiteUpgradeInfo, UpgradeStartCmd, UpgradeWatchCmd, UpgradesOverviewCmd,
};
use outpost_ipc::{Command, ErrorKind, IpcError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tauri::State;
use tauri::ipc::Channel;

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// How often a watched upgrade is read.
const POLL: Duration = Duration::from_secs(1);
/// A watch never outlives this (the view starts a new one when it is still open).
const MAX_WATCH: Duration = Duration::from_secs(3 * 3600);

/// Bumped by every `upgrade_watch`: older watches see it and end.
static WATCH_GEN: AtomicU64 = AtomicU64::new(0);

fn fail(e: UpgradeError) -> IpcError {
    error::core(e.kind(), e)
}

fn check_names(names: &[String]) -> Result<(), IpcError> {
    match names.iter().find(|n| !is_dns_label(n)) {
        Some(n) => Err(IpcError::new(
            ErrorKind::InvalidInput,
            format!("{n:?} is not a site name"),
        )),
        None => Ok(()),
    }
}

/// Every site's distro and version, the newest of each distro, health and commands.
#[tauri::command]
pub async fn upgrades_overview(
    state: State<'_, AppState>,
    req: Req<UpgradesOverviewCmd>,
) -> Res<UpgradesOverviewCmd> {
    let _ = req;
    let active = state.profiles.ready().await?;
    let mon = active.session.monitor();
    Ok(upgrade::ipc::overview(&active.session.summaries(), |n| {
        mon.site(n)
    }))
}

/// Creates (or moves) the Plans on each picked site; per-site refusals are in the answer.
#[tauri::command]
pub async fn upgrade_start(
    state: State<'_, AppState>,
    req: Req<UpgradeStartCmd>,
) -> Res<UpgradeStartCmd> {
    check_names(&req.sites)?;
    let active = state.profiles.ready().await?;
    let clients = ClientCache::new(active.vault.clone(), Timeouts::default());
    let changes = ChangeLog::new(active.session.home());
    let mon = active.session.monitor();
    tracing::info!(sites = req.sites.len(), version = %req.version, force = req.force, "k3s upgrade requested");
    upgrade::ipc::start(
        active.session.sites(),
        &clients,
        |n| mon.site(n),
        &req,
        &changes,
    )
    .await
    .map_err(fail)
}

/// Streams the picked K3s sites' progress to `on_update` (see the module doc).
#[tauri::command(rename_all = "snake_case")]
pub async fn upgrade_watch(
    state: State<'_, AppState>,
    req: Req<UpgradeWatchCmd>,
    on_update: Channel<Vec<SiteUpgradeInfo>>,
) -> Res<UpgradeWatchCmd> {
    check_names(&req.sites)?;
    let generation = WATCH_GEN.fetch_add(1, Ordering::SeqCst) + 1;
    if req.sites.is_empty() {
        return Ok(());
    }
    let active = state.profiles.ready().await?;
    let sites: Vec<Site> = req
        .sites
        .iter()
        .map(|n| {
            active
                .session
                .sites()
                .iter()
                .find(|s| &s.name == n)
                .cloned()
                .ok_or_else(|| IpcError::new(ErrorKind::NotFound, format!("no site named {n:?}")))
        })
        .collect::<Result<_, _>>()?;
    if let Some(s) = sites.iter().find(|s| s.distro == Some(Distro::MicroK8s)) {
        return Err(IpcError::new(
            ErrorKind::InvalidInput,
            format!(
                "{} runs MicroK8s: it is upgraded with snap refresh on its nodes, not watched here",
                s.name
            ),
        ));
    }
    let clients = ClientCache::new(active.vault.clone(), Timeouts::default());
    let markers = ProgressMarkers::new(active.session.home());
    tauri::async_runtime::spawn(forward(generation, sites, clients, markers, on_update));
    Ok(())
}

/// Reads every site, sends the list when it changed; ends when superseded, when every
/// site is done (after sending that), when the channel is gone, or after [`MAX_WATCH`].
async fn forward(
    generation: u64,
    sites: Vec<Site>,
    clients: ClientCache,
    markers: ProgressMarkers,
    ch: Channel<Vec<SiteUpgradeInfo>>,
) {
    let started = tokio::time::Instant::now();
    let mut last: Option<Vec<SiteUpgradeInfo>> = None;
    while WATCH_GEN.load(Ordering::SeqCst) == generation && started.elapsed() < MAX_WATCH {
        let mut now = Vec::with_capacity(sites.len());
        for site in &sites {
            let span = tracing::info_span!("upgrade_watch", site = %site.name);
            let _e = span.enter();
            let r = match clients.get(site) {
                Ok(c) => upgrade::status(&c.requests).await,
                Err(e) => Err(e.into()),
            }
            .and_then(|mut st| {
                markers.observe(
                    &site.name,
                    &mut st,
                    DEFAULT_NO_PROGRESS,
                    jiff::Timestamp::now(),
                )?;
                Ok(st)
            });
            if let Err(e) = &r {
                tracing::debug!(error = %e, "upgrade status not read");
                clients.forget(&site.name);
            }
            now.push(upgrade::ipc::info(&site.name, r));
        }
        let all_done = now.iter().all(|s| s.done);
        if last.as_ref() != Some(&now) {
            if ch.send(now.clone()).is_err() {
                return;
            }
            last = Some(now);
        }
        if all_done {
            return;
        }
        tokio::time::sleep(POLL).await;
    }
}
