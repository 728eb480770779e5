//! Pruning and redaction of objects before they enter a bundle.
//!
//! - `metadata.managedFields` is dropped (bulk, no information for an operator);
//! - the `kubectl.kubernetes.io/last-applied-configuration` annotation is dropped (it
//!   repeats the spec, including any literal env values);
//! - Secrets keep their name, type and key names (annotation [`SECRET_KEYS`]); `data`
//!   and `stringData` are dropped;
//! - every `env` entry whose name looks sensitive ([`sensitive_name`]) or whose value
//!   looks like a credential ([`sensitive_value`]) has its value replaced by [`REDACTED`];
//! - ConfigMap values under sensitive-looking keys are replaced the same way;
//! - secrets inside free text keep the text's shape ([`text`]): container and probe
//!   `command`/`args` words (`--password=x`, `--token x`, `-p x`, `PASSWORD=x`,
//!   `KEY="a b"` in shell lines, MySQL's `-pSECRET`, `redis-cli -a SECRET`: [`words`]),
//!   connection strings in env values (`Server=db;Password=x`, URL passwords) and
//!   config files carried in ConfigMaps (`password: x`, `api_key = "x"`, PEM blocks).

mod text;
mod words;

use super::content::Redactions;
use serde_json::{Map, Value};
pub use text::{scrub_args, scrub_text};

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted by outpost>";
/// Annotation listing a redacted Secret's key names (comma-separated, sorted).
pub const SECRET_KEYS: &str = "outpost.dev/secret-keys";
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Name fragments that mark a variable or key as sensitive (matched case-insensitively).
const SENSITIVE: [&str; 14] = [
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "KEY",
    "CREDENTIAL",
    "AUTH",
    "PRIVATE",
    "CERT",
    "SESSION",
    "COOKIE",
    "DSN",
];

/// Whether a variable or key name looks like it holds a secret.
pub fn sensitive_name(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    SENSITIVE.iter().any(|s| up.contains(s))
}

/// Whether a value looks like a credential whatever its name: a URL with a password,
/// a PEM block, a JWT, an AWS access key id.
pub fn sensitive_value(v: &str) -> bool {
    let url_pass = v.split_once("://").is_some_and(|(_, rest)| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        authority
            .rsplit_once('@')
            .is_some_and(|(user, _)| user.contains(':'))
    });
    let pem = v.contains("-----BEGIN");
    let jwt = v.starts_with("eyJ") && v.matches('.').count() == 2 && v.len() > 20;
    let aws = v.len() == 20
        && (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    url_pass || pem || jwt || aws
}

/// Prunes and redacts one object of resource `plural` in place.
pub fn prune(plural: &str, obj: &mut Value, red: &mut Redactions) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut)
            && ann.remove(LAST_APPLIED).is_some()
        {
            red.last_applied += 1;
        }
    }
    match plural {
        "secrets" => redact_secret(obj, red),
        "configmaps" => {
            for field in ["data", "binaryData"] {
                if let Some(data) = obj.get_mut(field).and_then(Value::as_object_mut) {
                    for (k, v) in data.iter_mut() {
                        // A config file keeps its shape; one value is judged whole.
                        let single = v.as_str().is_some_and(|t| !t.contains('\n'));
                        let hit = sensitive_name(k)
                            || (single && v.as_str().is_some_and(sensitive_value));
                        if hit && v.as_str() != Some(REDACTED) {
                            *v = Value::String(REDACTED.into());
                            red.config_values += 1;
                        } else if let Some(t) = v.as_str().and_then(scrub_text) {
                            *v = Value::String(t);
                            red.config_values += 1;
                        }
                    }
                }
            }
        }
        _ => {}
    }
    redact_env(obj, red);
}

fn redact_secret(obj: &mut Value, red: &mut Redactions) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    let mut keys: Vec<String> = Vec::new();
    for field in ["data", "stringData"] {
        if let Some(Value::Object(d)) = map.remove(field) {
            keys.extend(d.keys().cloned());
        }
    }
    keys.sort();
    keys.dedup();
    red.secrets += 1;
    let meta = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(meta) = meta.as_object_mut() {
        let ann = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(ann) = ann.as_object_mut() {
            ann.insert(SECRET_KEYS.into(), Value::String(keys.join(",")));
        }
    }
}

