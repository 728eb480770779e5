//! The desktop Upgrades view over the core: the fleet's version drift, starting a K3s
//! upgrade on picked sites (health gate, Plans, change journal), and a site's progress
//! in the IPC shape.

use super::plans::{Started, check_health, microk8s_command, start as start_site};
use super::progress::{NodeState, SiteUpgrade};
use super::{UpgradeError, valid_k3s_version};
use crate::actions::{ChangeLog, ChangeRecord, os_user};
use crate::client::ClientCache;
use crate::health::SiteHealth;
use crate::registry::{Distro as RegDistro, MaintenanceWindow, Site};
use outpost_ipc::upgrade as ipc;
use outpost_ipc::{Distro, SiteSummary};
use std::sync::Arc;
use tracing::Instrument;

/// The numbers of a version, for ordering: `v1.31.4+k3s1` → `[1, 31, 4, 1]`.
pub fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn newest<'a>(rows: impl Iterator<Item = &'a SiteSummary>) -> Option<String> {
    rows.filter(|s| !s.version.is_empty())
        .max_by_key(|s| version_key(&s.version))
        .map(|s| s.version.clone())
}

/// `sudo snap refresh microk8s --channel=X/stable`: the newest MicroK8s minor in the
/// fleet when the site is behind it, else the next minor.
fn snap_command(version: &str, newest: Option<&str>) -> Option<String> {
    if let Some(n) = newest
        && version_key(version) < version_key(n)
    {
        return microk8s_command(n).ok();
    }
    let k = version_key(version);
    let (major, minor) = (k.first()?, k.get(1)?);
    microk8s_command(&format!("v{major}.{}", minor + 1)).ok()
}

/// Every site's distro and version, which are behind the newest of their distro, which
/// would be refused for health, and the MicroK8s commands.
pub fn overview(
    summaries: &[SiteSummary],
    health: impl Fn(&str) -> Option<Arc<SiteHealth>>,
) -> ipc::UpgradesOverview {
    let newest_k3s = newest(summaries.iter().filter(|s| s.distro == Distro::K3s));
    let newest_microk8s = newest(summaries.iter().filter(|s| s.distro == Distro::Microk8s));
    let sites = summaries
        .iter()
        .map(|s| {
            let newest = match s.distro {
                Distro::K3s => newest_k3s.as_deref(),
                Distro::Microk8s => newest_microk8s.as_deref(),
                Distro::Other => None,
            };
            let gate = check_health(&s.name, health(&s.name).as_deref(), false);
            ipc::UpgradeSiteRow {
                name: s.name.clone(),
                display_name: s.display_name.clone(),
                distro: s.distro,
                version: s.version.clone(),
                behind: !s.version.is_empty()
                    && newest.is_some_and(|n| version_key(&s.version) < version_key(n)),
                healthy: gate.is_ok(),
                health_reason: gate.err().map(|e| match e {
                    UpgradeError::Unhealthy { why, .. } => why,
                    other => other.to_string(),
                }),
                snap_command: (s.distro == Distro::Microk8s)
                    .then(|| snap_command(&s.version, newest))
                    .flatten(),
            }
        })
        .collect();
    ipc::UpgradesOverview {
        sites,
        newest_k3s,
        newest_microk8s,
    }
}

