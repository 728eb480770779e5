//! "No progress" detection for K3s upgrades, across calls and processes.
//!
//! A Job failing on its deadline is visible in the cluster, but an upgrade can also hang
//! with nothing failing: a Job whose pod never starts or never ends (no deadline set, an
//! image the air-gapped site cannot pull, a node that never comes back), or a controller
//! that stopped creating Jobs. Such an upgrade is found by watching its progress marker
//! (the target, `status.applying`, and each node's version, state, cordon and Job) and
//! reporting it when the marker has not changed for longer than a window.
//!
//! The marker and the time it last changed are kept per site in
//! `<data dir>/upgrades/progress/<site>.json`, written atomically, so successive
//! `outpost upgrade status` runs (and the app) share them. The times are this laptop's:
//! the cluster's own timestamps are in the site's clock, and edge sites without NTP drift,
//! so comparing them to the laptop's clock would not be sound. The cost: a hang that
//! began before Outpost first looked is reported one window after that first look.

use super::UpgradeError;
use super::plans::{AGENT_PLAN, NAMESPACE, SERVER_PLAN};
use super::progress::{NodeState, SiteUpgrade, Stuck, StuckKind};
use crate::fsutil::write_atomic;
use crate::paths::Home;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// The default no-progress window: a node's K3s upgrade takes a few minutes.
pub const DEFAULT_NO_PROGRESS: Duration = Duration::from_secs(15 * 60);

/// The last progress marker seen for one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Marker {
    /// What the upgrade looked like (see [`marker`]).
    progress: String,
    /// When it first looked like this.
    since: jiff::Timestamp,
}

/// Per-site progress markers in the data directory.
#[derive(Debug, Clone)]
pub struct ProgressMarkers {
    dir: PathBuf,
}

/// The upgrade's progress as one comparable string: anything that moves when an upgrade
/// moves (target, applying nodes, node versions, states, cordons, Jobs).
fn marker(st: &SiteUpgrade) -> String {
    let mut s = format!(
        "target={};applying={}",
        st.target.as_deref().unwrap_or(""),
        st.applying.join(",")
    );
    for n in &st.nodes {
        s.push_str(&format!(
            ";{}={}/{:?}/{}/{}",
            n.name,
            n.version,
            n.state,
            n.cordoned,
            n.job.as_deref().unwrap_or("")
        ));
    }
    s
}

fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 120 {
        format!("{} min", s / 60)
    } else {
        format!("{s} s")
    }
}

fn with_job(node: &str, job: &str, version: &str, target: &str, idle: &str) -> Stuck {
    Stuck {
        node: node.into(),
        job: Some(job.into()),
        kind: StuckKind::NoProgress,
        reason: format!(
            "no progress for {idle}: upgrade Job {job} still runs and node {node} is still at {version} (target {target})"
        ),
        next_steps: vec![
            format!("see what the upgrade does: kubectl -n {NAMESPACE} logs job/{job}"),
            format!(
                "is its pod running or stuck pulling the image (pin {target} in the site's registry)? kubectl -n {NAMESPACE} describe job {job}; kubectl -n {NAMESPACE} get pods -l job-name={job} -o wide"
            ),
            format!(
                "is the node back? kubectl get node {node} -o wide (it stays cordoned until its upgrade ends)"
            ),
            format!("the controller: kubectl -n {NAMESPACE} logs deploy/system-upgrade-controller"),
            format!(
                "to retry: kubectl -n {NAMESPACE} delete job {job}; to give up: kubectl -n {NAMESPACE} delete plan {SERVER_PLAN} {AGENT_PLAN} && kubectl uncordon {node}"
            ),
        ],
        since: None,
    }
}

fn without_job(node: &str, version: &str, target: &str, idle: &str, applying: bool) -> Stuck {
    let what = if applying {
        "the Plan lists it as applying"
    } else {
        "no upgrade Job was created for it"
    };
    Stuck {
        node: node.into(),
        job: None,
        kind: StuckKind::NoProgress,
        reason: format!(
            "no progress for {idle}: node {node} is still at {version} (target {target}) and {what}"
        ),
        next_steps: vec![
            format!(
                "is the controller running? kubectl -n {NAMESPACE} get pods -l upgrade.cattle.io/controller=system-upgrade-controller"
            ),
            format!("what it says: kubectl -n {NAMESPACE} logs deploy/system-upgrade-controller"),
            format!(
                "the Plans' conditions: kubectl -n {NAMESPACE} get plan {SERVER_PLAN} {AGENT_PLAN} -o yaml"
            ),
            "cordoned nodes: kubectl get nodes (uncordon one only once its upgrade is over)"
                .to_string(),
        ],
        since: None,
    }
}

