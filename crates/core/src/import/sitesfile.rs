//! `--sites-file`: site metadata written by `outpost sim --sites-file`, matched to
//! kubeconfig contexts by name.

use super::ImportError;
use crate::registry::Distro;
use serde::Deserialize;
use std::path::Path;

/// One entry of a sites file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SiteMeta {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub distro: Option<Distro>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub endpoint: Option<String>,
}

/// Reads a sites file (a JSON list).
pub fn load(path: &Path) -> Result<Vec<SiteMeta>, ImportError> {
    let err = |reason: String| ImportError::SitesFile {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| err(format!("not a JSON list of sites: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sim_format_and_names_bad_files() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("sites.json");
        std::fs::write(
            &p,
            r#"[{"name":"lyon-1","display_name":"Lyon","city":"Lyon","latitude":45.76,
                "longitude":4.83,"tags":["fr"],"distro":"microk8s","version":"v1.30.5",
                "endpoint":"https://127.77.0.2:16443","extra":1}]"#,
        )
        .unwrap();
        let m = load(&p).unwrap();
        assert_eq!(m[0].distro, Some(Distro::MicroK8s));
        assert_eq!(m[0].endpoint.as_deref(), Some("https://127.77.0.2:16443"));
        std::fs::write(&p, "{").unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.to_string().contains("sites.json"), "{e}");
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    }
}
