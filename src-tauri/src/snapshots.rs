//! Snapshot bundles in the desktop app: export a site to the Downloads folder, import
//! a bundle (a path, bytes read in the webview, or a file dropped on the window), and
//! the changes between a site's stored bundle and the live site after it came back.
//!
//! Nothing is imported without the user's confirmation: `snapshot_preview` (and a
//! drop, whose notice carries the preview) only reads the bundle; `snapshot_import`
//! imports, and the core refuses a bundle of a registered site taken from another
//! endpoint unless the request names a new site for it (`as_new_site`).
//!
//! The bundle stored for a site is `bundle::imported_path` in the profile: the core's
//! import keeps the imported file there, and an unencrypted export from this app keeps
//! a plain copy there too (`bundle::keep_stored`; an encrypted export keeps none). That stored bundle is what `site_changes` compares the live site
//! with, and what an export of a site that does not answer is written from: the health
//! engine's snapshot cache keeps only pruned health state, not the resources a bundle
//! holds, so a site never exported nor imported cannot be exported while offline.
//!
//! A site imported from a bundle and not in the registry is registered by the core
//! without credentials (`bundle::files::import`): it stays offline, served from its
//! snapshot and marked "offline snapshot as of <time>", until credentials are added.

use crate::profiles::Profiles;
use crate::{error, state::AppState};
use outpost_core::bundle::{self, BundleError, CollectOptions, Diff, SecretString, View};
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::health::Reach;
use outpost_ipc::snapshot::{
    ExportedBundle, ImportPreview, ImportResult, MAX_UPLOAD_BYTES, Notice, SiteChangesCmd,
    SiteChangesDismissCmd, SnapshotExportCmd, SnapshotImportCmd, SnapshotImportRequest,
    SnapshotPreviewCmd, WatchNoticesCmd,
};
use outpost_ipc::{Command, ErrorKind, IpcError};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tokio::sync::broadcast;

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// Budget for reading a live site for a diff.
const LIVE_DEADLINE: Duration = Duration::from_secs(30);

/// Managed by Tauri: the notices of dropped files, for every `watch_notices` stream.
pub struct SnapshotsState {
    notices: broadcast::Sender<Notice>,
}

impl Default for SnapshotsState {
    fn default() -> Self {
        SnapshotsState {
            notices: broadcast::channel(16).0,
        }
    }
}

/// A bundle error as the UI sees it (by its typed kind): malformed bundles are invalid
/// input, a missing or wrong passphrase is `auth`, an older bundle a `conflict`; the
/// message says which.
pub fn fail(e: BundleError) -> IpcError {
    error::core(e.kind(), e)
}

fn invalid(msg: impl Into<String>) -> IpcError {
    IpcError::new(ErrorKind::InvalidInput, msg)
}

/// An empty passphrase is none.
fn secret(p: Option<String>) -> Option<SecretString> {
    p.filter(|p| !p.is_empty()).map(SecretString::from)
}

/// Whether the health engine last found the site down (no point reading it live).
pub(crate) fn known_down(reach: Option<Reach>) -> bool {
    reach.is_some_and(|r| !matches!(r, Reach::Reachable | Reach::Unknown))
}

