//! Per-site rollout reports, exportable as JSON and CSV.

use super::state::{Counts, RolloutView, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One site's line of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteReport {
    pub site: String,
    /// 1-based wave number.
    pub wave: usize,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub images_before: String,
    pub images_after: String,
    pub revision_before: Option<i64>,
    pub revision_after: Option<i64>,
    /// Times this rollout wrote the new images to the site (never more than 1).
    pub writes: u32,
    pub started_at: Option<jiff::Timestamp>,
    pub finished_at: Option<jiff::Timestamp>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: String,
    pub workload: String,
    pub images: BTreeMap<String, String>,
    pub status: Status,
    pub reason: Option<String>,
    pub created_at: jiff::Timestamp,
    pub created_by: String,
    pub counts: Counts,
    /// Sites that failed (rolled back or not); a rollout that went through every wave
    /// with some of them is `completed_with_failures`, never `completed`.
    #[serde(default)]
    pub failed_sites: Vec<String>,
    pub sites: Vec<SiteReport>,
}

fn images(m: Option<&BTreeMap<String, String>>) -> String {
    m.map(|m| {
        m.iter()
            .map(|(c, i)| format!("{c}={i}"))
            .collect::<Vec<_>>()
            .join(" ")
    })
    .unwrap_or_default()
}

impl Report {
    pub fn of(v: &RolloutView) -> Report {
        Report {
            id: v.plan.id.clone(),
            workload: v.plan.workload.to_string(),
            images: v.plan.images.clone(),
            status: v.status,
            reason: v.reason.clone(),
            created_at: v.plan.created_at,
            created_by: v.plan.created_by.clone(),
            counts: v.counts(),
            failed_sites: v.failed_sites(),
            sites: v
                .sites
                .iter()
                .map(|s| SiteReport {
                    site: s.site.clone(),
                    wave: s.wave + 1,
                    status: s.status.as_str().to_string(),
                    reason: s.reason.clone().unwrap_or_default(),
                    message: s.message.clone().unwrap_or_default(),
                    images_before: images(s.before.as_ref().map(|b| &b.images)),
                    images_after: images(s.after.as_ref().map(|b| &b.images)),
                    revision_before: s.before.as_ref().map(|b| b.revision),
                    revision_after: s.after.as_ref().map(|b| b.revision),
                    writes: s.writes,
                    started_at: s.started_at,
                    finished_at: s.finished_at,
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// RFC 4180 CSV, one row per site; the last column repeats the rollout's own status
    /// (e.g. `completed_with_failures`) so a spreadsheet of one site still tells it.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "site,wave,status,reason,message,images_before,images_after,revision_before,revision_after,writes,started_at,finished_at,rollout_status\r\n",
        );
        let rollout_status = serde_json::to_value(self.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let opt = |v: Option<String>| v.unwrap_or_default();
        for s in &self.sites {
            let row = [
                s.site.clone(),
                s.wave.to_string(),
                s.status.clone(),
                s.reason.clone(),
                s.message.clone(),
                s.images_before.clone(),
                s.images_after.clone(),
                opt(s.revision_before.map(|r| r.to_string())),
                opt(s.revision_after.map(|r| r.to_string())),
                s.writes.to_string(),
                opt(s.started_at.map(|t| t.to_string())),
                opt(s.finished_at.map(|t| t.to_string())),
                rollout_status.clone(),
            ];
            let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

fn csv_cell(s: &str) -> String {
    // A leading = + - @ would be a formula in a spreadsheet: quote it with a tick.
    let s = if s.starts_with(['=', '+', '@'])
        || (s.starts_with('-') && s.len() > 1 && !s[1..].starts_with(|c: char| c.is_ascii_digit()))
    {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=cmd()"), "'=cmd()");
        assert_eq!(csv_cell("-3"), "-3");
        assert_eq!(csv_cell("plain"), "plain");
    }
}
