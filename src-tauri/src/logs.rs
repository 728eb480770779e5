//! Log viewer commands: open a stream (batches go to the webview through a
//! `tauri::ipc::Channel` as raw JSON arrays of `LogEvent`, paced by [`convert::forward`]), close it, query a
//! window of its filtered buffer, list a target's containers, save to a file.
//!
//! Each command validates, makes one core call and maps the error. Open streams live in
//! [`LogsState`] (managed by Tauri), at most [`MAX_STREAMS`]; opening one more closes
//! the oldest.

mod convert;
mod offline;

use crate::{error, state::AppState};
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::credentials::Vault;
use outpost_core::error::ErrorKind as CoreKind;
use outpost_core::logs::{self, BufferOptions, FilterSpec, LogStream, OpenSpec, Target, Window};
use outpost_core::registry::Site;
use outpost_ipc::{
    Command, ErrorKind, IpcError, LogContainer, LogFilter, LogPod, LogTarget, LogsCloseCmd,
    LogsContainersCmd, LogsOpenCmd, LogsOpened, LogsPage, LogsQueryCmd, LogsQueryRequest,
    LogsSaveCmd, LogsSaved, Settings,
};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::{AppHandle, Runtime, State};

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// Streams open at once at most (each holds up to `log_buffer_lines` lines).
pub const MAX_STREAMS: usize = 3;

struct Entry {
    stream: LogStream,
    /// For the file name of a download.
    label: String,
}

/// The open log streams, by id. Managed by Tauri (`app.manage(LogsState::default())`).
#[derive(Default)]
pub struct LogsState {
    next: AtomicU64,
    streams: Arc<Mutex<BTreeMap<u64, Entry>>>,
}

impl LogsState {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Entry>> {
        self.streams.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, id: u64) -> Result<(LogStream, String), IpcError> {
        self.lock()
            .get(&id)
            .map(|e| (e.stream.clone(), e.label.clone()))
            .ok_or_else(|| convert::unknown_stream(id))
    }

    /// Registers a stream, closing the oldest ones beyond [`MAX_STREAMS`].
    fn insert(&self, stream: LogStream, label: String) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut g = self.lock();
        g.insert(id, Entry { stream, label });
        while g.len() > MAX_STREAMS {
            if let Some((_, old)) = g.pop_first() {
                old.stream.close();
            }
        }
        id
    }
}

fn invalid(msg: impl Into<String>) -> IpcError {
    IpcError::new(ErrorKind::InvalidInput, msg)
}

