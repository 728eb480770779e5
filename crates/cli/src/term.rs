//! Untrusted text made inert before it reaches the terminal.
//!
//! Site names, messages from sites, bundle fields and journal entries all come from
//! outside: an OSC 52 sequence in a site's name would write the user's clipboard, a
//! CSI one could rewrite the screen. Everything the CLI prints for people goes through
//! [`clean`] (the `out!`, `outln!` and `errln!` macros); JSON goes through [`json`].

use outpost_core::logs::text::render;

/// Unicode bidi overrides and isolates: they make text display as something it is not.
fn bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `s` without escape sequences (CSI, OSC such as OSC 52 clipboard writes, DCS, …),
/// C0/C1 control characters other than newline and tab, and bidi overrides. The same
/// sanitiser as log lines ([`outpost_core::logs::text::render`]), line by line.
pub fn clean(s: &str) -> String {
    if !s
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || bidi(c))
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&render(line.as_bytes()).text);
    }
    out
}

/// [`clean`] on one line: newlines and tabs become spaces.
pub fn inline(s: &str) -> String {
    clean(s).replace(['\n', '\t'], " ")
}

/// A JSON document with the characters `serde_json` leaves raw but a terminal may act
/// on (DEL, C1 controls, bidi overrides) written as `\uXXXX` escapes: still the same
/// JSON value, nothing lost, nothing interpreted.
pub fn json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || bidi(c) {
            // Only reachable inside JSON strings (serde_json escapes C0 there itself);
            // newlines and tabs outside strings are a pretty document's layout.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// `print!` of [`clean`]ed text.
macro_rules! out {
    ($($a:tt)*) => { print!("{}", $crate::term::clean(&format!($($a)*))) };
}

/// `println!` of [`clean`]ed text.
macro_rules! outln {
    () => { println!() };
    ($($a:tt)*) => { println!("{}", $crate::term::clean(&format!($($a)*))) };
}

/// `eprintln!` of [`clean`]ed text.
macro_rules! errln {
    ($($a:tt)*) => { eprintln!("{}", $crate::term::clean(&format!($($a)*))) };
}

/// `println!` of a JSON document, through [`json`].
macro_rules! jsonln {
    ($doc:expr) => {
        println!("{}", $crate::term::json(&$doc))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_stays_valid_json() {
        let doc = serde_json::json!({"site": "shop\u{9b}31m\u{7f}", "n": [1, 2]});
        let text = json(&serde_json::to_string_pretty(&doc).expect("encode"));
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{7f}'),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, doc);
    }

    #[test]
    fn escapes_and_controls_are_dropped_text_and_newlines_kept() {
        let osc52 = "shop\x1b]52;c;cm0gLXJmIH4K\x07-1";
        assert_eq!(clean(osc52), "shop-1");
        assert_eq!(clean("a\x1b]52;c;x\x1b\\b"), "ab");
        assert_eq!(clean("\x1b[2J\x1b[31mred\x1b[0m\r\x08x"), "redx");
        assert_eq!(clean("one\n\ttwo\u{9b}31m\u{202e}"), "one\n\ttwo31m");
        assert_eq!(clean("plain ünïcode"), "plain ünïcode");
        assert_eq!(inline("a\nb\tc"), "a b c");
        let doc = serde_json::to_string(
            &serde_json::json!({"name": "x\x1b]52;c;y\x07\u{9b}\u{202e}\x7f"}),
        )
        .expect("json");
        let safe = json(&doc);
        assert!(!safe.chars().any(|c| c.is_control() || bidi(c)), "{safe:?}");
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still json");
        assert_eq!(back["name"], "x\x1b]52;c;y\x07\u{9b}\u{202e}\x7f");
    }
}