/// Walks the whole object: pod specs sit at different depths (pods, templates of
/// workloads, jobs); every `env` list is a list of `{name, value}`, and every
/// `command`/`args` list (containers, exec probes, lifecycle hooks) a list of words.
fn redact_env(v: &mut Value, red: &mut Redactions) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(env)) = map.get_mut("env") {
                for item in env.iter_mut() {
                    let Some(item) = item.as_object_mut() else {
                        continue;
                    };
                    let name = item.get("name").and_then(Value::as_str).unwrap_or("");
                    let hit = sensitive_name(name)
                        || item
                            .get("value")
                            .and_then(Value::as_str)
                            .is_some_and(sensitive_value);
                    let Some(val) = item.get_mut("value") else {
                        continue;
                    };
                    if hit && val.as_str() != Some(REDACTED) {
                        *val = Value::String(REDACTED.into());
                        red.env_values += 1;
                    } else if let Some(t) = val.as_str().and_then(scrub_text) {
                        *val = Value::String(t);
                        red.env_values += 1;
                    }
                }
            }
            for field in ["command", "args"] {
                if let Some(Value::Array(words)) = map.get_mut(field) {
                    red.command_values += scrub_args(words);
                }
            }
            for (_, child) in map.iter_mut() {
                redact_env(child, red);
            }
        }
        Value::Array(items) => {
            for child in items {
                redact_env(child, red);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_values() {
        for n in [
            "DB_PASSWORD",
            "api_key",
            "GITHUB_TOKEN",
            "aws_secret_access_key",
            "SMTP_PASS",
        ] {
            assert!(sensitive_name(n), "{n}");
        }
        for n in ["LOG_LEVEL", "PORT", "TZ", "REGION"] {
            assert!(!sensitive_name(n), "{n}");
        }
        assert!(sensitive_value("postgres://app:hunter2@db:5432/x"));
        assert!(!sensitive_value("http://example.invalid:8080/path"));
        assert!(sensitive_value("AKIAABCDEFGHIJKLMNOP"));
        assert!(sensitive_value("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"));
    }

    #[test]
    fn secret_values_dropped_names_kept() {
        let mut r = Redactions::default();
        let mut s = json!({"metadata": {"name": "db", "namespace": "shop",
            "managedFields": [{"manager": "x"}]},
            "type": "Opaque", "data": {"password": "aHVudGVyMg==", "user": "YXBw"}});
        prune("secrets", &mut s, &mut r);
        assert_eq!(s.get("data"), None);
        assert_eq!(s["metadata"]["annotations"][SECRET_KEYS], "password,user");
        assert_eq!(s["metadata"].get("managedFields"), None);
        assert_eq!(r.secrets, 1);
    }

    #[test]
    fn env_values_redacted_at_any_depth() {
        let mut r = Redactions::default();
        let mut d = json!({"metadata": {"name": "web", "annotations": {LAST_APPLIED: "{..}"}},
        "spec": {"template": {"spec": {"containers": [{"name": "app", "env": [
            {"name": "DB_PASSWORD", "value": "hunter2"},
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "UPSTREAM", "value": "https://u:p@example.invalid/"},
            {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "k"}}}
        ]}]}}}});
        prune("deployments", &mut d, &mut r);
        let env = &d["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(env[0]["value"], REDACTED);
        assert_eq!(env[1]["value"], "info");
        assert_eq!(env[2]["value"], REDACTED);
        assert_eq!(env[3]["valueFrom"]["secretKeyRef"]["name"], "t");
        assert_eq!(r.env_values, 2);
        assert_eq!(r.last_applied, 1);
        assert_eq!(d["metadata"]["annotations"].get(LAST_APPLIED), None);
    }

    /// Container arguments, connection strings in env values and config files in
    /// ConfigMaps lose their secrets; names, flags, hosts and structure stay.
    #[test]
    fn args_connection_strings_and_config_files_are_redacted_in_place() {
        let r = REDACTED;
        let mut red = Redactions::default();
        let mut d = json!({"metadata": {"name": "pos"}, "spec": {"template": {"spec": {
        "initContainers": [{"name": "migrate", "image": "m:1",
            "command": ["migrate", "--password=hunter2", "--host", "db"]}],
        "containers": [{"name": "app", "image": "a:1",
            "args": ["--token", "t0k", "-p", "s3cret", "--port", "80"],
            "env": [{"name": "CONN", "value": "Server=db;User Id=pos;Password=pw;"}],
            "livenessProbe": {"exec": {"command": ["sh", "-c", "mysqladmin ping --password x"]}}
        }]}}}});
        prune("deployments", &mut d, &mut red);
        let spec = &d["spec"]["template"]["spec"];
        assert_eq!(
            spec["initContainers"][0]["command"],
            json!(["migrate", format!("--password={r}"), "--host", "db"])
        );
        let app = &spec["containers"][0];
        assert_eq!(app["args"], json!(["--token", r, "-p", r, "--port", "80"]));
        assert_eq!(
            app["env"][0]["value"],
            format!("Server=db;User Id=pos;Password={r};")
        );
        assert_eq!(
            app["livenessProbe"]["exec"]["command"][2],
            format!("mysqladmin ping --password {r}")
        );
        assert_eq!((red.command_values, red.env_values), (4, 1));

        let mut cm = json!({"metadata": {"name": "cfg"}, "data": {
            "app.yaml": "db:\n  url: postgres://pos:pw@db/pos\n  password: pw\nlevel: info\n",
            "app.ini": "[smtp]\nhost = mail\nsmtp_password = pw\n",
            "LEVEL": "info"}});
        prune("configmaps", &mut cm, &mut red);
        assert_eq!(
            cm["data"]["app.yaml"],
            format!("db:\n  url: postgres://pos:{r}@db/pos\n  password: {r}\nlevel: info\n")
        );
        assert_eq!(
            cm["data"]["app.ini"],
            format!("[smtp]\nhost = mail\nsmtp_password = {r}\n")
        );
        assert_eq!(cm["data"]["LEVEL"], "info");
        assert_eq!(red.config_values, 2);
        let again = cm.clone();
        prune("configmaps", &mut cm, &mut red);
        assert_eq!(
            (cm, red.config_values),
            (again, 2),
            "redacting twice changes nothing"
        );
    }
}
