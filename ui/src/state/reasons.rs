//! What a site's reasons read like: the reachability in words with "since" (local
//! clock), then the other reasons; the cause chain stays in the details disclosure.

use outpost_ipc::{IpcError, SiteSummary};

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

/// `14:02` within the last day, else `2026-12-07 14:02`, in the local time zone given
/// as its offset east of UTC in minutes.
pub fn format_clock(ms: i64, now_ms: i64, offset_min: i64) -> String {
    let local = ms + offset_min * MINUTE;
    let (h, m) = (
        local.rem_euclid(DAY) / (60 * MINUTE),
        local.rem_euclid(60 * MINUTE) / MINUTE,
    );
    if now_ms - ms < DAY {
        format!("{h:02}:{m:02}")
    } else {
        let date = super::time::format_utc(local.div_euclid(DAY) * DAY);
        format!(
            "{} {h:02}:{m:02}",
            date.split(' ').next().unwrap_or_default()
        )
    }
}

/// The reasons to show, worst first: the reachability's sentence with "since" in place
/// of the engine's plain one.
pub fn reasons_shown(s: &SiteSummary, since: Option<&str>) -> Vec<String> {
    let r = &s.reachability;
    let plain = r.words(None);
    r.words(since)
        .into_iter()
        .chain(
            s.reasons
                .iter()
                .filter(|x| Some(*x) != plain.as_ref())
                .cloned(),
        )
        .collect()
}

/// "What failed: the kind's sentence", plus the message when it names the one thing to
/// fix; the full message goes to the details.
pub fn error_line(what: &str, e: &IpcError) -> String {
    if e.kind.message_is_for_people() {
        format!("{what}: {} {}", e.words(), e.message)
    } else {
        format!("{what}: {}", e.words())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_ipc::{ErrorKind, Reachability, ReachabilityState};

    #[test]
    fn a_down_site_reads_words_with_since_and_keeps_its_other_reasons() {
        let mut s = crate::state::fixtures::site("lyon-1", outpost_ipc::HealthLevel::Critical);
        s.reasons = vec![
            "Not answering: check the site's power and network.".into(),
            "stale: showing the snapshot from 5m ago".into(),
        ];
        s.reachability = Reachability {
            state: ReachabilityState::Unreachable,
            kind: Some(ErrorKind::Unreachable),
            since_ms: Some(0),
            detail: Some("Error reading events stream: ServiceError: close_notify".into()),
        };
        assert_eq!(
            reasons_shown(&s, Some("14:02")),
            vec![
                "Not answering since 14:02: check the site's power and network.",
                "stale: showing the snapshot from 5m ago"
            ]
        );
        s.reachability = Reachability::default();
        s.reasons = vec!["pod pos/api CrashLoopBackOff".into()];
        assert_eq!(
            reasons_shown(&s, None),
            vec!["pod pos/api CrashLoopBackOff"]
        );
    }

    #[test]
    fn clock_is_local_and_dated_after_a_day() {
        let t = 14 * 60 * MINUTE + 2 * MINUTE;
        assert_eq!(format_clock(t, t + MINUTE, 0), "14:02");
        assert_eq!(format_clock(t, t + MINUTE, 60), "15:02");
        assert_eq!(format_clock(t, t + 2 * DAY, 0), "1970-01-01 14:02");
    }

    #[test]
    fn errors_read_as_their_kind_with_the_message_only_when_it_is_for_people() {
        let busy = IpcError::new(ErrorKind::Busy, "rollout r1 holds the lock");
        assert_eq!(
            error_line("Cannot start", &busy),
            "Cannot start: Another rollout is running: wait for it or abort it."
        );
        let bad = IpcError::new(ErrorKind::InvalidInput, "bad theme");
        assert!(error_line("Cannot save", &bad).ends_with("bad theme"));
    }
}
