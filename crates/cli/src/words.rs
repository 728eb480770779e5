//! Errors in a technician's words on the terminal: the typed kind of the first core
//! error in the chain picks the sentence; the chain itself is the "details" line.

use outpost_core::error::ErrorKind;

/// The typed kind of the first core error in `e`'s chain, if any.
pub fn kind_of(e: &anyhow::Error) -> Option<ErrorKind> {
    use outpost_core as c;
    e.chain().find_map(|cause| {
        macro_rules! try_kinds {
            ($($t:ty),*) => {
                $(if let Some(x) = cause.downcast_ref::<$t>() { return Some(x.kind()); })*
            };
        }
        try_kinds!(
            c::detail::DetailError,
            c::net::NetError,
            c::credentials::CredentialError,
            c::snapshot::SnapshotError,
            c::actions::ActionError,
            c::bundle::BundleError,
            c::paths::PathError,
            c::rollout::RolloutError,
            c::logs::LogError,
            c::session::SessionError,
            c::registry::RegistryError,
            c::upgrade::UpgradeError,
            c::import::ImportError,
            c::client::ClientError
        );
        None
    })
}

/// What to print for a failed command: kinds whose message is already written for
/// people (which field, which name, which gate) keep it, and so do import refusals
/// (each says what is wrong with the kubeconfig and what to do, on one line); the others
/// say the kind's sentence, with the cause chain on a "details" line.
pub fn error_text(e: &anyhow::Error) -> String {
    if e.chain()
        .any(|c| c.is::<outpost_core::import::ImportError>())
    {
        return format!("error: {e:#}");
    }
    match kind_of(e) {
        Some(
            ErrorKind::InvalidInput
            | ErrorKind::NotFound
            | ErrorKind::AlreadyExists
            | ErrorKind::Conflict
            | ErrorKind::Denied
            | ErrorKind::Passphrase
            | ErrorKind::Unhealthy,
        )
        | None => format!("error: {e:#}"),
        Some(k) => format!("error: {}\ndetails: {e:#}", k.words()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_core::client::ClientError;

    #[test]
    fn a_down_site_is_one_sentence_with_the_chain_as_details() {
        let e = anyhow::Error::new(ClientError::Unreachable(
            "Error reading events stream: ServiceError: peer closed connection".into(),
        ))
        .context("reading lyon-1");
        assert_eq!(kind_of(&e), Some(ErrorKind::Unreachable));
        let t = error_text(&e);
        let mut lines = t.lines();
        assert_eq!(
            lines.next(),
            Some("error: The site does not answer: check its power and network.")
        );
        assert!(
            lines.next().is_some_and(
                |d| d.starts_with("details: reading lyon-1: unreachable: Error reading")
            )
        );
        let busy = anyhow::Error::new(outpost_core::rollout::RolloutError::Busy("r1".into()));
        assert!(
            error_text(&busy)
                .starts_with("error: Another rollout is running: wait for it or abort it.\n")
        );
        let plain = anyhow::anyhow!("no site named \"x\"");
        assert_eq!(error_text(&plain), "error: no site named \"x\"");
    }
}
