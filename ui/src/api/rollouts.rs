//! Typed calls of the Rollouts view (`outpost_ipc::rollout`).

use super::{Channel, call, call_with};
use outpost_ipc::IpcError;
use outpost_ipc::rollout::{
    ROLLOUT_WATCH_CHANNEL_ARG, ReportFormat, RolloutAbortCmd, RolloutIdRequest, RolloutInfo,
    RolloutPauseCmd, RolloutPlanPreview, RolloutPlanPreviewCmd, RolloutPlanRequest,
    RolloutReportCmd, RolloutReportRequest, RolloutReportText, RolloutResumeCmd, RolloutStartCmd,
    RolloutWatchCmd, RolloutsListCmd, RolloutsListRequest,
};

/// Every rollout of the active profile, newest first.
pub async fn list() -> Result<Vec<RolloutInfo>, IpcError> {
    call::<RolloutsListCmd>(&RolloutsListRequest {}).await
}

/// Which sites would fall in which wave.
pub async fn preview(req: &RolloutPlanRequest) -> Result<RolloutPlanPreview, IpcError> {
    call::<RolloutPlanPreviewCmd>(req).await
}

/// Creates and starts a rollout (it runs in the backend, whatever the view does).
pub async fn start(req: &RolloutPlanRequest) -> Result<RolloutInfo, IpcError> {
    call::<RolloutStartCmd>(req).await
}

/// Streams a rollout's state to `on_update` for as long as the returned channel lives.
pub async fn watch(
    id: &str,
    on_update: impl Fn(RolloutInfo) + 'static,
) -> Result<Channel, IpcError> {
    let ch = Channel::new(on_update);
    call_with::<RolloutWatchCmd>(
        &RolloutIdRequest { id: id.into() },
        &[(ROLLOUT_WATCH_CHANNEL_ARG, ch.arg())],
    )
    .await?;
    Ok(ch)
}

/// A control request: `pause`, `resume` or `abort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    Abort,
}

pub async fn control(id: &str, c: Control) -> Result<RolloutInfo, IpcError> {
    let req = RolloutIdRequest { id: id.into() };
    match c {
        Control::Pause => call::<RolloutPauseCmd>(&req).await,
        Control::Resume => call::<RolloutResumeCmd>(&req).await,
        Control::Abort => call::<RolloutAbortCmd>(&req).await,
    }
}

/// The per-site report as JSON or CSV text.
pub async fn report(id: &str, format: ReportFormat) -> Result<RolloutReportText, IpcError> {
    call::<RolloutReportCmd>(&RolloutReportRequest {
        id: id.into(),
        format,
    })
    .await
}
