//! Turning the raw bytes of one log line into inert text plus colour spans.
//!
//! - invalid UTF-8 is replaced lossily (U+FFFD);
//! - SGR escapes (`ESC [ … m`) become [`Span`]s: 16/256/RGB foreground and background,
//!   bold, dim, italic, underline, inverse;
//! - every other escape (cursor moves, OSC window titles, DCS, …), every other C0/C1
//!   control character but TAB, and Unicode bidi overrides are dropped;
//! - the output is plain data: nothing here is markup, and the UI renders it as text.

use std::borrow::Cow;

/// A terminal colour: one of the 256 indexed colours, or 24-bit RGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Colour {
    Idx(u8),
    Rgb(u8, u8, u8),
}

/// Bold.
pub const BOLD: u8 = 1;
/// Dim (faint).
pub const DIM: u8 = 2;
/// Italic.
pub const ITALIC: u8 = 4;
/// Underline.
pub const UNDERLINE: u8 = 8;
/// Foreground and background swapped.
pub const INVERSE: u8 = 16;

/// The graphic rendition of a run of text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Style {
    pub fg: Option<Colour>,
    pub bg: Option<Colour>,
    /// [`BOLD`] | [`DIM`] | [`ITALIC`] | [`UNDERLINE`] | [`INVERSE`].
    pub flags: u8,
}

impl Style {
    pub fn is_plain(&self) -> bool {
        *self == Style::default()
    }
}

/// A styled byte range `[start, end)` of a line's text (always on char boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub style: Style,
}

/// A sanitised line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub spans: Vec<Span>,
}

/// Applies one SGR parameter list (`ESC [ params m`) to `st`.
fn apply_sgr(st: &mut Style, params: &[u8]) {
    let nums: Vec<u32> = if params.is_empty() {
        vec![0]
    } else {
        params
            .split(|b| *b == b';' || *b == b':')
            .map(|p| {
                std::str::from_utf8(p)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0)
            })
            .collect()
    };
    let mut i = 0;
    while i < nums.len() {
        let n = nums[i];
        match n {
            0 => *st = Style::default(),
            1 => st.flags |= BOLD,
            2 => st.flags |= DIM,
            3 => st.flags |= ITALIC,
            4 => st.flags |= UNDERLINE,
            7 => st.flags |= INVERSE,
            22 => st.flags &= !(BOLD | DIM),
            23 => st.flags &= !ITALIC,
            24 => st.flags &= !UNDERLINE,
            27 => st.flags &= !INVERSE,
            30..=37 => st.fg = Some(Colour::Idx((n - 30) as u8)),
            39 => st.fg = None,
            40..=47 => st.bg = Some(Colour::Idx((n - 40) as u8)),
            49 => st.bg = None,
            90..=97 => st.fg = Some(Colour::Idx((n - 90 + 8) as u8)),
            100..=107 => st.bg = Some(Colour::Idx((n - 100 + 8) as u8)),
            38 | 48 => {
                let c = match nums.get(i + 1) {
                    Some(5) => {
                        let c = nums.get(i + 2).map(|v| Colour::Idx((*v).min(255) as u8));
                        i += 2;
                        c
                    }
                    Some(2) => {
                        let at = |k: usize| nums.get(i + k).map_or(0, |v| (*v).min(255) as u8);
                        let c = Some(Colour::Rgb(at(2), at(3), at(4)));
                        i += 4;
                        c
                    }
                    _ => None,
                };
                if n == 38 {
                    st.fg = c;
                } else {
                    st.bg = c;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Characters that never reach the UI: controls (but TAB) and bidi overrides/isolates,
/// which could make a line display as something it is not.
fn dropped_char(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

struct Builder {
    out: Rendered,
    style: Style,
    /// Start of the run with the current style.
    run_start: usize,
}

impl Builder {
    fn text(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let s: Cow<'_, str> = String::from_utf8_lossy(bytes);
        if s.chars().any(dropped_char) {
            self.out
                .text
                .extend(s.chars().filter(|c| !dropped_char(*c)));
        } else {
            self.out.text.push_str(&s);
        }
    }

    fn set_style(&mut self, st: Style) {
        if st == self.style {
            return;
        }
        self.close_run();
        self.style = st;
    }

    fn close_run(&mut self) {
        let end = self.out.text.len();
        if end > self.run_start && !self.style.is_plain() {
            let (start, end) = (clamp32(self.run_start), clamp32(end));
            // Merge with the previous span when the style did not really change.
            match self.out.spans.last_mut() {
                Some(p) if p.end == start && p.style == self.style => p.end = end,
                _ => self.out.spans.push(Span {
                    start,
                    end,
                    style: self.style,
                }),
            }
        }
        self.run_start = end;
    }
}

fn clamp32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Index just past a string-type escape's terminator (BEL or `ESC \`), or the end.
fn skip_string(raw: &[u8], mut i: usize) -> usize {
    while i < raw.len() {
        match raw[i] {
            0x07 => return i + 1,
            0x1b if raw.get(i + 1) == Some(&b'\\') => return i + 2,
            _ => i += 1,
        }
    }
    raw.len()
}

/// Sanitises one line (without its newline).
pub fn render(raw: &[u8]) -> Rendered {
    let mut b = Builder {
        out: Rendered {
            text: String::with_capacity(raw.len()),
            spans: Vec::new(),
        },
        style: Style::default(),
        run_start: 0,
    };
    let mut i = 0;
    let mut plain_from = 0;
    while let Some(off) = memchr::memchr(0x1b, &raw[i..]) {
        let esc = i + off;
        b.text(&raw[plain_from..esc]);
        let mut j = esc + 1;
        match raw.get(j) {
            Some(b'[') => {
                j += 1;
                let params_start = j;
                while j < raw.len() && (0x30..=0x3f).contains(&raw[j]) {
                    j += 1;
                }
                let params_end = j;
                while j < raw.len() && (0x20..=0x2f).contains(&raw[j]) {
                    j += 1;
                }
                match raw.get(j) {
                    Some(&f) if (0x40..=0x7e).contains(&f) => {
                        if f == b'm' && params_end == j {
                            let mut st = b.style;
                            apply_sgr(&mut st, &raw[params_start..params_end]);
                            b.set_style(st);
                        }
                        j += 1;
                    }
                    // Unterminated or malformed: drop what was read.
                    _ => {}
                }
            }
            Some(b']' | b'P' | b'X' | b'^' | b'_') => j = skip_string(raw, j + 1),
            // Two-byte escapes (ESC 7, ESC c, …); with an intermediate, three bytes.
            Some(&c) if (0x20..=0x2f).contains(&c) => j = (j + 2).min(raw.len()),
            Some(_) => j += 1,
            None => {}
        }
        i = j;
        plain_from = j;
    }
    b.text(&raw[plain_from..]);
    b.close_run();
    b.out
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
