//! Log viewer commands: open a stream (batches go to the webview through a
//! `tauri::ipc::Channel` as raw JSON arrays of `LogEvent`, paced by [`convert::forward`]), close it, query a
//! window of its filtered buffer, list a target's containers, save to a file.
//!
//! Each command validates, makes one core call and maps the error. Whether a stream is
//! live or read from the sites' stored bundles is the core's choice
//! (`Session::open_logs`, through the offline-source resolver). Open streams live in
//! [`LogsState`] (managed by Tauri).

mod convert;
mod streams;

pub use streams::LogsState;

use crate::{error, state::AppState};
use outpost_core::logs::{BufferOptions, FilterSpec, OpenSpec, Target, Window, WorkloadKind};
use outpost_core::session::{OfflineError, save_logs};
use outpost_ipc::{
    Command, ErrorKind, IpcError, LogFilter, LogTarget, LogsCloseCmd, LogsContainersCmd,
    LogsOpenCmd, LogsOpenRequest, LogsOpened, LogsQueryCmd, LogsQueryRequest, LogsSaveCmd,
    LogsSaved, Settings,
};
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::{AppHandle, Runtime, State};

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

fn invalid(msg: impl Into<String>) -> IpcError {
    IpcError::new(ErrorKind::InvalidInput, msg)
}

fn fail(e: OfflineError) -> IpcError {
    error::core(e.kind(), e)
}

fn target(namespace: &str, t: &LogTarget) -> Result<Target, IpcError> {
    Ok(match t {
        LogTarget::Pod { name } => Target::Pod {
            namespace: namespace.to_string(),
            name: name.clone(),
        },
        LogTarget::Workload { kind, name } => Target::Workload {
            namespace: namespace.to_string(),
            kind: WorkloadKind::parse(kind)
                .ok_or_else(|| invalid(format!("{kind:?} is not a workload kind")))?,
            name: name.clone(),
        },
    })
}

fn filter(f: &LogFilter) -> FilterSpec {
    FilterSpec {
        pattern: f.pattern.clone(),
        regex: f.regex,
        case_sensitive: f.case_sensitive,
    }
}

/// What a request asks to stream, and the buffer the settings allow.
fn open_spec(
    state: &AppState,
    req: &LogsOpenRequest,
) -> Result<(OpenSpec, BufferOptions), IpcError> {
    let settings = crate::settings::load(&state.home).unwrap_or_default();
    let max_lines = settings
        .log_buffer_lines
        .clamp(Settings::MIN_LOG_LINES, Settings::MAX_LOG_LINES);
    let spec = OpenSpec {
        target: target(&req.namespace, &req.target)?,
        container: req.container.clone(),
        follow: req.follow,
        previous: req.previous,
        tail_lines: req.tail_lines,
    };
    let opts = BufferOptions {
        max_lines,
        ..BufferOptions::default()
    };
    Ok((spec, opts))
}

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
    let o = active
        .session
        .open_logs(&req.sites, spec, opts)
        .await
        .map_err(fail)?;
    let (LogTarget::Pod { name } | LogTarget::Workload { name, .. }) = &req.target;
    let id = logs.open(o.stream, format!("{}-{name}", o.sites.join("+")), on_event);
    let (buffer_lines, at) = (opts.max_lines as u64, o.snapshot_at);
    Ok(LogsOpened {
        stream: id,
        buffer_lines,
        snapshot_at: at.map(|t| t.to_string()),
    })
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
    if req.limit > LogsQueryRequest::MAX_LIMIT {
        return Err(invalid(format!(
            "limit is at most {}",
            LogsQueryRequest::MAX_LIMIT
        )));
    }
    let ((stream, _), spec) = (logs.get(req.stream)?, filter(&req.filter));
    let w = Window {
        offset: req.offset,
        limit: req.limit as usize,
    };
    let page = tokio::task::spawn_blocking(move || convert::page(&stream, &spec, w));
    page.await.map_err(error::join)?
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

/// Keeps `[a-z0-9._+-]` of a label for a file name.
fn file_safe(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._+-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    t.trim_start_matches(['.', '-']).to_string()
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
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S");
    let name = format!("outpost-logs-{}-{stamp}", file_safe(&label));
    let path = crate::save::choose(&app, &name, "log").await?;
    let lines = save_logs(stream, filter(&req.filter), path.clone())
        .await
        .map_err(fail)?;
    Ok(LogsSaved {
        path: path.display().to_string(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_file_names() {
        let t = target(
            "shop",
            &LogTarget::Workload {
                kind: "deployment".into(),
                name: "pos".into(),
            },
        );
        assert!(matches!(
            t,
            Ok(Target::Workload {
                kind: WorkloadKind::Deployment,
                ..
            })
        ));
        let bad = target(
            "shop",
            &LogTarget::Workload {
                kind: "CronJob".into(),
                name: "x".into(),
            },
        );
        assert_eq!(bad.map_err(|e| e.kind).err(), Some(ErrorKind::InvalidInput));
        assert_eq!(file_safe("a+b-pos/../<x>"), "a+b-pos-..--x-");
        assert_eq!(file_safe("../etc"), "etc");
    }
}
