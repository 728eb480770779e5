//! The one vocabulary of failure kinds: every core error's `kind()` returns an
//! [`ErrorKind`], and [`From<ErrorKind>`] for the IPC kind is the one mapping the app and
//! the CLI share. A new kind that is not mapped fails to compile here.

use outpost_ipc::ErrorKind as Ipc;

/// What went wrong, by meaning (not by module): callers decide on it, the UI and the
/// CLI turn it into words. The error's `Display` text keeps the cause for the log and
/// the "details" disclosure.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request, a file handed in or a setting failed validation.
    InvalidInput,
    /// The named site, pod, rollout… does not exist.
    NotFound,
    /// Something with that name already exists.
    AlreadyExists,
    /// The change lost a race, or the state does not allow it (HTTP 409, an older
    /// snapshot, a run that cannot resume).
    Conflict,
    /// Another rollout or upgrade holds the lock.
    Busy,
    /// A health gate refused to go on.
    Unhealthy,
    /// The site could not be reached (refused, no route, DNS, dropped connection).
    Unreachable,
    /// The site did not answer within its deadline.
    Timeout,
    /// The TLS handshake failed (unknown CA, expired certificate, name mismatch).
    Tls,
    /// Credentials were refused or are missing.
    Auth,
    /// A snapshot's passphrase is needed or wrong.
    Passphrase,
    /// Not permitted, or needs the user's approval first.
    Denied,
    /// Local storage (store file, keyring, journal, snapshot cache) failed.
    Storage,
    /// Outpost's own stored data is damaged.
    Corrupt,
    /// The site sent more than a bound allows (broken or compromised).
    TooLarge,
    /// The site's API answered with an error status, or not as Kubernetes does.
    Api,
}

impl From<ErrorKind> for Ipc {
    fn from(k: ErrorKind) -> Ipc {
        match k {
            ErrorKind::InvalidInput => Ipc::InvalidInput,
            ErrorKind::NotFound => Ipc::NotFound,
            ErrorKind::AlreadyExists => Ipc::AlreadyExists,
            ErrorKind::Conflict => Ipc::Conflict,
            ErrorKind::Busy => Ipc::Busy,
            ErrorKind::Unhealthy => Ipc::Unhealthy,
            ErrorKind::Unreachable => Ipc::Unreachable,
            ErrorKind::Timeout => Ipc::Timeout,
            ErrorKind::Tls => Ipc::Tls,
            ErrorKind::Auth | ErrorKind::Passphrase => Ipc::Auth,
            ErrorKind::Denied => Ipc::Denied,
            ErrorKind::Storage => Ipc::Storage,
            ErrorKind::Corrupt => Ipc::Corrupt,
            ErrorKind::TooLarge => Ipc::TooLarge,
            ErrorKind::Api => Ipc::Api,
        }
    }
}

/// The IPC wire name (`busy`, `not_found`, …), for logs and journals.
impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Ipc::from(*self).as_str())
    }
}

impl ErrorKind {
    /// Whether the site did not answer usefully (as opposed to refusing the request).
    pub fn is_offline(self) -> bool {
        matches!(
            self,
            ErrorKind::Unreachable | ErrorKind::Timeout | ErrorKind::Tls
        )
    }

    /// The technician's sentence for this kind (what happened, what to try).
    pub fn words(self) -> &'static str {
        Ipc::from(self).words()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorKind; 16] = [
        ErrorKind::InvalidInput,
        ErrorKind::NotFound,
        ErrorKind::AlreadyExists,
        ErrorKind::Conflict,
        ErrorKind::Busy,
        ErrorKind::Unhealthy,
        ErrorKind::Unreachable,
        ErrorKind::Timeout,
        ErrorKind::Tls,
        ErrorKind::Auth,
        ErrorKind::Passphrase,
        ErrorKind::Denied,
        ErrorKind::Storage,
        ErrorKind::Corrupt,
        ErrorKind::TooLarge,
        ErrorKind::Api,
    ];

    #[test]
    fn no_core_kind_reaches_the_ui_as_internal() {
        for k in ALL {
            assert_ne!(Ipc::from(k), Ipc::Internal, "{k:?}");
        }
        assert_eq!(Ipc::from(ErrorKind::Busy).as_str(), "busy");
        assert_eq!(Ipc::from(ErrorKind::Unhealthy).as_str(), "unhealthy");
        assert_eq!(Ipc::from(ErrorKind::TooLarge).as_str(), "too_large");
        assert_eq!(Ipc::from(ErrorKind::Passphrase), Ipc::Auth);
    }

    #[test]
    fn every_core_kind_has_its_one_sentence() {
        for k in ALL {
            let w = k.words();
            assert!(
                w.ends_with('.') && w.matches(". ").count() == 0,
                "{k:?}: {w}"
            );
        }
    }
}
