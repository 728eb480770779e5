//! Filter correctness against a naive scan, incremental refresh, windows.

use super::*;
use crate::logs::text::render;

fn ring_of(lines: &[String], cap: usize) -> Ring {
    let mut r = Ring::new(cap, usize::MAX);
    for l in lines {
        r.push(0, None, render(l.as_bytes()), 0);
    }
    r
}

/// Deterministic pseudo-random lines with a few known words.
fn corpus(n: usize) -> Vec<String> {
    let words = [
        "GET", "post", "Error", "error", "ERROR", "timeout", "ok", "Zürich", "id=42",
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|i| {
            let mut s = format!("{i:06} ");
            for _ in 0..4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push_str(words[(x % words.len() as u64) as usize]);
                s.push(' ');
            }
            s
        })
        .collect()
}

fn matches(ring: &Ring, spec: FilterSpec) -> Vec<u64> {
    let mut idx = MatchIndex::new(spec).expect("valid");
    idx.refresh(ring);
    let q = window(
        ring,
        &idx,
        Window {
            offset: Some(0),
            limit: usize::MAX,
        },
    );
    q.lines.iter().map(|(l, _)| l.seq).collect()
}

#[test]
fn substring_regex_and_case_agree_with_a_naive_scan() {
    let lines = corpus(5000);
    let ring = ring_of(&lines, 10_000);
    let naive = |f: &dyn Fn(&str) -> bool| -> Vec<u64> {
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| f(l))
            .map(|(i, _)| i as u64)
            .collect()
    };
    let spec = |p: &str, regex: bool, cs: bool| FilterSpec {
        pattern: p.into(),
        regex,
        case_sensitive: cs,
    };
    let got = matches(&ring, spec("error", false, true));
    assert_eq!(got, naive(&|l| l.contains("error")));
    assert!(!got.is_empty() && got.len() < 5000);
    let got = matches(&ring, spec("error", false, false));
    assert_eq!(got, naive(&|l| l.to_lowercase().contains("error")));
    let got = matches(&ring, spec("zürich", false, false));
    assert_eq!(got, naive(&|l| l.contains("Zürich")));
    let got = matches(&ring, spec(r"^\d+ (GET|post) .*timeout", true, true));
    assert_eq!(
        got,
        naive(&|l| {
            let rest = l.split_once(' ').map_or("", |x| x.1);
            (rest.starts_with("GET ") || rest.starts_with("post ")) && rest.contains("timeout")
        })
    );
    // Regex metacharacters are literal in substring mode.
    let got = matches(&ring, spec("id=42 ", false, true));
    assert_eq!(got, naive(&|l| l.contains("id=42 ")));
    assert!(matches(&ring, spec("(", false, false)).is_empty());
    // Empty pattern: everything.
    assert_eq!(matches(&ring, spec("", true, false)).len(), 5000);
}

#[test]
fn invalid_or_huge_patterns_are_rejected() {
    let bad = FilterSpec {
        pattern: "(unclosed".into(),
        regex: true,
        case_sensitive: true,
    };
    let e = Matcher::new(&bad).expect_err("invalid regex");
    assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    let huge = FilterSpec {
        pattern: "a".repeat(MAX_PATTERN + 1),
        ..FilterSpec::default()
    };
    assert!(Matcher::new(&huge).is_err());
}

#[test]
fn highlights_are_the_match_ranges() {
    let m = Matcher::new(&FilterSpec {
        pattern: "ab".into(),
        regex: false,
        case_sensitive: false,
    })
    .expect("valid");
    assert_eq!(m.highlights("xAbyab"), vec![(1, 3), (4, 6)]);
    let m = Matcher::new(&FilterSpec {
        pattern: "ab".into(),
        regex: false,
        case_sensitive: true,
    })
    .expect("valid");
    assert_eq!(m.highlights("xAbyab"), vec![(4, 6)]);
    let m = Matcher::new(&FilterSpec {
        pattern: "x*".into(),
        regex: true,
        case_sensitive: true,
    })
    .expect("valid");
    assert_eq!(
        m.highlights("axxb"),
        vec![(1, 3)],
        "empty matches are not highlighted"
    );
    let m = Matcher::new(&FilterSpec {
        pattern: "a".into(),
        regex: false,
        case_sensitive: true,
    })
    .expect("valid");
    assert_eq!(m.highlights(&"a".repeat(1000)).len(), MAX_HIGHLIGHTS);
}

