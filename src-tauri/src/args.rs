//! Checks each command's one argument ([`REQUEST_ARG`]) before its handler runs, so a
//! malformed request is refused with a typed [`IpcError`] (`invalid_input`) instead of
//! Tauri's bare string. The table lists every command's `Command` description; the
//! mock-runtime test (`ipc_tests`) calls every `outpost_ipc::COMMANDS` entry through it.

use outpost_ipc::rollout::{
    RolloutAbortCmd, RolloutPauseCmd, RolloutPlanPreviewCmd, RolloutReportCmd, RolloutResumeCmd,
    RolloutStartCmd, RolloutWatchCmd, RolloutsListCmd,
};
use outpost_ipc::snapshot::{
    SiteChangesCmd, SiteChangesDismissCmd, SnapshotExportCmd, SnapshotImportCmd,
    SnapshotPreviewCmd, WatchNoticesCmd,
};
use outpost_ipc::upgrade::{UpgradeStartCmd, UpgradeWatchCmd, UpgradesOverviewCmd};
use outpost_ipc::*;
use serde::Deserialize;
use serde_json::Value;
use tauri::ipc::InvokeBody;

type Check = fn(&Value) -> Result<(), serde_json::Error>;

fn parse<C: Command>(req: &Value) -> Result<(), serde_json::Error> {
    C::Request::deserialize(req).map(drop)
}

/// Every command's request type, by wire name.
static CHECKS: &[(&str, Check)] = &[
    (AppInfoCmd::NAME, parse::<AppInfoCmd>),
    (GetSettingsCmd::NAME, parse::<GetSettingsCmd>),
    (SetSettingsCmd::NAME, parse::<SetSettingsCmd>),
    (ExportAppLogCmd::NAME, parse::<ExportAppLogCmd>),
    (ListSitesCmd::NAME, parse::<ListSitesCmd>),
    (SiteDetailCmd::NAME, parse::<SiteDetailCmd>),
    (WatchFleetCmd::NAME, parse::<WatchFleetCmd>),
    (ChangeJournalCmd::NAME, parse::<ChangeJournalCmd>),
    (OpenDemoCmd::NAME, parse::<OpenDemoCmd>),
    (LeaveDemoCmd::NAME, parse::<LeaveDemoCmd>),
    (ImportPreviewCmd::NAME, parse::<ImportPreviewCmd>),
    (ImportApplyCmd::NAME, parse::<ImportApplyCmd>),
    (LogsOpenCmd::NAME, parse::<LogsOpenCmd>),
    (LogsCloseCmd::NAME, parse::<LogsCloseCmd>),
    (LogsQueryCmd::NAME, parse::<LogsQueryCmd>),
    (LogsContainersCmd::NAME, parse::<LogsContainersCmd>),
    (LogsSaveCmd::NAME, parse::<LogsSaveCmd>),
    (RolloutsListCmd::NAME, parse::<RolloutsListCmd>),
    (RolloutPlanPreviewCmd::NAME, parse::<RolloutPlanPreviewCmd>),
    (RolloutStartCmd::NAME, parse::<RolloutStartCmd>),
    (RolloutWatchCmd::NAME, parse::<RolloutWatchCmd>),
    (RolloutPauseCmd::NAME, parse::<RolloutPauseCmd>),
    (RolloutResumeCmd::NAME, parse::<RolloutResumeCmd>),
    (RolloutAbortCmd::NAME, parse::<RolloutAbortCmd>),
    (RolloutReportCmd::NAME, parse::<RolloutReportCmd>),
    (SnapshotExportCmd::NAME, parse::<SnapshotExportCmd>),
    (SnapshotImportCmd::NAME, parse::<SnapshotImportCmd>),
    (SnapshotPreviewCmd::NAME, parse::<SnapshotPreviewCmd>),
    (SiteChangesCmd::NAME, parse::<SiteChangesCmd>),
    (SiteChangesDismissCmd::NAME, parse::<SiteChangesDismissCmd>),
    (WatchNoticesCmd::NAME, parse::<WatchNoticesCmd>),
    (UpgradesOverviewCmd::NAME, parse::<UpgradesOverviewCmd>),
    (UpgradeStartCmd::NAME, parse::<UpgradeStartCmd>),
    (UpgradeWatchCmd::NAME, parse::<UpgradeWatchCmd>),
];

/// Refuses a call whose request is missing or is not its command's `Request`; a
/// command this table does not know goes on to Tauri unchecked.
pub fn check(command: &str, body: &InvokeBody) -> Result<(), IpcError> {
    let Some((_, parse)) = CHECKS.iter().find(|(n, _)| *n == command) else {
        return Ok(());
    };
    let bad = |why: String| IpcError::new(ErrorKind::InvalidInput, format!("{command}: {why}"));
    let InvokeBody::Json(args) = body else {
        return Err(bad("the request is not JSON".into()));
    };
    let req = args
        .get(REQUEST_ARG)
        .ok_or_else(|| bad(format!("no {REQUEST_ARG:?} argument")))?;
    parse(req).map_err(|e| bad(format!("not a valid request: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_its_check() {
        for name in COMMANDS {
            assert!(CHECKS.iter().any(|(n, _)| n == name), "{name} unchecked");
        }
        assert_eq!(CHECKS.len(), COMMANDS.len());
    }

    #[test]
    fn malformed_or_missing_requests_are_typed_refusals() {
        let body = |v: Value| InvokeBody::Json(v);
        let e = check("site_detail", &body(serde_json::json!({"req": 42}))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        let e = check("list_sites", &body(serde_json::json!({}))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        let ok = body(serde_json::json!({"req": {"name": "store-1"}}));
        assert!(check("site_detail", &ok).is_ok());
        assert!(check("not_a_command", &body(Value::Null)).is_ok());
    }
}
