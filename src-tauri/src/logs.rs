//! Log viewer commands: open a stream (batches go to the webview through a
//! `tauri::ipc::Channel` as raw JSON arrays of `LogEvent`, paced by [`convert::forward`]), close it, query a
//! window of its filtered buffer, list a target's containers, save to a file.
//!
//! Each command validates, makes one core call and maps the error. Whether a stream is
//! live or read from the sites' stored bundles is the core's choice
//! (`Session::open_logs`, through the offline-source resolver). Open streams live in
//! [`LogsState`] (managed by Tauri).

mod convert;
mod request;
mod streams;

pub use streams::LogsState;

use request::{fail, file_name, filter, open_spec, target, window};

use crate::state::AppState;
use outpost_core::session::save_logs;
use outpost_ipc::{
    Command, IpcError, LogsCloseCmd, LogsContainersCmd, LogsOpenCmd, LogsQueryCmd, LogsSaveCmd,
    LogsSaved,
};
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::{AppHandle, Runtime, State};

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// Opens a stream of one pod or a workload's pods on one or more sites (live, else the
/// lines kept in their stored bundles); events go to `on_event` until the stream ends,
/// is closed, or the webview stops listening.
#[tauri::command(rename_all = "snake_case")]
pub async fn logs_open(
    state: State<'_, AppState>,
    logs: State<'_, LogsState>,
    req: Req<LogsOpenCmd>,
    on_event: Channel<InvokeResponseBody>,
) -> Res<LogsOpenCmd> {
    let (spec, opts) = open_spec(&state, &req)?;
    let active = state.profiles.ready().await?;
    let opened = active.session.open_logs(&req.sites, spec, opts).await;
    let o = opened.map_err(fail)?;
    Ok(logs.open(o, &req.target, opts.max_lines, on_event))
}

/// Stops a stream and frees its buffer.
#[tauri::command]
pub async fn logs_close(logs: State<'_, LogsState>, req: Req<LogsCloseCmd>) -> Res<LogsCloseCmd> {
    logs.close(req.stream)
}

/// One window of the buffered lines matching a filter (≤ 100 ms over 1M lines, off
/// the async workers).
#[tauri::command]
pub async fn logs_query(logs: State<'_, LogsState>, req: Req<LogsQueryCmd>) -> Res<LogsQueryCmd> {
    let w = window(&req)?;
    let (stream, _) = logs.get(req.stream)?;
    streams::page(stream, filter(&req.filter), w).await
}

/// The pods of a target on one site and their containers.
#[tauri::command]
pub async fn logs_containers(
    state: State<'_, AppState>,
    req: Req<LogsContainersCmd>,
) -> Res<LogsContainersCmd> {
    let t = target(&req.namespace, &req.target)?;
    let active = state.profiles.ready().await?;
    let site = crate::commands::site_of(&active.session.sites(), &req.site)?;
    active
        .session
        .log_containers(&site.name, &t)
        .await
        .map_err(fail)
}

/// Writes the buffered lines matching the filter to the file picked in the save dialog
/// (see [`crate::save`]) and returns its path.
#[tauri::command]
pub async fn logs_save<R: Runtime>(
    app: AppHandle<R>,
    logs: State<'_, LogsState>,
    req: Req<LogsSaveCmd>,
) -> Res<LogsSaveCmd> {
    let (stream, label) = logs.get(req.stream)?;
    let path = crate::save::choose(&app, &file_name(&label), "log").await?;
    let lines = save_logs(stream, filter(&req.filter), path.clone()).await;
    let path = path.display().to_string();
    Ok(LogsSaved {
        path,
        lines: lines.map_err(fail)?,
    })
}
