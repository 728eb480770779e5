//! Kubeconfigs on this machine: `$KUBECONFIG` (or `~/.kube/config`), K3s'
//! `/etc/rancher/k3s/k3s.yaml` and MicroK8s' client config, when readable.

use crate::import::kubeconfig;
use serde::Serialize;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// K3s' kubeconfig.
pub const K3S_PATH: &str = "/etc/rancher/k3s/k3s.yaml";
/// MicroK8s' client kubeconfig.
pub const MICROK8S_PATH: &str = "/var/snap/microk8s/current/credentials/client.config";

/// One context found on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalContext {
    pub source: PathBuf,
    pub context: String,
    pub cluster: String,
    pub server: String,
    pub current: bool,
}

/// A source that exists but could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub source: PathBuf,
    pub reason: String,
}

/// The kubeconfig files to look at, given `$KUBECONFIG` and the home directory.
pub fn sources(kubeconfig_env: Option<&OsStr>, home: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match kubeconfig_env.filter(|v| !v.is_empty()) {
        Some(v) => std::env::split_paths(v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        None => home.map(|h| h.join(".kube/config")).into_iter().collect(),
    };
    for p in [K3S_PATH, MICROK8S_PATH] {
        let p = PathBuf::from(p);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The default sources for this process.
pub fn default_sources() -> Vec<PathBuf> {
    sources(
        std::env::var_os("KUBECONFIG").as_deref(),
        dirs::home_dir().as_deref(),
    )
}

/// Lists the contexts of the readable sources; missing files are ignored, unreadable or
/// invalid ones are reported in the second list.
pub fn list(sources: &[PathBuf]) -> (Vec<LocalContext>, Vec<Skipped>) {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for src in sources {
        let text = match std::fs::read_to_string(src) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                skipped.push(Skipped {
                    source: src.clone(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let kc = match kubeconfig::parse(&text, &src.display().to_string()) {
            Ok(k) => k,
            Err(e) => {
                skipped.push(Skipped {
                    source: src.clone(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        for c in &kc.contexts {
            let server = kc
                .clusters
                .iter()
                .find(|cl| cl.name == c.value.cluster)
                .map(|cl| cl.value.server.clone())
                .unwrap_or_default();
            found.push(LocalContext {
                source: src.clone(),
                context: c.name.clone(),
                cluster: c.value.cluster.clone(),
                server,
                current: kc.current_context.as_deref() == Some(c.name.as_str()),
            });
        }
    }
    (found, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_env_is_split_and_system_paths_are_added() {
        let s = sources(
            Some(OsStr::new("/a/one:/b/two")),
            Some(Path::new("/home/u")),
        );
        assert_eq!(s[0], PathBuf::from("/a/one"));
        assert_eq!(s[1], PathBuf::from("/b/two"));
        assert!(s.contains(&PathBuf::from(K3S_PATH)));
        assert!(s.contains(&PathBuf::from(MICROK8S_PATH)));
        let s = sources(None, Some(Path::new("/home/u")));
        assert_eq!(s[0], PathBuf::from("/home/u/.kube/config"));
    }

    #[test]
    fn lists_contexts_with_their_source_and_reports_bad_files() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        std::fs::write(
            &a,
            "current-context: k3s\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:6443'}\n\
             contexts:\n- name: k3s\n  context: {cluster: c, user: u}\n- name: other\n  context: {cluster: c, user: u}\n",
        )
        .unwrap();
        let bad = tmp.path().join("bad");
        std::fs::write(&bad, "contexts: [").unwrap();
        let missing = tmp.path().join("missing");
        let (found, skipped) = list(&[a.clone(), bad.clone(), missing]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].source, a);
        assert_eq!(found[0].server, "https://127.0.0.1:6443");
        assert!(found[0].current && !found[1].current);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].source, bad);
    }
}