/// Writes a bundle of the site to the file picked in the save dialog (see
/// [`crate::save`]). A site that does not answer is written from the bundle stored for it.
#[tauri::command]
pub async fn snapshot_export<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Req<SnapshotExportCmd>,
) -> Res<SnapshotExportCmd> {
    let active = state.profiles.ready().await?;
    let site = crate::commands::site_of(&active.session.sites(), &req.site)?;
    let pass = secret(req.passphrase);
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S");
    let stem = format!("outpost-snapshot-{}-{stamp}", site.name);
    let out = crate::save::choose(&app, &stem, bundle::files::EXTENSION).await?;
    let kept = bundle::imported_path(active.session.home(), &site.name);
    let down = known_down(active.session.monitor().site(&site.name).map(|h| h.reach));
    let live = if down {
        None
    } else {
        let clients = ClientCache::new(active.vault.clone(), Timeouts::default());
        let opts = CollectOptions::default();
        Some(bundle::export(&site, &clients, &opts, &out, pass.as_ref()).await)
    };
    let encrypted = pass.is_some();
    let (b, bytes, from_snapshot) = match live {
        Some(Ok((b, bytes))) => {
            // The site's stored bundle (diff baseline, offline export), if not encrypted.
            let (b2, home) = (b.clone(), active.session.home().clone());
            let r = tokio::task::spawn_blocking(move || bundle::keep_stored(&b2, &home, encrypted))
                .await
                .map_err(error::join)?;
            if let Err(e) = r {
                tracing::warn!(site = %site.name, error = %e, "stored bundle not written");
            }
            (b, bytes, false)
        }
        Some(Err(e @ BundleError::Site { .. })) | Some(Err(e @ BundleError::Snapshot(_)))
            if !kept.exists() =>
        {
            return Err(no_stored(&site.name, fail(e).message));
        }
        Some(Err(BundleError::Site { source, .. })) => {
            tracing::info!(site = %site.name, error = %source, "site not read; exporting its stored bundle");
            from_stored(&site.name, kept, out.clone(), pass).await?
        }
        Some(Err(e)) => return Err(fail(e)),
        None if !kept.exists() => {
            return Err(no_stored(&site.name, "the site is offline".into()));
        }
        None => from_stored(&site.name, kept, out.clone(), pass).await?,
    };
    tracing::info!(site = %site.name, bytes, from_snapshot, "snapshot bundle exported");
    Ok(ExportedBundle {
        path: out.display().to_string(),
        bytes,
        encrypted,
        from_snapshot,
        summary: bundle::ipc::summary(&b.manifest, encrypted, jiff::Timestamp::now()),
    })
}

fn no_stored(site: &str, why: String) -> IpcError {
    IpcError::new(
        ErrorKind::Unreachable,
        format!(
            "{site} cannot be read ({why}) and no bundle is stored for it: a bundle is \
             written from the live site, or from a bundle exported or imported earlier \
             (the snapshot cache keeps only the site's health, not its resources)"
        ),
    )
}

/// Writes the stored bundle of a site (plain) to `out`, encrypted if asked.
async fn from_stored(
    site: &str,
    kept: PathBuf,
    out: PathBuf,
    pass: Option<SecretString>,
) -> Result<(bundle::Bundle, u64, bool), IpcError> {
    let r = tokio::task::spawn_blocking(move || {
        let b = bundle::read_file(&kept, None)?;
        let n = bundle::write_file(&b, &out, pass.as_ref())?;
        Ok::<_, BundleError>((b, n))
    })
    .await
    .map_err(error::join)?;
    match r {
        Ok((b, n)) => Ok((b, n, true)),
        Err(BundleError::PassphraseRequired) => Err(IpcError::new(
            ErrorKind::Auth,
            format!("{site} is offline and the bundle stored for it is encrypted"),
        )),
        Err(e) => Err(fail(e)),
    }
}

/// A temp file holding bytes sent by the webview, removed when dropped.
struct Upload(PathBuf);

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn upload(dir: &Path, data: &str) -> Result<Upload, IpcError> {
    use base64::Engine as _;
    // Four base64 characters carry three bytes.
    if data.len() as u64 > MAX_UPLOAD_BYTES / 3 * 4 + 4 {
        return Err(invalid(format!(
            "the file is over {} MiB: import it by its path or drop it on the window",
            MAX_UPLOAD_BYTES >> 20
        )));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| invalid(format!("the file's bytes did not arrive intact: {e}")))?;
    let storage = |e: std::io::Error| IpcError::new(ErrorKind::Storage, e.to_string());
    std::fs::create_dir_all(dir).map_err(storage)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!(".upload-{}-{nanos}.opsnap", std::process::id()));
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let up = Upload(path);
    let mut f = o.open(&up.0).map_err(storage)?;
    std::io::Write::write_all(&mut f, &bytes).map_err(storage)?;
    Ok(up)
}

