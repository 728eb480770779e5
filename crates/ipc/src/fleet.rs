//! Fleet health: what the map, the sites list and the site view show.
//!
//! Times are Unix milliseconds (UTC) so the UI can compute ages without a date library.
//! `list_sites` answers summaries, `site_detail` one site in depth, and `watch_fleet`
//! streams [`FleetUpdate`]s over a `tauri::ipc::Channel` the backend adds to the request.

use crate::{Command, ConditionStatus, PodPhase, WorkloadKind};
use serde::{Deserialize, Serialize};

/// Health of a site, a node or a workload, worst last.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum HealthLevel {
    Ok,
    Warning,
    Critical,
    /// Never reached, or no data yet.
    #[default]
    Unknown,
}

impl HealthLevel {
    pub const ALL: [HealthLevel; 4] = [
        HealthLevel::Ok,
        HealthLevel::Warning,
        HealthLevel::Critical,
        HealthLevel::Unknown,
    ];

    /// Stable lowercase name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthLevel::Ok => "ok",
            HealthLevel::Warning => "warning",
            HealthLevel::Critical => "critical",
            HealthLevel::Unknown => "unknown",
        }
    }

    /// How bad this is for sorting and for a cluster's colour: critical > warning >
    /// unknown > ok.
    pub fn severity(self) -> u8 {
        match self {
            HealthLevel::Ok => 0,
            HealthLevel::Unknown => 1,
            HealthLevel::Warning => 2,
            HealthLevel::Critical => 3,
        }
    }
}

/// Whether the backend could talk to the site's API server the last time it tried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReachabilityState {
    Reachable,
    /// Refused, no route, DNS failure.
    Unreachable,
    Timeout,
    /// Credentials refused or missing.
    AuthFailed,
    /// Unknown CA, expired certificate, SAN mismatch.
    TlsFailed,
    /// Not tried yet.
    #[default]
    Unknown,
}

impl ReachabilityState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReachabilityState::Reachable => "reachable",
            ReachabilityState::Unreachable => "unreachable",
            ReachabilityState::Timeout => "timeout",
            ReachabilityState::AuthFailed => "auth_failed",
            ReachabilityState::TlsFailed => "tls_failed",
            ReachabilityState::Unknown => "unknown",
        }
    }

    /// Everything except `reachable` and `unknown` means the site is offline for us.
    pub fn is_offline(self) -> bool {
        !matches!(
            self,
            ReachabilityState::Reachable | ReachabilityState::Unknown
        )
    }
}

/// Reachability, typed: the UI and the CLI say it in words
/// ([`Reachability::words`]); the cause chain is only the `detail`, for a disclosure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reachability {
    pub state: ReachabilityState,
    /// What the last failure was (also set while reachable when the API answers with
    /// errors or sends too much); `None` when all is well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::ErrorKind>,
    /// Last answer (Unix ms) while the site is offline: "not answering since".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_ms: Option<i64>,
    /// The cause chain, for the log and the "details" disclosure only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Kubernetes distribution of a site.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Distro {
    K3s,
    Microk8s,
    #[default]
    Other,
}

impl Distro {
    pub const ALL: [Distro; 3] = [Distro::K3s, Distro::Microk8s, Distro::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Distro::K3s => "k3s",
            Distro::Microk8s => "microk8s",
            Distro::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Distro::K3s => "K3s",
            Distro::Microk8s => "MicroK8s",
            Distro::Other => "Other",
        }
    }
}

/// One site as the map and the sites list show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSummary {
    /// Unique site name (the kubeconfig context name).
    pub name: String,
    pub display_name: String,
    pub city: String,
    /// Where the site is; `None` until a location was set (such sites are listed but
    /// not on the map).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub distro: Distro,
    /// `/version` gitVersion, e.g. `v1.31.4+k3s1`; empty when never reached.
    pub version: String,
    pub level: HealthLevel,
    /// Why the level is what it is, worst first ("pod pos/api-7f9 CrashLoopBackOff").
    #[serde(default)]
    pub reasons: Vec<String>,
    pub reachability: Reachability,
    /// Last successful contact (Unix ms); `None` when never reached.
    pub last_seen_ms: Option<i64>,
    /// `Some(snapshot time in Unix ms)` when this data comes from an offline snapshot.
    pub stale: Option<i64>,
    pub nodes_ready: u32,
    pub nodes_total: u32,
    pub workloads_available: u32,
    pub workloads_desired: u32,
    pub problem_pods: u32,
    /// Expiry (Unix ms) of the earliest-expiring client/serving certificate.
    pub cert_expires_ms: Option<i64>,
}

