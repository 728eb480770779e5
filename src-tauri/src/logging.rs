//! Tracing to stderr and to a daily-rolling file in the app's log directory.

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt, util::SubscriberInitExt};

/// File name prefix of the rolling log files.
pub const LOG_FILE_PREFIX: &str = "outpost-desktop.log";

/// Installs the global subscriber. Keep the guard alive to flush the file on exit.
/// Logging to the file is best effort: if the directory cannot be created we log to
/// stderr only and say so.
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env("OUTPOST_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,outpost_desktop=debug,outpost_core=debug"));
    let stderr = fmt::layer().with_writer(std::io::stderr).with_target(false);
    let file = std::fs::create_dir_all(log_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(LOG_FILE_PREFIX)
                .max_log_files(14)
                .build(log_dir)
                .map_err(|e| e.to_string())
        });
    match file {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file_layer = fmt::layer().with_writer(writer).with_ansi(false);
            tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file_layer)
                .init();
            Some(guard)
        }
        Err(e) => {
            tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .init();
            tracing::warn!(dir = %log_dir.display(), error = %e, "logging to stderr only");
            None
        }
    }
}

/// Copies the newest log file in `log_dir` to the file `dest`.
pub fn export(
    log_dir: &Path,
    dest: &Path,
) -> Result<outpost_ipc::ExportedFile, outpost_ipc::IpcError> {
    use outpost_ipc::{ErrorKind, IpcError};
    let storage =
        |what: &str, e: std::io::Error| IpcError::new(ErrorKind::Storage, format!("{what}: {e}"));
    let newest = std::fs::read_dir(log_dir)
        .map_err(|e| storage(&format!("cannot read {}", log_dir.display()), e))?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(LOG_FILE_PREFIX))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, p)| p)
        .ok_or_else(|| IpcError::new(ErrorKind::NotFound, "the app has not written a log yet"))?;
    let target = dest.to_path_buf();
    let bytes = std::fs::copy(&newest, &target)
        .map_err(|e| storage(&format!("cannot write {}", target.display()), e))?;
    tracing::info!(path = %target.display(), bytes, "app log exported");
    Ok(outpost_ipc::ExportedFile {
        path: target.display().to_string(),
        bytes,
    })
}

#[cfg(test)]
mod export_tests {
    use super::*;

    #[test]
    fn exports_the_newest_log_and_reports_a_missing_one() {
        let logs = tempfile::tempdir().unwrap();
        let dest = tempfile::tempdir().unwrap();
        let e = export(logs.path(), &dest.path().join("x.log")).unwrap_err();
        assert_eq!(e.kind, outpost_ipc::ErrorKind::NotFound);
        std::fs::write(
            logs.path().join(format!("{LOG_FILE_PREFIX}.2026-11-23")),
            "old",
        )
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(
            logs.path().join(format!("{LOG_FILE_PREFIX}.2026-11-24")),
            "newest",
        )
        .unwrap();
        std::fs::write(logs.path().join("unrelated.txt"), "no").unwrap();
        let f = export(logs.path(), &dest.path().join("x.log")).unwrap();
        assert_eq!(f.bytes, 6);
        assert_eq!(std::fs::read_to_string(&f.path).unwrap(), "newest");
    }
}
