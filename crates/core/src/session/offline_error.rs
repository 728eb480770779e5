//! [`OfflineError`]: why an export, the changes, a dismissal or opening logs failed,
//! with a `kind()` in the IPC kind names (the app and the CLI show the same words).

use crate::bundle::BundleError;
use crate::error::ErrorKind;
use crate::logs::LogError;
use crate::snapshot::SnapshotError;

/// Why a Session read of a site (live or offline) failed.
#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    /// The request is malformed.
    #[error("{0}")]
    Invalid(String),
    /// The site is not registered in the profile.
    #[error("no site named {0:?}")]
    UnknownSite(String),
    /// The site does not answer and nothing kept can stand in for it.
    #[error("{0}")]
    Offline(String),
    /// The site does not answer and the bundle stored for it is encrypted.
    #[error("{0}")]
    Encrypted(String),
    /// What was asked for is not in what is kept.
    #[error("{0}")]
    Missing(String),
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Logs(#[from] LogError),
    /// A file could not be written.
    #[error("{0}")]
    Storage(String),
}

impl OfflineError {
    /// Coarse category (the app and the CLI show its words).
    pub fn kind(&self) -> ErrorKind {
        match self {
            OfflineError::Invalid(_) => ErrorKind::InvalidInput,
            OfflineError::UnknownSite(_) | OfflineError::Missing(_) => ErrorKind::NotFound,
            OfflineError::Offline(_) => ErrorKind::Unreachable,
            OfflineError::Encrypted(_) => ErrorKind::Passphrase,
            OfflineError::Bundle(e) => e.kind(),
            OfflineError::Snapshot(e) => e.kind(),
            OfflineError::Logs(e) => e.kind(),
            OfflineError::Storage(_) => ErrorKind::Storage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientError;

    /// Moved from the app's `snapshots_tests.rs` with the mapping.
    #[test]
    fn bundle_errors_have_typed_kinds() {
        let cases = [
            (BundleError::Truncated, "invalid_input", "truncated"),
            (BundleError::NotABundle, "invalid_input", "not an Outpost"),
            (
                BundleError::UnsupportedVersion {
                    found: 9,
                    supported: 1,
                },
                "invalid_input",
                "version 9",
            ),
            (
                BundleError::Corrupt("crc".into()),
                "invalid_input",
                "corrupt",
            ),
            (BundleError::WrongPassphrase, "auth", "wrong passphrase"),
            (
                BundleError::PassphraseRequired,
                "auth",
                "passphrase is needed",
            ),
            (
                BundleError::Older {
                    site: "a".into(),
                    bundle: jiff::Timestamp::UNIX_EPOCH,
                    stored: jiff::Timestamp::UNIX_EPOCH,
                },
                "conflict",
                "nothing was imported",
            ),
            (
                BundleError::EndpointMismatch {
                    site: "a".into(),
                    bundle: "https://10.0.0.9:6443".into(),
                    registered: "https://10.0.0.1:6443".into(),
                },
                "conflict",
                "import it as a new site",
            ),
            (
                BundleError::NameTaken("a".into()),
                "conflict",
                "already exists",
            ),
            (
                BundleError::Site {
                    site: "a".into(),
                    source: ClientError::Credentials("none".into()),
                },
                "auth",
                "credentials",
            ),
        ];
        for (e, kind, text) in cases {
            let o = OfflineError::from(e);
            assert_eq!(outpost_ipc::ErrorKind::from(o.kind()).as_str(), kind, "{o}");
            assert!(o.to_string().contains(text), "{o}");
        }
    }
}
