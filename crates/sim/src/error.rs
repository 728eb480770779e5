//! The simulator's failure kinds: every sim error's `kind()` returns one, so callers
//! decide on a variant, never on a string.

/// What went wrong in the simulator, by meaning.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A request that cannot be parsed (selector, patch document, fault spec).
    BadRequest,
    /// A well-formed request the object refuses (a failed JSON-patch `test`, a bad field).
    Invalid,
    NotFound,
    AlreadyExists,
    /// A stale `resourceVersion`.
    Conflict,
    /// A watch or list continued from a version compacted away.
    Expired,
    /// No or wrong credentials.
    Unauthorized,
    /// A method or media type the API does not serve.
    Unsupported,
    /// Too many requests (a fault, or a limit).
    Overloaded,
    /// The fleet or control configuration is inconsistent.
    Config,
    /// A listener could not bind.
    Bind,
    /// Certificates or keys could not be made.
    Tls,
    /// Writing a file failed.
    Io,
    /// A bug or a task that died.
    Internal,
}
