//! The sites table: sorting, filtering, search, and version drift across the fleet.

use outpost_ipc::{Distro, HealthLevel, SiteSummary};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    Name,
    /// Worst first when ascending is false (the default for health).
    #[default]
    Health,
    Distro,
    Version,
    LastSeen,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Name,
        SortKey::Health,
        SortKey::Distro,
        SortKey::Version,
        SortKey::LastSeen,
    ];

    pub fn id(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Health => "health",
            SortKey::Distro => "distro",
            SortKey::Version => "version",
            SortKey::LastSeen => "last_seen",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SortKey::Name => "Site",
            SortKey::Health => "Health",
            SortKey::Distro => "Distro",
            SortKey::Version => "Version",
            SortKey::LastSeen => "Last seen",
        }
    }
}

/// What the table shows: sort, filters and search text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SiteQuery {
    pub sort: SortKey,
    pub ascending: bool,
    pub level: Option<HealthLevel>,
    pub distro: Option<Distro>,
    pub search: String,
}

impl SiteQuery {
    /// Clicking a column header: same column flips the direction, a new one starts
    /// ascending (health starts worst first).
    pub fn toggle_sort(&self, key: SortKey) -> SiteQuery {
        let ascending = if key == self.sort {
            !self.ascending
        } else {
            key != SortKey::Health
        };
        SiteQuery {
            sort: key,
            ascending,
            ..self.clone()
        }
    }

    pub fn matches(&self, s: &SiteSummary) -> bool {
        if self.level.is_some_and(|l| l != s.level) || self.distro.is_some_and(|d| d != s.distro) {
            return false;
        }
        let q = self.search.trim().to_lowercase();
        q.is_empty()
            || [&s.name, &s.display_name, &s.city]
                .into_iter()
                .chain(s.tags.iter())
                .any(|f| f.to_lowercase().contains(&q))
    }

    /// The sites to show, in order. Ties break by name so the order is stable.
    pub fn apply<'a>(&self, sites: &'a [SiteSummary]) -> Vec<&'a SiteSummary> {
        let mut rows: Vec<_> = sites.iter().filter(|s| self.matches(s)).collect();
        rows.sort_by(|a, b| {
            let o = match self.sort {
                SortKey::Name => Ordering::Equal,
                SortKey::Health => a.level.severity().cmp(&b.level.severity()),
                SortKey::Distro => a.distro.cmp(&b.distro),
                SortKey::Version => version_key(&a.version).cmp(&version_key(&b.version)),
                SortKey::LastSeen => a.last_seen_ms.cmp(&b.last_seen_ms),
            };
            let o = if self.ascending { o } else { o.reverse() };
            o.then_with(|| a.name.cmp(&b.name))
        });
        if self.sort == SortKey::Name && !self.ascending {
            rows.reverse();
        }
        rows
    }
}

/// Orders `v1.9.2+k3s1` < `v1.31.4+k3s1` < `v1.31.4+k3s2`: numbers compare as numbers.
pub fn version_key(v: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut num = String::new();
    let mut text = String::new();
    for c in v.trim_start_matches('v').chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((num.parse().unwrap_or(u64::MAX), std::mem::take(&mut text)));
                num.clear();
            }
            text.push(c);
        }
    }
    if !num.is_empty() || !text.is_empty() {
        out.push((num.parse().unwrap_or(0), text));
    }
    out
}

/// Versions of one distro across the fleet, most common first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DistroVersions {
    pub distro: Distro,
    /// (version, site count), by count descending then version descending.
    pub versions: Vec<(String, usize)>,
    /// The version most of this distro's sites run; `None` on a tie.
    pub majority: Option<String>,
}

/// Version drift, per distro: K3s and MicroK8s version strings never match each other
/// (`v1.31.4+k3s1` vs `v1.31.4`), so each distro has its own majority.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VersionDrift {
    /// One group per distro present, in `Distro` order.
    pub groups: Vec<DistroVersions>,
}

