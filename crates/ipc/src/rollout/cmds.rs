//! The Rollouts view's commands: list, preview a plan's waves, start, watch (a channel
//! of [`RolloutInfo`] updates), pause, resume, abort, and the report as JSON or CSV text.
//!
//! A rollout started from the app runs in the backend, not in the view: closing the view
//! (or the watch channel) never stops it, and its journal makes it resumable.

use super::{ReportFormat, RolloutInfo, RolloutPlanRequest};
use crate::Command;
use serde::{Deserialize, Serialize};

/// Name of the channel argument of `rollout_watch` (`tauri::ipc::Channel<RolloutInfo>`).
pub const ROLLOUT_WATCH_CHANNEL_ARG: &str = "on_update";

/// `rollouts_list`: every rollout of the active profile, newest first.
pub struct RolloutsListCmd;

impl Command for RolloutsListCmd {
    const NAME: &'static str = "rollouts_list";
    type Request = RolloutsListRequest;
    type Response = Vec<RolloutInfo>;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutsListRequest {}

/// `rollout_plan_preview`: which sites fall in which wave, without starting anything.
pub struct RolloutPlanPreviewCmd;

impl Command for RolloutPlanPreviewCmd {
    const NAME: &'static str = "rollout_plan_preview";
    type Request = RolloutPlanRequest;
    type Response = RolloutPlanPreview;
}

/// The waves a plan would have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutPlanPreview {
    /// `namespace/name`, as it will be matched on every site.
    pub workload: String,
    /// Site names of each wave, in order; every targeted site is in exactly one.
    pub waves: Vec<Vec<String>>,
    /// Targeted sites that are unreachable now: they will be "pending (offline)" at
    /// their wave and retried, never skipped.
    #[serde(default)]
    pub offline: Vec<String>,
}

/// `rollout_start`: creates the rollout (journal first) and runs it in the background.
pub struct RolloutStartCmd;

impl Command for RolloutStartCmd {
    const NAME: &'static str = "rollout_start";
    type Request = RolloutPlanRequest;
    type Response = RolloutInfo;
}

/// One rollout, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutIdRequest {
    pub id: String,
}

/// `rollout_watch`: sends the rollout's state now and after every change (waves,
/// per-site status and progress) on the channel argument [`ROLLOUT_WATCH_CHANNEL_ARG`],
/// until the channel is dropped or the rollout stops.
pub struct RolloutWatchCmd;

impl Command for RolloutWatchCmd {
    const NAME: &'static str = "rollout_watch";
    type Request = RolloutIdRequest;
    type Response = ();
}

/// `rollout_pause`: the engine stops after the sites in flight.
pub struct RolloutPauseCmd;

impl Command for RolloutPauseCmd {
    const NAME: &'static str = "rollout_pause";
    type Request = RolloutIdRequest;
    type Response = RolloutInfo;
}

/// `rollout_resume`: carries on with a paused, pending or interrupted rollout (each
/// site's current image is checked first, so no site is updated twice).
pub struct RolloutResumeCmd;

impl Command for RolloutResumeCmd {
    const NAME: &'static str = "rollout_resume";
    type Request = RolloutIdRequest;
    type Response = RolloutInfo;
}

/// `rollout_abort`: stops the rollout for good (sites already updated stay updated).
pub struct RolloutAbortCmd;

impl Command for RolloutAbortCmd {
    const NAME: &'static str = "rollout_abort";
    type Request = RolloutIdRequest;
    type Response = RolloutInfo;
}

/// `rollout_report`: the per-site report as text.
pub struct RolloutReportCmd;

impl Command for RolloutReportCmd {
    const NAME: &'static str = "rollout_report";
    type Request = RolloutReportRequest;
    type Response = RolloutReportText;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutReportRequest {
    pub id: String,
    pub format: ReportFormat,
}

/// A report, ready to show or save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutReportText {
    pub format: ReportFormat,
    /// A suggested file name, e.g. `ro-20261124-120000-00ab.csv`.
    pub file_name: String,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollout::{OnFailure, RolloutTargets};
    use serde_json::json;

    #[test]
    fn names_are_the_wire_names() {
        assert_eq!(RolloutsListCmd::NAME, "rollouts_list");
        assert_eq!(RolloutPlanPreviewCmd::NAME, "rollout_plan_preview");
        assert_eq!(RolloutStartCmd::NAME, "rollout_start");
        assert_eq!(RolloutWatchCmd::NAME, "rollout_watch");
        assert_eq!(RolloutPauseCmd::NAME, "rollout_pause");
        assert_eq!(RolloutResumeCmd::NAME, "rollout_resume");
        assert_eq!(RolloutAbortCmd::NAME, "rollout_abort");
        assert_eq!(RolloutReportCmd::NAME, "rollout_report");
        for n in [
            RolloutsListCmd::NAME,
            RolloutWatchCmd::NAME,
            RolloutReportCmd::NAME,
        ] {
            assert!(crate::COMMANDS.contains(&n), "{n} is in COMMANDS");
        }
    }

    #[test]
    fn start_request_is_the_plan_request() {
        let v = json!({
            "workload": "retail/pos-terminal",
            "images": {"pos": "registry.local:5000/retail/pos-terminal:2.5.0"},
            "targets": {"by": "sites", "value": ["store-berlin-mitte", "store-madrid-salamanca"]},
            "waves": "1,100%",
            "deadline_ms": 120_000, "soak_ms": 3_000, "max_failures": 0, "on_failure": "rollback"
        });
        let r: <RolloutStartCmd as Command>::Request = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(
            r.targets,
            RolloutTargets::Sites(vec![
                "store-berlin-mitte".into(),
                "store-madrid-salamanca".into()
            ])
        );
        assert_eq!(r.on_failure, OnFailure::Rollback);
        assert_eq!(serde_json::to_value(&r).unwrap(), v);
    }

    #[test]
    fn preview_id_and_report_shapes() {
        let p = json!({"workload": "retail/pos-terminal",
                       "waves": [["store-berlin-mitte"], ["store-munich-schwabing", "store-paris-marais"]],
                       "offline": ["store-paris-marais"]});
        let v: RolloutPlanPreview = serde_json::from_value(p.clone()).unwrap();
        assert_eq!(v.waves[1].len(), 2);
        assert_eq!(serde_json::to_value(&v).unwrap(), p);
        let old: RolloutPlanPreview =
            serde_json::from_value(json!({"workload": "a/b", "waves": []})).unwrap();
        assert!(old.offline.is_empty());

        let id = json!({"id": "ro-20261124-120000-00ab"});
        let r: RolloutIdRequest = serde_json::from_value(id.clone()).unwrap();
        assert_eq!(serde_json::to_value(&r).unwrap(), id);
        assert!(
            serde_json::from_value::<RolloutIdRequest>(json!({"id": "x", "force": true})).is_err()
        );

        let req: RolloutReportRequest =
            serde_json::from_value(json!({"id": "ro-1", "format": "csv"})).unwrap();
        assert_eq!(req.format, ReportFormat::Csv);
        assert!(
            serde_json::from_value::<RolloutReportRequest>(json!({"id": "ro-1", "format": "xml"}))
                .is_err()
        );
        let t = json!({"format": "json", "file_name": "ro-1.json", "text": "{}"});
        let out: RolloutReportText = serde_json::from_value(t.clone()).unwrap();
        assert_eq!(serde_json::to_value(&out).unwrap(), t);
        assert_eq!(
            serde_json::to_value(RolloutsListRequest {}).unwrap(),
            json!({})
        );
    }
}
