//! Command words: which flags carry a secret, generally (`--password x`, `--token x`,
//! `-p x`) and for known tools (MySQL/MariaDB clients: `-pSECRET` and `-p SECRET`
//! even when numeric; Redis clients: `-a SECRET`, `-aSECRET`), tracked word by word
//! through a command line or a container's `command`/`args` list.

use super::{REDACTED, sensitive_name};

/// The program a word runs, for tool-specific flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tool {
    #[default]
    Other,
    /// `-p` is the password, attached (`-pSECRET`) or not.
    MySql,
    /// `-a` is the password, attached or not.
    Redis,
}

fn tool_of(word: &str) -> Option<Tool> {
    let base = word.rsplit('/').next().unwrap_or(word);
    match base {
        "mysql" | "mysqldump" | "mysqladmin" | "mysqlimport" | "mysqlcheck" | "mysqlshow"
        | "mysqlpump" | "mariadb" | "mariadb-dump" | "mariadb-admin" | "mariadb-import"
        | "mariadb-check" => Some(Tool::MySql),
        "redis-cli" | "keydb-cli" | "valkey-cli" => Some(Tool::Redis),
        _ => None,
    }
}

/// A shell word that ends one command (the next word starts another).
fn shell_break(word: &str) -> bool {
    matches!(word, "&&" | "||" | "|" | ";") || word.ends_with(';')
}

/// Flags whose value is a path or a mode rather than the secret itself.
pub(super) fn names_a_path(flag: &str) -> bool {
    let up = flag.to_ascii_uppercase();
    ["FILE", "PATH", "DIR"].iter().any(|s| up.contains(s))
}

/// A flag (`--token`, `-p`, `redis-cli -a`) whose next word is a secret.
fn secret_flag(tool: Tool, word: &str) -> bool {
    let Some(name) = word.strip_prefix('-') else {
        return false;
    };
    let name = name.trim_start_matches('-');
    (tool == Tool::Redis && word == "-a")
        || (!name.is_empty()
            && !word.contains('=')
            && (word == "-p" || (word.starts_with("--") && sensitive_name(name)))
            && !names_a_path(name))
}

/// Whether the word after a secret flag is its value (and not another flag or, for
/// a generic `-p`, a port such as `8080` or `8080:80`).
fn flag_value(tool: Tool, flag: &str, next: &str) -> bool {
    let port =
        tool != Tool::MySql && flag == "-p" && next.chars().all(|c| c.is_ascii_digit() || c == ':');
    !(next.is_empty() || next.starts_with('-') || next == REDACTED || port)
}

/// `-pSECRET` (MySQL) or `-aSECRET` (Redis): how long the flag part is.
fn attached(tool: Tool, word: &str) -> Option<usize> {
    let flag = match tool {
        Tool::MySql => "-p",
        Tool::Redis => "-a",
        Tool::Other => return None,
    };
    let rest = word.strip_prefix(flag)?;
    (!rest.is_empty() && rest != REDACTED && !rest.starts_with('-')).then_some(flag.len())
}

/// Walks the words of one command line or list, word by word.
#[derive(Debug, Default)]
pub(super) struct Scanner {
    tool: Tool,
    /// The secret flag the previous word was.
    pending: Option<String>,
}

impl Scanner {
    /// The replacement of `word` when it is (or ends in) a secret.
    pub(super) fn word(&mut self, word: &str) -> Option<String> {
        let pending = self.pending.take();
        if let Some(t) = tool_of(word) {
            self.tool = t;
        } else if shell_break(word) {
            self.tool = Tool::Other;
        }
        if let Some(flag) = pending
            && flag_value(self.tool, &flag, word)
        {
            return Some(REDACTED.to_string());
        }
        if secret_flag(self.tool, word) {
            self.pending = Some(word.to_string());
            return None;
        }
        attached(self.tool, word).map(|n| format!("{}{REDACTED}", &word[..n]))
    }

    /// A word that is not text (a number in a JSON list) ends any pending flag.
    pub(super) fn skip(&mut self) {
        self.pending = None;
    }
}
