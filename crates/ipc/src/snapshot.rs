//! Snapshot bundle types for the desktop: the summary of a bundle's manifest (import
//! dialog, "offline snapshot as of …" banner) and the changes since a snapshot (the
//! site view's diff on reconnect). Times are Unix milliseconds (`*_ms`), as everywhere
//! on the IPC; no secret ever appears
//! in these types (bundles hold none).

use crate::Distro;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a bundle holds, from its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleSummary {
    pub site: String,
    pub display_name: String,
    /// When the snapshot was taken (Unix ms).
    pub taken_at_ms: i64,
    /// Seconds between `taken_at_ms` and when the summary was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    /// The API server's gitVersion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub outpost_version: String,
    pub format: u32,
    pub encrypted: bool,
    /// Objects per resource (`pods`, `deployments`, …).
    pub counts: BTreeMap<String, u64>,
    pub log_tails: u64,
    /// Secrets kept by name only.
    pub redacted_secrets: u64,
    /// Environment and ConfigMap values blanked because they looked sensitive.
    pub redacted_values: u64,
}

/// The result of importing a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub summary: BundleSummary,
    /// The site was unknown and has been registered (without credentials).
    pub registered: bool,
}

/// What the import confirmation shows about a bundle before anything is imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub summary: BundleSummary,
    /// The endpoint the bundle was taken from.
    pub endpoint: String,
    /// The endpoint of the registered site of the same name, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_endpoint: Option<String>,
    /// A site of that name is registered at another endpoint: the bundle can only be
    /// imported as a new site ([`SnapshotImportRequest::as_new_site`]).
    pub endpoint_differs: bool,
}

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffKind {
    Version,
    NodeAdded,
    NodeRemoved,
    NodeReady,
    NodeVersion,
    WorkloadAdded,
    WorkloadRemoved,
    Image,
    Replicas,
    CrashLoopStarted,
    CrashLoopEnded,
}

/// One change. `subject`: `Kind/namespace/name` (`…:container` for images),
/// `Node/name`, or `site`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffEntry {
    pub kind: DiffKind,
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// What changed between two states of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotDiff {
    /// `bundle FILE`, `live SITE`, `snapshot SITE`.
    pub from: String,
    pub to: String,
    /// When `from` was taken (Unix ms), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_ms: Option<i64>,
    pub entries: Vec<DiffEntry>,
    /// From the state the site had before it last came back (kept by the health
    /// engine until dismissed with `site_changes_dismiss`), not from a stored bundle.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reconnect: bool,
}

// ---- Desktop commands (snapshot_export, snapshot_import, site_changes, watch_notices).

use crate::{Command, IpcError};

/// Largest bundle the webview may send as bytes (a file picked in the window, whose
/// path WebKit does not expose). Dropped files and paths have no such bound: the
/// backend streams them.
pub const MAX_UPLOAD_BYTES: u64 = 32 * 1024 * 1024;

/// `snapshot_export`: reads the site (or, when it does not answer, the bundle stored
/// for it) and writes a bundle to the Downloads folder.
pub struct SnapshotExportCmd;

impl Command for SnapshotExportCmd {
    const NAME: &'static str = "snapshot_export";
    type Request = SnapshotExportRequest;
    type Response = ExportedBundle;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotExportRequest {
    pub site: String,
    /// Encrypts the bundle when set (never logged, never sent back).
    #[serde(default)]
    pub passphrase: Option<String>,
}

/// A bundle written for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedBundle {
    pub path: String,
    pub bytes: u64,
    pub encrypted: bool,
    /// Written from the bundle stored for the site because it did not answer.
    pub from_snapshot: bool,
    pub summary: BundleSummary,
}

/// `snapshot_import`: imports a bundle into the active profile, all or nothing.
pub struct SnapshotImportCmd;

impl Command for SnapshotImportCmd {
    const NAME: &'static str = "snapshot_import";
    type Request = SnapshotImportRequest;
    type Response = ImportResult;
}

/// Exactly one of `path` (a file on this machine) and `data` (the file's bytes,
/// base64, at most [`MAX_UPLOAD_BYTES`] decoded).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotImportRequest {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub passphrase: Option<String>,
    /// Replace a newer stored snapshot of the site.
    #[serde(default)]
    pub force: bool,
    /// The user confirmed importing the bundle as a new site with this name (needed
    /// when the site it names is registered at another endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_new_site: Option<String>,
}

/// `snapshot_preview`: reads a bundle (same request as `snapshot_import`, whose
/// `force` and `as_new_site` it ignores) and says what importing it would do, without
/// importing: the confirmation step before `snapshot_import`.
pub struct SnapshotPreviewCmd;

impl Command for SnapshotPreviewCmd {
    const NAME: &'static str = "snapshot_preview";
    type Request = SnapshotImportRequest;
    type Response = ImportPreview;
}

/// `site_changes`: what changed between the bundle stored for a site (imported, or
/// the last export from this app) and the live site. `None`: no bundle is stored.
pub struct SiteChangesCmd;