#[test]
fn incremental_refresh_equals_a_rebuild_across_evictions() {
    let lines = corpus(3000);
    let mut ring = Ring::new(1000, usize::MAX);
    let spec = FilterSpec {
        pattern: "timeout".into(),
        regex: false,
        case_sensitive: true,
    };
    let mut idx = MatchIndex::new(spec.clone()).expect("valid");
    for chunk in lines.chunks(170) {
        for l in chunk {
            ring.push(0, None, render(l.as_bytes()), 0);
        }
        idx.refresh(&ring);
        let mut fresh = MatchIndex::new(spec.clone()).expect("valid");
        fresh.refresh(&ring);
        assert_eq!(idx.total(), fresh.total());
        assert_eq!(idx.nth(0), fresh.nth(0));
        assert!(idx.nth(0).is_none_or(|s| s >= ring.first_seq()));
    }
}

#[test]
fn windows_from_an_offset_and_from_the_end() {
    let lines = corpus(100);
    let ring = ring_of(&lines, 100);
    let mut idx = MatchIndex::new(FilterSpec::default()).expect("valid");
    idx.refresh(&ring);
    let q = window(
        &ring,
        &idx,
        Window {
            offset: None,
            limit: 10,
        },
    );
    assert_eq!((q.total, q.offset, q.lines.len()), (100, 90, 10));
    assert_eq!(q.lines[9].0.seq, 99);
    let q = window(
        &ring,
        &idx,
        Window {
            offset: Some(95),
            limit: 10,
        },
    );
    assert_eq!((q.offset, q.lines.len()), (95, 5));
    let q = window(
        &ring,
        &idx,
        Window {
            offset: Some(500),
            limit: 10,
        },
    );
    assert_eq!((q.offset, q.lines.len()), (100, 0));
    let mut idx = MatchIndex::new(FilterSpec {
        pattern: "00004".into(),
        ..FilterSpec::default()
    })
    .expect("valid");
    idx.refresh(&ring);
    let q = window(
        &ring,
        &idx,
        Window {
            offset: Some(0),
            limit: 50,
        },
    );
    assert_eq!(q.total, 11, "000004 and 000040..000049");
    assert!(
        q.lines
            .iter()
            .all(|(l, h)| l.text.contains("00004") && !h.is_empty())
    );
}

#[test]
fn a_million_lines_filter_correctly() {
    let n = 1_000_000;
    let mut ring = Ring::new(n, usize::MAX);
    for i in 0..n {
        let s = format!(
            "{i} level=info msg=\"request served\" path=/api/v1/orders/{}",
            i % 977
        );
        ring.push(0, None, render(s.as_bytes()), 0);
    }
    let spec = FilterSpec {
        pattern: "orders/976\"".into(),
        regex: false,
        case_sensitive: true,
    };
    let mut idx = MatchIndex::new(spec).expect("valid");
    idx.refresh(&ring);
    assert_eq!(idx.total(), 0, "the quote never follows the path");
    let spec = FilterSpec {
        pattern: r"orders/976$".into(),
        regex: true,
        case_sensitive: true,
    };
    let mut idx = MatchIndex::new(spec).expect("valid");
    idx.refresh(&ring);
    let expect = (0..n).filter(|i| i % 977 == 976).count();
    assert_eq!(idx.total(), expect);
    assert_eq!(idx.nth(0), Some(976));
}
