//! Where a file the user asked for (saved logs, the app's log, a snapshot bundle) goes:
//! the path picked in the native save dialog, which opens in the Downloads folder with a
//! suggested name. With `OUTPOST_SAVE_DIR` set (unattended runs and the WebDriver tests,
//! which cannot drive a native dialog) the file goes to a free name in that folder
//! without asking.

use outpost_ipc::{ErrorKind, IpcError};
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Environment variable naming a folder to save into without a dialog.
pub const SAVE_DIR_ENV: &str = "OUTPOST_SAVE_DIR";

/// A name in `dir` that does not exist yet: `stem.ext`, then `stem-1.ext`, …
pub fn free_name(dir: &Path, stem: &str, ext: &str) -> Result<PathBuf, IpcError> {
    (0..1000)
        .map(|i| match i {
            0 => dir.join(format!("{stem}.{ext}")),
            i => dir.join(format!("{stem}-{i}.{ext}")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| {
            IpcError::new(
                ErrorKind::Storage,
                format!("no free file name in {}", dir.display()),
            )
        })
}

/// Asks where to save `stem.ext`; `Cancelled` when the user closes the dialog.
pub async fn choose<R: Runtime>(
    app: &AppHandle<R>,
    stem: &str,
    ext: &str,
) -> Result<PathBuf, IpcError> {
    if let Some(dir) = std::env::var_os(SAVE_DIR_ENV).map(PathBuf::from) {
        std::fs::create_dir_all(&dir)
            .map_err(|e| IpcError::new(ErrorKind::Storage, format!("{}: {e}", dir.display())))?;
        return free_name(&dir, stem, ext);
    }
    let mut dialog = app
        .dialog()
        .file()
        .set_file_name(format!("{stem}.{ext}"))
        .add_filter(ext, &[ext]);
    if let Ok(d) = app.path().download_dir()
        && d.is_dir()
    {
        dialog = dialog.set_directory(d);
    }
    let picked = tokio::task::spawn_blocking(move || dialog.blocking_save_file())
        .await
        .map_err(crate::error::join)?;
    picked
        .and_then(|p| p.into_path().ok())
        .ok_or_else(|| IpcError::new(ErrorKind::Cancelled, "saving was cancelled"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_names_never_overwrite() {
        let d = tempfile::tempdir().unwrap();
        let a = free_name(d.path(), "x", "log").unwrap();
        assert_eq!(a.file_name().unwrap(), "x.log");
        std::fs::write(&a, "1").unwrap();
        assert_eq!(
            free_name(d.path(), "x", "log")
                .unwrap()
                .file_name()
                .unwrap(),
            "x-1.log"
        );
    }
}
