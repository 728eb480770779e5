//! Streaming `pods/log` of one container into the buffer: lines split with a length
//! cap, timestamps parsed, text sanitised; in follow mode the stream is reopened after
//! it ends (container restart, dropped connection) from the last timestamp seen, until
//! the pod is gone.

use super::LogError;
use super::buffer::{Buffer, Notice, Pending, SourceInfo};
use super::text::render;
use futures::AsyncBufReadExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::LogParams;
use std::sync::Arc;
use std::time::Duration;

/// Splits a byte stream into lines of at most `max` bytes, counting what it cuts.
pub(crate) struct Splitter {
    buf: Vec<u8>,
    cut: u64,
    max: usize,
}

impl Splitter {
    pub(crate) fn new(max: usize) -> Splitter {
        Splitter {
            buf: Vec::new(),
            cut: 0,
            max: max.max(1),
        }
    }

    fn append(&mut self, b: &[u8]) {
        let room = self.max.saturating_sub(self.buf.len());
        let n = room.min(b.len());
        self.buf.extend_from_slice(&b[..n]);
        self.cut += (b.len() - n) as u64;
    }

    fn take(&mut self) -> (Vec<u8>, u64) {
        let mut line = std::mem::take(&mut self.buf);
        let mut cut = std::mem::take(&mut self.cut);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if cut > 0 {
            // Do not leave half a UTF-8 character at the cut.
            let keep = utf8_complete_len(&line);
            cut += (line.len() - keep) as u64;
            line.truncate(keep);
        }
        (line, cut)
    }

    /// Feeds bytes; complete lines are appended to `out`.
    pub(crate) fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<(Vec<u8>, u64)>) {
        while let Some(i) = memchr::memchr(b'\n', chunk) {
            self.append(&chunk[..i]);
            out.push(self.take());
            chunk = &chunk[i + 1..];
        }
        self.append(chunk);
    }

    /// The last, unterminated line.
    pub(crate) fn finish(&mut self) -> Option<(Vec<u8>, u64)> {
        (!self.buf.is_empty() || self.cut > 0).then(|| self.take())
    }
}

/// Length of `b` without a trailing incomplete UTF-8 sequence.
fn utf8_complete_len(b: &[u8]) -> usize {
    let n = b.len();
    for back in 1..=3.min(n) {
        let c = b[n - back];
        if c & 0xC0 == 0x80 {
            continue; // continuation byte
        }
        let need = if c >= 0xF0 {
            4
        } else if c >= 0xE0 {
            3
        } else if c >= 0xC0 {
            2
        } else {
            1
        };
        return if need > back { n - back } else { n };
    }
    n
}

/// Splits the kubelet's `timestamps=true` prefix off a line.
pub(crate) fn split_ts(raw: &[u8]) -> (Option<jiff::Timestamp>, &[u8]) {
    let head = &raw[..raw.len().min(48)];
    if let Some(sp) = memchr::memchr(b' ', head)
        && let Ok(s) = std::str::from_utf8(&raw[..sp])
        && let Ok(ts) = s.parse::<jiff::Timestamp>()
    {
        return (Some(ts), &raw[sp + 1..]);
    }
    (None, raw)
}

/// What to stream from one container.
pub(crate) struct SourceCtx {
    pub buffer: Arc<Buffer>,
    pub site: String,
    /// Client without a read deadline (follow streams are long-lived).
    pub watches: kube::Client,
    pub requests: kube::Client,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub follow: bool,
    pub previous: bool,
    pub tail_lines: Option<u64>,
    pub open_deadline: Duration,
}

impl SourceCtx {
    fn notice(&self, e: &LogError) {
        self.buffer.notice(Notice {
            site: self.site.clone(),
            pod: Some(self.pod.clone()),
            container: Some(self.container.clone()),
            kind: e.kind(),
            message: e.to_string(),
        });
    }
}

