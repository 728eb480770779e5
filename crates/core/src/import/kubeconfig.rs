//! Kubeconfig YAML: the subset Outpost imports, with secrets held as [`Secret`].
//!
//! Parsed with `serde-saphyr` (the YAML crate kube itself uses) under a budget: at most
//! [`MAX_KUBECONFIG_BYTES`] of text, few aliases (no billion laughs), no error snippets
//! (they would quote the text, keys included).

use super::ImportError;
use crate::secret::Secret;
use serde::Deserialize;
use std::io::Read;
use std::path::Path;

/// Largest kubeconfig read or parsed (the biggest real ones are a few hundred KiB).
pub const MAX_KUBECONFIG_BYTES: usize = 4 << 20;

/// Aliases a kubeconfig may use (kubectl writes none).
const MAX_ALIASES: usize = 1_000;

/// YAML events aliases may replay in all: a few thousand nodes of sharing, not nine to
/// the ninth (billion laughs).
const MAX_REPLAYED_EVENTS: usize = 100_000;

/// A parsed kubeconfig.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub struct Kubeconfig {
    #[serde(default)]
    pub clusters: Vec<Named<Cluster>>,
    #[serde(default)]
    pub users: Vec<NamedUser>,
    #[serde(default)]
    pub contexts: Vec<Named<Context>>,
    #[serde(default)]
    pub current_context: Option<String>,
}

/// `{name, cluster|context: …}` entries.
#[derive(Debug, Clone, Deserialize)]
pub struct Named<T> {
    pub name: String,
    #[serde(alias = "cluster", alias = "context")]
    pub value: T,
}

/// `{name, user: …}` entries.
#[derive(Debug, Clone, Deserialize)]
pub struct NamedUser {
    pub name: String,
    #[serde(default)]
    pub user: AuthInfo,
}

/// A cluster entry.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub struct Cluster {
    pub server: String,
    pub certificate_authority: Option<String>,
    pub certificate_authority_data: Option<String>,
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
    pub tls_server_name: Option<String>,
    pub proxy_url: Option<String>,
}

/// A context entry.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Context {
    pub cluster: String,
    pub user: String,
    pub namespace: Option<String>,
}

/// A user entry.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub struct AuthInfo {
    pub client_certificate: Option<String>,
    pub client_certificate_data: Option<String>,
    pub client_key: Option<String>,
    pub client_key_data: Option<Secret>,
    pub token: Option<Secret>,
    #[serde(alias = "tokenFile")]
    pub token_file: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub exec: Option<ExecConfig>,
    pub auth_provider: Option<serde::de::IgnoredAny>,
}

/// An exec credential plugin.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecConfig {
    pub api_version: Option<String>,
    pub command: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Vec<ExecEnv>,
}

/// One exec env variable; the value may be secret.
#[derive(Debug, Clone, Deserialize)]
pub struct ExecEnv {
    pub name: String,
    pub value: Secret,
}

/// Parses kubeconfig text; errors carry the line and column, never a value.
pub fn parse(text: &str, source: &str) -> Result<Kubeconfig, ImportError> {
    let err = |line: u64, column: u64, message: String| ImportError::Yaml {
        source_name: source.to_string(),
        line: line as usize,
        column: column as usize,
        message,
    };
    if text.len() > MAX_KUBECONFIG_BYTES {
        return Err(err(
            0,
            0,
            format!("larger than {MAX_KUBECONFIG_BYTES} bytes: not a kubeconfig"),
        ));
    }
    let mut opts = serde_saphyr::Options::default();
    opts.with_snippet = false;
    opts.alias_limits.max_total_replayed_events = MAX_REPLAYED_EVENTS;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_aliases = MAX_ALIASES;
    budget.max_total_scalar_bytes = MAX_KUBECONFIG_BYTES;
    budget.max_recorded_anchor_bytes = MAX_KUBECONFIG_BYTES;
    opts.budget = Some(budget);
    serde_saphyr::from_str_with_options(text, opts).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        err(line, column, redact(&e.without_snippet().to_string()))
    })
}

/// The parser's message without its position and without anything quoted (serde
/// quotes the unexpected value: `invalid type: string "…"`).
fn redact(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or_default();
    let first = first.split(" at line ").next().unwrap_or(first);
    let mut out = String::new();
    let mut quoted = false;
    for c in first.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// Reads a kubeconfig file: a regular file of at most [`MAX_KUBECONFIG_BYTES`].
pub fn read_file(path: &Path) -> Result<String, ImportError> {
    let input = |reason: String| ImportError::Input {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| input(e.to_string()))?;
    if !meta.is_file() {
        return Err(input("not a regular file".into()));
    }
    if meta.len() > MAX_KUBECONFIG_BYTES as u64 {
        return Err(input(format!(
            "larger than {MAX_KUBECONFIG_BYTES} bytes: not a kubeconfig"
        )));
    }
    let f = std::fs::File::open(path).map_err(|e| input(e.to_string()))?;
    let mut bytes = Vec::new();
    f.take(MAX_KUBECONFIG_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| input(e.to_string()))?;
    if bytes.len() > MAX_KUBECONFIG_BYTES {
        return Err(input(format!(
            "larger than {MAX_KUBECONFIG_BYTES} bytes: not a kubeconfig"
        )));
    }
    String::from_utf8(bytes).map_err(|_| input("not UTF-8 text".into()))
}

/// Decodes a `*-data` field (base64 of PEM).
pub fn decode_data(
    value: &[u8],
    field: &'static str,
    context: &str,
) -> Result<Vec<u8>, ImportError> {
    use base64::Engine as _;
    let cleaned: Vec<u8> = value
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|_| ImportError::Invalid {
            context: context.to_string(),
            message: format!("{field} is not valid base64"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_errors_carry_line_and_column() {
        let e = parse("clusters:\n- name: a\n  cluster: [oops\n", "k.yaml").unwrap_err();
        let ImportError::Yaml { line, column, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(*line >= 3, "line {line}");
        assert!(*column > 0);
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("k.yaml"), "{e}");
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let k = parse(
            "users:\n- name: u\n  user:\n    token: very-secret-token\n",
            "x",
        )
        .unwrap();
        let dbg = format!("{k:?}");
        assert!(!dbg.contains("very-secret-token"));
        assert_eq!(
            k.users[0].user.token.as_ref().unwrap().expose(),
            b"very-secret-token"
        );
    }
}
