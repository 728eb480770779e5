//! Dates and ages for humans, from Unix milliseconds (no date library in the WASM).

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A duration as "12 s", "5 min", "3 h 20 min", "4 days".
pub fn format_duration(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        _ if ms < MINUTE => format!("{} s", ms / 1000),
        _ if ms < HOUR => format!("{} min", ms / MINUTE),
        _ if ms < DAY => match (ms % HOUR) / MINUTE {
            0 => format!("{} h", ms / HOUR),
            m => format!("{} h {m} min", ms / HOUR),
        },
        _ if ms < 2 * DAY => "1 day".to_string(),
        _ => format!("{} days", ms / DAY),
    }
}

/// "5 min ago", "just now", or "in 3 days" for a future time.
pub fn format_age(then_ms: i64, now_ms: i64) -> String {
    let d = now_ms - then_ms;
    if d < 0 {
        format!("in {}", format_duration(-d))
    } else if d < 10_000 {
        "just now".to_string()
    } else {
        format!("{} ago", format_duration(d))
    }
}

/// `2026-11-24 18:00 UTC`.
pub fn format_utc(ms: i64) -> String {
    let days = ms.div_euclid(DAY);
    let rem = ms.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / HOUR,
        (rem % HOUR) / MINUTE
    )
}

/// `2026-11-24 18:00:05 UTC`: when a snapshot was taken, to the second.
pub fn format_utc_secs(ms: i64) -> String {
    let rem = ms.rem_euclid(DAY);
    let minutes = format_utc(ms);
    let (date_hm, _) = minutes.split_at(minutes.len() - " UTC".len());
    format!("{date_hm}:{:02} UTC", (rem % MINUTE) / 1000)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The banner of a site shown from an offline snapshot.
pub fn stale_banner(snapshot_ms: i64, now_ms: i64) -> String {
    format!(
        "Offline snapshot — as of {} ({})",
        format_utc(snapshot_ms),
        format_age(snapshot_ms, now_ms)
    )
}

/// How urgent a certificate expiry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertUrgency {
    Fine,
    /// Under 30 days: K3s renews only on a restart close to expiry, so say so early.
    Soon,
    Expired,
}

pub const CERT_WARN_DAYS: i64 = 30;

pub fn cert_urgency(expires_ms: i64, now_ms: i64) -> CertUrgency {
    if expires_ms <= now_ms {
        CertUrgency::Expired
    } else if expires_ms - now_ms < CERT_WARN_DAYS * DAY {
        CertUrgency::Soon
    } else {
        CertUrgency::Fine
    }
}

/// "expires in 9 days (2026-12-03 18:00 UTC)" / "expired 2 days ago (…)".
pub fn cert_text(expires_ms: i64, now_ms: i64) -> String {
    let when = format_utc(expires_ms);
    if expires_ms <= now_ms {
        format!("expired {} ({when})", format_age(expires_ms, now_ms))
    } else {
        format!(
            "expires in {} ({when})",
            format_duration(expires_ms - now_ms)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixtures::NOW_MS;

    #[test]
    fn durations_and_ages() {
        assert_eq!(format_duration(12_345), "12 s");
        assert_eq!(format_duration(5 * MINUTE + 59_000), "5 min");
        assert_eq!(format_duration(3 * HOUR), "3 h");
        assert_eq!(format_duration(3 * HOUR + 20 * MINUTE), "3 h 20 min");
        assert_eq!(format_duration(DAY + HOUR), "1 day");
        assert_eq!(format_duration(9 * DAY + HOUR), "9 days");
        assert_eq!(format_age(NOW_MS - 2_000, NOW_MS), "just now");
        assert_eq!(format_age(NOW_MS - 90 * MINUTE, NOW_MS), "1 h 30 min ago");
        assert_eq!(format_age(NOW_MS + 2 * DAY, NOW_MS), "in 2 days");
    }

    #[test]
    fn utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(NOW_MS), "2026-11-24 18:00 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(-DAY), "1969-12-31 00:00 UTC");
    }

    #[test]
    fn utc_times_to_the_second() {
        assert_eq!(
            format_utc_secs(1_795_556_294_939),
            "2026-11-24 21:38:14 UTC"
        );
        assert_eq!(format_utc_secs(NOW_MS + 5_000), "2026-11-24 18:00:05 UTC");
        assert_eq!(format_utc_secs(-1), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn stale_banner_text() {
        assert_eq!(
            stale_banner(NOW_MS - 3 * HOUR - 5 * MINUTE, NOW_MS),
            "Offline snapshot — as of 2026-11-24 14:55 UTC (3 h 5 min ago)"
        );
    }

    #[test]
    fn certificate_urgency() {
        assert_eq!(cert_urgency(NOW_MS + 200 * DAY, NOW_MS), CertUrgency::Fine);
        assert_eq!(cert_urgency(NOW_MS + 9 * DAY, NOW_MS), CertUrgency::Soon);
        assert_eq!(cert_urgency(NOW_MS - 1, NOW_MS), CertUrgency::Expired);
        assert_eq!(
            cert_text(NOW_MS + 9 * DAY, NOW_MS),
            "expires in 9 days (2026-12-03 18:00 UTC)"
        );
        assert_eq!(
            cert_text(NOW_MS - 2 * DAY, NOW_MS),
            "expired 2 days ago (2026-11-22 18:00 UTC)"
        );
    }
}
