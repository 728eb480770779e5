//! The live fleet health engine.
//!
//! [`FleetMonitor`] sweeps every registered site (a bounded number at a time), then
//! keeps one task per site with live watches on nodes, workloads, pods and warning
//! events, pruned into a small [`SiteState`] and rolled up into a [`SiteHealth`].
//! Subscribers get a [`FleetHealth`] through a `tokio::sync::watch` channel. A site
//! that does not answer never delays another; its health comes from the last
//! snapshot, flagged stale.

mod entry;
mod evaluate;
mod known;
mod monitor;
pub mod prune;
mod site_task;
mod sweep;
mod watches;
mod words;

/// The state types live in [`crate::model`]; re-exported for the app and the CLI.
pub use crate::model::{
    EventInfo, Level, NodeInfo, PodInfo, PodProblem, PodTrouble, Reach, SiteHealth, SiteState,
    WorkloadInfo,
};
pub use evaluate::{CERT_WARN_DAYS, Observation, detect_distro, evaluate, fmt_age};
pub use monitor::{FleetHealth, FleetMonitor, MonitorOptions, SiteChanges, SiteStats};
pub use sweep::{WARNING_EVENTS, sweep, sweep_with};
pub use words::reachability;

#[cfg(test)]
mod tests;
