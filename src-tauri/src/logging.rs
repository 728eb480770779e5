//! Tracing to stderr and to a daily-rolling file in the app's log directory, which is
//! 0700 with its files 0600 (Unix); an exported copy is 0600 too.

use outpost_core::fsutil;
use std::path::{Path, PathBuf};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::RollingFileAppender;
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
    let file = Private::open(log_dir);
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

/// The rolling appender with every log file private: tightened when it opens the
/// day's file and again on the first write of each new (UTC) day, right after the
/// appender has rolled over to a new file.
struct Private {
    inner: RollingFileAppender,
    dir: PathBuf,
    day: u64,
}

fn utc_day() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400)
}

/// Why the private log file cannot be opened (the app then logs to stderr only).
#[derive(Debug, thiserror::Error)]
enum LogFileError {
    #[error(transparent)]
    Dir(#[from] std::io::Error),
    #[error(transparent)]
    Appender(#[from] tracing_appender::rolling::InitError),
}

impl Private {
    fn open(dir: &Path) -> Result<Private, LogFileError> {
        fsutil::private_dir_all(dir).and_then(|()| fsutil::tighten(dir))?;
        let inner = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(LOG_FILE_PREFIX)
            .max_log_files(14)
            .build(dir)?;
        let p = Private {
            inner,
            dir: dir.to_path_buf(),
            day: utc_day(),
        };
        p.tighten_files();
        Ok(p)
    }

    fn tighten_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.filter_map(Result::ok) {
            if e.file_name().to_string_lossy().starts_with(LOG_FILE_PREFIX) {
                let _ = fsutil::tighten(&e.path());
            }
        }
    }
}

impl std::io::Write for Private {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let day = utc_day();
        if day != self.day {
            self.day = day;
            self.tighten_files();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Copies the newest log file in `log_dir` to the file `dest` (0600).
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
    let cannot_write = |e| storage(&format!("cannot write {}", target.display()), e);
    let mut from = std::fs::File::open(&newest)
        .map_err(|e| storage(&format!("cannot read {}", newest.display()), e))?;
    let mut to = fsutil::create_private(&target).map_err(cannot_write)?;
    let bytes = std::io::copy(&mut from, &mut to).map_err(cannot_write)?;
    to.sync_all().map_err(cannot_write)?;
    tracing::info!(path = %target.display(), bytes, "app log exported");
    Ok(outpost_ipc::ExportedFile {
        path: target.display().to_string(),
        bytes,
    })
}

#[cfg(test)]
#[path = "logging_tests.rs"]
mod export_tests;
