//! Secrets in command lines that the first pass let through: attached `-pSECRET`,
//! tool-specific flags (`redis-cli -a`), quoted env-style assignments inside `sh -c`.

use super::*;
use serde_json::{Value, json};

fn args(v: Value) -> Value {
    let mut v = v;
    if let Some(words) = v.as_array_mut() {
        scrub_args(words);
    }
    v
}

/// Each case: the words, then every secret that must not survive.
fn leaks(words: Value, secrets: &[&str]) -> Vec<String> {
    let out = args(words.clone()).to_string();
    secrets
        .iter()
        .filter(|s| out.contains(*s))
        .map(|s| format!("{s} leaks from {words} -> {out}"))
        .collect()
}

#[test]
fn passwords_in_command_lines_of_known_tools_are_redacted() {
    let cases: Vec<(Value, Vec<&str>)> = vec![
        // mysql's attached password, as its own word and inside a shell line.
        (
            json!(["mysql", "-uroot", "-pHunter2x", "-h", "db"]),
            vec!["Hunter2x"],
        ),
        (
            json!(["sh", "-c", "mysqldump -u root -pHunter2x shop > /b.sql"]),
            vec!["Hunter2x"],
        ),
        (
            json!(["mysqladmin", "--password", "Hunter2x", "ping"]),
            vec!["Hunter2x"],
        ),
        (json!(["mysql", "-p", "Hunter2x"]), vec!["Hunter2x"]),
        (json!(["mysql", "-p", "123456"]), vec!["123456"]),
        (
            json!(["sh", "-c", "PGPASSWORD=Hunter2x psql -h db -U app"]),
            vec!["Hunter2x"],
        ),
        (
            json!(["env", "PGPASSWORD=Hunter2x", "pg_dump", "shop"]),
            vec!["Hunter2x"],
        ),
        (
            json!(["redis-cli", "-a", "Hunter2x", "ping"]),
            vec!["Hunter2x"],
        ),
        (
            json!(["sh", "-c", "redis-cli -h cache -a Hunter2x ping"]),
            vec!["Hunter2x"],
        ),
        (json!(["redis-cli", "-aHunter2x", "ping"]), vec!["Hunter2x"]),
        (
            json!(["sh", "-c", "curl -fsS https://app:Hunter2x@api.example/v1"]),
            vec!["Hunter2x"],
        ),
        (
            json!(["--upstream", "amqp://app:Hunter2x@mq:5672/"]),
            vec!["Hunter2x"],
        ),
        (
            json!(["sh", "-c", "export API_TOKEN=\"Hunter2x and more\"; run"]),
            vec!["Hunter2x", "and more"],
        ),
        (
            json!([
                "/bin/sh",
                "-c",
                "FOO_TOKEN='tok en' SESSION_KEY=abc123 ./start"
            ]),
            vec!["tok en", "abc123"],
        ),
        (
            json!(["bash", "-c", "FOO_TOKEN=Hunter2x exec app"]),
            vec!["Hunter2x"],
        ),
    ];
    let found: Vec<String> = cases.into_iter().flat_map(|(w, s)| leaks(w, &s)).collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn flags_that_are_not_secrets_keep_their_values() {
    for words in [
        json!(["app", "-p", "8080"]),
        json!(["docker", "run", "-p", "80:80", "-a", "stdout", "img"]),
        json!(["tar", "-pxf", "a.tar"]),
        json!(["ls", "-a", "/tmp"]),
        json!(["sh", "-c", "grep -a pattern f && ls -a /tmp"]),
        json!([
            "sh",
            "-c",
            "redis-cli ping; ls -a /tmp && mysql -e x | tar -pxf a.tar"
        ]),
    ] {
        assert_eq!(args(words.clone()), words);
    }
}
