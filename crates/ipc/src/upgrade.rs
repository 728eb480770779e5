//! The Upgrades view's types and commands: the fleet's version drift
//! (`upgrades_overview`), starting a K3s upgrade on picked sites (`upgrade_start`), and
//! the per-site, per-node progress streamed over a channel (`upgrade_watch`).
//!
//! K3s upgrades go through system-upgrade-controller Plans pinned to a version; MicroK8s
//! sites cannot be upgraded by Outpost and get the exact `snap refresh` command instead.

use crate::{Command, Distro, NodeRole, StuckKind};
use serde::{Deserialize, Serialize};

/// Name of the channel argument of `upgrade_watch`
/// (`tauri::ipc::Channel<Vec<SiteUpgradeInfo>>`).
pub const UPGRADE_WATCH_CHANNEL_ARG: &str = "on_update";

/// A K3s version as system-upgrade-controller wants it, pinned: `v1.31.4+k3s1`. Shared
/// by the core (which enforces it) and the form (which says so while typing).
pub fn valid_k3s_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let Some((core, k)) = rest.split_once("+k3s") else {
        return false;
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && !k.is_empty()
        && k.chars().all(|c| c.is_ascii_digit())
}

/// `upgrades_overview`: every site's distro and version, for the drift table.
pub struct UpgradesOverviewCmd;

impl Command for UpgradesOverviewCmd {
    const NAME: &'static str = "upgrades_overview";
    type Request = UpgradesOverviewRequest;
    type Response = UpgradesOverview;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradesOverviewRequest {}

/// One site in the drift table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeSiteRow {
    pub name: String,
    pub display_name: String,
    pub distro: Distro,
    /// `/version` gitVersion; empty when never reached.
    pub version: String,
    /// Older than the newest version of its distro in the fleet.
    pub behind: bool,
    /// Its last health check passed (an upgrade would not be refused).
    pub healthy: bool,
    /// Why it would be refused, when not healthy.
    #[serde(default)]
    pub health_reason: Option<String>,
    /// MicroK8s: the exact command to run on each node (Outpost cannot run it).
    #[serde(default)]
    pub snap_command: Option<String>,
}

/// The fleet's versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradesOverview {
    pub sites: Vec<UpgradeSiteRow>,
    /// The newest K3s version seen in the fleet (the form's default target).
    pub newest_k3s: Option<String>,
    pub newest_microk8s: Option<String>,
}

/// `upgrade_start`: creates (or moves) the server and agent Plans on each picked K3s site.
pub struct UpgradeStartCmd;

impl Command for UpgradeStartCmd {
    const NAME: &'static str = "upgrade_start";
    type Request = UpgradeStartRequest;
    type Response = Vec<UpgradeStartResult>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeStartRequest {
    pub sites: Vec<String>,
    /// Pinned, e.g. `v1.31.4+k3s1`.
    pub version: String,
    /// `DAYS HH:MM-HH:MM TZ`, e.g. `sat,sun 02:00-05:00 Europe/Paris`.
    #[serde(default)]
    pub window: Option<String>,
    /// Upgrade even sites whose last health check failed.
    #[serde(default)]
    pub force: bool,
}

/// What starting did at one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeStartResult {
    pub site: String,
    pub ok: bool,
    /// What was done, or why it was refused.
    pub message: String,
    /// The core's error kind when refused (`unhealthy`, `not_found`, `invalid_input`…).
    #[serde(default)]
    pub error_kind: Option<crate::ErrorKind>,
    /// MicroK8s: the command to run on each node instead.
    #[serde(default)]
    pub snap_command: Option<String>,
}

/// `upgrade_watch`: streams the sites' upgrade progress to the channel (about every
/// second, on change) until every one is done, or a newer watch replaces it. An empty
/// list only stops the current watch.
pub struct UpgradeWatchCmd;

impl Command for UpgradeWatchCmd {
    const NAME: &'static str = "upgrade_watch";
    type Request = UpgradeWatchRequest;
    type Response = ();
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeWatchRequest {
    pub sites: Vec<String>,
}

/// Where one node stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeUpgradeState {
    UpToDate,
    /// Not started yet (one node at a time per Plan, or outside the window).
    Waiting,
    Upgrading,
    Stuck,
}

/// One node's upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeUpgradeInfo {
    pub name: String,
    pub role: NodeRole,
    pub version: String,
    pub target: Option<String>,
    pub state: NodeUpgradeState,
    pub cordoned: bool,
    /// The node's latest upgrade Job.
    pub job: Option<String>,
}

/// A stuck node and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StuckInfo {
    pub node: String,
    pub job: Option<String>,
    pub kind: StuckKind,
    pub reason: String,
    pub next_steps: Vec<String>,
    /// For `no_progress`: unchanged since (Unix ms).
    #[serde(default)]
    pub since_ms: Option<i64>,
}

/// A site's upgrade, as seen now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteUpgradeInfo {
    pub site: String,
    /// Why the site could not be read now.
    #[serde(default)]
    pub error: Option<String>,
    /// system-upgrade-controller is installed (the Plan CRD is served).
    pub controller: bool,
    pub controller_image: Option<String>,
    /// The version the Plans pin; `None` when no upgrade was planned.
    pub target: Option<String>,
    /// The Plans' `status.applying`.
    pub applying: Vec<String>,
    pub nodes: Vec<NodeUpgradeInfo>,
    pub stuck: Vec<StuckInfo>,
    /// Every node is at the target.
    pub done: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_k3s_versions_only() {
        assert!(valid_k3s_version("v1.31.4+k3s1"));
        for bad in [
            "1.31.4+k3s1",
            "v1.31+k3s1",
            "v1.31.4",
            "v1.31.4+k3s",
            "v1.31.4+k3s1;rm",
            "latest",
            "",
        ] {
            assert!(!valid_k3s_version(bad), "{bad}");
        }
    }
}
