//! Typed calls of the Upgrades view (`outpost_ipc::upgrade`).

use super::{Channel, call, call_with};
use outpost_ipc::IpcError;
use outpost_ipc::upgrade::{
    SiteUpgradeInfo, UPGRADE_WATCH_CHANNEL_ARG, UpgradeStartCmd, UpgradeStartRequest,
    UpgradeStartResult, UpgradeWatchCmd, UpgradeWatchRequest, UpgradesOverview,
    UpgradesOverviewCmd, UpgradesOverviewRequest,
};

/// Every site's distro and version, health and MicroK8s commands.
pub async fn overview() -> Result<UpgradesOverview, IpcError> {
    call::<UpgradesOverviewCmd>(&UpgradesOverviewRequest {}).await
}

/// Starts the K3s upgrade on the picked sites; per-site refusals are in the answer.
pub async fn start(req: &UpgradeStartRequest) -> Result<Vec<UpgradeStartResult>, IpcError> {
    call::<UpgradeStartCmd>(req).await
}

/// Streams the sites' per-node progress to `on_update` (the backend ends the previous
/// watch). Keep the returned channel alive for as long as updates are wanted.
pub async fn watch(
    sites: Vec<String>,
    on_update: impl Fn(Vec<SiteUpgradeInfo>) + 'static,
) -> Result<Channel, IpcError> {
    let ch = Channel::new(on_update);
    call_with::<UpgradeWatchCmd>(
        &UpgradeWatchRequest { sites },
        &[(UPGRADE_WATCH_CHANNEL_ARG, ch.arg())],
    )
    .await?;
    Ok(ch)
}

/// Ends the backend's watch (when the view goes away).
pub async fn stop_watch() -> Result<(), IpcError> {
    let ch = Channel::new(|_: Vec<SiteUpgradeInfo>| {});
    call_with::<UpgradeWatchCmd>(
        &UpgradeWatchRequest { sites: Vec::new() },
        &[(UPGRADE_WATCH_CHANNEL_ARG, ch.arg())],
    )
    .await
}
