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
