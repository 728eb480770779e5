//! The bundle file a preview or import request names: its path, or the bytes the
//! webview read, written to a private temp file removed when its guard drops.

use crate::error;
use outpost_core::paths::Home;
use outpost_ipc::snapshot::{MAX_UPLOAD_BYTES, SnapshotImportRequest};
use outpost_ipc::{ErrorKind, IpcError};
use std::path::{Path, PathBuf};

/// A temp file holding bytes sent by the webview, removed when dropped.
pub struct Upload(pub PathBuf);

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn invalid(msg: impl Into<String>) -> IpcError {
    IpcError::new(ErrorKind::InvalidInput, msg)
}

pub fn upload(dir: &Path, data: &str) -> Result<Upload, IpcError> {
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

/// The bundle file a request names (see the module doc).
pub async fn bundle_file(
    home: &Home,
    req: &SnapshotImportRequest,
) -> Result<(PathBuf, Option<Upload>), IpcError> {
    match (&req.path, &req.data) {
        (Some(p), None) if !p.trim().is_empty() => Ok((PathBuf::from(p.trim()), None)),
        (None, Some(data)) => {
            let (dir, data) = (home.snapshot_dir(), data.clone());
            let up = tokio::task::spawn_blocking(move || upload(&dir, &data))
                .await
                .map_err(error::join)??;
            Ok((up.0.clone(), Some(up)))
        }
        _ => Err(invalid("choose one bundle file")),
    }
}
