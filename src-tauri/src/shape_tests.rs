//! The shell stays wiring (issue 14's bar, checked on every test run): no source file
//! over 200 lines and no `#[tauri::command]` body over 10 lines (validate, one `Session`
//! call, map the error).

use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 200;
const MAX_COMMAND_LINES: usize = 10;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src-tauri/src") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Each command's name and the number of lines between its signature's `{` and the
/// closing `}` at the attribute's indentation.
fn command_bodies(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.trim() != "#[tauri::command]" {
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        let open = (i + 1..lines.len())
            .find(|&j| lines[j].trim_end().ends_with('{'))
            .expect("a command's body");
        let close = (open + 1..lines.len())
            .find(|&k| {
                lines[k].len() - lines[k].trim_start().len() == indent
                    && lines[k].trim_start().starts_with('}')
            })
            .expect("a command's end");
        let sig = lines[i..=open].join(" ");
        let name = sig
            .split("fn ")
            .nth(1)
            .and_then(|r| r.split(['(', '<']).next())
            .unwrap_or("?")
            .to_string();
        out.push((name, close - open - 1));
    }
    out
}

#[test]
fn every_file_is_short_and_every_command_is_wiring() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut commands = 0;
    let mut too_long = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read a source file");
        let n = text.lines().count();
        if n > MAX_FILE_LINES {
            too_long.push(format!("{}: {n} lines", f.display()));
        }
        for (name, body) in command_bodies(&text) {
            commands += 1;
            if body > MAX_COMMAND_LINES {
                too_long.push(format!("command {name}: {body} lines"));
            }
        }
    }
    assert!(
        commands >= 29,
        "found only {commands} commands: the scan is broken"
    );
    assert!(too_long.is_empty(), "over the bar: {too_long:#?}");
}

#[test]
fn the_scan_measures_a_body() {
    let src =
        "#[tauri::command]\npub async fn a(\n    x: u8,\n) -> Res {\n    one();\n    two();\n}\n";
    assert_eq!(command_bodies(src), vec![("a".to_string(), 2)]);
}
