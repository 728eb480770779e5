//! The open log streams, by id, at most [`MAX_STREAMS`]: opening one more closes the
//! oldest. Each is forwarded to its webview channel until it ends or nobody listens.

use super::convert;
use outpost_core::logs::{FilterSpec, LogStream, Window};
use outpost_core::session::OpenedLogs;
use outpost_ipc::{IpcError, LogTarget, LogsOpened, LogsPage};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tauri::ipc::{Channel, InvokeResponseBody};

/// Streams open at once at most (each holds up to `log_buffer_lines` lines).
pub const MAX_STREAMS: usize = 3;

struct Entry {
    stream: LogStream,
    /// For the file name of a download.
    label: String,
}

type Streams = Arc<Mutex<BTreeMap<u64, Entry>>>;

fn lock(s: &Streams) -> std::sync::MutexGuard<'_, BTreeMap<u64, Entry>> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// The open log streams. Managed by Tauri (`app.manage(LogsState::default())`).
#[derive(Default)]
pub struct LogsState {
    next: AtomicU64,
    streams: Streams,
}

impl LogsState {
    /// A stream and its label.
    pub fn get(&self, id: u64) -> Result<(LogStream, String), IpcError> {
        lock(&self.streams)
            .get(&id)
            .map(|e| (e.stream.clone(), e.label.clone()))
            .ok_or_else(|| convert::unknown_stream(id))
    }

    /// Stops a stream and frees its buffer.
    pub fn close(&self, id: u64) -> Result<(), IpcError> {
        let e = lock(&self.streams)
            .remove(&id)
            .ok_or_else(|| convert::unknown_stream(id))?;
        e.stream.close();
        Ok(())
    }

    /// Registers an opened stream (closing the oldest ones beyond [`MAX_STREAMS`]) and
    /// forwards it to `ch`; says what the UI needs of it.
    pub fn open(
        &self,
        o: OpenedLogs,
        target: &LogTarget,
        max_lines: usize,
        ch: Channel<InvokeResponseBody>,
    ) -> LogsOpened {
        let (LogTarget::Pod { name } | LogTarget::Workload { name, .. }) = target;
        let label = format!("{}-{name}", o.sites.join("+"));
        let id = self.register(o.stream, label, ch);
        LogsOpened {
            stream: id,
            buffer_lines: max_lines as u64,
            snapshot_at_ms: o.snapshot_at.map(|t| t.as_millisecond()),
        }
    }

    fn register(&self, stream: LogStream, label: String, ch: Channel<InvokeResponseBody>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        {
            let mut g = lock(&self.streams);
            g.insert(
                id,
                Entry {
                    stream: stream.clone(),
                    label,
                },
            );
            while g.len() > MAX_STREAMS {
                if let Some((_, old)) = g.pop_first() {
                    old.stream.close();
                }
            }
        }
        let streams = self.streams.clone();
        tauri::async_runtime::spawn(async move {
            if !convert::forward(stream, ch).await {
                // Nobody listens any more (window reloaded): free the buffer.
                lock(&streams).remove(&id);
            }
        });
        id
    }
}

/// One window of the buffered lines of `stream` matching `spec`, as the UI shows it
/// (≤ 100 ms over 1M lines, off the async workers).
pub async fn page(stream: LogStream, spec: FilterSpec, w: Window) -> Result<LogsPage, IpcError> {
    tokio::task::spawn_blocking(move || {
        let q = stream
            .query(&spec, w)
            .map_err(|e| crate::error::core(e.kind(), e))?;
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
    .map_err(crate::error::join)?
}
