//! Mapping of backend errors to the typed [`IpcError`] the UI receives: the one mapping
//! is `From<outpost_core::error::ErrorKind> for ErrorKind` in core; this only wraps it.

use outpost_ipc::{ErrorKind, IpcError};

/// Maps any outpost-core error by its typed `kind()`; the message is the error's display
/// text (the cause chain, for the "details" disclosure), which core keeps free of secrets.
pub fn core(kind: impl Into<ErrorKind>, e: impl std::fmt::Display) -> IpcError {
    IpcError::new(kind.into(), e.to_string())
}

/// Maps a background task that panicked or was cancelled.
pub fn join(e: tokio::task::JoinError) -> IpcError {
    IpcError::new(ErrorKind::Internal, format!("background task failed: {e}"))
}

/// Maps a failure to start the built-in demo fleet (the simulator's own kinds): files
/// that cannot be written are `storage`, anything else is Outpost's own fault.
pub fn sim(e: outpost_sim::SimError) -> IpcError {
    use outpost_sim::error::ErrorKind as Sim;
    let kind = match e.kind() {
        Sim::Io => ErrorKind::Storage,
        _ => ErrorKind::Internal,
    };
    IpcError::new(kind, e.to_string())
}

/// Maps a data-directory error.
pub fn paths(e: outpost_core::paths::PathError) -> IpcError {
    core(e.kind(), e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_core::error::ErrorKind as Core;

    #[test]
    fn core_kinds_keep_their_wire_names_and_new_ones_are_not_internal() {
        let e = core(Core::Busy, "rollout r1 holds the lock");
        assert_eq!(e.kind, ErrorKind::Busy);
        assert_eq!(e.message, "rollout r1 holds the lock");
        for (k, wire) in [
            (Core::InvalidInput, "invalid_input"),
            (Core::NotFound, "not_found"),
            (Core::Storage, "storage"),
            (Core::Unhealthy, "unhealthy"),
            (Core::TooLarge, "too_large"),
        ] {
            assert_eq!(core(k, "x").kind.as_str(), wire);
        }
    }
}
