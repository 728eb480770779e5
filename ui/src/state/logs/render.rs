//! A line's text cut into segments at colour-span and match boundaries, each with the
//! CSS classes to show it with. Only classes: the text itself is always rendered as a
//! text node, never as markup.

use outpost_ipc::{
    AnsiColour, LogLine, SPAN_BOLD, SPAN_DIM, SPAN_INVERSE, SPAN_ITALIC, SPAN_UNDERLINE,
};

/// Byte range `[start, end)` of the line's text and its classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub class: String,
}

/// The xterm default palette of the 16 base colours.
const BASE: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

fn nearest(r: u8, g: u8, b: u8) -> u8 {
    let d = |(pr, pg, pb): (u8, u8, u8)| {
        let sq = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        sq(r, pr) + sq(g, pg) + sq(b, pb)
    };
    (0..16u8)
        .min_by_key(|i| d(BASE[usize::from(*i)]))
        .unwrap_or(7)
}

/// The base colour (0..16) a terminal colour is shown with: 256-colour and RGB values
/// map to the nearest of the 16, so the stylesheet needs no inline styles.
pub fn colour_class(c: AnsiColour) -> u8 {
    match c {
        AnsiColour::Idx(i) if i < 16 => i,
        AnsiColour::Idx(i) if i < 232 => {
            let k = i - 16;
            let lvl = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            nearest(lvl(k / 36), lvl((k / 6) % 6), lvl(k % 6))
        }
        AnsiColour::Idx(i) => {
            let g = 8 + (i - 232) * 10;
            nearest(g, g, g)
        }
        AnsiColour::Rgb([r, g, b]) => nearest(r, g, b),
    }
}

fn span_class(fg: Option<AnsiColour>, bg: Option<AnsiColour>, flags: u8) -> Vec<String> {
    let (fg, bg) = if flags & SPAN_INVERSE != 0 {
        (bg, fg)
    } else {
        (fg, bg)
    };
    let mut c = Vec::new();
    if flags & SPAN_INVERSE != 0 {
        c.push("ansi-inverse".to_string());
    }
    if let Some(f) = fg {
        c.push(format!("ansi-fg-{}", colour_class(f)));
    }
    if let Some(b) = bg {
        c.push(format!("ansi-bg-{}", colour_class(b)));
    }
    for (bit, name) in [
        (SPAN_BOLD, "ansi-b"),
        (SPAN_DIM, "ansi-d"),
        (SPAN_ITALIC, "ansi-i"),
        (SPAN_UNDERLINE, "ansi-u"),
    ] {
        if flags & bit != 0 {
            c.push(name.to_string());
        }
    }
    c
}

const MARK: &str = "log-mark";

fn with_mark(base: &str, marked: bool) -> String {
    match (marked, base.is_empty()) {
        (false, _) => base.to_string(),
        (true, true) => MARK.to_string(),
        (true, false) => format!("{base} {MARK}"),
    }
}

/// `class == with_mark(base, marked)` without building it.
fn same_class(class: &str, base: &str, marked: bool) -> bool {
    match (marked, base.is_empty()) {
        (false, _) => class == base,
        (true, true) => class == MARK,
        (true, false) => class
            .strip_prefix(base)
            .and_then(|r| r.strip_prefix(' '))
            .is_some_and(|r| r == MARK),
    }
}

