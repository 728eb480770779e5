//! The Upgrades view's state: the fleet's version drift (grouped by distro and version),
//! the K3s upgrade form (picked sites, pinned version prefilled with the newest seen,
//! window, force), its confirmation, the per-site results of starting, and the watched
//! sites' live per-node progress. Pure: no DOM, no IPC.

use super::Load;
use outpost_ipc::upgrade::{
    NodeUpgradeState, SiteUpgradeInfo, UpgradeSiteRow, UpgradeStartRequest, UpgradeStartResult,
    UpgradesOverview, valid_k3s_version,
};
use outpost_ipc::{Distro, IpcError};
use std::rc::Rc;
use yew::Reducible;

/// The view's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Upgrades {
    pub overview: Load<UpgradesOverview>,
    /// Picked K3s sites, in the order picked.
    pub picked: Vec<String>,
    /// The pinned target version, as typed (prefilled with the newest K3s in the fleet).
    pub version: String,
    /// The version was typed: a reload does not replace it.
    pub version_typed: bool,
    /// `DAYS HH:MM-HH:MM TZ`, optional.
    pub window: String,
    pub force: bool,
    pub confirming: bool,
    pub starting: bool,
    /// What the last start did at each site.
    pub results: Vec<UpgradeStartResult>,
    /// Why the last start (or load) was refused as a whole.
    pub error: Option<IpcError>,
    /// Sites whose progress is watched.
    pub watched: Vec<String>,
    /// Bumped to (re)start the watch.
    pub watch_gen: u32,
    /// The watched sites' latest progress.
    pub progress: Vec<SiteUpgradeInfo>,
    /// Bumped to reload the overview (e.g. once a watched upgrade is done).
    pub reload_gen: u32,
}

/// Everything that changes the view.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Loaded(Result<UpgradesOverview, IpcError>),
    Reload,
    Pick(String, bool),
    /// Picks every K3s site behind the newest version.
    PickBehind,
    Version(String),
    Window(String),
    Force(bool),
    /// Opens the confirmation (only for a valid form).
    Confirm,
    Cancel,
    Starting,
    Started(Result<Vec<UpgradeStartResult>, IpcError>),
    /// Watches the picked sites without starting anything.
    WatchPicked,
    Progress(Vec<SiteUpgradeInfo>),
    WatchFailed(IpcError),
    DismissError,
}

/// Sites of one distro at one version.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub distro: Distro,
    pub version: String,
    /// The newest version of its distro in the fleet.
    pub newest: bool,
    pub sites: Vec<UpgradeSiteRow>,
}

/// A distro's name as shown.
pub fn distro_name(d: Distro) -> &'static str {
    match d {
        Distro::K3s => "K3s",
        Distro::Microk8s => "MicroK8s",
        Distro::Other => "Other",
    }
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// The drift table: K3s first, then MicroK8s, then others; newest version first.
pub fn groups(o: &UpgradesOverview) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for s in &o.sites {
        match out
            .iter_mut()
            .find(|g| g.distro == s.distro && g.version == s.version)
        {
            Some(g) => g.sites.push(s.clone()),
            None => out.push(Group {
                distro: s.distro,
                version: s.version.clone(),
                newest: !s.version.is_empty() && !s.behind,
                sites: vec![s.clone()],
            }),
        }
    }
    let rank = |d: Distro| match d {
        Distro::K3s => 0,
        Distro::Microk8s => 1,
        Distro::Other => 2,
    };
    out.sort_by(|a, b| {
        rank(a.distro)
            .cmp(&rank(b.distro))
            .then_with(|| version_key(&b.version).cmp(&version_key(&a.version)))
    });
    out
}

/// What is wrong with the typed version, if anything.
pub fn version_error(v: &str) -> Option<&'static str> {
    if valid_k3s_version(v.trim()) {
        None
    } else {
        Some("Pin an exact K3s version like v1.31.4+k3s1 (sites without internet need it).")
    }
}

/// Done nodes and all nodes of a site's upgrade.
pub fn nodes_done(p: &SiteUpgradeInfo) -> (usize, usize) {
    let done = p
        .nodes
        .iter()
        .filter(|n| n.state == NodeUpgradeState::UpToDate)
        .count();
    (done, p.nodes.len())
}

