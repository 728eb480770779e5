//! The typed error every command returns: a machine-readable kind plus a human message.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, coarse enough for the UI to pick an icon and a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request itself was malformed or failed validation.
    InvalidInput,
    /// The named site, pod, rollout… does not exist.
    NotFound,
    /// Something with that name already exists.
    AlreadyExists,
    /// The site could not be reached (refused, no route, DNS).
    Unreachable,
    /// The site did not answer within its deadline.
    Timeout,
    /// Credentials were refused, or are missing from the keyring.
    Auth,
    /// The TLS handshake failed (unknown CA, expired certificate, SAN mismatch).
    Tls,
    /// A write lost a race with another writer (HTTP 409).
    Conflict,
    /// Local storage (store file, keyring, snapshot cache) failed.
    Storage,
    /// The command is not permitted for this window, or needs approval first.
    Denied,
    /// The user cancelled (closed a dialog).
    Cancelled,
    /// Another rollout or upgrade is running.
    Busy,
    /// A health gate refused to go on (the message names the gate).
    Unhealthy,
    /// The site sent more than Outpost accepts (broken or compromised).
    TooLarge,
    /// Outpost's own stored data is damaged.
    Corrupt,
    /// The site's API answered with an error status.
    Api,
    /// A bug or an unexpected state: the message says more.
    Internal,
}

impl ErrorKind {
    /// Stable lowercase name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Auth => "auth",
            ErrorKind::Tls => "tls",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Storage => "storage",
            ErrorKind::Denied => "denied",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Busy => "busy",
            ErrorKind::Unhealthy => "unhealthy",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Api => "api",
            ErrorKind::Internal => "internal",
        }
    }
}

/// The error every command rejects with. Never a bare string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
}

impl IpcError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for IpcError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_round_trips_with_snake_case_kind() {
        let e = IpcError::new(ErrorKind::InvalidInput, "bad theme");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "invalid_input");
        assert_eq!(json["message"], "bad theme");
        let back: IpcError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        assert_eq!(e.to_string(), "invalid_input: bad theme");
    }

    #[test]
    fn unknown_kind_is_rejected_not_defaulted() {
        let r: Result<IpcError, _> = serde_json::from_str(r#"{"kind":"bogus","message":"x"}"#);
        assert!(r.is_err());
    }
}
