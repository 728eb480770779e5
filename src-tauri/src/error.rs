//! Mapping of backend errors to the typed [`IpcError`] the UI receives.

use outpost_ipc::{ErrorKind, IpcError};

/// Maps a `kind()` string from an outpost-core error enum to the IPC kind.
pub fn kind_from_core(kind: &str) -> ErrorKind {
    match kind {
        "invalid_input" => ErrorKind::InvalidInput,
        "not_found" => ErrorKind::NotFound,
        "already_exists" => ErrorKind::AlreadyExists,
        "unreachable" => ErrorKind::Unreachable,
        "timeout" => ErrorKind::Timeout,
        "auth" => ErrorKind::Auth,
        "tls" => ErrorKind::Tls,
        "conflict" => ErrorKind::Conflict,
        "storage" => ErrorKind::Storage,
        "denied" => ErrorKind::Denied,
        "cancelled" => ErrorKind::Cancelled,
        _ => ErrorKind::Internal,
    }
}

/// Maps any outpost-core error by its `kind()`; the message is the error's display
/// text, which core keeps free of secrets.
pub fn core(kind: &str, e: impl std::fmt::Display) -> IpcError {
    IpcError::new(kind_from_core(kind), e.to_string())
}

/// Maps a background task that panicked or was cancelled.
pub fn join(e: tokio::task::JoinError) -> IpcError {
    IpcError::new(ErrorKind::Internal, format!("background task failed: {e}"))
}

/// Maps a data-directory error.
pub fn paths(e: outpost_core::paths::PathError) -> IpcError {
    IpcError::new(kind_from_core(e.kind()), e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ipc_kind_is_reachable_from_its_core_name() {
        for k in [
            ErrorKind::InvalidInput,
            ErrorKind::NotFound,
            ErrorKind::AlreadyExists,
            ErrorKind::Unreachable,
            ErrorKind::Timeout,
            ErrorKind::Auth,
            ErrorKind::Tls,
            ErrorKind::Conflict,
            ErrorKind::Storage,
            ErrorKind::Denied,
            ErrorKind::Cancelled,
            ErrorKind::Internal,
        ] {
            assert_eq!(kind_from_core(k.as_str()), k);
        }
        assert_eq!(kind_from_core("something_new"), ErrorKind::Internal);
    }
}
