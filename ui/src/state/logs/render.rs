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
    let mut out: Vec<Segment> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut class = spans
            .iter()
            .find(|s| s.start as usize <= a && b <= s.end as usize)
            .map(|s| span_class(s.fg, s.bg, s.flags))
            .unwrap_or_default();
        if marks
            .iter()
            .any(|m| m[0] as usize <= a && b <= m[1] as usize)
        {
            class.push("log-mark".to_string());
        }
        let class = class.join(" ");
        match out.last_mut() {
            Some(p) if p.end == a && p.class == class => p.end = b,
            _ => out.push(Segment {
                start: a,
                end: b,
                class,
            }),
        }
    }
    out
}
