//! The shared state types at the bottom of core: the pruned per-site state and health
//! summary ([`state`]) that the health engine keeps, the snapshot cache stores and
//! bundles carry, and the [`diff`] of two such states.
//!
//! This module imports nothing from `health`, `snapshot` or `bundle`; they all import
//! from here, so the three no longer depend on each other in a cycle.

pub mod diff;
pub mod state;
mod state_view;

pub use diff::{Change, ChangeKind, Diff, View, diff};
pub use state::{
    EventInfo, Level, NodeInfo, PodInfo, PodProblem, PodTrouble, Reach, SiteHealth, SiteState,
    WorkloadInfo,
};
