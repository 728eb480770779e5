//! What a simulated site is made of: identity, location, distro, nodes and workloads.
//!
//! A [`SiteSpec`] is the input to both halves of the simulator: the API layer starts a
//! TLS server for it (port, certificates, credentials, initial faults) and the world
//! seeds its objects (nodes, system pods, workloads) from it.

use serde::{Deserialize, Serialize};

/// The Kubernetes distribution a site imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distro {
    /// Client-certificate auth, port 6443, gitVersion like `v1.31.4+k3s1`, names `default`.
    K3s,
    /// Bearer-token auth, port 16443, plain upstream gitVersion, names `microk8s*`.
    MicroK8s,
}

impl Distro {
    /// The API port a real installation listens on.
    pub fn default_port(self) -> u16 {
        match self {
            Distro::K3s => 6443,
            Distro::MicroK8s => 16443,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    /// control-plane (K3s server, MicroK8s node running the API)
    Server,
    Agent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSpec {
    pub name: String,
    pub role: NodeRole,
    pub cpu_millis: u64,
    pub memory_mib: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

/// What a workload's log lines look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogProfile {
    /// HTTP access log + app messages (pos-terminal, web apps).
    WebApp,
    /// Frame/inference statistics (camera-analytics).
    Camera,
    /// MQTT broker connections and publishes.
    Mqtt,
    /// Cache hits/misses and evictions (local-cache).
    Cache,
    /// Generic structured JSON lines.
    Json,
    /// HTML/script, ANSI escapes, 1 MB lines and invalid UTF-8, for security tests.
    Hostile,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadSpec {
    pub namespace: String,
    pub name: String,
    pub kind: WorkloadKind,
    /// Container name (one main container per workload).
    pub container: String,
    pub image: String,
    /// Ignored for DaemonSets (one pod per node).
    pub replicas: u32,
    pub logs: LogProfile,
    /// Start crash-looping regardless of image (the demo's degraded site).
    pub crash_loop: bool,
}

/// One simulated site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSpec {
    /// DNS-1123 label; also the kubeconfig context name.
    pub name: String,
    pub display_name: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub tags: Vec<String>,
    pub distro: Distro,
    /// `/version` gitVersion: `v1.31.4+k3s1` for K3s, `v1.30.5` for MicroK8s.
    pub version: String,
    pub nodes: Vec<NodeSpec>,
    pub workloads: Vec<WorkloadSpec>,
    /// system-upgrade-controller installed: the Plan CRD is served and plans are executed.
    pub upgrade_controller: bool,
    /// Days until the serving (and client) certificates expire, counted from start.
    pub cert_valid_days: i64,
    /// Starts unreachable (connection refused) until the fault is cleared.
    pub offline: bool,
}

/// Rules the world uses to decide what happens to an image. Deterministic, so tests can
/// pick images that fail on purpose:
/// - registry host ending in `.invalid`, or a tag starting with `bad` or `missing`:
///   the pull fails (`ErrImagePull`, then `ImagePullBackOff`);
/// - a tag containing `crash`: the container starts, then crash-loops.
pub mod image_rules {
    /// The tag of an image reference (`latest` when none is given).
    pub fn tag(image: &str) -> &str {
        let last = image.rsplit('/').next().unwrap_or(image);
        let last = last.split('@').next().unwrap_or(last);
        last.split_once(':').map(|(_, t)| t).unwrap_or("latest")
    }

    /// Whether the site can pull this image.
    pub fn pullable(image: &str) -> bool {
        let host_invalid = image
            .split_once('/')
            .map(|(host, _)| {
                (host.contains('.') || host.contains(':')) && host.ends_with(".invalid")
            })
            .unwrap_or(false);
        let t = tag(image);
        !(host_invalid || t.starts_with("bad") || t.starts_with("missing"))
    }

    /// Whether a container from this image crash-loops.
    pub fn crashes(image: &str) -> bool {
        tag(image).contains("crash")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn rules() {
            assert_eq!(tag("registry.local:5000/pos:2.4"), "2.4");
            assert_eq!(tag("nginx"), "latest");
            assert!(pullable("registry.local:5000/pos:2.4"));
            assert!(!pullable("registry.local/pos:bad-2.5"));
            assert!(!pullable("nowhere.invalid/pos:2.4"));
            assert!(crashes("pos:2.4-crash"));
            assert!(!crashes("pos:2.4"));
        }
    }
}
