//! A log stream over recorded lines (the log tails a snapshot bundle keeps per
//! container), for a site that does not answer: the same buffer, filter, query and
//! export as a live stream, already ended.

use super::buffer::{Buffer, BufferOptions, Pending, SourceInfo};
use super::source::{Splitter, split_ts};
use super::stream::{LogStream, OpenSpec};
use super::text::render;

/// One container's recorded lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub site: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// Raw bytes as the API returned them (may not be UTF-8, may carry timestamps).
    pub text: Vec<u8>,
}

/// A finished stream holding `tails` (split, capped and sanitised like live lines);
/// `why` is its end reason (`from the snapshot as of …`). Call inside a Tokio runtime.
pub fn from_recorded(
    tails: Vec<Recorded>,
    spec: OpenSpec,
    opts: BufferOptions,
    why: &str,
) -> LogStream {
    let buffer = Buffer::new(opts);
    let mut sites: Vec<String> = Vec::new();
    for t in tails {
        if !sites.contains(&t.site) {
            sites.push(t.site.clone());
        }
        let source = buffer.add_source(SourceInfo {
            site: t.site,
            namespace: t.namespace,
            pod: t.pod,
            container: t.container,
            colour: 0,
            previous: false,
        });
        let mut split = Splitter::new(buffer.opts.max_line_bytes);
        let mut raw = Vec::new();
        split.feed(&t.text, &mut raw);
        if let Some(l) = split.finish() {
            raw.push(l);
        }
        let lines = raw
            .iter()
            .map(|(line, cut)| {
                let (ts, text) = split_ts(line);
                Pending {
                    ts,
                    rendered: render(text),
                    cut: *cut,
                }
            })
            .collect();
        buffer.push(source, lines);
    }
    buffer.end(why);
    LogStream::done(buffer, spec, sites)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{FilterSpec, Target, Window};

    #[tokio::test]
    async fn recorded_tails_are_a_queryable_ended_stream() {
        let tails = vec![
            Recorded {
                site: "lyon-1".into(),
                namespace: "shop".into(),
                pod: "web-1".into(),
                container: "app".into(),
                text: b"started\nGET /health 200\nGET /pay 500\n".to_vec(),
            },
            Recorded {
                site: "lyon-1".into(),
                namespace: "shop".into(),
                pod: "web-2".into(),
                container: "app".into(),
                text: b"\x1b[31mred\x1b[0m no newline at the end".to_vec(),
            },
        ];
        let spec = OpenSpec {
            target: Target::Pod {
                namespace: "shop".into(),
                name: "web-1".into(),
            },
            container: None,
            follow: false,
            previous: false,
            tail_lines: None,
        };
        let s = from_recorded(tails, spec, BufferOptions::default(), "from the snapshot");
        assert_eq!(s.sources().len(), 2);
        assert_eq!(s.sites(), ["lyon-1".to_string()]);
        let all = s
            .query(
                &FilterSpec::default(),
                Window {
                    offset: Some(0),
                    limit: 100,
                },
            )
            .unwrap();
        assert_eq!(all.total, 4);
        let pay = FilterSpec {
            pattern: "/pay".into(),
            ..FilterSpec::default()
        };
        let q = s
            .query(
                &pay,
                Window {
                    offset: Some(0),
                    limit: 10,
                },
            )
            .unwrap();
        assert_eq!(q.total, 1);
        let mut out = Vec::new();
        assert_eq!(s.export(&FilterSpec::default(), &mut out).unwrap(), 4);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("red no newline at the end"), "{text}");
        assert!(!text.contains('\x1b'), "escapes are data, not text: {text}");
        let mut c = crate::logs::Cursor::default();
        let d = s.read(&mut c, 100, 1 << 20, 1000);
        assert_eq!(d.ended.as_deref(), Some("from the snapshot"), "{d:?}");
    }
}
