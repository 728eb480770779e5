//! The per-site change journal: who (OS user) did what, when, and with which result,
//! one JSON line per change in `<data dir>/rollouts/changes/<site>.jsonl`, fsynced.

use super::ActionError;
use crate::paths::Home;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The OS user running Outpost (`$USER`, `$LOGNAME`, `$USERNAME`), or `unknown`.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// One change made to a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub at: jiff::Timestamp,
    pub user: String,
    pub site: String,
    /// `namespace/name` of the workload, or what else was changed.
    pub object: String,
    /// What was done (`set image app=…`, `roll back to revision 3`, `k3s upgrade to v…`).
    pub what: String,
    /// `ok`, `failed: <reason>`, `pending (offline)`, …
    pub result: String,
    /// The fleet rollout or upgrade this change belonged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<String>,
}

/// Appends one line to `path` and fsyncs it (creating the file 0600 and its directory
/// 0700).
pub(crate) fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    let mut f = crate::fsutil::append_private(path)?;
    let mut buf = Vec::with_capacity(line.len() + 1);
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    f.write_all(&buf)?;
    f.sync_data()
}

/// The change journals of a profile.
#[derive(Debug, Clone)]
pub struct ChangeLog {
    dir: PathBuf,
}

impl ChangeLog {
    pub fn new(home: &Home) -> ChangeLog {
        ChangeLog {
            dir: home.rollouts_dir().join("changes"),
        }
    }

    fn path(&self, site: &str) -> Result<PathBuf, ActionError> {
        if !crate::registry::is_dns_label(site) {
            return Err(ActionError::Invalid(format!("invalid site name {site:?}")));
        }
        Ok(self.dir.join(format!("{site}.jsonl")))
    }

    /// Records a change.
    pub fn record(&self, rec: &ChangeRecord) -> Result<(), ActionError> {
        let path = self.path(&rec.site)?;
        let line = serde_json::to_string(rec).map_err(|e| ActionError::Invalid(e.to_string()))?;
        append_line(&path, &line).map_err(|source| ActionError::Journal { path, source })
    }

    /// A site's changes, oldest first (a torn last line is skipped).
    pub fn list(&self, site: &str) -> Result<Vec<ChangeRecord>, ActionError> {
        let path = self.path(site)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(ActionError::Journal { path, source }),
        };
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_lists() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::at(tmp.path(), "default").unwrap();
        let log = ChangeLog::new(&home);
        let rec = ChangeRecord {
            at: jiff::Timestamp::now(),
            user: os_user(),
            site: "store-1".into(),
            object: "shop/pos".into(),
            what: "restart".into(),
            result: "ok".into(),
            rollout: None,
        };
        log.record(&rec).unwrap();
        log.record(&rec).unwrap();
        assert_eq!(log.list("store-1").unwrap(), vec![rec.clone(), rec]);
        assert!(log.list("store-2").unwrap().is_empty());
        assert!(
            log.record(&ChangeRecord {
                site: "../x".into(),
                ..log.list("store-1").unwrap()[0].clone()
            })
            .is_err()
        );
    }
}
