//! Substring and regex filters over the ring buffer, with an incremental match index so
//! a live stream is re-filtered only over the lines that arrived since the last query.

use super::LogError;
use super::ring::{Line, Ring};
use memchr::memmem;
use std::collections::VecDeque;

/// Longest accepted pattern, in bytes.
pub const MAX_PATTERN: usize = 1024;
/// Highlighted ranges returned per line at most.
pub const MAX_HIGHLIGHTS: usize = 64;

/// What to look for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FilterSpec {
    /// Empty: every line matches.
    pub pattern: String,
    /// A regular expression (`regex` crate syntax, linear time) instead of a substring.
    pub regex: bool,
    pub case_sensitive: bool,
}

/// A compiled [`FilterSpec`].
#[derive(Debug, Clone)]
pub enum Matcher {
    All,
    Literal(Box<memmem::Finder<'static>>),
    Regex(regex::Regex),
}

impl Matcher {
    pub fn new(spec: &FilterSpec) -> Result<Matcher, LogError> {
        if spec.pattern.is_empty() {
            return Ok(Matcher::All);
        }
        if spec.pattern.len() > MAX_PATTERN {
            return Err(LogError::InvalidFilter(format!(
                "the filter is longer than {MAX_PATTERN} bytes"
            )));
        }
        if !spec.regex && spec.case_sensitive {
            return Ok(Matcher::Literal(Box::new(
                memmem::Finder::new(spec.pattern.as_bytes()).into_owned(),
            )));
        }
        let pat = if spec.regex {
            spec.pattern.clone()
        } else {
            regex::escape(&spec.pattern)
        };
        regex::RegexBuilder::new(&pat)
            .case_insensitive(!spec.case_sensitive)
            .size_limit(1 << 22)
            .dfa_size_limit(1 << 23)
            .build()
            .map(Matcher::Regex)
            .map_err(|e| LogError::InvalidFilter(e.to_string()))
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Matcher::All)
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Matcher::All => true,
            Matcher::Literal(f) => f.find(text.as_bytes()).is_some(),
            Matcher::Regex(r) => r.is_match(text),
        }
    }

    /// Byte ranges of the (non-empty) matches in `text`, at most [`MAX_HIGHLIGHTS`].
    pub fn highlights(&self, text: &str) -> Vec<(u32, u32)> {
        let r32 = |a: usize, b: usize| {
            (
                u32::try_from(a).unwrap_or(u32::MAX),
                u32::try_from(b).unwrap_or(u32::MAX),
            )
        };
        match self {
            Matcher::All => Vec::new(),
            Matcher::Literal(f) => {
                let n = f.needle().len();
                f.find_iter(text.as_bytes())
                    .take(MAX_HIGHLIGHTS)
                    .map(|s| r32(s, s + n))
                    .collect()
            }
            Matcher::Regex(r) => r
                .find_iter(text)
                .filter(|m| !m.is_empty())
                .take(MAX_HIGHLIGHTS)
                .map(|m| r32(m.start(), m.end()))
                .collect(),
        }
    }
}

/// Sequence numbers of the matching lines of a ring, kept up to date incrementally.
#[derive(Debug)]
pub struct MatchIndex {
    spec: FilterSpec,
    matcher: Matcher,
    seqs: VecDeque<u64>,
    scanned_to: u64,
}

impl MatchIndex {
    pub fn new(spec: FilterSpec) -> Result<MatchIndex, LogError> {
        Ok(MatchIndex {
            matcher: Matcher::new(&spec)?,
            spec,
            seqs: VecDeque::new(),
            scanned_to: 0,
        })
    }

    pub fn spec(&self) -> &FilterSpec {
        &self.spec
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Forgets evicted lines and scans the ones added since the last call.
    pub fn refresh(&mut self, ring: &Ring) {
        let first = ring.first_seq();
        while self.seqs.front().is_some_and(|s| *s < first) {
            self.seqs.pop_front();
        }
        if self.matcher.is_all() {
            self.scanned_to = ring.next_seq();
            return;
        }
        let from = self.scanned_to.max(first);
        for l in ring.range_from(from) {
            if self.matcher.is_match(&l.text) {
                self.seqs.push_back(l.seq);
            }
        }
        self.scanned_to = ring.next_seq();
    }

    /// Matching lines kept.
    pub fn total(&self) -> usize {
        self.seqs.len()
    }

    /// Sequence number of the `i`-th match (0 = oldest).
    pub fn nth(&self, i: usize) -> Option<u64> {
        self.seqs.get(i).copied()
    }
}

/// Which part of the matches to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Index of the first match wanted; None: the last `limit` matches.
    pub offset: Option<u64>,
    pub limit: usize,
}

/// One window of matches.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// Matching lines in the buffer.
    pub total: u64,
    /// Index (among the matches) of the first line returned.
    pub offset: u64,
    /// The lines with their highlighted byte ranges.
    pub lines: Vec<(Line, Vec<(u32, u32)>)>,
    /// Lines in the buffer, matching or not.
    pub buffered: u64,
    /// Lines evicted from the buffer so far.
    pub evicted: u64,
}

/// The window `w` of the lines of `ring` that `index` matches.
pub fn window(ring: &Ring, index: &MatchIndex, w: Window) -> QueryResult {
    let all = index.matcher.is_all();
    let total = if all { ring.len() } else { index.total() } as u64;
    let limit = w.limit as u64;
    let offset = match w.offset {
        Some(o) => o.min(total),
        None => total.saturating_sub(limit),
    };
    let end = (offset + limit).min(total);
    let mut lines = Vec::with_capacity((end - offset) as usize);
    for i in offset..end {
        let i = usize::try_from(i).unwrap_or(usize::MAX);
        let line = if all {
            ring.at(i)
        } else {
            index.nth(i).and_then(|s| ring.get(s))
        };
        if let Some(l) = line {
            lines.push((l.clone(), index.matcher.highlights(&l.text)));
        }
    }
    QueryResult {
        total,
        offset,
        lines,
        buffered: ring.len() as u64,
        evicted: ring.evicted(),
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
