//! The state one stream's tasks write into and its readers pull from: the ring, the
//! sources, notices (per-source errors) and the end of the stream.

use super::LogError;
use super::filter::{FilterSpec, MatchIndex, Matcher, QueryResult, Window, window};
use super::ring::{Line, Ring};
use super::text::Rendered;
use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;

/// Notices kept for readers that have not seen them yet.
const MAX_NOTICES: usize = 200;

/// Limits of one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferOptions {
    /// Lines kept (oldest evicted first).
    pub max_lines: usize,
    /// Approximate memory for the lines.
    pub max_bytes: usize,
    /// Longer lines are cut (the number of bytes cut is kept with the line).
    pub max_line_bytes: usize,
}

impl Default for BufferOptions {
    fn default() -> Self {
        BufferOptions {
            max_lines: 1_000_000,
            max_bytes: 256 << 20,
            max_line_bytes: 64 << 10,
        }
    }
}

/// Where a line came from. `colour` is the stream-wide index of the pod (0..12), in the
/// order pods appeared, so one pod keeps its colour for the life of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    pub site: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub colour: u8,
    /// Logs of the previous (terminated) instance.
    pub previous: bool,
}

/// Number of pod colours.
pub const COLOURS: u8 = 12;

/// A problem with one site or source that does not end the whole stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub site: String,
    pub pod: Option<String>,
    pub container: Option<String>,
    /// What went wrong ([`LogError::kind`]).
    pub kind: crate::error::ErrorKind,
    pub message: String,
}

/// A reader's position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub next_seq: u64,
    pub sources: usize,
    pub notices: u64,
    pub ended: bool,
}

/// What a reader gets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delivery {
    /// Sources added since the last read (their index is their position overall).
    pub new_sources: Vec<(u32, SourceInfo)>,
    /// Lines the reader missed (evicted, or skipped because it fell behind).
    pub dropped: u64,
    pub lines: Vec<Line>,
    pub notices: Vec<Notice>,
    /// Set once, when every source has ended.
    pub ended: Option<String>,
    /// More lines are ready (the byte budget stopped this read): read again.
    pub more: bool,
}

impl Delivery {
    pub fn is_empty(&self) -> bool {
        self.new_sources.is_empty()
            && self.dropped == 0
            && self.lines.is_empty()
            && self.notices.is_empty()
            && self.ended.is_none()
    }
}

struct Inner {
    ring: Ring,
    sources: Vec<SourceInfo>,
    pods: Vec<(String, String)>,
    notices: VecDeque<Notice>,
    notices_total: u64,
    ended: Option<String>,
    /// Closed by the reader: lines still in flight are discarded.
    closed: bool,
    index: Option<MatchIndex>,
}

/// Shared by the stream's tasks and handle.
pub(crate) struct Buffer {
    inner: Mutex<Inner>,
    version: watch::Sender<u64>,
    pub(crate) opts: BufferOptions,
}

/// A line ready to be stored.
pub(crate) struct Pending {
    pub ts: Option<jiff::Timestamp>,
    pub rendered: Rendered,
    pub cut: u64,
}