/// Adds `no_progress` entries to `st` (nodes not yet stuck for another reason).
fn report(st: &mut SiteUpgrade, since: jiff::Timestamp, idle: Duration) {
    let target = st.target.clone().unwrap_or_default();
    let idle = minutes(idle);
    let already: Vec<String> = st.stuck.iter().map(|s| s.node.clone()).collect();
    let open: Vec<usize> = (0..st.nodes.len())
        .filter(|&i| {
            st.nodes[i].state != NodeState::UpToDate && !already.contains(&st.nodes[i].name)
        })
        .collect();
    // The nodes concerned: those being upgraded, else those the Plan lists as applying,
    // else (the controller does nothing) every node still waiting, unless a maintenance
    // window explains the wait.
    let upgrading: Vec<usize> = open
        .iter()
        .copied()
        .filter(|&i| st.nodes[i].state == NodeState::Upgrading)
        .collect();
    let applying: Vec<usize> = open
        .iter()
        .copied()
        .filter(|&i| st.applying.contains(&st.nodes[i].name))
        .collect();
    let (concerned, in_plan) = if !upgrading.is_empty() {
        (upgrading, false)
    } else if !applying.is_empty() {
        (applying, true)
    } else if !st.windowed {
        (open, false)
    } else {
        (Vec::new(), false)
    };
    for i in concerned {
        let n = &mut st.nodes[i];
        let mut s = match (&n.job, n.state) {
            (Some(job), NodeState::Upgrading) => with_job(&n.name, job, &n.version, &target, &idle),
            _ => without_job(&n.name, &n.version, &target, &idle, in_plan),
        };
        s.since = Some(since);
        n.state = NodeState::Stuck;
        st.stuck.push(s);
    }
}

impl ProgressMarkers {
    pub fn new(home: &Home) -> ProgressMarkers {
        ProgressMarkers {
            dir: home.dir().join("upgrades").join("progress"),
        }
    }

    fn path(&self, site: &str) -> Result<PathBuf, UpgradeError> {
        if !crate::registry::is_dns_label(site) {
            return Err(UpgradeError::Invalid(format!("invalid site name {site:?}")));
        }
        Ok(self.dir.join(format!("{site}.json")))
    }

    fn load(&self, site: &str) -> Result<Option<Marker>, UpgradeError> {
        let path = self.path(site)?;
        match std::fs::read(&path) {
            // A damaged marker is as good as none: progress is tracked afresh.
            Ok(b) => Ok(serde_json::from_slice(&b).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(UpgradeError::Io { path, source }),
        }
    }

    /// Records what `st` shows at `now` and, when nothing changed for at least `window`,
    /// reports the nodes concerned as stuck (`no_progress`) with next steps. A finished
    /// upgrade, or none, forgets the marker.
    pub fn observe(
        &self,
        site: &str,
        st: &mut SiteUpgrade,
        window: Duration,
        now: jiff::Timestamp,
    ) -> Result<(), UpgradeError> {
        let path = self.path(site)?;
        if st.done || st.target.is_none() || !st.controller.installed() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(UpgradeError::Io { path, source: e })
                }
                _ => Ok(()),
            };
        }
        let progress = marker(st);
        let since = match self.load(site)? {
            Some(m) if m.progress == progress => m.since,
            _ => {
                let m = Marker {
                    progress,
                    since: now,
                };
                let bytes =
                    serde_json::to_vec(&m).map_err(|e| UpgradeError::Invalid(e.to_string()))?;
                write_atomic(&path, &bytes)?;
                now
            }
        };
        let idle = now
            .duration_since(since)
            .try_into()
            .unwrap_or(Duration::ZERO);
        if idle >= window {
            tracing::warn!(site = %site, idle_s = idle.as_secs(), "upgrade makes no progress");
            report(st, since, idle);
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "stall_tests.rs"]
mod tests;
