//! The one offline-source resolver: what "down" means, and in which order the sources
//! of a site's state are tried when it is.
//!
//! A site is **down** when the health engine last found it not answering (any
//! [`Reach`] but `Reachable` and `Unknown`: no point asking it, and no waiting for a
//! deadline), or when asking it now fails for a reason that is not the request's own
//! fault ([`unanswered`]: not reached, timed out, TLS, credentials, rejected, an
//! overloaded or broken server). A site not probed yet is asked.
//!
//! The sources, in the one order every reader follows ([`ORDER`]): the **live** site,
//! else the **reconnect baseline** (the state it had before it last came back, kept by
//! the health engine), else the **stored bundle** (imported, or kept by the last plain
//! export), else the **health snapshot** (pruned health state, no resources nor log
//! lines). Each reader uses the sources that can answer it ([`Wants`]): detail reads
//! the bundle and the health snapshot, export and logs only the bundle, changes the
//! baseline and the bundle. A stored bundle older than the health snapshot is passed
//! over when the health snapshot can answer too (it is the more recent state).

use super::Session;
use crate::client::ClientError;
use crate::health::{Reach, SiteHealth};
use std::path::PathBuf;
use std::sync::Arc;

/// One source of a site's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Live,
    Baseline,
    Bundle,
    Health,
}

/// The one order of sources.
pub const ORDER: [Source; 4] = [
    Source::Live,
    Source::Baseline,
    Source::Bundle,
    Source::Health,
];

/// Which sources a reader can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wants {
    pub baseline: bool,
    pub bundle: bool,
    pub health: bool,
}

impl Wants {
    pub const DETAIL: Wants = Wants {
        baseline: false,
        bundle: true,
        health: true,
    };
    pub const EXPORT: Wants = Wants {
        baseline: false,
        bundle: true,
        health: false,
    };
    pub const LOGS: Wants = Wants::EXPORT;
    pub const CHANGES: Wants = Wants {
        baseline: true,
        bundle: true,
        health: false,
    };

    fn has(&self, s: Source) -> bool {
        match s {
            Source::Live => true,
            Source::Baseline => self.baseline,
            Source::Bundle => self.bundle,
            Source::Health => self.health,
        }
    }
}

/// What is kept for a site offline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// A reconnect baseline is kept.
    pub baseline: bool,
    /// A stored bundle exists.
    pub bundle: bool,
    /// When the stored bundle was taken, if read.
    pub bundle_at: Option<jiff::Timestamp>,
    /// When the health snapshot was taken, if one is kept.
    pub health_at: Option<jiff::Timestamp>,
}

/// Whether the health engine last found the site down: not worth asking now.
pub fn known_down(reach: Option<Reach>) -> bool {
    reach.is_some_and(|r| !matches!(r, Reach::Reachable | Reach::Unknown))
}

/// Whether a failed request means the site could not be asked (it is down for this
/// request), rather than that it answered "no" (a missing pod, a bad request).
pub fn unanswered(e: &ClientError) -> bool {
    match e {
        ClientError::Api { code, .. } => matches!(code, 401 | 403 | 429 | 500..=599),
        _ => true,
    }
}

/// The sources to try, in [`ORDER`]: live unless known down, then what is kept and
/// wanted.
pub fn order(down: bool, kept: &Kept, wants: Wants) -> Vec<Source> {
    let stale_bundle = wants.health
        && kept.health_at.is_some()
        && kept
            .bundle_at
            .is_some_and(|b| kept.health_at.is_some_and(|h| b < h));
    ORDER
        .into_iter()
        .filter(|s| wants.has(*s))
        .filter(|s| match s {
            Source::Live => !down,
            Source::Baseline => kept.baseline,
            Source::Bundle => kept.bundle && !stale_bundle,
            Source::Health => kept.health_at.is_some(),
        })
        .collect()
}

/// A site's standing as the resolver sees it now.
pub struct Standing {
    pub health: Option<Arc<SiteHealth>>,
    /// Known down (see [`known_down`]).
    pub down: bool,
    /// Where the site's stored bundle is (it may not exist).
    pub bundle_path: PathBuf,
}

impl Standing {
    /// Why the site is taken as down, in the health engine's words.
    pub fn why(&self) -> String {
        self.health
            .as_ref()
            .and_then(|h| h.reach_reason.clone())
            .unwrap_or_else(|| "not reachable".into())
    }
}

impl Session {
    /// The site's standing: its health, whether it is known down, its stored bundle.
    pub fn standing(&self, site: &str) -> Standing {
        let health = self.monitor.site(site);
        Standing {
            down: known_down(health.as_ref().map(|h| h.reach)),
            health,
            bundle_path: crate::bundle::imported_path(&self.home, site),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Option<jiff::Timestamp> {
        jiff::Timestamp::from_second(s).ok()
    }

    #[test]
    fn down_means_the_engine_found_it_not_answering() {
        for r in [
            Reach::Unreachable,
            Reach::Timeout,
            Reach::AuthFailed,
            Reach::TlsFailed,
        ] {
            assert!(known_down(Some(r)), "{r:?}");
        }
        assert!(!known_down(Some(Reach::Reachable)));
        assert!(!known_down(Some(Reach::Unknown)));
        assert!(!known_down(None));
    }

    #[test]
    fn down_means_it_could_not_be_asked() {
        let api = |code| ClientError::Api {
            code,
            reason: "x".into(),
        };
        for e in [
            ClientError::Unreachable("refused".into()),
            ClientError::Timeout("t".into()),
            ClientError::Tls("ca".into()),
            ClientError::Auth("401".into()),
            ClientError::Credentials("none".into()),
            ClientError::Config("url".into()),
            ClientError::too_large("a", "pods", 1),
            api(401),
            api(403),
            api(429),
            api(503),
        ] {
            assert!(unanswered(&e), "{e}");
        }
        for code in [400, 404, 409, 422] {
            assert!(!unanswered(&api(code)), "{code}");
        }
    }

    #[test]
    fn sources_follow_one_order() {
        let all = Kept {
            baseline: true,
            bundle: true,
            bundle_at: ts(200),
            health_at: ts(100),
        };
        let every = Wants {
            baseline: true,
            bundle: true,
            health: true,
        };
        assert_eq!(order(false, &all, every), ORDER.to_vec());
        assert_eq!(
            order(true, &all, every),
            vec![Source::Baseline, Source::Bundle, Source::Health]
        );
        assert_eq!(
            order(false, &all, Wants::DETAIL),
            vec![Source::Live, Source::Bundle, Source::Health]
        );
        assert_eq!(order(true, &all, Wants::EXPORT), vec![Source::Bundle]);
        assert_eq!(
            order(true, &all, Wants::CHANGES),
            vec![Source::Baseline, Source::Bundle]
        );
        assert_eq!(order(true, &Kept::default(), Wants::LOGS), vec![]);
        assert_eq!(
            order(false, &Kept::default(), Wants::LOGS),
            vec![Source::Live]
        );
    }

    #[test]
    fn an_older_bundle_yields_to_a_newer_health_snapshot() {
        let kept = Kept {
            baseline: false,
            bundle: true,
            bundle_at: ts(100),
            health_at: ts(200),
        };
        assert_eq!(order(true, &kept, Wants::DETAIL), vec![Source::Health]);
        // Export has no other source: the bundle stays.
        assert_eq!(order(true, &kept, Wants::EXPORT), vec![Source::Bundle]);
        let same = Kept {
            bundle_at: ts(200),
            ..kept
        };
        assert_eq!(
            order(true, &same, Wants::DETAIL),
            vec![Source::Bundle, Source::Health]
        );
    }
}
