//! Typed calls of the log viewer (`outpost_ipc::logs`).

use super::{Channel, call, call_with};
use outpost_ipc::{
    IpcError, LOGS_OPEN_CHANNEL_ARG, LogEvent, LogFilter, LogPod, LogTarget, LogsCloseCmd,
    LogsContainersCmd, LogsContainersRequest, LogsOpenCmd, LogsOpenRequest, LogsOpened, LogsPage,
    LogsQueryCmd, LogsQueryRequest, LogsSaveCmd, LogsSaveRequest, LogsSaved, LogsStreamRequest,
};

/// Opens a stream; its events go to `on_event` for as long as the returned channel
/// lives (drop it, and call [`close`], to stop).
pub async fn open(
    req: &LogsOpenRequest,
    on_event: impl Fn(LogEvent) + 'static,
) -> Result<(LogsOpened, Channel), IpcError> {
    let ch = Channel::new(on_event);
    let opened = call_with::<LogsOpenCmd>(req, &[(LOGS_OPEN_CHANNEL_ARG, ch.arg())]).await?;
    Ok((opened, ch))
}

pub async fn close(stream: u64) -> Result<(), IpcError> {
    call::<LogsCloseCmd>(&LogsStreamRequest { stream }).await
}

/// A window of the backend buffer's lines matching a filter.
pub async fn query(req: &LogsQueryRequest) -> Result<LogsPage, IpcError> {
    call::<LogsQueryCmd>(req).await
}

/// Pods of a target on one site, with their containers.
pub async fn containers(
    site: &str,
    namespace: &str,
    target: &LogTarget,
) -> Result<Vec<LogPod>, IpcError> {
    call::<LogsContainersCmd>(&LogsContainersRequest {
        site: site.into(),
        namespace: namespace.into(),
        target: target.clone(),
    })
    .await
}

/// Saves the buffered lines matching `filter` to a file; answers its path.
pub async fn save(stream: u64, filter: LogFilter) -> Result<LogsSaved, IpcError> {
    call::<LogsSaveCmd>(&LogsSaveRequest { stream, filter }).await
}