impl SiteSummary {
    /// `(latitude, longitude)` when the site has a valid location.
    pub fn position(&self) -> Option<(f64, f64)> {
        let (lat, lon) = (self.latitude?, self.longitude?);
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
    }
}

/// A node condition (`Ready`, `MemoryPressure`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeCondition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: ConditionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A node of a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeInfo {
    pub name: String,
    pub ready: bool,
    #[serde(default)]
    pub roles: Vec<String>,
    pub kubelet_version: String,
    #[serde(default)]
    pub conditions: Vec<NodeCondition>,
    /// CPU and memory usage in percent of allocatable, when metrics-server answers.
    pub cpu_percent: Option<f32>,
    pub memory_percent: Option<f32>,
}

/// A Deployment, StatefulSet or DaemonSet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadInfo {
    /// `Deployment`, `StatefulSet`, `DaemonSet`.
    pub kind: WorkloadKind,
    pub namespace: String,
    pub name: String,
    pub ready: u32,
    pub desired: u32,
    #[serde(default)]
    pub images: Vec<String>,
}

/// A pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodInfo {
    pub namespace: String,
    pub name: String,
    pub phase: PodPhase,
    /// Waiting/terminated reason of the worst container, e.g. `CrashLoopBackOff`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub ready: bool,
    pub restarts: u32,
    /// Creation time (Unix ms).
    pub started_ms: Option<i64>,
    pub node: Option<String>,
    /// Owning workload as `Kind/name`.
    pub owner: Option<String>,
}

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    Normal,
    Warning,
}

/// A Kubernetes event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInfo {
    #[serde(rename = "type")]
    pub type_: EventType,
    pub reason: String,
    /// `Kind/name` of the involved object.
    pub object: String,
    pub message: String,
    pub count: u32,
    pub last_ms: Option<i64>,
}

/// Everything about one site. Events come warnings first, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteDetail {
    pub summary: SiteSummary,
    #[serde(default)]
    pub nodes: Vec<NodeInfo>,
    #[serde(default)]
    pub workloads: Vec<WorkloadInfo>,
    #[serde(default)]
    pub pods: Vec<PodInfo>,
    #[serde(default)]
    pub events: Vec<EventInfo>,
}

/// One message of the `watch_fleet` channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FleetUpdate {
    /// The whole fleet: replaces whatever the UI had (sent first, and after a resync).
    Full { sites: Vec<SiteSummary> },
    /// One site was added or changed.
    Changed { site: Box<SiteSummary> },
    /// One site was removed from the profile.
    Removed { name: String },
}

/// `list_sites`: summaries of every site of the active profile.
pub struct ListSitesCmd;

impl Command for ListSitesCmd {
    const NAME: &'static str = "list_sites";
    type Request = ListSitesRequest;
    type Response = Vec<SiteSummary>;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSitesRequest {}

/// `site_detail`: one site in depth (`not_found` for an unknown name).
pub struct SiteDetailCmd;

impl Command for SiteDetailCmd {
    const NAME: &'static str = "site_detail";
    type Request = SiteDetailRequest;
    type Response = SiteDetail;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteDetailRequest {
    pub name: String,
}

/// `watch_fleet`: starts streaming [`FleetUpdate`]s; the backend handler takes the
/// request plus a `tauri::ipc::Channel<FleetUpdate>` argument named `on_update`.
pub struct WatchFleetCmd;

impl Command for WatchFleetCmd {
    const NAME: &'static str = "watch_fleet";
    type Request = WatchFleetRequest;
    type Response = ();
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchFleetRequest {}

/// `change_journal`: what was changed at a site from Outpost (who, what, when, result),
/// newest first.
pub struct ChangeJournalCmd;

impl Command for ChangeJournalCmd {
    const NAME: &'static str = "change_journal";
    type Request = SiteDetailRequest;
    type Response = Vec<crate::rollout::ChangeEntry>;
}

/// Name of the channel argument of `watch_fleet`.
pub const WATCH_FLEET_CHANNEL_ARG: &str = "on_update";

#[cfg(test)]
#[path = "fleet_tests.rs"]
mod tests;
