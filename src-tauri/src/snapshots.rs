//! Snapshot bundles in the desktop app: export a site to the file picked in the save
//! dialog, import a bundle (a path, bytes read in the webview, or a file dropped on the
//! window), and the changes since a site's reconnect baseline or stored bundle. Each
//! command validates, makes one [`Session`](outpost_core::session::Session) call and
//! maps the error; where a site that does not answer is read from is the core's
//! offline-source resolver (`outpost_core::session::resolver`).
//!
//! Nothing is imported without the user's confirmation: `snapshot_preview` (and a
//! drop, whose notice carries the preview) only reads the bundle; `snapshot_import`
//! imports, and the core refuses a bundle of a registered site taken from another
//! endpoint unless the request names a new site for it (`as_new_site`).

mod dropped;
mod upload;

use crate::{error, state::AppState};
use outpost_core::bundle::{self, CollectOptions, SecretString};
use outpost_core::session::OfflineError;
use outpost_ipc::snapshot::{
    Notice, SiteChangesCmd, SiteChangesDismissCmd, SnapshotExportCmd, SnapshotImportCmd,
    SnapshotPreviewCmd, WatchNoticesCmd,
};
use outpost_ipc::{Command, IpcError};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

pub use dropped::{SnapshotsState, on_window_event};

type Req<C> = <C as Command>::Request;
type Res<C> = Result<<C as Command>::Response, IpcError>;

/// A core error as the UI sees it (the kind is the core's).
pub fn fail(e: OfflineError) -> IpcError {
    error::core(e.kind(), e)
}

/// An empty passphrase is none.
fn secret(p: Option<String>) -> Option<SecretString> {
    p.filter(|p| !p.is_empty()).map(SecretString::from)
}

/// The file name offered in the save dialog.
fn stem(site: &str) -> String {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S");
    format!("outpost-snapshot-{site}-{stamp}")
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
    let out = crate::save::choose(&app, &stem(&site.name), bundle::files::EXTENSION).await?;
    let (pass, opts) = (secret(req.passphrase), CollectOptions::default());
    active
        .session
        .export(&site.name, &out, pass, &opts)
        .await
        .map_err(fail)
}

/// Reads a bundle given by path or as bytes and says what importing it would do.
#[tauri::command]
pub async fn snapshot_preview(
    state: State<'_, AppState>,
    req: Req<SnapshotPreviewCmd>,
) -> Res<SnapshotPreviewCmd> {
    let active = state.profiles.ready().await?;
    let (path, _upload) = upload::bundle_file(active.session.home(), &req).await?;
    let pass = secret(req.passphrase);
    active
        .session
        .preview_bundle(path, pass)
        .await
        .map_err(fail)
}

/// Imports a bundle given by path or as bytes into the active profile, once confirmed,
/// then reopens the profile so the site shows from its snapshot.
#[tauri::command]
pub async fn snapshot_import(
    state: State<'_, AppState>,
    req: Req<SnapshotImportCmd>,
) -> Res<SnapshotImportCmd> {
    let active = state.profiles.ready().await?;
    let (path, _upload) = upload::bundle_file(active.session.home(), &req).await?;
    let (pass, s) = (secret(req.passphrase), &active.session);
    let r = s.import_bundle(path, pass, req.force, req.as_new_site);
    let r = r.await.map_err(fail)?;
    state.profiles.reload().await?;
    Ok(r)
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
    active.session.changes(&site.name).await.map_err(fail)
}

/// Forgets the state the site had before it last came back.
#[tauri::command]
pub async fn site_changes_dismiss(
    state: State<'_, AppState>,
    req: Req<SiteChangesDismissCmd>,
) -> Res<SiteChangesDismissCmd> {
    let active = state.profiles.ready().await?;
    let site = crate::commands::site_of(&active.session.sites(), &req.site)?;
    active.session.dismiss(&site.name).await.map_err(fail)
}

/// Streams the outcome of every file dropped on the window to `on_notice`.
#[tauri::command(rename_all = "snake_case")]
pub async fn watch_notices(
    snaps: State<'_, SnapshotsState>,
    req: Req<WatchNoticesCmd>,
    on_notice: Channel<Notice>,
) -> Res<WatchNoticesCmd> {
    let _ = req;
    dropped::forward(snaps.subscribe(), on_notice);
    Ok(())
}

#[cfg(test)]
#[path = "snapshots_tests.rs"]
mod tests;
