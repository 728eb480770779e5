//! The health data model: the pruned per-site state kept in memory and in snapshots,
//! and the [`SiteHealth`] summary the CLI prints and the app streams.

use crate::registry::Distro;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Overall health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
            Level::Unknown => "unknown",
        }
    }
}

/// Whether the API server could be reached, and if not why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    Reachable,
    Unreachable,
    Timeout,
    AuthFailed,
    TlsFailed,
    /// Not probed yet.
    Unknown,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Reachable => "reachable",
            Reach::Unreachable => "unreachable",
            Reach::Timeout => "timeout",
            Reach::AuthFailed => "auth-failed",
            Reach::TlsFailed => "tls-failed",
            Reach::Unknown => "unknown",
        }
    }

    /// The reachability a client error means (an API error status means it answered).
    pub fn of(e: &crate::client::ClientError) -> Reach {
        use crate::client::ClientError as E;
        match e {
            E::Unreachable(_) => Reach::Unreachable,
            E::Timeout(_) => Reach::Timeout,
            E::Tls(_) => Reach::TlsFailed,
            E::Auth(_) | E::Credentials(_) => Reach::AuthFailed,
            // It answered, with more than it should: the reason says so.
            E::Api { .. } | E::TooLarge { .. } => Reach::Reachable,
            E::Config(_) => Reach::Unknown,
        }
    }
}

/// A node, pruned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    pub ready: bool,
    /// `MemoryPressure`, `DiskPressure`, `PIDPressure`, `NetworkUnavailable` when true.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pressure: Vec<String>,
    #[serde(default)]
    pub microk8s: bool,
    /// The kubelet's version (compared by the diff on reconnect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_version: Option<String>,
}

/// A Deployment, StatefulSet or DaemonSet, pruned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadInfo {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub desired: i32,
    pub available: i32,
    /// Container name → image of the pod template (compared by the diff on reconnect;
    /// empty in snapshots written before it was kept).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub images: BTreeMap<String, String>,
}

/// What is wrong with a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PodTrouble {
    CrashLoop,
    ImagePull,
}

/// A pod, pruned to what health needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodInfo {
    pub namespace: String,
    pub name: String,
    pub restarts: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trouble: Option<PodTrouble>,
    /// The waiting reason (`CrashLoopBackOff`, `ImagePullBackOff`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `Kind/name` of the owning workload (`Deployment/web`, `StatefulSet/db`; a
    /// ReplicaSet without its pod-template-hash label stays `ReplicaSet/…`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A warning event, pruned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInfo {
    pub namespace: String,
    /// `Kind/name` of the object.
    pub object: String,
    pub reason: String,
    /// At most 200 characters.
    pub message: String,
    pub count: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<jiff::Timestamp>,
}

/// Everything cached about a site (keys: `ns/name`, or `Kind/ns/name` for workloads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_not_after: Option<jiff::Timestamp>,
    #[serde(deserialize_with = "at_most")]
    pub nodes: BTreeMap<String, NodeInfo>,
    /// Three watched kinds share this map.
    #[serde(deserialize_with = "at_most_3")]
    pub workloads: BTreeMap<String, WorkloadInfo>,
    #[serde(deserialize_with = "at_most")]
    pub pods: BTreeMap<String, PodInfo>,
    #[serde(deserialize_with = "at_most")]
    pub events: BTreeMap<String, EventInfo>,
}

/// How the error of a map over its bound starts.
pub(crate) const TOO_MANY: &str = "too many entries";

/// A map of at most `n` entries: a stored state (a snapshot, a bundle's) never holds
/// more than the watches keep, so anything larger is refused while it is parsed.
fn bounded_map<'de, D, V>(d: D, n: usize) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Vis<V>(usize, std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Vis<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a map of at most {} entries", self.0)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut m: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = m.next_entry::<String, V>()? {
                if out.len() >= self.0 {
                    return Err(serde::de::Error::custom(format_args!(
                        "{TOO_MANY}: more than {}",
                        self.0
                    )));
                }
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Vis(n, std::marker::PhantomData))
}

fn at_most<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    bounded_map(d, crate::client::MAX_OBJECTS)
}

fn at_most_3<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    bounded_map(d, 3 * crate::client::MAX_OBJECTS)
}

/// A pod with a problem, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodProblem {
    pub namespace: String,
    pub pod: String,
    pub trouble: PodTrouble,
    pub reason: String,
    pub restarts: i32,
}

/// One site's health, as shown and streamed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteHealth {
    pub name: String,
    pub display_name: String,
    pub tags: Vec<String>,
    pub level: Level,
    pub reasons: Vec<String>,
    pub reach: Reach,
    /// What the last failure was, typed (the words come from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach_kind: Option<crate::error::ErrorKind>,
    /// The failure's cause chain: for the log and the "details" disclosure only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach_reason: Option<String>,
    /// When the site last answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub nodes_ready: u32,
    pub nodes_total: u32,
    /// `node: Condition` for every pressure condition that is true.
    pub node_pressure: Vec<String>,
    /// Workloads with every desired replica available.
    pub workloads_available: u32,
    pub workloads_total: u32,
    pub problem_pods: Vec<PodProblem>,
    /// Most recent warning events (at most 10).
    pub warnings: Vec<EventInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_not_after: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_days_left: Option<i64>,
    /// True when the data comes from a snapshot because the site is not answering.
    pub stale: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_age_secs: Option<i64>,
}