fn target(namespace: &str, t: &LogTarget) -> Result<Target, IpcError> {
    Ok(match t {
        LogTarget::Pod { name } => Target::Pod {
            namespace: namespace.to_string(),
            name: name.clone(),
        },
        LogTarget::Workload { kind, name } => Target::Workload {
            namespace: namespace.to_string(),
            kind: *kind,
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

/// The active profile's site records for `names`, and a client cache over its vault.
async fn sites_of(
    state: &AppState,
    names: &[String],
) -> Result<(Vec<Site>, ClientCache), IpcError> {
    let active = state.profiles.ready().await?;
    let all = active.session.sites();
    let out = names
        .iter()
        .map(|n| crate::commands::site_of(&all, n))
        .collect::<Result<Vec<_>, _>>()?;
    let vault: Arc<Vault> = active.vault.clone();
    Ok((out, ClientCache::new(vault, Timeouts::default())))
}

/// Opens a stream of one pod or a workload's pods on one or more sites; events go to
/// `on_event` until the stream ends, is closed, or the webview stops listening.
#[tauri::command(rename_all = "snake_case")]
pub async fn logs_open(
    state: State<'_, AppState>,
    logs: State<'_, LogsState>,
    req: Req<LogsOpenCmd>,
    on_event: Channel<InvokeResponseBody>,
) -> Res<LogsOpenCmd> {
    if req.sites.is_empty() || req.sites.len() > logs::MAX_SITES {
        return Err(invalid(format!(
            "pick between 1 and {} sites",
            logs::MAX_SITES
        )));
    }
    let mut names = req.sites.clone();
    names.sort();
    names.dedup();
    let (sites, clients) = sites_of(&state, &names).await?;
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
    // Every site offline: the last lines kept in their stored bundles; a site that
    // turns out not to answer is retried the same way.
    let (stream, snapshot_at) = match offline::open(&state.profiles, &names, &spec, opts, false)
        .await?
    {
        Some((s, at)) => (s, Some(at)),
        None => match logs::open(&clients, sites, spec.clone(), opts).await {
            Ok(s) => (s, None),
            // The site could not be asked (down, or no usable credentials, as
            // for a site known only from an imported bundle).
            Err(e) if e.kind().is_offline() || e.kind() == CoreKind::Auth => {
                tracing::info!(kind = ?e.kind(), error = %e, "logs: site not read; trying its stored snapshot");
                match offline::open(&state.profiles, &names, &spec, opts, true).await? {
                    Some((s, at)) => (s, Some(at)),
                    None => return Err(error::core(e.kind(), e)),
                }
            }
            Err(e) => return Err(error::core(e.kind(), e)),
        },
    };
    let label = match &req.target {
        LogTarget::Pod { name } | LogTarget::Workload { name, .. } => {
            format!("{}-{name}", names.join("+"))
        }
    };
    let id = logs.insert(stream.clone(), label);
    let streams = logs.streams.clone();
    tauri::async_runtime::spawn(async move {
        if !convert::forward(stream, on_event).await {
            // Nobody listens any more (window reloaded): free the buffer.
            streams
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
        }
    });
    Ok(LogsOpened {
        stream: id,
        buffer_lines: max_lines as u64,
        snapshot_at_ms: snapshot_at.map(|t| t.as_millisecond()),
    })
}

/// Stops a stream and frees its buffer.
#[tauri::command]
pub async fn logs_close(logs: State<'_, LogsState>, req: Req<LogsCloseCmd>) -> Res<LogsCloseCmd> {
    let e = logs
        .lock()
        .remove(&req.stream)
        .ok_or_else(|| convert::unknown_stream(req.stream))?;
    e.stream.close();
    Ok(())
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
    let (stream, _) = logs.get(req.stream)?;
    let spec = filter(&req.filter);
    let w = Window {
        offset: req.offset,
        limit: req.limit as usize,
    };
    tokio::task::spawn_blocking(move || {
        let q = stream
            .query(&spec, w)
            .map_err(|e| error::core(e.kind(), e))?;
        let sources = stream.sources();
        Ok(LogsPage {
            total: q.total,
            offset: q.offset,
            lines: q.lines.iter().map(|(l, m)| convert::line(l, m)).collect(),
            buffered: q.buffered,
            evicted: q.evicted,
            sources: sources
                .iter()
                .enumerate()
                .map(|(i, s)| convert::source(u32::try_from(i).unwrap_or(u32::MAX), s))
                .collect(),
        })
    })
    .await
    .map_err(error::join)?
}

/// The pods of a target on one site and their containers.
#[tauri::command]
pub async fn logs_containers(
    state: State<'_, AppState>,
    req: Req<LogsContainersCmd>,
) -> Res<LogsContainersCmd> {
    let (sites, clients) = sites_of(&state, std::slice::from_ref(&req.site)).await?;
    let t = target(&req.namespace, &req.target)?;
    let site = sites.first().ok_or_else(|| invalid("no site"))?;
    let pods = logs::containers(&clients, site, &t)
        .await
        .map_err(|e| error::core(e.kind(), e))?;
    Ok(pods
        .into_iter()
        .map(|p| LogPod {
            name: p.pod,
            phase: outpost_ipc::PodPhase::parse(&p.phase),
            containers: p
                .containers
                .into_iter()
                .map(|c| LogContainer {
                    name: c.name,
                    init: c.init,
                    state: c.state,
                    restarts: c.restarts,
                    has_previous: c.has_previous,
                })
                .collect(),
        })
        .collect())
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
    let spec = filter(&req.filter);
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
    let path = crate::save::choose(
        &app,
        &format!("outpost-logs-{}-{stamp}", file_safe(&label)),
        "log",
    )
    .await?;
    tokio::task::spawn_blocking(move || {
        let storage = |e: std::io::Error| {
            IpcError::new(
                ErrorKind::Storage,
                format!("cannot write the log file: {e}"),
            )
        };
        let file = outpost_core::fsutil::create_private(&path).map_err(storage)?;
        let mut out = std::io::BufWriter::new(file);
        let lines = stream
            .export(&spec, &mut out)
            .map_err(|e| error::core(e.kind(), e))?;
        out.into_inner()
            .map_err(|e| storage(e.into_error()))?
            .sync_all()
            .map_err(storage)?;
        tracing::info!(path = %path.display(), lines, "log lines saved");
        Ok(LogsSaved {
            path: path.display().to_string(),
            lines,
        })
    })
    .await
    .map_err(error::join)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_core::logs::WorkloadKind;

    #[test]
    fn targets_and_file_names() {
        let t = target(
            "shop",
            &LogTarget::Workload {
                kind: WorkloadKind::Deployment,
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
        // An unknown kind ("CronJob") no longer reaches here: the request does not
        // decode (outpost_ipc::kinds tests).
        let bad = serde_json::from_value::<LogTarget>(
            serde_json::json!({"type": "workload", "kind": "CronJob", "name": "x"}),
        );
        assert!(bad.is_err());
        assert_eq!(file_safe("a+b-pos/../<x>"), "a+b-pos-..--x-");
        assert_eq!(file_safe("../etc"), "etc");
    }
}