impl VersionDrift {
    pub fn of(sites: &[SiteSummary]) -> VersionDrift {
        let mut groups = Vec::new();
        for distro in Distro::ALL {
            let mut versions: Vec<(String, usize)> = Vec::new();
            for s in sites
                .iter()
                .filter(|s| s.distro == distro && !s.version.is_empty())
            {
                match versions.iter_mut().find(|(v, _)| *v == s.version) {
                    Some((_, n)) => *n += 1,
                    None => versions.push((s.version.clone(), 1)),
                }
            }
            if versions.is_empty() {
                continue;
            }
            versions.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then_with(|| version_key(&b.0).cmp(&version_key(&a.0)))
            });
            let majority = match versions.as_slice() {
                [(v, _)] => Some(v.clone()),
                [(v, a), (_, b), ..] if a > b => Some(v.clone()),
                _ => None,
            };
            groups.push(DistroVersions {
                distro,
                versions,
                majority,
            });
        }
        VersionDrift { groups }
    }

    pub fn majority(&self, distro: Distro) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.distro == distro)
            .and_then(|g| g.majority.as_deref())
    }

    /// A site whose version differs from its distro's majority (unknown versions and
    /// ties are not drift).
    pub fn is_outlier(&self, distro: Distro, version: &str) -> bool {
        !version.is_empty() && self.majority(distro).is_some_and(|m| m != version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixtures::{demo_fleet, site};

    fn names(rows: &[&SiteSummary]) -> Vec<String> {
        rows.iter().map(|s| s.name.clone()).collect()
    }

    #[test]
    fn default_sort_is_worst_first_then_name() {
        let fleet = demo_fleet();
        let rows = SiteQuery::default().apply(&fleet);
        assert_eq!(rows.len(), 12);
        assert_eq!(rows[0].name, "munich-ost");
        assert_eq!(names(&rows[1..3]), ["austin-east", "lyon-part-dieu"]);
        assert_eq!(rows[3].name, "oslo-sentrum");
        assert_eq!(rows[11].level, HealthLevel::Ok);
    }

    #[test]
    fn sort_by_each_column_and_toggle() {
        let fleet = demo_fleet();
        let q = SiteQuery::default().toggle_sort(SortKey::Name);
        assert!(q.ascending);
        assert_eq!(q.apply(&fleet)[0].name, "austin-east");
        let q = q.toggle_sort(SortKey::Name);
        assert_eq!(q.apply(&fleet)[0].name, "toronto-queen");
        let q = q.toggle_sort(SortKey::Version);
        let rows = q.apply(&fleet);
        assert_eq!(rows[0].version, "v1.30.6+k3s1");
        assert_eq!(rows[11].version, "v1.31.4+k3s1");
        let q = q.toggle_sort(SortKey::Distro);
        assert_eq!(q.apply(&fleet)[0].distro, Distro::K3s);
        let q = q.toggle_sort(SortKey::LastSeen);
        assert_eq!(
            q.apply(&fleet)[0].name,
            "oslo-sentrum",
            "oldest contact first"
        );
    }

    #[test]
    fn filters_and_search() {
        let fleet = demo_fleet();
        let q = SiteQuery {
            level: Some(HealthLevel::Warning),
            ..SiteQuery::default()
        };
        assert_eq!(names(&q.apply(&fleet)), ["austin-east", "lyon-part-dieu"]);
        let q = SiteQuery {
            distro: Some(Distro::Microk8s),
            ..SiteQuery::default()
        };
        assert_eq!(q.apply(&fleet).len(), 3);
        let search = |s: &str| {
            let q = SiteQuery {
                search: s.into(),
                ..SiteQuery::default().toggle_sort(SortKey::Name)
            };
            names(&q.apply(&fleet))
        };
        assert_eq!(
            search("  LISBON "),
            ["lisbon-baixa"],
            "city, case-insensitive"
        );
        assert_eq!(search("apac"), ["sydney-cbd"], "tag");
        assert_eq!(search("ost"), ["munich-ost"], "name");
        assert_eq!(search("").len(), 12);
        assert!(search("nowhere-at-all").is_empty());
    }

    #[test]
    fn version_keys_compare_numerically() {
        assert!(version_key("v1.9.2+k3s1") < version_key("v1.31.4+k3s1"));
        assert!(version_key("v1.31.4+k3s1") < version_key("v1.31.4+k3s2"));
        assert!(version_key("v1.31.3") < version_key("v1.31.4+k3s1"));
    }

    #[test]
    fn version_drift_marks_majority_and_outliers_per_distro() {
        let d = VersionDrift::of(&demo_fleet());
        assert_eq!(d.groups.len(), 2, "k3s and microk8s");
        assert_eq!(d.groups[0].distro, Distro::K3s);
        assert_eq!(
            d.groups[0].versions,
            [
                ("v1.31.4+k3s1".to_string(), 7),
                ("v1.30.6+k3s1".to_string(), 2)
            ]
        );
        assert_eq!(d.majority(Distro::K3s), Some("v1.31.4+k3s1"));
        assert_eq!(d.majority(Distro::Microk8s), Some("v1.31.3"));
        assert!(d.is_outlier(Distro::K3s, "v1.30.6+k3s1"));
        assert!(!d.is_outlier(Distro::K3s, "v1.31.4+k3s1"));
        assert!(
            !d.is_outlier(Distro::Microk8s, "v1.31.3"),
            "own distro's majority"
        );
        assert!(!d.is_outlier(Distro::K3s, ""), "never reached is not drift");
        assert!(
            !d.is_outlier(Distro::Other, "v1.2.3"),
            "no data for the distro"
        );

        let mut a = site("a", HealthLevel::Ok);
        let mut b = site("b", HealthLevel::Ok);
        a.version = "v1".into();
        b.version = "v2".into();
        let tie = VersionDrift::of(&[a, b]);
        assert_eq!(tie.majority(Distro::K3s), None);
        assert!(!tie.is_outlier(Distro::K3s, "v1"));
        assert_eq!(VersionDrift::of(&[]), VersionDrift::default());
    }
}