/// Starts the upgrade on each picked site: refused per site when its last health check
/// failed (unless `force`), when it has no system-upgrade-controller, or when it cannot
/// be reached; each attempt goes to the site's change journal. The request as a whole is
/// refused (nothing touched) for an unknown site, a bad version or a bad window.
pub async fn start(
    sites: &[Site],
    clients: &ClientCache,
    health: impl Fn(&str) -> Option<Arc<SiteHealth>>,
    req: &ipc::UpgradeStartRequest,
    changes: &ChangeLog,
) -> Result<Vec<ipc::UpgradeStartResult>, UpgradeError> {
    if req.sites.is_empty() {
        return Err(UpgradeError::Invalid("pick at least one site".into()));
    }
    let picked = req
        .sites
        .iter()
        .map(|n| {
            sites
                .iter()
                .find(|s| &s.name == n)
                .ok_or_else(|| UpgradeError::Invalid(format!("no site named {n:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let version = req.version.trim();
    if picked.iter().any(|s| s.distro != Some(RegDistro::MicroK8s)) && !valid_k3s_version(version) {
        return Err(UpgradeError::Invalid(format!(
            "{version:?} is not a K3s version like v1.31.4+k3s1 (pin the exact version)"
        )));
    }
    let window = match req.window.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(w) => {
            Some(MaintenanceWindow::parse(w).map_err(|e| UpgradeError::Invalid(e.to_string()))?)
        }
    };
    let mut out = Vec::new();
    for site in picked {
        let span = tracing::info_span!("upgrade", site = %site.name);
        let r = async {
            check_health(&site.name, health(&site.name).as_deref(), req.force)?;
            let c = clients.get(site).map_err(UpgradeError::from)?;
            start_site(&c.requests, site, version, window.as_ref()).await
        }
        .instrument(span.clone())
        .await;
        // Nothing below awaits: the rest of the site's work is logged inside its span.
        let _e = span.enter();
        let (res, journal) = match r {
            Ok(Started::Plans {
                created,
                updated,
                unchanged,
            }) => {
                tracing::info!(%version, "k3s upgrade started");
                let mut what = Vec::new();
                for (label, l) in [
                    ("created", created),
                    ("updated", updated),
                    ("unchanged", unchanged),
                ] {
                    if !l.is_empty() {
                        what.push(format!("{label} {}", l.join(", ")));
                    }
                }
                (
                    ipc::UpgradeStartResult {
                        site: site.name.clone(),
                        ok: true,
                        message: format!("upgrading to {version}: Plans {}", what.join("; ")),
                        error_kind: None,
                        snap_command: None,
                    },
                    "plans applied".to_string(),
                )
            }
            Ok(Started::MicroK8s { command }) => (
                ipc::UpgradeStartResult {
                    site: site.name.clone(),
                    ok: false,
                    message: format!(
                        "MicroK8s cannot be upgraded by Outpost: run `{command}` on each node"
                    ),
                    error_kind: None,
                    snap_command: Some(command),
                },
                "microk8s: manual snap refresh needed".to_string(),
            ),
            Err(e) => {
                tracing::info!(error = %e, "k3s upgrade refused");
                let message = match &e {
                    // The app has a Force checkbox, not a --force flag.
                    UpgradeError::Unhealthy { site, why } => format!(
                        "refusing to upgrade {site}: its last health check failed ({why}); tick Force to upgrade it anyway"
                    ),
                    other => other.to_string(),
                };
                (
                    ipc::UpgradeStartResult {
                        site: site.name.clone(),
                        ok: false,
                        message,
                        error_kind: Some(outpost_ipc::ErrorKind::from(e.kind())),
                        snap_command: None,
                    },
                    format!(
                        "refused: {}",
                        outpost_ipc::ErrorKind::from(e.kind()).as_str()
                    ),
                )
            }
        };
        if let Err(e) = changes.record(&ChangeRecord {
            at: jiff::Timestamp::now(),
            user: os_user(),
            site: site.name.clone(),
            object: "k3s".into(),
            what: format!("k3s upgrade to {version}"),
            result: journal,
            rollout: None,
        }) {
            tracing::warn!(error = %e, "change journal not written");
        }
        out.push(res);
    }
    Ok(out)
}

/// A site's progress (or why it could not be read) as the view shows it.
pub fn info(site: &str, r: Result<SiteUpgrade, UpgradeError>) -> ipc::SiteUpgradeInfo {
    match r {
        Err(e) => ipc::SiteUpgradeInfo {
            site: site.to_string(),
            error: Some(e.to_string()),
            controller: false,
            controller_image: None,
            target: None,
            applying: Vec::new(),
            nodes: Vec::new(),
            stuck: Vec::new(),
            done: false,
        },
        Ok(st) => ipc::SiteUpgradeInfo {
            site: site.to_string(),
            error: None,
            controller: st.controller.installed(),
            controller_image: st.controller.image.clone(),
            target: st.target.clone(),
            applying: st.applying.clone(),
            nodes: st
                .nodes
                .iter()
                .map(|n| ipc::NodeUpgradeInfo {
                    name: n.name.clone(),
                    role: n.role,
                    version: n.version.clone(),
                    target: n.target.clone(),
                    state: match n.state {
                        NodeState::UpToDate => ipc::NodeUpgradeState::UpToDate,
                        NodeState::Waiting => ipc::NodeUpgradeState::Waiting,
                        NodeState::Upgrading => ipc::NodeUpgradeState::Upgrading,
                        NodeState::Stuck => ipc::NodeUpgradeState::Stuck,
                    },
                    cordoned: n.cordoned,
                    job: n.job.clone(),
                })
                .collect(),
            stuck: st
                .stuck
                .iter()
                .map(|s| ipc::StuckInfo {
                    node: s.node.clone(),
                    job: s.job.clone(),
                    kind: s.kind,
                    reason: s.reason.clone(),
                    next_steps: s.next_steps.clone(),
                    since_ms: s.since.map(|t| t.as_millisecond()),
                })
                .collect(),
            done: st.done,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_by_their_numbers() {
        assert!(version_key("v1.30.8+k3s1") < version_key("v1.31.4+k3s1"));
        assert!(version_key("v1.31.4+k3s1") < version_key("v1.31.4+k3s2"));
        assert!(version_key("v1.9.0") < version_key("v1.10.0"));
        assert_eq!(
            snap_command("v1.29.12", Some("v1.30.8")).as_deref(),
            Some("sudo snap refresh microk8s --channel=1.30/stable")
        );
        assert_eq!(
            snap_command("v1.29.12", Some("v1.29.12")).as_deref(),
            Some("sudo snap refresh microk8s --channel=1.30/stable"),
            "at the newest: the next minor"
        );
        assert_eq!(snap_command("", None), None);
    }
}
