//! Upgrades view commands: the fleet's version drift, starting a K3s upgrade on picked
//! sites, and their per-node progress streamed over a `tauri::ipc::Channel`. Each
//! validates, makes one `outpost_core::upgrade` call and maps the error.
//!
//! One watch runs at a time: a new `upgrade_watch` (an empty one when the view goes
//! away) ends the previous one. A watch also ends once every watched site is done.

use crate::{error, state::AppState};
use outpost_core::actions::ChangeLog;
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::registry::{Distro, Site};
use outpost_core::upgrade::{self, DEFAULT_NO_PROGRESS, ProgressMarkers, UpgradeError};
use outpost_ipc::upgrade::{
    SiteUpgradeInfo, UpgradeStartCmd, UpgradeWatchCmd, UpgradesOverviewCmd,
};
use outpost_ipc::{Command, ErrorKind, IpcError};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tauri::State;
use tauri::ipc::Channel;
use tracing::Instrument;

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// How often a watched upgrade is read.
const POLL: Duration = Duration::from_secs(1);
/// A watch never outlives this (the view starts a new one when it is still open).
const MAX_WATCH: Duration = Duration::from_secs(3 * 3600);

/// The Upgrades view's backend state: the generation of the current watch, bumped by
/// every `upgrade_watch`; older watches see it and end.
#[derive(Default)]
pub struct UpgradesState {
    watch_gen: Arc<AtomicU64>,
}

fn fail(e: UpgradeError) -> IpcError {
    error::core(e.kind(), e)
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
    req.sites
        .iter()
        .try_for_each(|n| crate::commands::check_name(n))?;
    let active = state.profiles.ready().await?;
    let clients = ClientCache::new(active.vault.clone(), Timeouts::default());
    let changes = ChangeLog::new(active.session.home());
    let mon = active.session.monitor();
    tracing::info!(sites = req.sites.len(), version = %req.version, force = req.force, "k3s upgrade requested");
    upgrade::ipc::start(
        &active.session.sites(),
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
    watches: State<'_, UpgradesState>,
    req: Req<UpgradeWatchCmd>,
    on_update: Channel<Vec<SiteUpgradeInfo>>,
) -> Res<UpgradeWatchCmd> {
    req.sites
        .iter()
        .try_for_each(|n| crate::commands::check_name(n))?;
    let generation = watches.watch_gen.fetch_add(1, Ordering::SeqCst) + 1;
    if req.sites.is_empty() {
        return Ok(());
    }
    let active = state.profiles.ready().await?;
    let sites: Vec<Site> = req
        .sites
        .iter()
        .map(|n| crate::commands::site_of(&active.session.sites(), n))
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
    let current = Arc::clone(&watches.watch_gen);
    let watch = Watch {
        generation,
        current,
        sites,
        clients,
        markers,
    };
    tauri::async_runtime::spawn(forward(watch, on_update));
    Ok(())
}

/// One running watch: its generation, the current one, and what it reads.
struct Watch {
    generation: u64,
    current: Arc<AtomicU64>,
    sites: Vec<Site>,
    clients: ClientCache,
    markers: ProgressMarkers,
}

/// Reads every site, sends the list when it changed; ends when superseded, when every
/// site is done (after sending that), when the channel is gone, or after [`MAX_WATCH`].
async fn forward(w: Watch, ch: Channel<Vec<SiteUpgradeInfo>>) {
    let started = tokio::time::Instant::now();
    let mut last: Option<Vec<SiteUpgradeInfo>> = None;
    while w.current.load(Ordering::SeqCst) == w.generation && started.elapsed() < MAX_WATCH {
        let mut now = Vec::with_capacity(w.sites.len());
        for site in &w.sites {
            let span = tracing::info_span!("upgrade_watch", site = %site.name);
            now.push(read(&w, site).instrument(span).await);
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

/// One site's progress, with the no-progress check applied.
async fn read(w: &Watch, site: &Site) -> SiteUpgradeInfo {
    let r = match w.clients.get(site) {
        Ok(c) => upgrade::status(&c.requests).await,
        Err(e) => Err(e.into()),
    }
    .and_then(|mut st| {
        w.markers.observe(
            &site.name,
            &mut st,
            DEFAULT_NO_PROGRESS,
            jiff::Timestamp::now(),
        )?;
        Ok(st)
    });
    if let Err(e) = &r {
        tracing::debug!(error = %e, "upgrade status not read");
        w.clients.forget(&site.name);
    }
    upgrade::ipc::info(&site.name, r)
}
