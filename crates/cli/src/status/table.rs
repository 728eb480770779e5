//! The human table of `outpost status`.

use outpost_core::health::{Level, SiteHealth, fmt_age};
use std::io::IsTerminal as _;

/// Colour when stdout is a terminal and `NO_COLOR` is unset.
pub fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn paint(level: Level, colour: bool) -> String {
    let s = level.as_str().to_string();
    if !colour {
        return s;
    }
    let code = match level {
        Level::Ok => "32",
        Level::Warning => "33",
        Level::Critical => "31",
        Level::Unknown => "90",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// Keeps terminal control characters out of the table (site data is untrusted).
fn clean(s: &str, max: usize) -> String {
    let t = crate::term::inline(s);
    if t.chars().count() > max {
        let mut u: String = t.chars().take(max.saturating_sub(1)).collect();
        u.push('…');
        u
    } else {
        t
    }
}

/// `14:02` today, `Dec 7 14:02` before, in the local time zone.
fn local_time(ms: i64, now: jiff::Timestamp) -> Option<String> {
    let tz = jiff::tz::TimeZone::system();
    let t = jiff::Timestamp::from_millisecond(ms)
        .ok()?
        .to_zoned(tz.clone());
    let today = now.to_zoned(tz).date() == t.date();
    Some(
        t.strftime(if today { "%H:%M" } else { "%b %-d %H:%M" })
            .to_string(),
    )
}

/// The reasons, the reachability one said with "since" (its cause chain is only in
/// the JSON output's `reachReason`).
fn problems(h: &SiteHealth, now: jiff::Timestamp) -> String {
    let reach = outpost_core::health::reachability(h);
    let plain = reach.words(None);
    let since = reach.since_ms.and_then(|ms| local_time(ms, now));
    let rs: Vec<String> = reach
        .words(since.as_deref())
        .into_iter()
        .chain(
            h.reasons
                .iter()
                .filter(|r| !r.starts_with("stale:") && Some(*r) != plain.as_ref())
                .cloned(),
        )
        .collect();
    match rs.as_slice() {
        [] => "-".into(),
        [one] => clean(one, 80),
        [first, rest @ ..] => format!("{} (+{} more)", clean(first, 70), rest.len()),
    }
}

fn row(h: &SiteHealth, now: jiff::Timestamp) -> [String; 9] {
    let distro = match (&h.distro, &h.version) {
        (Some(d), Some(v)) => format!("{}/{}", d.as_str(), clean(v, 24)),
        (Some(d), None) => d.as_str().to_string(),
        (None, Some(v)) => clean(v, 24),
        (None, None) => "-".into(),
    };
    let last_seen = h
        .last_seen
        .map_or("never".into(), |t| fmt_age(now.as_second() - t.as_second()));
    let stale = match h.snapshot_age_secs {
        Some(age) if h.stale => format!("STALE {}", fmt_age(age)),
        _ => String::new(),
    };
    [
        clean(&h.name, 40),
        h.level.as_str().to_string(),
        h.reach.as_str().to_string(),
        distro,
        format!("{}/{}", h.nodes_ready, h.nodes_total),
        format!("{}/{}", h.workloads_available, h.workloads_total),
        problems(h, now),
        last_seen,
        stale,
    ]
}

/// The table, padded to column widths (colour codes added after padding).
pub fn render(sites: &[&SiteHealth], colour: bool) -> String {
    const HEAD: [&str; 9] = [
        "NAME",
        "LEVEL",
        "REACH",
        "DISTRO/VERSION",
        "NODES",
        "WORKLOADS",
        "PROBLEMS",
        "LAST SEEN",
        "STALE",
    ];
    let now = jiff::Timestamp::now();
    let rows: Vec<[String; 9]> = sites.iter().map(|h| row(h, now)).collect();
    let mut widths: Vec<usize> = HEAD.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let s = cells.join("  ");
        out.push_str(s.trim_end());
        out.push('\n');
    };
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    line(
        HEAD.iter().zip(&widths).map(|(h, w)| pad(h, *w)).collect(),
        &mut out,
    );
    for (r, h) in rows.iter().zip(sites) {
        let cells = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let p = pad(c, *w);
                if i == 1 {
                    p.replacen(c.as_str(), &paint(h.level, colour), 1)
                } else {
                    p
                }
            })
            .collect();
        line(cells, &mut out);
    }
    out
}