/// Streams one container until it ends (or, following, until its pod is gone).
pub(crate) async fn run(ctx: SourceCtx) {
    let source = ctx.buffer.add_source(SourceInfo {
        site: ctx.site.clone(),
        namespace: ctx.namespace.clone(),
        pod: ctx.pod.clone(),
        container: ctx.container.clone(),
        colour: 0,
        previous: ctx.previous,
    });
    let api = Api::<Pod>::namespaced(ctx.watches.clone(), &ctx.namespace);
    let mut last_ts: Option<jiff::Timestamp> = None;
    let mut last_err: Option<String> = None;
    let mut backoff = Duration::from_millis(500);
    loop {
        let lp = LogParams {
            container: Some(ctx.container.clone()),
            follow: ctx.follow,
            previous: ctx.previous,
            timestamps: true,
            tail_lines: if last_ts.is_none() {
                ctx.tail_lines.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
            } else {
                None
            },
            // `sinceTime` has second precision (kube rounds to the nearest second, which
            // could skip lines): ask from the whole second and drop what was seen.
            since_time: last_ts.map(|t| jiff::Timestamp::from_second(t.as_second()).unwrap_or(t)),
            ..LogParams::default()
        };
        let opened = tokio::time::timeout(ctx.open_deadline, api.log_stream(&ctx.pod, &lp)).await;
        let err = match opened {
            Ok(Ok(reader)) => match pump(&ctx, source, reader, &mut last_ts).await {
                Ok(n) => {
                    if n > 0 {
                        backoff = Duration::from_millis(500);
                        last_err = None;
                    }
                    None
                }
                Err(e) => Some(LogError::Client(crate::client::ClientError::Unreachable(
                    format!("log stream of {}: {e}", ctx.pod),
                ))),
            },
            Ok(Err(e)) => Some(LogError::kube(&e)),
            Err(_) => Some(LogError::Client(crate::client::ClientError::Timeout(
                format!(
                    "opening the log of {}: no answer within {:?}",
                    ctx.pod, ctx.open_deadline
                ),
            ))),
        };
        if let Some(e) = &err {
            let gone = matches!(e, LogError::NotFound(_));
            let text = e.to_string();
            if last_err.as_deref() != Some(text.as_str()) && !(gone && ctx.follow) {
                ctx.notice(e);
            }
            last_err = Some(text);
            if gone {
                return;
            }
        }
        if !ctx.follow || ctx.previous {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
        let pods = Api::<Pod>::namespaced(ctx.requests.clone(), &ctx.namespace);
        if let Err(e) = pods.get(&ctx.pod).await
            && matches!(LogError::kube(&e), LogError::NotFound(_))
        {
            return;
        }
    }
}

/// Reads one log response to its end; returns the number of lines stored.
async fn pump(
    ctx: &SourceCtx,
    source: u32,
    reader: impl futures::AsyncBufRead + Unpin,
    last_ts: &mut Option<jiff::Timestamp>,
) -> std::io::Result<u64> {
    let mut reader = reader;
    let mut split = Splitter::new(ctx.buffer.opts.max_line_bytes);
    let mut raw = Vec::new();
    let mut stored = 0;
    // After a reconnect `sinceTime` may repeat lines already stored.
    let mut skip_upto = *last_ts;
    loop {
        let chunk = reader.fill_buf().await?;
        let eof = chunk.is_empty();
        let n = chunk.len();
        split.feed(chunk, &mut raw);
        reader.consume_unpin(n);
        if eof && let Some(l) = split.finish() {
            raw.push(l);
        }
        let mut ready = Vec::with_capacity(raw.len());
        for (line, cut) in raw.drain(..) {
            let (ts, text) = split_ts(&line);
            if let (Some(t), Some(upto)) = (ts, skip_upto) {
                if t <= upto {
                    continue;
                }
                skip_upto = None;
            }
            if ts.is_some() {
                *last_ts = ts;
            }
            ready.push(Pending {
                ts,
                rendered: render(text),
                cut,
            });
        }
        stored += ready.len() as u64;
        ctx.buffer.push(source, ready);
        if eof {
            return Ok(stored);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(chunks: &[&[u8]], max: usize) -> Vec<(Vec<u8>, u64)> {
        let mut s = Splitter::new(max);
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c, &mut out);
        }
        out.extend(s.finish());
        out
    }

    #[test]
    fn lines_split_across_chunks_with_crlf_and_a_last_partial_line() {
        let out = split_all(&[b"a\r\nb", b"c\n\nd"], 100);
        let lines: Vec<&[u8]> = out.iter().map(|(l, _)| l.as_slice()).collect();
        assert_eq!(lines, vec![&b"a"[..], b"bc", b"", b"d"]);
        assert!(out.iter().all(|(_, c)| *c == 0));
    }

    #[test]
    fn long_lines_are_cut_on_a_char_boundary_and_the_cut_counted() {
        let big = vec![b'A'; 1 << 20];
        let out = split_all(&[&big, b"\nnext\n"], 64 << 10);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].0.len(), 64 << 10);
        assert_eq!(out[0].1, (1 << 20) - (64 << 10));
        assert_eq!(out[1], (b"next".to_vec(), 0));
        // "é" is 2 bytes: a cap of 4 on "aaaé…" keeps "aaa" and cuts the half char.
        let out = split_all(&["aaaéb\n".as_bytes()], 4);
        assert_eq!(out[0], (b"aaa".to_vec(), 3));
    }

    #[test]
    fn timestamps_are_split_off_when_present() {
        let (ts, rest) = split_ts(b"2026-11-24T20:10:41.123456789Z hello world");
        assert_eq!(
            ts.map(|t| t.to_string()).as_deref(),
            Some("2026-11-24T20:10:41.123456789Z")
        );
        assert_eq!(rest, b"hello world");
        let (ts, rest) = split_ts(b"no timestamp here");
        assert_eq!((ts, rest), (None, &b"no timestamp here"[..]));
        let (ts, rest) = split_ts(b"\xff\xfe bad");
        assert_eq!((ts, rest), (None, &b"\xff\xfe bad"[..]));
    }
}
