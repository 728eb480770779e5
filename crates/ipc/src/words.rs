//! Errors in a technician's words: one short sentence per [`ErrorKind`] (what happened,
//! what to try) and per reachability state (what happened, since when, what to try).
//! Shared by the UI and the CLI's text output; the cause chain stays in the message,
//! for the log and a "details" disclosure.

use crate::{ErrorKind, IpcError, Reachability, ReachabilityState};

impl ErrorKind {
    /// One sentence: what happened, then what to try.
    pub fn words(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "Outpost cannot use what was given: check it and try again.",
            ErrorKind::NotFound => "It is not there any more: refresh and check the name.",
            ErrorKind::AlreadyExists => {
                "That name is already taken: pick another one or remove the old one first."
            }
            ErrorKind::Unreachable => "The site does not answer: check its power and network.",
            ErrorKind::Timeout => "The site answers too slowly: check its network, then try again.",
            ErrorKind::Auth => {
                "The credentials were refused or are missing: enter them again or re-import the site."
            }
            ErrorKind::Tls => {
                "The site's certificate is not trusted: check its clock and certificate, then re-import it."
            }
            ErrorKind::Conflict => "Something changed at the same time: refresh and try again.",
            ErrorKind::Storage => {
                "Outpost cannot read or write its files or keyring: check disk space and unlock the keyring."
            }
            ErrorKind::Denied => "This needs your approval first: approve it and try again.",
            ErrorKind::Cancelled => "Cancelled: nothing was changed.",
            ErrorKind::Busy => "Another rollout is running: wait for it or abort it.",
            ErrorKind::Unhealthy => "A health gate stopped it: fix what it names, then try again.",
            ErrorKind::TooLarge => {
                "The site sent more than Outpost accepts: check it, it may be broken or compromised."
            }
            ErrorKind::Corrupt => {
                "Outpost's stored copy is damaged: remove it or take a fresh snapshot."
            }
            ErrorKind::Api => {
                "The site's API answered with an error: try again, then check its control plane."
            }
            ErrorKind::Internal => {
                "Something unexpected went wrong in Outpost: the details and the log say more."
            }
        }
    }

    /// Kinds whose message names the one thing to fix (which field, which gate), so the
    /// UI shows it under the sentence instead of only in the details.
    pub fn message_is_for_people(self) -> bool {
        matches!(self, ErrorKind::InvalidInput | ErrorKind::Unhealthy)
    }
}

impl IpcError {
    /// The sentence to show for this error; the message goes to the details.
    pub fn words(&self) -> &'static str {
        self.kind.words()
    }
}

impl Reachability {
    /// One sentence for a site that is not answering as it should, `None` when all is
    /// well. `since` is the last answer, already formatted in the reader's time zone.
    pub fn words(&self, since: Option<&str>) -> Option<String> {
        let at = |what: &str| match since {
            Some(t) => format!("{what} since {t}"),
            None => what.to_string(),
        };
        let s = match (self.state, self.kind) {
            (ReachabilityState::Unreachable, _) => {
                format!("{}: check the site's power and network.", at("Not answering"))
            }
            (ReachabilityState::Timeout, _) => {
                format!("{}: check the site's network and load.", at("Answering too slowly"))
            }
            (ReachabilityState::AuthFailed, _) => format!(
                "{}: re-import the site's kubeconfig.",
                at("Refusing Outpost's credentials")
            ),
            (ReachabilityState::TlsFailed, _) => format!(
                "{}: check the site's clock and certificate, then re-import it.",
                at("Certificate not trusted")
            ),
            (_, Some(ErrorKind::Api)) => {
                "Answering with errors, so the data may lag: check the site's control plane."
                    .to_string()
            }
            (_, Some(ErrorKind::TooLarge)) => {
                "Sending more than Outpost accepts: check the site, it may be broken or compromised."
                    .to_string()
            }
            (_, Some(ErrorKind::InvalidInput)) => {
                "The site's settings are not usable: edit the site or re-import it.".to_string()
            }
            (_, Some(k)) => k.words().to_string(),
            (_, None) => return None,
        };
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorKind; 17] = [
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
        ErrorKind::Busy,
        ErrorKind::Unhealthy,
        ErrorKind::TooLarge,
        ErrorKind::Corrupt,
        ErrorKind::Api,
        ErrorKind::Internal,
    ];

    /// One sentence: a capital, one full stop at the end, no line break, short.
    fn one_sentence(s: &str) {
        assert!(s.starts_with(|c: char| c.is_uppercase()), "{s}");
        assert!(s.ends_with('.') && s.matches('.').count() == 1, "{s}");
        assert!(!s.contains('\n') && s.len() <= 100, "{s}");
        assert!(s.contains(": "), "what happened, then what to try: {s}");
    }

    #[test]
    fn every_kind_has_one_short_sentence_of_its_own() {
        let mut seen = std::collections::HashSet::new();
        for k in ALL {
            one_sentence(k.words());
            assert!(seen.insert(k.words()), "{k:?} shares its words");
        }
        assert_eq!(
            ErrorKind::Busy.words(),
            "Another rollout is running: wait for it or abort it."
        );
    }

    #[test]
    fn a_down_site_says_since_when_and_what_to_try() {
        let r = Reachability {
            state: ReachabilityState::Unreachable,
            kind: Some(ErrorKind::Unreachable),
            since_ms: Some(0),
            detail: Some("Error reading events stream: ServiceError: peer closed".into()),
        };
        let w = r.words(Some("14:02")).unwrap_or_default();
        assert_eq!(
            w,
            "Not answering since 14:02: check the site's power and network."
        );
        assert!(!w.contains("ServiceError"));
        for state in [
            ReachabilityState::Unreachable,
            ReachabilityState::Timeout,
            ReachabilityState::AuthFailed,
            ReachabilityState::TlsFailed,
        ] {
            let r = Reachability {
                state,
                ..Reachability::default()
            };
            one_sentence(&r.words(Some("14:02")).unwrap_or_default());
            one_sentence(&r.words(None).unwrap_or_default());
        }
        for kind in [ErrorKind::Api, ErrorKind::TooLarge, ErrorKind::InvalidInput] {
            let r = Reachability {
                state: ReachabilityState::Reachable,
                kind: Some(kind),
                ..Reachability::default()
            };
            one_sentence(&r.words(None).unwrap_or_default());
        }
        assert_eq!(Reachability::default().words(Some("14:02")), None);
    }
}
