//! Fleet rollouts: one Deployment's new image(s) rolled out across sites in waves, each
//! site gated on a complete rollout and a crash-free soak, with a failure budget per
//! wave, rollback or pause on failure, offline sites kept pending and retried, and an
//! append-only journal that lets a killed process resume without updating a site twice.

use crate::error::ErrorKind;

mod engine;
pub mod ipc;
mod journal;
mod plan;
mod report;
mod site;
mod state;
mod store;

pub use engine::{Engine, EngineOptions};
pub use journal::{Control, Entry, Journal, Record, SiteOutcome};
pub use plan::{
    HealthGate, OnFailure, Plan, Targets, WaveSize, default_waves, new_id, parse_waves,
    split_waves, valid_id,
};
pub use report::{Report, SiteReport};
pub use state::{Counts, RolloutView, SiteStatus, SiteView, Status};
pub use store::{RolloutStore, RunLock};

use std::path::PathBuf;

/// Errors from fleet rollouts.
#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    #[error("{0}")]
    Invalid(String),
    #[error("no rollout {0:?}")]
    NotFound(String),
    #[error("rollout {0} has no readable plan in its journal")]
    Corrupt(String),
    #[error("rollout {0} is being run by another process")]
    Busy(String),
    #[error("rollout {id} is {} and cannot be resumed", status.as_str())]
    NotResumable { id: String, status: Status },
    #[error("rollout journal {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
}

impl RolloutError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            RolloutError::Invalid(_) => ErrorKind::InvalidInput,
            RolloutError::NotFound(_) => ErrorKind::NotFound,
            RolloutError::Corrupt(_) | RolloutError::Io { .. } => ErrorKind::Storage,
            RolloutError::Busy(_) => ErrorKind::Busy,
            RolloutError::NotResumable { .. } => ErrorKind::Conflict,
            RolloutError::Registry(e) => e.kind(),
        }
    }
}