/// A node's state in words and as a CSS class suffix.
pub fn node_state(s: NodeUpgradeState) -> (&'static str, &'static str) {
    match s {
        NodeUpgradeState::UpToDate => ("up to date", "done"),
        NodeUpgradeState::Waiting => ("waiting", "waiting"),
        NodeUpgradeState::Upgrading => ("upgrading", "updating"),
        NodeUpgradeState::Stuck => ("stuck", "failed"),
    }
}

impl Upgrades {
    fn row(&self, name: &str) -> Option<&UpgradeSiteRow> {
        match &self.overview {
            Load::Ready(o) => o.sites.iter().find(|s| s.name == name),
            _ => None,
        }
    }

    /// Picked sites whose last health check failed (refused unless forced).
    pub fn picked_unhealthy(&self) -> Vec<String> {
        self.picked
            .iter()
            .filter(|n| self.row(n).is_some_and(|r| !r.healthy))
            .cloned()
            .collect()
    }

    /// The request the form makes, when it can be sent.
    pub fn request(&self) -> Option<UpgradeStartRequest> {
        if self.picked.is_empty() || version_error(&self.version).is_some() {
            return None;
        }
        let window = self.window.trim();
        Some(UpgradeStartRequest {
            sites: self.picked.clone(),
            version: self.version.trim().to_string(),
            window: (!window.is_empty()).then(|| window.to_string()),
            force: self.force,
        })
    }

    fn watch(&mut self, sites: Vec<String>) {
        for s in sites {
            if !self.watched.contains(&s) {
                self.watched.push(s);
            }
        }
        self.watch_gen = self.watch_gen.wrapping_add(1);
    }

    /// The reducer, as a plain function.
    pub fn apply(&self, action: Action) -> Upgrades {
        let mut n = self.clone();
        match action {
            Action::Loaded(Ok(o)) => {
                if !self.version_typed
                    && let Some(v) = &o.newest_k3s
                {
                    n.version = v.clone();
                }
                // Only K3s sites can be picked; forget picks that are no longer sites.
                n.picked.retain(|p| {
                    o.sites
                        .iter()
                        .any(|s| &s.name == p && s.distro == Distro::K3s)
                });
                n.overview = Load::Ready(o);
            }
            Action::Loaded(Err(e)) => n.overview = Load::Failed(e),
            Action::Reload => n.reload_gen = n.reload_gen.wrapping_add(1),
            Action::Pick(site, on) => {
                let k3s = self.row(&site).is_some_and(|r| r.distro == Distro::K3s);
                n.picked.retain(|p| p != &site);
                if on && k3s {
                    n.picked.push(site);
                }
                n.confirming = false;
            }
            Action::PickBehind => {
                if let Load::Ready(o) = &self.overview {
                    for s in o
                        .sites
                        .iter()
                        .filter(|s| s.distro == Distro::K3s && s.behind)
                    {
                        if !n.picked.contains(&s.name) {
                            n.picked.push(s.name.clone());
                        }
                    }
                }
                n.confirming = false;
            }
            Action::Version(v) => {
                n.version = v;
                n.version_typed = true;
                n.confirming = false;
            }
            Action::Window(w) => {
                n.window = w;
                n.confirming = false;
            }
            Action::Force(f) => {
                n.force = f;
                n.confirming = false;
            }
            Action::Confirm => n.confirming = self.request().is_some(),
            Action::Cancel => n.confirming = false,
            Action::Starting => {
                n.starting = true;
                n.error = None;
            }
            Action::Started(Ok(results)) => {
                n.starting = false;
                n.confirming = false;
                let ok: Vec<String> = results
                    .iter()
                    .filter(|r| r.ok)
                    .map(|r| r.site.clone())
                    .collect();
                n.results = results;
                if !ok.is_empty() {
                    n.watch(ok);
                }
            }
            Action::Started(Err(e)) => {
                n.starting = false;
                n.confirming = false;
                n.error = Some(e);
            }
            Action::WatchPicked => {
                let picked = self.picked.clone();
                n.watch(picked);
            }
            Action::Progress(p) => {
                let done = !p.is_empty() && p.iter().all(|s| s.done);
                let was_done = !self.progress.is_empty() && self.progress.iter().all(|s| s.done);
                n.progress = p;
                if done && !was_done {
                    // The versions moved: show them in the drift table.
                    n.reload_gen = n.reload_gen.wrapping_add(1);
                }
            }
            Action::WatchFailed(e) => n.error = Some(e),
            Action::DismissError => n.error = None,
        }
        n
    }
}

impl Reducible for Upgrades {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[cfg(test)]
#[path = "upgrades_tests.rs"]
mod tests;
