//! The site record and its validation.
//!
//! A site never holds a secret: [`CredentialRef`] names keyring entries only.

use super::{MaintenanceWindow, RegistryError};
use serde::{Deserialize, Serialize};

/// The Kubernetes distribution a site runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distro {
    K3s,
    MicroK8s,
    Kubernetes,
}

impl Distro {
    /// Lowercase name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Distro::K3s => "k3s",
            Distro::MicroK8s => "microk8s",
            Distro::Kubernetes => "kubernetes",
        }
    }
}

/// Where a site is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl From<Distro> for outpost_ipc::Distro {
    /// Plain Kubernetes is `Other` on the IPC.
    fn from(d: Distro) -> Self {
        match d {
            Distro::K3s => outpost_ipc::Distro::K3s,
            Distro::MicroK8s => outpost_ipc::Distro::Microk8s,
            Distro::Kubernetes => outpost_ipc::Distro::Other,
        }
    }
}

/// How a site authenticates (the IPC's enum: one definition, same serde names).
pub use outpost_ipc::CredentialKind;

/// A kubeconfig `exec` credential plugin. Env values live in the keyring (item `exec-env`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecSpec {
    pub api_version: String,
    pub command: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env_names: Vec<String>,
}

impl ExecSpec {
    /// The command line as shown for approval (see [`command_line`]).
    pub fn command_line(&self) -> String {
        command_line(&self.command, &self.args, &self.env_names)
    }
}

/// An exec plugin's command line in one shell-like line: `NAME=… cmd 'arg 1' arg2`
/// (environment names only: their values may be secrets).
pub fn command_line(command: &str, args: &[String], env_names: &[String]) -> String {
    let quote = |s: &str| {
        let plain = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
        if plain {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', r"'\''"))
        }
    };
    let mut parts: Vec<String> = env_names.iter().map(|n| format!("{n}=…")).collect();
    parts.push(quote(command));
    parts.extend(args.iter().map(|a| quote(a)));
    parts.join(" ")
}

/// Names the keyring entries holding a site's credentials; never the secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialRef {
    pub kind: CredentialKind,
    /// Keyring entry ids (`<install>/<site>/<item>`, service `dev.outpost.desktop`; the
    /// old `<site>/<item>` layout until migrated). The site reads only these: an empty
    /// list means no credentials.
    pub entries: Vec<String>,
    /// Basic-auth user name (not a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecSpec>,
    /// False until the user approves running the exec command (`--allow-exec`).
    #[serde(default)]
    pub exec_approved: bool,
}

/// One registered site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    /// DNS-1123 label, unique in the profile.
    pub name: String,
    pub display_name: String,
    #[serde(default)]
    pub location: Location,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_window: Option<MaintenanceWindow>,
    #[serde(default)]
    pub distro: Option<Distro>,
    #[serde(default)]
    pub version: Option<String>,
    /// `https://host:port` of the API server.
    pub endpoint: String,
    /// PEM of the cluster CA (public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_server_name: Option<String>,
    pub credentials: CredentialRef,
    /// When the site was added (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_at: Option<jiff::Timestamp>,
}

/// Whether `s` is a DNS-1123 label (lowercase alphanumerics and `-`, at most 63).
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Turns arbitrary text into a DNS-1123 label (`Edge 1.local` → `edge-1-local`).
pub fn to_dns_label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-');
    t.chars()
        .take(63)
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

/// Parses `LAT,LON`.
pub fn parse_lat_lon(s: &str) -> Result<(f64, f64), RegistryError> {
    let bad = || RegistryError::Invalid(format!("location {s:?}: expected LAT,LON in degrees"));
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    let lat: f64 = a.trim().parse().map_err(|_| bad())?;
    let lon: f64 = b.trim().parse().map_err(|_| bad())?;
    Ok((lat, lon))
}

impl Site {
    /// Checks every field; the store refuses to write an invalid site.
    pub fn validate(&self) -> Result<(), RegistryError> {
        let inv = |m: String| Err(RegistryError::Invalid(format!("site {:?}: {m}", self.name)));
        if !is_dns_label(&self.name) {
            return inv("name must be a DNS-1123 label (a-z, 0-9, '-', at most 63)".into());
        }
        if self.display_name.trim().is_empty() || self.display_name.len() > 200 {
            return inv("display name must be 1..200 characters".into());
        }
        if let Some(lat) = self.location.latitude
            && !(-90.0..=90.0).contains(&lat)
        {
            return inv(format!("latitude {lat} is outside -90..90"));
        }
        if let Some(lon) = self.location.longitude
            && !(-180.0..=180.0).contains(&lon)
        {
            return inv(format!("longitude {lon} is outside -180..180"));
        }
        for t in &self.tags {
            let ok = !t.is_empty()
                && t.len() <= 63
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.:/=".contains(c));
            if !ok {
                return inv(format!("tag {t:?}: use 1..63 of a-z, 0-9, - _ . : / ="));
            }
        }
        if let Some(w) = &self.maintenance_window {
            w.validate()?;
        }
        crate::net::endpoint::parse_https(&self.endpoint)
            .map_err(|e| RegistryError::Invalid(format!("site {:?}: {e}", self.name)))?;
        if let Some(ca) = &self.ca_pem
            && !ca.contains("-----BEGIN CERTIFICATE-----")
        {
            return inv("CA must be PEM (-----BEGIN CERTIFICATE-----)".into());
        }
        let c = &self.credentials;
        if c.kind == CredentialKind::Exec && c.exec.is_none() {
            return inv("exec credentials need an exec command".into());
        }
        if c.exec_approved && c.exec.is_none() {
            return inv("exec_approved without an exec command".into());
        }
        for e in &c.entries {
            let ok = crate::credentials::parse_entry_id(e).is_ok_and(|p| p.site == self.name);
            if !ok {
                return inv(format!("keyring entry {e:?} does not belong to this site"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) use crate::testing::site as sample;

    #[test]
    fn dns_labels() {
        assert!(is_dns_label("edge-1"));
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", &"a".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad:?}");
        }
        assert_eq!(to_dns_label("Edge 1.local"), "edge-1-local");
        assert_eq!(to_dns_label("--10.0.0.5--"), "10-0-0-5");
    }

    #[test]
    fn validation_rejects_bad_fields() {
        assert!(sample("edge-1", "https://10.0.0.5:6443").validate().is_ok());
        assert!(sample("Edge", "https://10.0.0.5:6443").validate().is_err());
        assert!(sample("edge", "http://10.0.0.5:6443").validate().is_err());
        let mut s = sample("edge", "https://10.0.0.5:6443");
        s.location.latitude = Some(91.0);
        assert!(s.validate().is_err());
        let mut s = sample("edge", "https://10.0.0.5:6443");
        s.credentials.entries = vec!["other/token".into()];
        let e = s.validate().unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
        let mut s = sample("edge", "https://10.0.0.5:6443");
        s.tags = vec!["bad tag".into()];
        assert!(s.validate().is_err());
    }

    #[test]
    fn exec_command_lines_quote_what_a_shell_would_split() {
        let line = command_line(
            "/usr/bin/aws",
            &["eks".into(), "get token".into(), "it's".into()],
            &["AWS_PROFILE".into()],
        );
        assert_eq!(
            line,
            r"AWS_PROFILE=… /usr/bin/aws eks 'get token' 'it'\''s'"
        );
    }

    #[test]
    fn lat_lon() {
        assert_eq!(parse_lat_lon("48.85, 2.35").unwrap(), (48.85, 2.35));
        assert!(parse_lat_lon("north").is_err());
    }
}
