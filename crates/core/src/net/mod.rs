//! Networking helpers: endpoint parsing, fetching a server's certificate chain, and
//! unauthenticated `GET /version` for discovery.

use crate::error::ErrorKind;

pub mod endpoint;
pub mod tls;

/// Network errors.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NetError {
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("unexpected answer from {0}")]
    Http(String),
}

impl NetError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            NetError::Timeout(_) => ErrorKind::Timeout,
            NetError::Unreachable(_) => ErrorKind::Unreachable,
            NetError::Tls(_) => ErrorKind::Tls,
            NetError::Http(_) => ErrorKind::Api,
        }
    }
}
