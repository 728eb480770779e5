//! The import wizard's commands: preview (changes nothing) and apply (all or nothing).
//! The request is checked and the plan made by `Session::import_preview` /
//! `Session::import_apply`.

use super::{Req, Res};
use crate::{error, state::AppState};
use outpost_core::import::ImportError;
use outpost_ipc::{ImportApplyCmd, ImportPreviewCmd, IpcError};
use tauri::State;

fn fail(e: ImportError) -> IpcError {
    error::core(e.kind(), e)
}

/// What importing would do: renames, rewritten address, SAN check, exec approval.
#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    req: Req<ImportPreviewCmd>,
) -> Res<ImportPreviewCmd> {
    let active = state.profiles.ready().await?;
    active.session.import_preview(&req).await.map_err(fail)
}

/// Imports every planned site or none, then shows them at once (the registry watch
/// would within a second).
#[tauri::command]
pub async fn import_apply(
    state: State<'_, AppState>,
    req: Req<ImportApplyCmd>,
) -> Res<ImportApplyCmd> {
    let active = state.profiles.ready().await?;
    let names = active.session.import_apply(&req).await.map_err(fail)?;
    state.profiles.reload().await?;
    Ok(names)
}
