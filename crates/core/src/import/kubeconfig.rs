//! Kubeconfig YAML: the subset Outpost imports, with secrets held as [`Secret`].

use super::ImportError;
use crate::secret::Secret;
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
    pub token_file: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub exec: Option<ExecConfig>,
    pub auth_provider: Option<serde_yaml::Value>,
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

/// Parses kubeconfig text; errors carry the line and column.
pub fn parse(text: &str, source: &str) -> Result<Kubeconfig, ImportError> {
    serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        // serde_yaml messages name the field, never the value.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        ImportError::Yaml {
            source_name: source.to_string(),
            line,
            column,
            message: msg,
        }
    })
}

/// Reads a file a kubeconfig points to (relative to the kubeconfig's directory).
pub fn read_ref(
    base: &Path,
    path: &str,
    field: &'static str,
    context: &str,
) -> Result<Vec<u8>, ImportError> {
    let p = PathBuf::from(path);
    let p = if p.is_relative() { base.join(p) } else { p };
    std::fs::read(&p).map_err(|e| ImportError::MissingFile {
        context: context.to_string(),
        field,
        path: p,
        reason: e.to_string(),
    })
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
        assert_eq!(e.kind(), "invalid_input");
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
