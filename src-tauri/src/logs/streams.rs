//! The open log streams, by id, at most [`MAX_STREAMS`]: opening one more closes the
//! oldest. Each is forwarded to its webview channel until it ends or nobody listens.

use super::convert;
use outpost_core::logs::LogStream;
use outpost_ipc::IpcError;
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

    /// Registers a stream (closing the oldest ones beyond [`MAX_STREAMS`]) and forwards
    /// it to `ch`; returns its id.
    pub fn open(&self, stream: LogStream, label: String, ch: Channel<InvokeResponseBody>) -> u64 {
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