impl Command for SiteChangesCmd {
    const NAME: &'static str = "site_changes";
    type Request = SiteChangesRequest;
    type Response = Option<SnapshotDiff>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteChangesRequest {
    pub site: String,
}

/// `site_changes_dismiss`: forgets the state a site had before it last came back, so
/// its changes since are no longer shown. `true` when there was one.
pub struct SiteChangesDismissCmd;

impl Command for SiteChangesDismissCmd {
    const NAME: &'static str = "site_changes_dismiss";
    type Request = SiteChangesRequest;
    type Response = bool;
}

/// `watch_notices`: streams [`Notice`]s (bundles dropped on the window and imported,
/// or refused) over the channel argument [`WATCH_NOTICES_CHANNEL_ARG`].
pub struct WatchNoticesCmd;

impl Command for WatchNoticesCmd {
    const NAME: &'static str = "watch_notices";
    type Request = WatchNoticesRequest;
    type Response = ();
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchNoticesRequest {}

/// Name of `watch_notices`' channel argument.
pub const WATCH_NOTICES_CHANNEL_ARG: &str = "on_notice";

/// A file dropped on the window: read and waiting for the user's confirmation
/// (`preview`, then `snapshot_import` with `path`), or refused (`error`), or, after the
/// confirmation, imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// The dropped file.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<ImportPreview>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<ImportResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<IpcError>,
}

/// The snapshot commands, for `COMMANDS`.
pub const SNAPSHOT_COMMANDS: &[&str] = &[
    SnapshotExportCmd::NAME,
    SnapshotImportCmd::NAME,
    SnapshotPreviewCmd::NAME,
    SiteChangesCmd::NAME,
    SiteChangesDismissCmd::NAME,
    WatchNoticesCmd::NAME,
];

#[cfg(test)]
mod command_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_and_notice_shapes() {
        let r: SnapshotImportRequest =
            serde_json::from_value(json!({"path": "/tmp/a.opsnap"})).unwrap_or_default();
        assert_eq!(r.path.as_deref(), Some("/tmp/a.opsnap"));
        assert!(!r.force && r.data.is_none() && r.passphrase.is_none());
        assert!(serde_json::from_value::<SnapshotImportRequest>(json!({"file": "x"})).is_err());
        let e: SnapshotExportRequest =
            serde_json::from_value(json!({"site": "lyon-1"})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.passphrase, None);
        let n = Notice {
            path: "/tmp/x".into(),
            preview: None,
            imported: None,
            error: Some(IpcError::new(crate::ErrorKind::Auth, "wrong passphrase")),
        };
        let v = serde_json::to_value(&n).unwrap_or_default();
        assert_eq!(
            v,
            json!({"path": "/tmp/x", "error": {"kind": "auth", "message": "wrong passphrase"}})
        );
        assert_eq!(serde_json::from_value::<Notice>(v).ok(), Some(n));
        let none: Option<SnapshotDiff> = serde_json::from_value(json!(null)).unwrap_or_default();
        assert!(none.is_none());
        assert_eq!(SNAPSHOT_COMMANDS.len(), 6);
        let confirm: SnapshotImportRequest =
            serde_json::from_value(json!({"path": "/b", "as_new_site": "lyon-2"}))
                .unwrap_or_default();
        assert_eq!(confirm.as_new_site.as_deref(), Some("lyon-2"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summary_shape() {
        let s = BundleSummary {
            site: "lyon-1".into(),
            display_name: "Lyon 1".into(),
            taken_at_ms: 1_795_550_400_000,
            age_secs: Some(90),
            distro: Some(crate::Distro::K3s),
            version: Some("v1.31.4+k3s1".into()),
            outpost_version: "0.1.0".into(),
            format: 1,
            encrypted: true,
            counts: [("pods".to_string(), 12u64)].into_iter().collect(),
            log_tails: 12,
            redacted_secrets: 2,
            redacted_values: 3,
        };
        let v = serde_json::to_value(&s).unwrap_or_default();
        assert_eq!(
            v,
            json!({"site": "lyon-1", "displayName": "Lyon 1", "takenAtMs": 1_795_550_400_000_i64,
                   "ageSecs": 90, "distro": "k3s", "version": "v1.31.4+k3s1",
                   "outpostVersion": "0.1.0", "format": 1, "encrypted": true,
                   "counts": {"pods": 12}, "logTails": 12, "redactedSecrets": 2,
                   "redactedValues": 3})
        );
        let back: BundleSummary = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, s);
        let r = ImportResult {
            summary: s,
            registered: false,
        };
        let v = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(v["registered"], false);
        assert_eq!(v["summary"]["site"], "lyon-1");
    }

    #[test]
    fn diff_shape() {
        let d = SnapshotDiff {
            from: "bundle a.opsnap".into(),
            to: "live lyon-1".into(),
            from_ms: Some(1_795_550_400_000),
            to_ms: None,
            entries: vec![
                DiffEntry {
                    kind: DiffKind::Image,
                    subject: "Deployment/shop/web:app".into(),
                    from: Some("web:1".into()),
                    to: Some("web:2".into()),
                },
                DiffEntry {
                    kind: DiffKind::CrashLoopStarted,
                    subject: "Deployment/shop/api".into(),
                    from: None,
                    to: None,
                },
            ],
            reconnect: false,
        };
        let v = serde_json::to_value(&d).unwrap_or_default();
        assert_eq!(
            v,
            json!({"from": "bundle a.opsnap", "to": "live lyon-1",
                   "fromMs": 1_795_550_400_000_i64, "entries": [
                {"kind": "image", "subject": "Deployment/shop/web:app", "from": "web:1", "to": "web:2"},
                {"kind": "crash-loop-started", "subject": "Deployment/shop/api"}]})
        );
        let back: SnapshotDiff = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, d);
        for (k, s) in [
            (DiffKind::NodeReady, "node-ready"),
            (DiffKind::WorkloadRemoved, "workload-removed"),
            (DiffKind::CrashLoopEnded, "crash-loop-ended"),
        ] {
            assert_eq!(serde_json::to_value(k).unwrap_or_default(), json!(s));
        }
    }
}
