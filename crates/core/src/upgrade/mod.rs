//! K3s upgrades through system-upgrade-controller: detect the controller, create the
//! server and agent `Plan`s (pinned version, concurrency 1, cordon, optional window),
//! follow per-node progress (`status.applying`, the Jobs, node versions), detect a stuck
//! upgrade and say what to do next. MicroK8s sites get the exact `snap refresh` command.
//! A site whose last health check failed is refused unless forced. An upgrade that makes
//! no progress for a while is reported too ([`ProgressMarkers`]).

use crate::error::ErrorKind;

pub mod ipc;
mod plans;
mod progress;
mod stall;

pub use plans::{
    AGENT_PLAN, Controller, SERVER_PLAN, Started, agent_plan, check_health, detect,
    microk8s_command, server_plan, start, suc_window,
};
pub use progress::{NodeState, NodeUpgrade, SiteUpgrade, Stuck, StuckKind, status};
pub use stall::{DEFAULT_NO_PROGRESS, ProgressMarkers};

use crate::actions::ActionError;
use crate::client::{ClientError, classify};

/// Errors from upgrades.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("{0}")]
    Invalid(String),
    /// The last health check of the site failed.
    #[error(
        "refusing to upgrade {site}: its last health check failed ({why}); use --force to override"
    )]
    Unhealthy { site: String, why: String },
    #[error(
        "system-upgrade-controller is not installed on {0}: install it (kubectl apply -f https://github.com/rancher/system-upgrade-controller/releases/latest/download/system-upgrade-controller.yaml) and retry"
    )]
    NoController(String),
    #[error(transparent)]
    Journal(#[from] ActionError),
    #[error("upgrade progress marker {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Storage(#[from] crate::fsutil::FsError),
}

impl UpgradeError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            UpgradeError::Client(e) => e.kind(),
            UpgradeError::Invalid(_) => ErrorKind::InvalidInput,
            UpgradeError::Unhealthy { .. } => ErrorKind::Unhealthy,
            UpgradeError::NoController(_) => ErrorKind::NotFound,
            UpgradeError::Journal(e) => e.kind(),
            UpgradeError::Io { .. } => ErrorKind::Storage,
            UpgradeError::Storage(e) => e.kind(),
        }
    }
}

pub(crate) fn kube_err(e: &kube::Error) -> UpgradeError {
    UpgradeError::Client(classify(e))
}

/// A K3s version as system-upgrade-controller wants it: `v1.31.4+k3s1` (the same check
/// as the desktop form's, shared through `outpost-ipc`).
pub fn valid_k3s_version(v: &str) -> bool {
    outpost_ipc::upgrade::valid_k3s_version(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microk8s_commands() {
        // (The K3s version check is outpost-ipc's, tested there.)
        assert_eq!(
            microk8s_command("v1.31.4").unwrap(),
            "sudo snap refresh microk8s --channel=1.31/stable"
        );
        assert!(microk8s_command("latest").is_err());
    }
}
