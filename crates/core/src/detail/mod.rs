//! What the desktop app's site view and fleet map show, as `outpost-ipc` types.
//!
//! [`summary`] turns a site record and its [`SiteHealth`](crate::health::SiteHealth) into
//! the map/list row; [`fetch`] reads one site in depth (nodes with conditions and
//! metrics, workloads with images, pods, events) within a deadline; [`from_snapshot`]
//! gives the same view from the last snapshot when the site does not answer, so the UI
//! can show it with an "as of" banner instead of silently stale data.

use crate::error::ErrorKind;

mod bundle;
mod convert;
mod fetch;
mod quantity;
mod summary;

pub use bundle::from_bundle;
pub use fetch::fetch;
pub use quantity::{parse_cpu_millis, parse_memory_bytes};
pub use summary::{from_snapshot, summary};

use crate::client::ClientError;

/// Why a site's detail could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DetailError {
    /// The site is not registered in the active profile.
    #[error("no site named {0:?}")]
    UnknownSite(String),
    /// The site did not answer and no snapshot of it exists.
    #[error("{site} cannot be reached ({source}) and there is no snapshot of it yet")]
    NoData { site: String, source: ClientError },
    /// The site answered but refused the read (a request it rejects).
    #[error("{site} could not be read: {source}")]
    Read { site: String, source: ClientError },
}

impl DetailError {
    /// Coarse category: `not_found`, or the client error's kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DetailError::UnknownSite(_) => ErrorKind::NotFound,
            DetailError::NoData { source, .. } | DetailError::Read { source, .. } => match source {
                ClientError::Credentials(_) => ErrorKind::Auth,
                ClientError::Api { .. } | ClientError::Config(_) | ClientError::TooLarge { .. } => {
                    ErrorKind::Unreachable
                }
                other => other.kind(),
            },
        }
    }
}
