//! The log files kwok serves for every container of a site (`kubectl logs`): the current
//! container's log, appended to once a second so `logs -f` sees new lines, and the
//! previous container's log for `logs --previous`. kwok reads the CRI log format
//! (`<RFC3339Nano> stdout F <line>`), what containerd writes under /var/log/pods.

use crate::TestbedError;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const CURRENT: &str = "current.log";
pub const PREVIOUS: &str = "previous.log";

/// Writes the initial files; the returned task appends a line a second until aborted.
pub fn start(dir: &Path, site: &str) -> Result<tokio::task::JoinHandle<()>, TestbedError> {
    let io = |what: String| move |source| TestbedError::Io { what, source };
    std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    let now = jiff::Timestamp::now();
    let previous: String = (0..20)
        .map(|i| format!("{now} stdout F INFO site={site} previous container line {i}\n"))
        .chain(std::iter::once(format!(
            "{now} stderr F FATAL site={site} exiting: cannot reach mqtt://mqtt-broker:1883\n"
        )))
        .collect();
    crate::pki::write(&dir.join(PREVIOUS), &previous)?;
    let current: String = (0..50)
        .map(|i| format!("{now} stdout F INFO site={site} started, line {i}\n"))
        .collect();
    let path: PathBuf = dir.join(CURRENT);
    crate::pki::write(&path, &current)?;
    let site = site.to_string();
    Ok(tokio::spawn(async move {
        let mut n = 0u64;
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            n += 1;
            if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(&path) {
                let _ = writeln!(
                    f,
                    "{} stdout F INFO site={site} GET /healthz 200 tick={n}",
                    jiff::Timestamp::now()
                );
            }
        }
    }))
}
