//! Maintenance windows: weekly (days, local start/end, IANA time zone) or free text.

use super::RegistryError;
use serde::{Deserialize, Serialize};

/// When changes to a site are allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum MaintenanceWindow {
    /// Weekly: on `days` (`mon`..`sun`) from `start` to `end` (`HH:MM`, local time in
    /// `timezone`, an IANA name). `end` before `start` means the window crosses midnight.
    #[serde(rename_all = "camelCase")]
    Weekly {
        days: Vec<String>,
        start: String,
        end: String,
        timezone: String,
    },
    /// Free text agreed with the site (not machine-checked).
    #[serde(rename_all = "camelCase")]
    Text { text: String },
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl MaintenanceWindow {
    /// Parses `DAYS HH:MM-HH:MM TZ` (days: `mon,wed` or `mon-fri` or `daily`), or
    /// `text:ANYTHING` for free text.
    pub fn parse(s: &str) -> Result<Self, RegistryError> {
        let bad = |why: &str| RegistryError::Invalid(format!("maintenance window {s:?}: {why}"));
        if let Some(text) = s.strip_prefix("text:") {
            let w = MaintenanceWindow::Text {
                text: text.trim().to_string(),
            };
            w.validate()?;
            return Ok(w);
        }
        let parts: Vec<&str> = s.split_whitespace().collect();
        let [days, times, tz] = parts.as_slice() else {
            return Err(bad(
                "expected `DAYS HH:MM-HH:MM TIMEZONE` (e.g. `sat,sun 02:00-05:00 Europe/Paris`) or `text:...`",
            ));
        };
        let (start, end) = times
            .split_once('-')
            .ok_or_else(|| bad("times must look like 02:00-05:00"))?;
        let mut out = Vec::new();
        for d in days.to_ascii_lowercase().split(',') {
            if d == "daily" {
                out.extend(DAYS.iter().map(|d| d.to_string()));
            } else if let Some((a, b)) = d.split_once('-') {
                let ia = DAYS.iter().position(|x| *x == a);
                let ib = DAYS.iter().position(|x| *x == b);
                let (Some(ia), Some(ib)) = (ia, ib) else {
                    return Err(bad("unknown day (use mon..sun)"));
                };
                if ia > ib {
                    return Err(bad("day range must go forward (mon-fri)"));
                }
                out.extend(DAYS[ia..=ib].iter().map(|d| d.to_string()));
            } else {
                out.push(d.to_string());
            }
        }
        out.dedup();
        let w = MaintenanceWindow::Weekly {
            days: out,
            start: start.to_string(),
            end: end.to_string(),
            timezone: tz.to_string(),
        };
        w.validate()?;
        Ok(w)
    }

    /// Checks days, times and the time zone name.
    pub fn validate(&self) -> Result<(), RegistryError> {
        match self {
            MaintenanceWindow::Text { text } => {
                if text.trim().is_empty() || text.len() > 500 {
                    return Err(RegistryError::Invalid(
                        "maintenance window text must be 1..500 characters".into(),
                    ));
                }
            }
            MaintenanceWindow::Weekly {
                days,
                start,
                end,
                timezone,
            } => {
                if days.is_empty() || days.iter().any(|d| !DAYS.contains(&d.as_str())) {
                    return Err(RegistryError::Invalid(format!(
                        "maintenance window days {days:?}: use mon..sun"
                    )));
                }
                for t in [start, end] {
                    if jiff::civil::Time::strptime("%H:%M", t).is_err() {
                        return Err(RegistryError::Invalid(format!(
                            "maintenance window time {t:?}: use HH:MM"
                        )));
                    }
                }
                if start == end {
                    return Err(RegistryError::Invalid(
                        "maintenance window start and end are equal".into(),
                    ));
                }
                if jiff::tz::TimeZone::get(timezone).is_err() {
                    return Err(RegistryError::Invalid(format!(
                        "maintenance window time zone {timezone:?} is not a known IANA name"
                    )));
                }
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for MaintenanceWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaintenanceWindow::Text { text } => f.write_str(text),
            MaintenanceWindow::Weekly {
                days,
                start,
                end,
                timezone,
            } => write!(f, "{} {start}-{end} {timezone}", days.join(",")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_windows_parse_and_validate() {
        let w = MaintenanceWindow::parse("mon-wed,sat 22:00-04:00 Europe/Paris").unwrap();
        assert_eq!(w.to_string(), "mon,tue,wed,sat 22:00-04:00 Europe/Paris");
        assert!(MaintenanceWindow::parse("daily 02:00-03:00 UTC").is_ok());
        assert!(MaintenanceWindow::parse("text:ask Bob first").is_ok());
        for bad in [
            "mon 25:00-03:00 UTC",
            "funday 02:00-03:00 UTC",
            "mon 02:00-03:00 Mars/Olympus",
            "mon 02:00",
            "fri-mon 02:00-03:00 UTC",
            "text:",
        ] {
            assert!(MaintenanceWindow::parse(bad).is_err(), "{bad}");
        }
    }
}
