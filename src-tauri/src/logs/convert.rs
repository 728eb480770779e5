//! Core log types to their IPC shapes, and the channel pump that forwards a stream's
//! batches to the webview at most [`BATCHES_PER_SEC`] times a second.

use outpost_core::logs::text::{Colour, Span};
use outpost_core::logs::{Cursor, Delivery, Line, LogStream, Notice, SourceInfo};
use outpost_ipc::{AnsiColour, IpcError, LogEvent, LogLine, LogSource, LogSpan};
use std::time::Duration;
use tauri::ipc::{Channel, InvokeResponseBody};

/// Batches sent per second at most, so a 10k lines/s stream does not flood the webview.
pub const BATCHES_PER_SEC: u32 = 20;
/// Lines per batch at most (bursts are spread over the next batches).
pub const MAX_BATCH_LINES: usize = 1_000;
/// A webview further behind than this skips ahead (a `dropped` event): 2 s at 10k
/// lines/s. The skipped lines stay in the buffer, reachable through the filter.
pub const MAX_LAG_LINES: u64 = 20_000;
/// Text per batch, about (long lines wait for the next batch instead).
pub const MAX_BATCH_BYTES: usize = 2 << 20;

fn colour(c: Colour) -> AnsiColour {
    match c {
        Colour::Idx(i) => AnsiColour::Idx(i),
        Colour::Rgb(r, g, b) => AnsiColour::Rgb([r, g, b]),
    }
}

fn span(s: &Span) -> LogSpan {
    LogSpan {
        start: s.start,
        end: s.end,
        fg: s.style.fg.map(colour),
        bg: s.style.bg.map(colour),
        flags: s.style.flags,
    }
}

/// A core line as sent to the UI, with the filter's match ranges.
pub fn line(l: &Line, marks: &[(u32, u32)]) -> LogLine {
    LogLine {
        seq: l.seq,
        src: l.source,
        ts: l.ts.map(|t| t.to_string()),
        text: l.text.to_string(),
        spans: l.spans.iter().map(span).collect(),
        cut: l.cut,
        marks: marks.iter().map(|(a, b)| [*a, *b]).collect(),
    }
}

pub fn source(id: u32, s: &SourceInfo) -> LogSource {
    LogSource {
        id,
        site: s.site.clone(),
        namespace: s.namespace.clone(),
        pod: s.pod.clone(),
        container: s.container.clone(),
        colour: s.colour,
        previous: s.previous,
    }
}

fn notice(n: Notice) -> LogEvent {
    LogEvent::Error {
        site: n.site,
        pod: n.pod,
        container: n.container,
        error: crate::error::core(n.kind, n.message),
    }
}

/// The events of one delivery, in order: dropped, errors, the batch, the end.
pub fn events(d: Delivery) -> Vec<LogEvent> {
    let mut out = Vec::new();
    if d.dropped > 0 {
        out.push(LogEvent::Dropped { n: d.dropped });
    }
    out.extend(d.notices.into_iter().map(notice));
    if !d.lines.is_empty() || !d.new_sources.is_empty() {
        out.push(LogEvent::Batch {
            sources: d.new_sources.iter().map(|(i, s)| source(*i, s)).collect(),
            lines: d.lines.iter().map(|l| line(l, &[])).collect(),
        });
    }
    if let Some(reason) = d.ended {
        out.push(LogEvent::Ended { reason });
    }
    out
}

/// Sends one read's events as a single raw message: the UTF-8 JSON of a
/// `Vec<LogEvent>`. Raw bytes reach the webview as an `ArrayBuffer` the UI decodes in
/// one pass (far cheaper than walking a large JS object field by field).
fn send(ch: &Channel<InvokeResponseBody>, evs: &[LogEvent]) -> bool {
    match serde_json::to_vec(evs) {
        Ok(bytes) => ch.send(InvokeResponseBody::Raw(bytes)).is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "cannot encode log events");
            false
        }
    }
}

/// Forwards `stream` to `ch` until it ends or the webview stops listening (then the
/// stream is closed). Returns whether the channel is still alive.
pub async fn forward(stream: LogStream, ch: Channel<InvokeResponseBody>) -> bool {
    let pace = Duration::from_secs(1) / BATCHES_PER_SEC;
    let mut rx = stream.subscribe();
    let mut cursor = Cursor::default();
    loop {
        rx.mark_unchanged();
        let d = stream.read(&mut cursor, MAX_BATCH_LINES, MAX_BATCH_BYTES, MAX_LAG_LINES);
        let (more, ended) = (d.more, d.ended.is_some());
        let evs = events(d);
        if !evs.is_empty() && !send(&ch, &evs) {
            stream.close();
            return false;
        }
        if ended {
            return true;
        }
        if !more && rx.changed().await.is_err() {
            return true;
        }
        // Let lines accumulate: at most BATCHES_PER_SEC batches a second.
        tokio::time::sleep(pace).await;
    }
}

/// The error for a stream id that is not open.
pub fn unknown_stream(id: u64) -> IpcError {
    IpcError::new(
        outpost_ipc::ErrorKind::NotFound,
        format!("log stream {id} is not open (closed, or replaced by a newer one)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_core::logs::text::{BOLD, Style};

    #[test]
    fn lines_and_events_map_to_ipc() {
        let l = Line {
            seq: 9,
            source: 1,
            ts: None,
            text: "ERROR <b>x</b>".into(),
            spans: vec![Span {
                start: 0,
                end: 5,
                style: Style {
                    fg: Some(Colour::Idx(1)),
                    bg: Some(Colour::Rgb(1, 2, 3)),
                    flags: BOLD,
                },
            }]
            .into(),
            cut: 3,
        };
        let m = line(&l, &[(6, 9)]);
        assert_eq!(m.ts, None);
        assert_eq!(m.spans[0].fg, Some(AnsiColour::Idx(1)));
        assert_eq!(m.spans[0].bg, Some(AnsiColour::Rgb([1, 2, 3])));
        assert_eq!(m.spans[0].flags, outpost_ipc::SPAN_BOLD);
        assert_eq!((m.cut, m.marks.clone()), (3, vec![[6, 9]]));
        let d = Delivery {
            new_sources: vec![],
            dropped: 4,
            lines: vec![l],
            notices: vec![Notice {
                site: "s".into(),
                pod: None,
                container: None,
                kind: "unreachable",
                message: "refused".into(),
            }],
            ended: Some("closed".into()),
            more: false,
        };
        let ev = events(d);
        assert!(matches!(ev[0], LogEvent::Dropped { n: 4 }));
        assert!(
            matches!(&ev[1], LogEvent::Error { error, .. } if error.kind == outpost_ipc::ErrorKind::Unreachable)
        );
        assert!(matches!(&ev[2], LogEvent::Batch { lines, .. } if lines.len() == 1));
        assert!(matches!(&ev[3], LogEvent::Ended { reason } if reason == "closed"));
        assert!(events(Delivery::default()).is_empty());
    }
}