/// Imports a bundle file into the active profile (all or nothing), then reopens the
/// profile so the site shows from its snapshot.
async fn import_into(
    profiles: &Profiles,
    path: PathBuf,
    pass: Option<SecretString>,
    force: bool,
    as_new: Option<String>,
) -> Result<ImportResult, IpcError> {
    let active = profiles.ready().await?;
    let home = active.session.home().clone();
    drop(active);
    let (report, encrypted) = tokio::task::spawn_blocking(move || {
        let encrypted = bundle::is_encrypted(&path)?;
        let report = match as_new.as_deref().map(str::trim) {
            Some(name) => bundle::import_as_new(&path, pass.as_ref(), &home, force, name)?,
            None => bundle::import(&path, pass.as_ref(), &home, force)?,
        };
        Ok::<_, BundleError>((report, encrypted))
    })
    .await
    .map_err(error::join)?
    .map_err(|e| {
        tracing::info!(kind = ?e.kind(), error = %e, "snapshot bundle refused");
        fail(e)
    })?;
    profiles.reload().await?;
    Ok(ImportResult {
        summary: bundle::ipc::summary(&report.manifest, encrypted, jiff::Timestamp::now()),
        registered: report.registered,
    })
}

/// The bundle file a request names: its path, or its bytes written to a private temp
/// file (removed when the returned guard drops).
async fn bundle_file(
    profiles: &Profiles,
    req: &SnapshotImportRequest,
) -> Result<(PathBuf, Option<Upload>), IpcError> {
    match (&req.path, &req.data) {
        (Some(p), None) if !p.trim().is_empty() => Ok((PathBuf::from(p.trim()), None)),
        (None, Some(data)) => {
            let active = profiles.ready().await?;
            let dir = active.session.home().snapshot_dir();
            drop(active);
            let data = data.clone();
            let up = tokio::task::spawn_blocking(move || upload(&dir, &data))
                .await
                .map_err(error::join)??;
            Ok((up.0.clone(), Some(up)))
        }
        _ => Err(invalid("choose one bundle file")),
    }
}

/// What importing a bundle would do (the confirmation), for a file or a drop.
async fn preview_of(
    profiles: &Profiles,
    path: PathBuf,
    pass: Option<SecretString>,
) -> Result<ImportPreview, IpcError> {
    let home = profiles.ready().await?.session.home().clone();
    let p = tokio::task::spawn_blocking(move || bundle::preview(&path, pass.as_ref(), &home))
        .await
        .map_err(error::join)?
        .map_err(fail)?;
    Ok(bundle::ipc::preview(&p, jiff::Timestamp::now()))
}

/// Reads a bundle given by path or as bytes and says what importing it would do.
#[tauri::command]
pub async fn snapshot_preview(
    state: State<'_, AppState>,
    req: Req<SnapshotPreviewCmd>,
) -> Res<SnapshotPreviewCmd> {
    let (path, _upload) = bundle_file(&state.profiles, &req).await?;
    preview_of(&state.profiles, path, secret(req.passphrase)).await
}

/// Imports a bundle given by path or as bytes into the active profile, once confirmed.
#[tauri::command]
pub async fn snapshot_import(
    state: State<'_, AppState>,
    req: Req<SnapshotImportCmd>,
) -> Res<SnapshotImportCmd> {
    let (path, _upload) = bundle_file(&state.profiles, &req).await?;
    let pass = secret(req.passphrase);
    import_into(&state.profiles, path, pass, req.force, req.as_new_site).await
}

