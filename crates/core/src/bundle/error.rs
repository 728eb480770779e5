//! The one error type of the bundle module: every way an export, an import, a diff or
//! a parse can fail, with a coarse [`BundleError::kind`] for exit codes and IPC.

use crate::error::ErrorKind;

use std::path::PathBuf;

/// Why a bundle could not be written, read, imported or compared.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The file does not start with the bundle magic.
    #[error("not an Outpost snapshot bundle")]
    NotABundle,
    /// A format version this Outpost cannot read.
    #[error("unsupported bundle format version {found} (this Outpost reads version {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    /// The file ends before the bundle does.
    #[error("the bundle is truncated")]
    Truncated,
    /// The bytes do not decode (checksum, framing, JSON, authentication after the start).
    #[error("the bundle is corrupt: {0}")]
    Corrupt(String),
    /// An entry name that could escape a directory or is otherwise not allowed.
    #[error("the bundle has a hostile entry name {0:?}")]
    HostileName(String),
    /// A size over the reader's bounds (zip bombs, huge entries, too many entries or
    /// objects, more parsed than memory allows); `limit` is in the unit `what` counts.
    #[error("the bundle is too large: {what} exceeds its limit of {limit}")]
    TooLarge { what: String, limit: u64 },
    /// The bundle is encrypted and no passphrase was given.
    #[error("the bundle is encrypted: a passphrase is needed")]
    PassphraseRequired,
    /// Authentication of the first encrypted chunk failed.
    #[error("wrong passphrase, or the bundle is corrupt")]
    WrongPassphrase,
    /// The bundle's content is well-formed but not acceptable.
    #[error("invalid bundle: {0}")]
    Invalid(String),
    /// The imported snapshot is older than the one already stored for the site.
    #[error(
        "the bundle for {site} was taken at {bundle}, before the stored snapshot ({stored}); nothing was imported"
    )]
    Older {
        site: String,
        bundle: jiff::Timestamp,
        stored: jiff::Timestamp,
    },
    /// The bundle names a registered site but was taken from another endpoint: it may
    /// be another cluster, so it is imported only as a new site the user names.
    #[error(
        "the bundle for {site} was taken from {bundle}, but {site} is registered at {registered}; import it as a new site to keep both"
    )]
    EndpointMismatch {
        site: String,
        bundle: String,
        registered: String,
    },
    /// The name asked for a new site is already registered.
    #[error("a site named {0:?} already exists: choose another name")]
    NameTaken(String),
    /// Reading a site (export, live diff) failed.
    #[error("site {site}: {source}")]
    Site {
        site: String,
        source: crate::client::ClientError,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    #[error(transparent)]
    Snapshot(#[from] crate::snapshot::SnapshotError),
    #[error("encryption failed")]
    Crypto,
}

impl BundleError {
    /// Coarse category: `not-a-bundle`, `version`, `truncated`, `corrupt`, `hostile`,
    /// `too-large`, `passphrase`, `invalid`, `older`, `endpoint`, `name-taken`, `site`,
    /// `storage`, `registry`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            // A file handed in that is not a usable bundle: the message says why.
            BundleError::NotABundle
            | BundleError::UnsupportedVersion { .. }
            | BundleError::Truncated
            | BundleError::Corrupt(_)
            | BundleError::HostileName(_)
            | BundleError::TooLarge { .. }
            | BundleError::Invalid(_) => ErrorKind::InvalidInput,
            BundleError::PassphraseRequired | BundleError::WrongPassphrase => ErrorKind::Passphrase,
            BundleError::Older { .. }
            | BundleError::EndpointMismatch { .. }
            | BundleError::NameTaken(_) => ErrorKind::Conflict,
            BundleError::Site { source, .. } => source.kind(),
            BundleError::Io { .. } | BundleError::Snapshot(_) | BundleError::Crypto => {
                ErrorKind::Storage
            }
            BundleError::Registry(e) => e.kind(),
        }
    }

    /// Maps an I/O error met while decoding: an early end is truncation, anything
    /// else (zstd checksum, bad frame) is corruption.
    pub(crate) fn decode(e: std::io::Error) -> BundleError {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            return BundleError::Truncated;
        }
        // Errors raised by our own readers travel inside io::Error.
        if e.get_ref().is_some_and(|r| r.is::<BundleError>()) {
            if let Some(inner) = e.into_inner()
                && let Ok(b) = inner.downcast::<BundleError>()
            {
                return *b;
            }
            return BundleError::Corrupt("decoder error".into());
        }
        BundleError::Corrupt(e.to_string())
    }

    /// Wraps this error into an `io::Error` (to cross a `Read` implementation).
    pub(crate) fn into_io(self) -> std::io::Error {
        std::io::Error::other(self)
    }
}
