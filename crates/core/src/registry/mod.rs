//! The site registry: [`Site`] records persisted in the profile's store file.

use crate::error::ErrorKind;

mod site;
mod store;
pub mod watch;
mod window;

/// A sample site for other modules' unit tests.
#[cfg(test)]
pub(crate) use site::tests::sample as sample_site;
pub use site::{
    CredentialKind, CredentialRef, Distro, ExecSpec, Location, Site, command_line, is_dns_label,
    parse_lat_lon, to_dns_label,
};
pub use store::{SCHEMA_VERSION, SiteStore, check_new};
pub use watch::{RegistryWatch, WatchError};
pub use window::MaintenanceWindow;

use std::path::PathBuf;

/// Errors from the site registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{0}")]
    Invalid(String),
    #[error("no site named {0:?}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error(
        "store file {path} is unreadable ({reason}); it was moved aside to {moved_to} and \
         nothing was changed: fix or delete that copy, then retry"
    )]
    Corrupt {
        path: PathBuf,
        moved_to: PathBuf,
        reason: String,
    },
    #[error("cannot read or lock {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::fsutil::FsError),
}

impl RegistryError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            RegistryError::Invalid(_) => ErrorKind::InvalidInput,
            RegistryError::NotFound(_) => ErrorKind::NotFound,
            RegistryError::AlreadyExists(_) => ErrorKind::AlreadyExists,
            RegistryError::Corrupt { .. } | RegistryError::Io { .. } | RegistryError::Write(_) => {
                ErrorKind::Storage
            }
        }
    }
}