/// Handles files dropped on the window: each is read as a bundle and its preview (the
/// import waits for the user's confirmation) or its refusal sent to every
/// `watch_notices` stream.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
        let app = window.app_handle().clone();
        let paths = paths.clone();
        tauri::async_runtime::spawn(async move {
            for p in paths {
                dropped(&app, p).await;
            }
        });
    }
}

async fn dropped<R: Runtime>(app: &AppHandle<R>, path: PathBuf) {
    let (Some(state), Some(snaps)) = (
        app.try_state::<AppState>(),
        app.try_state::<SnapshotsState>(),
    ) else {
        return;
    };
    let r = if path.is_dir() {
        Err(invalid("a folder is not a snapshot bundle"))
    } else {
        preview_of(&state.profiles, path.clone(), None).await
    };
    tracing::info!(ok = r.is_ok(), "dropped file read");
    let (preview, error) = match r {
        Ok(p) => (Some(p), None),
        Err(e) => (None, Some(e)),
    };
    let _ = snaps.notices.send(Notice {
        path: path.display().to_string(),
        preview,
        imported: None,
        error,
    });
}

/// Streams the outcome of every file dropped on the window to `on_notice`.
#[tauri::command(rename_all = "snake_case")]
pub async fn watch_notices(
    snaps: State<'_, SnapshotsState>,
    req: Req<WatchNoticesCmd>,
    on_notice: Channel<Notice>,
) -> Res<WatchNoticesCmd> {
    let _ = req;
    let mut rx = snaps.notices.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(n) => {
                    if on_notice.send(n).is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    Ok(())
}

/// What changed since the state the site had before it last came back (kept by the
/// health engine), else between the bundle stored for it and the site now.
#[tauri::command]
pub async fn site_changes(
    state: State<'_, AppState>,
    req: Req<SiteChangesCmd>,
) -> Res<SiteChangesCmd> {
    let active = state.profiles.ready().await?;
    let site = crate::commands::site_of(&active.session.sites(), &req.site)?;
    // The state the site had before it last came back, if kept, comes first.
    if let Some(d) = changes::since_reconnect(&active.session, &site.name).await? {
        return Ok(Some(d));
    }
    let kept = bundle::imported_path(active.session.home(), &site.name);
    if !kept.exists() {
        return Ok(None);
    }
    if known_down(active.session.monitor().site(&site.name).map(|h| h.reach)) {
        return Err(IpcError::new(
            ErrorKind::Unreachable,
            format!(
                "{} is offline: the changes show once it answers again",
                site.name
            ),
        ));
    }
    let name = site.name.clone();
    let base = tokio::task::spawn_blocking(move || bundle::read_file(&kept, None))
        .await
        .map_err(error::join)?
        .map_err(|e| match e {
            BundleError::PassphraseRequired => IpcError::new(
                ErrorKind::Auth,
                format!("the bundle stored for {name} is encrypted: compare it with `outpost snapshot diff`"),
            ),
            e => fail(e),
        })?;
    let clients = ClientCache::new(active.vault.clone(), Timeouts::default());
    let live = bundle::live_view(&site, &clients, LIVE_DEADLINE)
        .await
        .map_err(fail)?;
    let from = View::of_bundle(format!("snapshot {}", base.manifest.taken_at), &base);
    Ok(Some(bundle::ipc::diff(&Diff::between(&from, &live))))
}

/// Forgets the state the site had before it last came back.
#[tauri::command]
pub async fn site_changes_dismiss(
    state: State<'_, AppState>,
    req: Req<SiteChangesDismissCmd>,
) -> Res<SiteChangesDismissCmd> {
    let active = state.profiles.ready().await?;
    let site = crate::commands::site_of(&active.session.sites(), &req.site)?;
    changes::dismiss(&active.session, &site.name).await
}

#[path = "snapshots_changes.rs"]
mod changes;

#[cfg(test)]
#[path = "snapshots_tests.rs"]
mod tests;