/// Cuts `line.text` at every valid span and match boundary. Ranges that are out of
/// bounds or not on char boundaries are ignored.
pub fn segments(line: &LogLine) -> Vec<Segment> {
    let text = &line.text;
    let ok = |a: u32, b: u32| {
        let (a, b) = (a as usize, b as usize);
        a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
    };
    let spans: Vec<_> = line.spans.iter().filter(|s| ok(s.start, s.end)).collect();
    let marks: Vec<[u32; 2]> = line
        .marks
        .iter()
        .copied()
        .filter(|m| ok(m[0], m[1]))
        .collect();
    let mut cuts: Vec<usize> = vec![0, text.len()];
    cuts.extend(
        spans
            .iter()
            .flat_map(|s| [s.start as usize, s.end as usize]),
    );
    cuts.extend(marks.iter().flat_map(|m| [m[0] as usize, m[1] as usize]));
    cuts.sort_unstable();
    cuts.dedup();
    // One sweep over the cuts: spans and marks enter and leave the active sets at their
    // edges (each once), so the whole line costs O((n + m) log n), not O(cuts × spans).
    let mut by_start: Vec<usize> = (0..spans.len()).collect();
    by_start.sort_by_key(|&i| spans[i].start);
    let mut by_end = by_start.clone();
    by_end.sort_by_key(|&i| spans[i].end);
    let mut mark_edges: Vec<(usize, i32)> = marks
        .iter()
        .flat_map(|m| [(m[0] as usize, 1), (m[1] as usize, -1)])
        .collect();
    mark_edges.sort_unstable();
    // Each span's classes are made once; a segment only adds "log-mark" to them.
    let span_cls: Vec<String> = spans
        .iter()
        .map(|s| span_class(s.fg, s.bg, s.flags).join(" "))
        .collect();
    // The first span in the line's order wins where spans overlap.
    let mut active = std::collections::BTreeSet::new();
    let (mut si, mut ei, mut mi, mut in_marks) = (0, 0, 0, 0i32);
    let mut out: Vec<Segment> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        while ei < by_end.len() && spans[by_end[ei]].end as usize <= a {
            active.remove(&by_end[ei]);
            ei += 1;
        }
        while si < by_start.len() && spans[by_start[si]].start as usize <= a {
            if spans[by_start[si]].end as usize > a {
                active.insert(by_start[si]);
            }
            si += 1;
        }
        while mi < mark_edges.len() && mark_edges[mi].0 <= a {
            in_marks += mark_edges[mi].1;
            mi += 1;
        }
        let base = active.first().map_or("", |&i| span_cls[i].as_str());
        let marked = in_marks > 0;
        match out.last_mut() {
            Some(p) if p.end == a && same_class(&p.class, base, marked) => p.end = b,
            _ => out.push(Segment {
                start: a,
                end: b,
                class: with_mark(base, marked),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_ipc::LogSpan;
    use std::time::{Duration, Instant};

    /// A 64 KiB line with 13k colour spans (and 3k filter matches) segments in linear
    /// time: the previous merge searched every span for every cut, ~10^8 steps here.
    #[test]
    fn a_long_line_with_thousands_of_spans_segments_in_linear_time() {
        let text = "abcde".repeat(64 * 1024 / 5);
        let n = 13_000u32;
        let spans = (0..n)
            .map(|i| LogSpan {
                start: i * 5,
                end: i * 5 + 3,
                fg: Some(AnsiColour::Idx((i % 16) as u8)),
                bg: None,
                flags: if i % 2 == 0 { SPAN_BOLD } else { 0 },
            })
            .collect();
        let marks = (0..3_000u32).map(|i| [i * 20 + 1, i * 20 + 7]).collect();
        let line = LogLine {
            seq: 0,
            src: 0,
            ts: None,
            text,
            spans,
            cut: 0,
            marks,
        };
        let t = Instant::now();
        let segs = segments(&line);
        let took = t.elapsed();
        eprintln!("segments of a 64 KiB line, 13k spans: {took:?}");
        // Quadratic, this took 4 s in debug on the (loaded) test machine; linear, ~0.2 s
        // there and a few ms in release.
        assert!(took < Duration::from_millis(500), "took {took:?}");
        // Every byte is covered once, in order, and the classes are right at the edges.
        assert_eq!(segs.first().map(|s| s.start), Some(0));
        assert_eq!(segs.last().map(|s| s.end), Some(line.text.len()));
        assert!(segs.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(segs[0].class, "ansi-fg-0 ansi-b");
        assert_eq!((segs[1].start, segs[1].end), (1, 3));
        assert_eq!(segs[1].class, "ansi-fg-0 ansi-b log-mark");
        let last_span = segs
            .iter()
            .find(|s| s.start == 12_999 * 5)
            .map(|s| s.class.as_str());
        assert_eq!(last_span, Some("ansi-fg-7"));
    }
}
