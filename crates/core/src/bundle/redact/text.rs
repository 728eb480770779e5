//! Secrets inside free text, replaced by [`REDACTED`] while the text keeps its shape:
//! container `command`/`args` (`--password=x`, `--token x`, `-p x`, `PASSWORD=x`,
//! shell one-liners), connection strings (`postgres://user:pass@host`,
//! `Server=db;Password=x;`, `host=db password=x`) and config files carried in
//! ConfigMaps (`password: x`, `api_key = "x"`, `"token": "x",`, PEM blocks).

use super::words::{Scanner, names_a_path};
use super::{REDACTED, sensitive_name};

/// Where the token starting `rest` ends: at the first `is_sep` character, stepping
/// over [`REDACTED`] markers (which contain blanks) so scrubbing twice changes nothing.
fn token_end(rest: &str, is_sep: impl Fn(char) -> bool) -> usize {
    let mut i = 0;
    while let Some(c) = rest[i..].chars().next() {
        if rest[i..].starts_with(REDACTED) {
            i += REDACTED.len();
        } else if is_sep(c) {
            break;
        } else {
            i += c.len_utf8();
        }
    }
    i
}

/// `scheme://user:password@host` with the password replaced, anywhere in `s`.
fn scrub_urls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\'' | ';'))
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) if userinfo.contains(':') => {
                let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                out.push_str(user);
                out.push(':');
                out.push_str(if pass.is_empty() { "" } else { REDACTED });
                out.push('@');
                out.push_str(host);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `key=value` pairs (separated by `;`, `&`, `,`, `?` or blanks) whose key looks
/// sensitive get their value replaced: DSNs, query strings, `--password=x`, `PASS=x`.
fn scrub_pairs(s: &str) -> String {
    let is_sep = |c: char| c.is_whitespace() || matches!(c, ';' | '&' | ',' | '?');
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let start = rest.find(|c: char| !is_sep(c)).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let mut end = token_end(rest, is_sep);
        // A quoted value (`KEY="a b"`) runs to its closing quote.
        if let Some(eq) = rest[..end].find('=')
            && let Some(q @ ('"' | '\'')) = rest[eq + 1..].chars().next()
            && let Some(close) = rest[eq + 2..].find(q)
        {
            end = end.max(eq + 2 + close + 1);
        }
        let token = &rest[..end];
        match token.split_once('=') {
            Some((key, value))
                if !value.is_empty()
                    && unquoted(value).1 != REDACTED
                    && sensitive_name(key.trim_start_matches('-'))
                    && !names_a_path(key) =>
            {
                out.push_str(key);
                out.push('=');
                let q = unquoted(value).0;
                out.push_str(&format!("{q}{REDACTED}{q}"));
            }
            _ => out.push_str(token),
        }
        rest = &rest[end..];
    }
    out
}

/// A value without its surrounding quotes, and the quote (`""` when none).
fn unquoted(v: &str) -> (&str, &str) {
    for q in ["\"", "'"] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return (q, &v[1..v.len() - 1]);
        }
    }
    ("", v)
}

/// A config-file line `key: value`, `key = value`, `"key": "value",` or
/// `export KEY=value` under a sensitive key, with the value replaced (indentation,
/// key, separator, quotes and a trailing comma kept).
fn scrub_assignment(line: &str) -> Option<String> {
    let indent = line.len() - line.trim_start().len();
    let body = &line[indent..];
    let sep = body.find([':', '='])?;
    let key = body[..sep]
        .trim()
        .trim_start_matches("- ")
        .trim_start_matches("export ")
        .trim_matches(['"', '\'']);
    let simple = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ');
    if key.is_empty() || !key.chars().all(simple) || !sensitive_name(key) || names_a_path(key) {
        return None;
    }
    let after = &body[sep + 1..];
    let value = after.trim();
    let nested = value.is_empty()
        || value.starts_with(['|', '>', '{', '[', '&', '*'])
        || value.starts_with("//")
        || value == REDACTED;
    if nested {
        return None;
    }
    let blank = &after[..after.len() - after.trim_start().len()];
    let comma = if value.ends_with(',') { "," } else { "" };
    let v = value.trim_end_matches(',');
    let marker = match v.chars().next() {
        Some(q @ ('"' | '\'')) if v.len() > 1 && v.ends_with(q) => format!("{q}{REDACTED}{q}"),
        _ => REDACTED.to_string(),
    };
    Some(format!(
        "{}{}{blank}{marker}{comma}",
        &line[..indent],
        &body[..=sep]
    ))
}

fn scrub_line(line: &str) -> String {
    let line = scrub_urls(line);
    if !line.contains([';', '&'])
        && let Some(l) = scrub_assignment(&line)
    {
        return l;
    }
    scrub_pairs(&line)
}

/// `s` with PEM blocks, URL passwords, sensitive assignments and pairs replaced, line
/// by line; `None` when nothing needed it.
pub fn scrub_text(s: &str) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut in_pem = false;
    for line in s.split('\n') {
        if in_pem {
            if line.contains("-----END") {
                in_pem = false;
                lines.push(line.to_string());
            }
            continue;
        }
        if line.contains("-----BEGIN") {
            in_pem = !line.contains("-----END");
            lines.push(line.to_string());
            if in_pem {
                lines.push(REDACTED.to_string());
            }
            continue;
        }
        lines.push(scrub_line(line));
    }
    let out = lines.join("\n");
    (out != s).then_some(out)
}