impl Buffer {
    pub(crate) fn new(opts: BufferOptions) -> Arc<Buffer> {
        Arc::new(Buffer {
            inner: Mutex::new(Inner {
                ring: Ring::new(opts.max_lines, opts.max_bytes),
                sources: Vec::new(),
                pods: Vec::new(),
                notices: VecDeque::new(),
                notices_total: 0,
                ended: None,
                closed: false,
                index: None,
            }),
            version: watch::channel(0).0,
            opts,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn bump(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Registers a source; the colour follows the pod (site + pod name).
    pub(crate) fn add_source(&self, mut info: SourceInfo) -> u32 {
        let mut g = self.lock();
        let key = (info.site.clone(), info.pod.clone());
        let pod_no = match g.pods.iter().position(|p| *p == key) {
            Some(i) => i,
            None => {
                g.pods.push(key);
                g.pods.len() - 1
            }
        };
        info.colour = (pod_no % usize::from(COLOURS)) as u8;
        g.sources.push(info);
        let idx = u32::try_from(g.sources.len() - 1).unwrap_or(u32::MAX);
        drop(g);
        self.bump();
        idx
    }

    pub(crate) fn push(&self, source: u32, lines: Vec<Pending>) {
        if lines.is_empty() {
            return;
        }
        let mut g = self.lock();
        if g.closed {
            return;
        }
        for p in lines {
            g.ring.push(source, p.ts, p.rendered, p.cut);
        }
        drop(g);
        self.bump();
    }

    pub(crate) fn notice(&self, n: Notice) {
        let mut g = self.lock();
        g.notices.push_back(n);
        g.notices_total += 1;
        while g.notices.len() > MAX_NOTICES {
            g.notices.pop_front();
        }
        drop(g);
        self.bump();
    }

    pub(crate) fn end(&self, reason: &str) {
        let mut g = self.lock();
        if g.ended.is_none() {
            g.ended = Some(reason.to_string());
        }
        drop(g);
        self.bump();
    }

    /// Stops accepting lines (tasks being aborted may still hold some) and ends.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.end("closed");
    }

    /// Everything new since `c`: at most `max` lines and (at least one line) about
    /// `max_bytes` of text; `more` says lines are left for the next read. A reader more
    /// than `max_lag` lines behind skips to the newest `max_lag` and is told how many
    /// it missed, so a slow reader costs no memory.
    pub(crate) fn read(
        &self,
        c: &mut Cursor,
        max: usize,
        max_bytes: usize,
        max_lag: u64,
    ) -> Delivery {
        let g = self.lock();
        let mut d = Delivery::default();
        for (i, s) in g.sources.iter().enumerate().skip(c.sources) {
            d.new_sources
                .push((u32::try_from(i).unwrap_or(u32::MAX), s.clone()));
        }
        c.sources = g.sources.len();
        let first = g.ring.first_seq();
        let next = g.ring.next_seq();
        let from = c
            .next_seq
            .max(first)
            .max(next.saturating_sub(max_lag.max(1)));
        d.dropped = from - c.next_seq.min(from);
        let mut bytes = 0usize;
        for l in g.ring.range_from(from) {
            if !d.lines.is_empty() && (d.lines.len() >= max || bytes + l.text.len() > max_bytes) {
                break;
            }
            bytes += l.text.len();
            d.lines.push(l.clone());
        }
        c.next_seq = d.lines.last().map_or(next.max(c.next_seq), |l| l.seq + 1);
        d.more = c.next_seq < next;
        let kept_from = g.notices_total - g.notices.len() as u64;
        let skip = usize::try_from(c.notices.saturating_sub(kept_from)).unwrap_or(usize::MAX);
        d.notices = g.notices.iter().skip(skip).cloned().collect();
        c.notices = g.notices_total;
        if !c.ended
            && c.next_seq >= next
            && let Some(r) = &g.ended
        {
            d.ended = Some(r.clone());
            c.ended = true;
        }
        d
    }

    pub(crate) fn sources(&self) -> Vec<SourceInfo> {
        self.lock().sources.clone()
    }

    /// A window of the lines matching `spec`.
    pub(crate) fn query(&self, spec: &FilterSpec, w: Window) -> Result<QueryResult, LogError> {
        let mut g = self.lock();
        let inner = &mut *g;
        if inner.index.as_ref().is_none_or(|i| i.spec() != spec) {
            inner.index = Some(MatchIndex::new(spec.clone())?);
        }
        let Some(index) = inner.index.as_mut() else {
            return Err(LogError::InvalidFilter("no index".into()));
        };
        index.refresh(&inner.ring);
        Ok(window(&inner.ring, index, w))
    }

    /// Writes the lines matching `spec` as text, `[site/pod/container] timestamp text`,
    /// copying them out in chunks so writers are never blocked by the disk.
    pub(crate) fn export(&self, spec: &FilterSpec, out: &mut dyn Write) -> Result<u64, LogError> {
        const CHUNK: usize = 10_000;
        let matcher = Matcher::new(spec)?;
        let mut from = 0u64;
        let mut written = 0u64;
        let io = |e: std::io::Error| LogError::Io(e.to_string());
        loop {
            let (chunk, sources): (Vec<Line>, Vec<SourceInfo>) = {
                let g = self.lock();
                let chunk: Vec<Line> = g
                    .ring
                    .range_from(from)
                    .filter(|l| matcher.is_match(&l.text))
                    .take(CHUNK)
                    .cloned()
                    .collect();
                (chunk, g.sources.clone())
            };
            let Some(last) = chunk.last() else { break };
            from = last.seq + 1;
            for l in &chunk {
                if let Some(s) = sources.get(l.source as usize) {
                    write!(out, "[{}/{}/{}] ", s.site, s.pod, s.container).map_err(io)?;
                }
                if let Some(ts) = l.ts {
                    write!(out, "{ts} ").map_err(io)?;
                }
                out.write_all(l.text.as_bytes()).map_err(io)?;
                if l.cut > 0 {
                    write!(out, " [… {} bytes cut]", l.cut).map_err(io)?;
                }
                out.write_all(b"\n").map_err(io)?;
                written += 1;
            }
            if chunk.len() < CHUNK {
                break;
            }
        }
        out.flush().map_err(io)?;
        Ok(written)
    }
}

#[cfg(test)]
#[path = "buffer_tests.rs"]
mod tests;
