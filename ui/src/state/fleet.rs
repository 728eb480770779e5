//! The fleet as the UI knows it: the site list, kept up to date by `FleetUpdate`s.

use outpost_ipc::{FleetUpdate, HealthLevel, IpcError, SiteSummary};
use std::rc::Rc;
use yew::Reducible;

/// Where the site list comes from right now.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum FleetStatus {
    #[default]
    Loading,
    Ready,
    /// The last load failed; `sites` keeps what was known before.
    Failed(IpcError),
}

/// The site list, sorted by name, and its load status.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fleet {
    pub sites: Vec<SiteSummary>,
    pub status: FleetStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FleetAction {
    /// Answer of `list_sites`.
    Loaded(Result<Vec<SiteSummary>, IpcError>),
    /// One message of the `watch_fleet` channel.
    Update(FleetUpdate),
}

/// Sites per health level, plus how many are offline or shown from a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LevelCounts {
    pub ok: usize,
    pub warning: usize,
    pub critical: usize,
    pub unknown: usize,
    pub offline: usize,
    pub stale: usize,
}

impl LevelCounts {
    pub fn get(&self, level: HealthLevel) -> usize {
        match level {
            HealthLevel::Ok => self.ok,
            HealthLevel::Warning => self.warning,
            HealthLevel::Critical => self.critical,
            HealthLevel::Unknown => self.unknown,
        }
    }

    pub fn total(&self) -> usize {
        self.ok + self.warning + self.critical + self.unknown
    }
}

impl Fleet {
    pub fn apply(&self, action: FleetAction) -> Fleet {
        let mut next = self.clone();
        match action {
            FleetAction::Loaded(Ok(sites)) => {
                next.sites = sites;
                next.sort();
                next.status = FleetStatus::Ready;
            }
            FleetAction::Loaded(Err(e)) => next.status = FleetStatus::Failed(e),
            FleetAction::Update(FleetUpdate::Full { sites }) => {
                next.sites = sites;
                next.sort();
                next.status = FleetStatus::Ready;
            }
            FleetAction::Update(FleetUpdate::Changed { site }) => {
                match next.sites.iter_mut().find(|s| s.name == site.name) {
                    Some(existing) => *existing = *site,
                    None => {
                        next.sites.push(*site);
                        next.sort();
                    }
                }
            }
            FleetAction::Update(FleetUpdate::Removed { name }) => {
                next.sites.retain(|s| s.name != name);
            }
        }
        next
    }

    fn sort(&mut self) {
        self.sites.sort_by(|a, b| a.name.cmp(&b.name));
        self.sites.dedup_by(|a, b| a.name == b.name);
    }

    pub fn get(&self, name: &str) -> Option<&SiteSummary> {
        self.sites.iter().find(|s| s.name == name)
    }

    pub fn counts(&self) -> LevelCounts {
        count_levels(&self.sites)
    }
}

pub fn count_levels(sites: &[SiteSummary]) -> LevelCounts {
    let mut c = LevelCounts::default();
    for s in sites {
        match s.level {
            HealthLevel::Ok => c.ok += 1,
            HealthLevel::Warning => c.warning += 1,
            HealthLevel::Critical => c.critical += 1,
            HealthLevel::Unknown => c.unknown += 1,
        }
        if s.reachability.state.is_offline() {
            c.offline += 1;
        }
        if s.stale.is_some() {
            c.stale += 1;
        }
    }
    c
}

impl Reducible for Fleet {
    type Action = FleetAction;

    fn reduce(self: Rc<Self>, action: FleetAction) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixtures::{demo_fleet, site};
    use outpost_ipc::ErrorKind;

    #[test]
    fn loaded_list_is_sorted_and_counted() {
        let mut sites = demo_fleet();
        sites.reverse();
        let f = Fleet::default().apply(FleetAction::Loaded(Ok(sites)));
        assert_eq!(f.status, FleetStatus::Ready);
        let names: Vec<_> = f.sites.iter().map(|s| s.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        let c = f.counts();
        assert_eq!(c.total(), 12);
        assert_eq!((c.ok, c.warning, c.critical, c.unknown), (8, 2, 1, 1));
        assert_eq!(c.offline, 1);
        assert_eq!(c.stale, 1);
    }

    #[test]
    fn changed_replaces_or_inserts_and_removed_deletes() {
        let f = Fleet::default().apply(FleetAction::Update(FleetUpdate::Full {
            sites: vec![site("b", HealthLevel::Ok), site("d", HealthLevel::Ok)],
        }));
        let f = f.apply(FleetAction::Update(FleetUpdate::Changed {
            site: Box::new(site("b", HealthLevel::Critical)),
        }));
        assert_eq!(f.get("b").map(|s| s.level), Some(HealthLevel::Critical));
        assert_eq!(f.sites.len(), 2);
        let f = f.apply(FleetAction::Update(FleetUpdate::Changed {
            site: Box::new(site("c", HealthLevel::Warning)),
        }));
        let names: Vec<_> = f.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["b", "c", "d"]);
        let f = f.apply(FleetAction::Update(FleetUpdate::Removed {
            name: "b".into(),
        }));
        assert!(f.get("b").is_none());
        assert_eq!(f.sites.len(), 2);
        let f = f.apply(FleetAction::Update(FleetUpdate::Full { sites: vec![] }));
        assert!(f.sites.is_empty());
    }

    #[test]
    fn failure_keeps_known_sites() {
        let f = Fleet::default().apply(FleetAction::Loaded(Ok(vec![site("a", HealthLevel::Ok)])));
        let err = IpcError::new(ErrorKind::Internal, "list_sites: command not found");
        let f = f.apply(FleetAction::Loaded(Err(err.clone())));
        assert_eq!(f.status, FleetStatus::Failed(err));
        assert_eq!(f.sites.len(), 1);
    }
}