/// One command word or a whole shell line (`sh -c "…"`): pairs, URLs and
/// `--flag value` inside it.
fn scrub_command_string(s: &str) -> String {
    let s = scrub_pairs(&scrub_urls(s));
    if !s.contains(char::is_whitespace) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut scan = Scanner::default();
    let mut rest = s.as_str();
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = token_end(rest, char::is_whitespace);
        let word = &rest[..end];
        match scan.word(word) {
            Some(r) => out.push_str(&r),
            None => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out
}

/// Redacts a container's `command` or `args` list in place; returns how many words
/// changed.
pub fn scrub_args(words: &mut [serde_json::Value]) -> u64 {
    let mut changed = 0;
    let mut scan = Scanner::default();
    for w in words.iter_mut() {
        let Some(s) = w.as_str() else {
            scan.skip();
            continue;
        };
        let new = scan.word(s).unwrap_or_else(|| scrub_command_string(s));
        if new != s {
            *w = serde_json::Value::String(new);
            changed += 1;
        }
    }
    changed
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod leak_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn args(v: Value) -> (Value, u64) {
        let mut v = v;
        let n = scrub_args(v.as_array_mut().unwrap_or(&mut vec![]));
        (v, n)
    }

    #[test]
    fn command_words_lose_their_secrets_and_keep_their_shape() {
        let r = REDACTED;
        let (v, n) = args(json!([
            "--password=hunter2",
            "--token",
            "t0k",
            "-p",
            "s3cret",
            "-p",
            "8080",
            "PASSWORD=hunter2",
            "--db-url=postgres://app:pw@db:5432/x",
            "--verbose",
            "--auth-token",
            "--log-level",
            "info",
            "--tls-key-file",
            "/etc/k.pem"
        ]));
        assert_eq!(
            v,
            json!([
                format!("--password={r}"),
                "--token",
                r,
                "-p",
                r,
                "-p",
                "8080",
                format!("PASSWORD={r}"),
                format!("--db-url=postgres://app:{r}@db:5432/x"),
                "--verbose",
                "--auth-token",
                "--log-level",
                "info",
                "--tls-key-file",
                "/etc/k.pem"
            ])
        );
        assert_eq!(n, 5);
        let (v, _) = args(json!([
            "sh",
            "-c",
            "mysql -u root --password hunter2 -h db && run --api-key=abc"
        ]));
        assert_eq!(
            v[2],
            format!("mysql -u root --password {r} -h db && run --api-key={r}")
        );
        let (v, n) = args(json!(["nginx", "-g", "daemon off;"]));
        assert_eq!((v, n), (json!(["nginx", "-g", "daemon off;"]), 0));
        let once = json!(["sh", "-c", "run --token abc PASS=x u://a:b@h --key", "k"]);
        let (once, _) = args(once);
        assert_eq!(
            args(once.clone()),
            (once, 0),
            "scrubbing twice changes nothing"
        );
    }

    #[test]
    fn connection_strings_keep_everything_but_the_password() {
        let r = REDACTED;
        assert_eq!(
            scrub_text("Server=db;User Id=app;Password=hunter2;Database=pos"),
            Some(format!("Server=db;User Id=app;Password={r};Database=pos"))
        );
        assert_eq!(
            scrub_text("host=db port=5432 password=hunter2 sslmode=require"),
            Some(format!("host=db port=5432 password={r} sslmode=require"))
        );
        assert_eq!(
            scrub_text("redis://:pw@cache:6379/0 and amqp://u:p@mq/"),
            Some(format!("redis://:{r}@cache:6379/0 and amqp://u:{r}@mq/"))
        );
        assert_eq!(
            scrub_text("https://api.example/v1?user=a&access_token=xyz"),
            Some(format!("https://api.example/v1?user=a&access_token={r}"))
        );
        assert_eq!(scrub_text("http://example.invalid:8080/path"), None);
    }

    #[test]
    fn config_files_keep_their_structure() {
        let r = REDACTED;
        let yaml = "db:\n  host: db\n  password: hunter2\n  auth:\n    token: 'abc'\nlevel: info";
        assert_eq!(
            scrub_text(yaml),
            Some(format!(
                "db:\n  host: db\n  password: {r}\n  auth:\n    token: '{r}'\nlevel: info"
            ))
        );
        let ini = "[smtp]\nuser = shop\nsmtp_pass = hunter2\nexport API_KEY=abc\n";
        assert_eq!(
            scrub_text(ini),
            Some(format!(
                "[smtp]\nuser = shop\nsmtp_pass = {r}\nexport API_KEY={r}\n"
            ))
        );
        let json = "{\n  \"user\": \"app\",\n  \"secret\": \"s\",\n  \"n\": 1\n}";
        assert_eq!(
            scrub_text(json),
            Some(format!(
                "{{\n  \"user\": \"app\",\n  \"secret\": \"{r}\",\n  \"n\": 1\n}}"
            ))
        );
        let pem = "tls:\n-----BEGIN PRIVATE KEY-----\nMIIE\nabcd\n-----END PRIVATE KEY-----\nx: 1";
        assert_eq!(
            scrub_text(pem),
            Some(format!(
                "tls:\n-----BEGIN PRIVATE KEY-----\n{r}\n-----END PRIVATE KEY-----\nx: 1"
            ))
        );
        assert_eq!(scrub_text("server:\n  port: 8080\n  url: http://x/"), None);
        assert_eq!(scrub_text(&format!("password: {r}")), None);
    }
}
