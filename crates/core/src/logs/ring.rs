//! The bounded ring buffer of a log stream: at most `max_lines` lines and `max_bytes`
//! bytes, oldest evicted first; every line gets the next sequence number, so a reader
//! that fell behind knows exactly how many lines it missed.

use super::text::{Rendered, Span};
use std::collections::VecDeque;

/// One stored line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Position in the stream, from 0, never reused.
    pub seq: u64,
    /// Index into the stream's sources (site/pod/container).
    pub source: u32,
    /// The kubelet's timestamp of the line, when it had one.
    pub ts: Option<jiff::Timestamp>,
    /// Sanitised text: no escapes, no control characters but TAB.
    pub text: Box<str>,
    /// SGR colour runs over `text`.
    pub spans: Box<[Span]>,
    /// Bytes cut off the end of an over-long line (0: complete).
    pub cut: u64,
}

impl Line {
    /// Approximate heap + inline footprint, for the byte budget.
    pub fn cost(&self) -> usize {
        std::mem::size_of::<Line>()
            + self.text.len()
            + self.spans.len() * std::mem::size_of::<Span>()
    }
}

/// A bounded ring of [`Line`]s.
#[derive(Debug)]
pub struct Ring {
    lines: VecDeque<Line>,
    next_seq: u64,
    max_lines: usize,
    max_bytes: usize,
    bytes: usize,
}

impl Ring {
    /// A ring keeping at most `max_lines` lines and about `max_bytes` bytes (at least
    /// one line is always kept).
    pub fn new(max_lines: usize, max_bytes: usize) -> Ring {
        Ring {
            lines: VecDeque::new(),
            next_seq: 0,
            max_lines: max_lines.max(1),
            max_bytes: max_bytes.max(1),
            bytes: 0,
        }
    }

    /// Appends a line and returns its sequence number, evicting the oldest as needed.
    pub fn push(&mut self, source: u32, ts: Option<jiff::Timestamp>, r: Rendered, cut: u64) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let line = Line {
            seq,
            source,
            ts,
            text: r.text.into_boxed_str(),
            spans: r.spans.into_boxed_slice(),
            cut,
        };
        self.bytes += line.cost();
        self.lines.push_back(line);
        while self.lines.len() > self.max_lines
            || (self.bytes > self.max_bytes && self.lines.len() > 1)
        {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= old.cost();
            }
        }
        seq
    }

    /// Sequence number of the oldest line kept (== `next_seq` when empty).
    pub fn first_seq(&self) -> u64 {
        self.next_seq - self.lines.len() as u64
    }

    /// Sequence number the next line will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Approximate memory held by the lines.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Lines evicted so far.
    pub fn evicted(&self) -> u64 {
        self.first_seq()
    }

    /// The line with sequence number `seq`, if still kept.
    pub fn get(&self, seq: u64) -> Option<&Line> {
        let i = seq.checked_sub(self.first_seq())?;
        self.lines.get(usize::try_from(i).ok()?)
    }

    /// The line at position `i` among those kept (0 = oldest).
    pub fn at(&self, i: usize) -> Option<&Line> {
        self.lines.get(i)
    }

    /// Lines with `seq >= from`, oldest first.
    pub fn range_from(&self, from: u64) -> impl Iterator<Item = &Line> {
        let skip = usize::try_from(from.saturating_sub(self.first_seq())).unwrap_or(usize::MAX);
        self.lines.iter().skip(skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Rendered {
        Rendered {
            text: s.into(),
            spans: Vec::new(),
        }
    }

    #[test]
    fn keeps_the_newest_lines_with_stable_sequence_numbers() {
        let mut r = Ring::new(3, usize::MAX);
        for i in 0..10 {
            assert_eq!(r.push(0, None, text(&format!("l{i}")), 0), i);
        }
        assert_eq!(r.len(), 3);
        assert_eq!((r.first_seq(), r.next_seq(), r.evicted()), (7, 10, 7));
        assert_eq!(r.get(6), None);
        assert_eq!(&*r.get(8).map(|l| l.text.clone()).unwrap_or_default(), "l8");
        assert_eq!(r.get(10), None);
        let rest: Vec<u64> = r.range_from(8).map(|l| l.seq).collect();
        assert_eq!(rest, vec![8, 9]);
        assert_eq!(r.range_from(0).count(), 3);
        assert_eq!(r.range_from(99).count(), 0);
    }

    #[test]
    fn byte_budget_evicts_but_keeps_the_last_line() {
        let mut r = Ring::new(1000, 10_000);
        for _ in 0..100 {
            r.push(0, None, text(&"x".repeat(1000)), 0);
        }
        assert!(r.bytes() <= 10_000, "{}", r.bytes());
        assert!(r.len() < 10 && r.len() >= 8, "{}", r.len());
        r.push(0, None, text(&"y".repeat(50_000)), 0);
        assert_eq!(r.len(), 1, "an over-budget line is kept alone");
        assert_eq!(r.first_seq(), 100);
    }
}
