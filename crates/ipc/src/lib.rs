//! Types that cross the IPC boundary between the Tauri backend (`src-tauri`) and the
//! Yew frontend (`ui`).
//!
//! Every command is described once, here, by a type implementing [`Command`]: its wire
//! name, its request type and its response type. The backend handler and the frontend
//! wrapper are both written against that one description, so renaming a field or
//! changing a type breaks the build on both sides instead of failing at runtime.
//!
//! Every command takes exactly one argument named [`REQUEST_ARG`] and fails with an
//! [`IpcError`].
//!
//! Times cross as one type: Unix milliseconds (`i64`, UTC), in fields named `*_ms`
//! (and `SiteSummary::stale`, the snapshot's time); the UI formats them without a date
//! library. Durations are `*_ms` (`u64`) or `*_secs`. Closed sets of names are enums ([`kinds`]).

pub mod app;
pub mod error;
pub mod fleet;
pub mod import;
pub mod kinds;
pub mod logs;
pub mod profile;
pub mod rollout;
pub mod snapshot;
pub mod upgrade;
pub mod words;

pub use app::*;
pub use error::{ErrorKind, IpcError};
pub use fleet::*;
pub use import::*;
pub use kinds::{ConditionStatus, CredentialKind, NodeRole, PodPhase, StuckKind, WorkloadKind};
pub use logs::*;
pub use profile::*;

use serde::{Serialize, de::DeserializeOwned};

/// Name of the single argument every command takes (`#[tauri::command] fn x(req: …)`).
pub const REQUEST_ARG: &str = "req";

/// A backend command: its wire name and the types that cross the boundary.
pub trait Command {
    /// The name registered with `tauri::generate_handler!` and listed in the ACL manifest.
    const NAME: &'static str;
    /// What the UI sends.
    type Request: Serialize + DeserializeOwned;
    /// What the backend answers on success.
    type Response: Serialize + DeserializeOwned;
}

/// Every command name, for the ACL manifest in `build.rs` and for tests.
pub const COMMANDS: &[&str] = &[
    AppInfoCmd::NAME,
    GetSettingsCmd::NAME,
    SetSettingsCmd::NAME,
    ListSitesCmd::NAME,
    SiteDetailCmd::NAME,
    WatchFleetCmd::NAME,
    ChangeJournalCmd::NAME,
    OpenDemoCmd::NAME,
    LeaveDemoCmd::NAME,
    ImportPreviewCmd::NAME,
    ImportApplyCmd::NAME,
    ExportAppLogCmd::NAME,
    LogsOpenCmd::NAME,
    LogsCloseCmd::NAME,
    LogsQueryCmd::NAME,
    LogsContainersCmd::NAME,
    LogsSaveCmd::NAME,
    rollout::RolloutsListCmd::NAME,
    rollout::RolloutPlanPreviewCmd::NAME,
    rollout::RolloutStartCmd::NAME,
    rollout::RolloutWatchCmd::NAME,
    rollout::RolloutPauseCmd::NAME,
    rollout::RolloutResumeCmd::NAME,
    rollout::RolloutAbortCmd::NAME,
    rollout::RolloutReportCmd::NAME,
    snapshot::SnapshotExportCmd::NAME,
    snapshot::SnapshotImportCmd::NAME,
    snapshot::SnapshotPreviewCmd::NAME,
    snapshot::SiteChangesCmd::NAME,
    snapshot::SiteChangesDismissCmd::NAME,
    snapshot::WatchNoticesCmd::NAME,
    upgrade::UpgradesOverviewCmd::NAME,
    upgrade::UpgradeStartCmd::NAME,
    upgrade::UpgradeWatchCmd::NAME,
];
