//! A fleet rollout plan: the workload, its new images, the target sites, the waves, the
//! health gate, the failure budget and what to do on failure.

use super::RolloutError;
use crate::actions::WorkloadRef;
use crate::registry::Site;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Which sites a rollout targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum Targets {
    All,
    Tag(String),
    Sites(Vec<String>),
}

impl Targets {
    /// The matching site names, in registry order (explicit lists keep their order).
    pub fn resolve(&self, all: &[Site]) -> Result<Vec<String>, RolloutError> {
        let names: Vec<String> = match self {
            Targets::All => all.iter().map(|s| s.name.clone()).collect(),
            Targets::Tag(t) => all
                .iter()
                .filter(|s| s.tags.iter().any(|x| x == t))
                .map(|s| s.name.clone())
                .collect(),
            Targets::Sites(list) => {
                let mut out = Vec::new();
                for n in list {
                    if !all.iter().any(|s| &s.name == n) {
                        return Err(RolloutError::Invalid(format!("no site named {n:?}")));
                    }
                    if !out.contains(n) {
                        out.push(n.clone());
                    }
                }
                out
            }
        };
        if names.is_empty() {
            return Err(RolloutError::Invalid("no site matches the targets".into()));
        }
        Ok(names)
    }
}

/// One wave's size: a number of sites, or a cumulative share of all targets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaveSize {
    Sites(u32),
    /// Cumulative: "25 %" means up to a quarter of the targets have been reached by the
    /// end of this wave.
    Percent(f64),
}

/// The default waves: one canary site, then up to 25 %, then the rest.
pub fn default_waves() -> Vec<WaveSize> {
    vec![
        WaveSize::Sites(1),
        WaveSize::Percent(25.0),
        WaveSize::Percent(100.0),
    ]
}

/// Parses `1,25%,100%`.
pub fn parse_waves(s: &str) -> Result<Vec<WaveSize>, RolloutError> {
    let bad = |p: &str| {
        RolloutError::Invalid(format!(
            "wave {p:?}: use a count like 1 or a share like 25%"
        ))
    };
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim) {
        if let Some(pc) = p.strip_suffix('%') {
            let v: f64 = pc.trim().parse().map_err(|_| bad(p))?;
            if !(v > 0.0 && v <= 100.0) {
                return Err(bad(p));
            }
            out.push(WaveSize::Percent(v));
        } else {
            let n: u32 = p.parse().map_err(|_| bad(p))?;
            if n == 0 {
                return Err(bad(p));
            }
            out.push(WaveSize::Sites(n));
        }
    }
    if out.is_empty() {
        return Err(RolloutError::Invalid("no waves given".into()));
    }
    Ok(out)
}

/// Splits `sites` into waves. Counts are sites in that wave; percentages are cumulative.
/// Empty waves are dropped and whatever the sizes leave over becomes a last wave, so
/// every site is in exactly one wave.
pub fn split_waves(sites: &[String], sizes: &[WaveSize]) -> Vec<Vec<String>> {
    let total = sites.len();
    let mut out = Vec::new();
    let mut at = 0usize;
    for w in sizes {
        let end = match *w {
            WaveSize::Sites(n) => at + n as usize,
            WaveSize::Percent(p) => ((total as f64) * p / 100.0).ceil() as usize,
        }
        .min(total);
        if end > at {
            out.push(sites[at..end].to_vec());
            at = end;
        }
    }
    if at < total {
        out.push(sites[at..].to_vec());
    }
    out
}

/// What happens when a wave exceeds its failure budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Stop and wait for `resume` or `abort`.
    Pause,
    /// Roll the failed sites back to their previous revision and stop.
    #[default]
    Rollback,
}

impl std::str::FromStr for OnFailure {
    type Err = RolloutError;
    fn from_str(s: &str) -> Result<Self, RolloutError> {
        match s {
            "pause" => Ok(OnFailure::Pause),
            "rollback" => Ok(OnFailure::Rollback),
            _ => Err(RolloutError::Invalid(format!(
                "--on-failure {s:?}: use pause or rollback"
            ))),
        }
    }
}

/// The per-site health gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthGate {
    /// The rollout must complete within this (milliseconds on the wire).
    #[serde(with = "millis")]
    pub deadline: Duration,
    /// Then no pod may crash-loop or restart for this long.
    #[serde(with = "millis")]
    pub soak: Duration,
}

impl Default for HealthGate {
    fn default() -> Self {
        HealthGate {
            deadline: Duration::from_secs(600),
            soak: Duration::from_secs(60),
        }
    }
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// A fleet rollout, fixed when it is created (the site list is resolved then).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub workload: WorkloadRef,
    /// Container → new image.
    pub images: BTreeMap<String, String>,
    pub targets: Targets,
    /// The sites of each wave.
    pub waves: Vec<Vec<String>>,
    pub gate: HealthGate,
    /// Failed sites a wave may have and still go on.
    pub max_failures: u32,
    pub on_failure: OnFailure,
    pub created_at: jiff::Timestamp,
    pub created_by: String,
}

impl Plan {
    /// Every site, in wave order.
    pub fn sites(&self) -> impl Iterator<Item = (usize, &String)> {
        self.waves
            .iter()
            .enumerate()
            .flat_map(|(i, w)| w.iter().map(move |s| (i, s)))
    }
}

/// A new rollout id: `ro-YYYYMMDD-HHMMSS-xxxx`.
pub fn new_id() -> String {
    let now = jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::UTC);
    format!(
        "ro-{}-{:04x}",
        now.strftime("%Y%m%d-%H%M%S"),
        rand::random::<u16>()
    )
}

/// Whether `id` looks like a rollout id (it names files, so nothing else is accepted).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("s{i}")).collect()
    }

    #[test]
    fn default_waves_are_canary_quarter_rest() {
        let w = split_waves(&names(100), &default_waves());
        assert_eq!(w.iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 24, 75]);
        let w = split_waves(&names(3), &default_waves());
        assert_eq!(w.iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 2]);
        let w = split_waves(&names(1), &default_waves());
        assert_eq!(w, vec![vec!["s0".to_string()]]);
    }

    #[test]
    fn parses_waves_and_covers_every_site() {
        let w = parse_waves("2, 50%").unwrap();
        assert_eq!(w, vec![WaveSize::Sites(2), WaveSize::Percent(50.0)]);
        let split = split_waves(&names(10), &w);
        assert_eq!(
            split.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![2, 3, 5]
        );
        for bad in ["", "0", "x", "120%", "-1"] {
            assert!(parse_waves(bad).is_err(), "{bad}");
        }
        assert!(valid_id(&new_id()));
        assert!(!valid_id("../x"));
    }
}
