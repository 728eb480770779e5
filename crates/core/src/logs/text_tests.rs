//! ANSI/SGR parsing and sanitising.

use super::*;

fn span_text<'a>(r: &'a Rendered, s: &Span) -> &'a str {
    &r.text[s.start as usize..s.end as usize]
}

#[test]
fn plain_text_is_unchanged_and_has_no_spans() {
    let r = render(b"hello <b>world</b> & \"quotes\"\ttab");
    assert_eq!(r.text, "hello <b>world</b> & \"quotes\"\ttab");
    assert!(r.spans.is_empty());
}

#[test]
fn sgr_colours_become_spans() {
    let r =
        render(b"\x1b[31mERROR\x1b[0m \x1b[1;32mcoloured\x1b[0m output \x1b[4munderlined\x1b[0m");
    assert_eq!(r.text, "ERROR coloured output underlined");
    assert_eq!(r.spans.len(), 3);
    assert_eq!(span_text(&r, &r.spans[0]), "ERROR");
    assert_eq!(r.spans[0].style.fg, Some(Colour::Idx(1)));
    assert_eq!(span_text(&r, &r.spans[1]), "coloured");
    assert_eq!(r.spans[1].style.fg, Some(Colour::Idx(2)));
    assert_eq!(r.spans[1].style.flags, BOLD);
    assert_eq!(span_text(&r, &r.spans[2]), "underlined");
    assert_eq!(r.spans[2].style.flags, UNDERLINE);
    assert_eq!(r.spans[2].style.fg, None);
}

#[test]
fn extended_colours_bright_and_background() {
    let r = render(b"\x1b[38;5;208ma\x1b[48;2;1;2;3mb\x1b[39;49m\x1b[91;102mc\x1b[m d");
    assert_eq!(r.text, "abc d");
    assert_eq!(r.spans[0].style.fg, Some(Colour::Idx(208)));
    assert_eq!(span_text(&r, &r.spans[0]), "a");
    assert_eq!(r.spans[1].style.bg, Some(Colour::Rgb(1, 2, 3)));
    assert_eq!(r.spans[1].style.fg, Some(Colour::Idx(208)));
    assert_eq!(r.spans[2].style.fg, Some(Colour::Idx(9)));
    assert_eq!(r.spans[2].style.bg, Some(Colour::Idx(10)));
    assert_eq!(span_text(&r, &r.spans[2]), "c");
    assert_eq!(r.spans.len(), 3, "the reset text has no span");
}

#[test]
fn other_escapes_and_controls_are_stripped() {
    let r = render(b"\x1b]0;pwned title\x07terminal title escape and a bell\x07");
    assert_eq!(r.text, "terminal title escape and a bell");
    let r =
        render(b"a\x1b[2Jb\x1b[10;20Hc\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\d\x1bPdcs\x1b\\e");
    assert_eq!(r.text, "abclinkde");
    let r = render(b"cr\r\nnul\x00del\x7f back\x08space \x1b7saved\x1b8 \x1b(Bcharset");
    assert_eq!(r.text, "crnuldel backspace saved charset");
    assert!(r.spans.is_empty());
    // C1 CSI (U+009B) encoded in UTF-8, and bidi overrides.
    let r = render("x\u{9b}31my \u{202e}txt.exe".as_bytes());
    assert_eq!(r.text, "x31my txt.exe");
}

#[test]
fn truncated_escapes_never_panic_or_leak() {
    for raw in [
        &b"\x1b"[..],
        b"\x1b[",
        b"\x1b[31",
        b"\x1b[31;",
        b"\x1b]0;title",
        b"a\x1b(",
        b"\x1b[38;5m",
        b"\x1b[38;2;1m",
    ] {
        let r = render(raw);
        assert!(!r.text.contains('\x1b'), "{raw:?} -> {:?}", r.text);
        for s in &r.spans {
            assert!(s.start < s.end && s.end as usize <= r.text.len());
        }
    }
}

#[test]
fn invalid_utf8_is_replaced() {
    let r = render(b"invalid utf-8: \xff\xfe\xc3\x28 \xe2\x82 end");
    assert!(
        r.text
            .starts_with("invalid utf-8: \u{fffd}\u{fffd}\u{fffd}(")
    );
    assert!(r.text.ends_with(" end"));
    // Spans stay on char boundaries around replaced bytes.
    let r = render(b"\x1b[31m\xff\xe2\x82\x1b[0mok");
    assert_eq!(r.text, "\u{fffd}\u{fffd}ok");
    assert_eq!(span_text(&r, &r.spans[0]), "\u{fffd}\u{fffd}");
}

#[test]
fn adjacent_runs_with_the_same_style_merge() {
    let r = render(b"\x1b[31ma\x1b[31mb\x1b[1m\x1b[22mc\x1b[0m");
    assert_eq!(r.text, "abc");
    assert_eq!(r.spans.len(), 1);
    assert_eq!((r.spans[0].start, r.spans[0].end), (0, 3));
}
