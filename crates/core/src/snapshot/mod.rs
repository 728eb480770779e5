//! The snapshot cache: each site's pruned state and health, written after a sync to
//! `<profile>/snapshots/<site>.json.zst` (zstd, atomic), bounded in total size (oldest
//! evicted first). When a site does not answer, its health is served from here,
//! flagged stale.
//!
//! When a site that was served from here (or from memory while it was away) answers
//! again, the state it had is kept as its *reconnect baseline*,
//! `<site>.before-reconnect.zst`, one per site and inside the same size bound,
//! until the technician dismisses it: the site view and `outpost snapshot diff
//! before-reconnect:SITE live:SITE` show what changed since.

use crate::error::ErrorKind;

mod baseline;

use crate::model::{SiteHealth, SiteState};
use crate::paths::Home;
pub use baseline::BASELINE_LABEL;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Snapshot format version.
pub const FORMAT: u32 = 1;
/// Default bound on all snapshots of a profile.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Suffix of a site's reconnect baseline (site names are DNS labels: no dots; not
/// `.json.zst`, so tools listing snapshots by suffix do not take it for a site's).
const BASELINE: &str = ".before-reconnect.zst";
/// Largest decompressed snapshot accepted (guards against zip bombs).
const MAX_DECODED: usize = 64 * 1024 * 1024;

/// Errors from the snapshot cache.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot {path} is corrupt ({reason}); it is ignored")]
    Corrupt { path: PathBuf, reason: String },
    #[error("snapshot {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::fsutil::FsError),
}

impl SnapshotError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SnapshotError::Corrupt { .. } => ErrorKind::Corrupt,
            SnapshotError::Io { .. } | SnapshotError::Write(_) => ErrorKind::Storage,
        }
    }
}

/// One site's saved state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub format: u32,
    pub site: String,
    pub taken_at: jiff::Timestamp,
    pub state: SiteState,
    pub health: SiteHealth,
}

/// The snapshot directory of a profile.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    dir: PathBuf,
    max_bytes: u64,
}

impl SnapshotStore {
    /// The profile's snapshot directory, bounded by [`DEFAULT_MAX_BYTES`].
    pub fn new(home: &Home) -> Self {
        Self::at(home.snapshot_dir(), DEFAULT_MAX_BYTES)
    }

    pub fn at(dir: impl Into<PathBuf>, max_bytes: u64) -> Self {
        SnapshotStore {
            dir: dir.into(),
            max_bytes,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of a site's snapshot.
    pub fn path(&self, site: &str) -> PathBuf {
        self.dir.join(format!("{site}.json.zst"))
    }

    /// The file of a site's reconnect baseline.
    pub fn baseline_path(&self, site: &str) -> PathBuf {
        self.dir.join(format!("{site}{BASELINE}"))
    }

    /// Writes a snapshot atomically, then evicts the oldest files over the bound.
    /// Returns the compressed size.
    pub fn write(&self, snap: &Snapshot) -> Result<u64, SnapshotError> {
        self.write_to(self.path(&snap.site), snap)
    }

    /// Keeps `snap` (the state a site had before it answered again) as the site's
    /// reconnect baseline, unless one is already kept and not dismissed: changes then
    /// add up since the older one. Returns whether it was written.
    pub fn keep_baseline(&self, snap: &Snapshot) -> Result<bool, SnapshotError> {
        let path = self.baseline_path(&snap.site);
        if path.exists() {
            return Ok(false);
        }
        self.write_to(path, snap)?;
        Ok(true)
    }

    /// A site's reconnect baseline, if one is kept.
    pub fn read_baseline(&self, site: &str) -> Result<Option<Snapshot>, SnapshotError> {
        self.read_from(self.baseline_path(site), site)
    }

    /// Dismisses a site's reconnect baseline; true when there was one.
    pub fn dismiss_baseline(&self, site: &str) -> Result<bool, SnapshotError> {
        let path = self.baseline_path(site);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(SnapshotError::Io { path, source }),
        }
    }

    fn write_to(&self, path: PathBuf, snap: &Snapshot) -> Result<u64, SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: path.clone(),
            source,
        };
        crate::fsutil::private_dir_all(&self.dir).map_err(io)?;
        let json = serde_json::to_vec(snap).map_err(|e| io(std::io::Error::other(e)))?;
        let z = zstd::bulk::compress(&json, 3).map_err(io)?;
        crate::fsutil::write_atomic(&path, &z)?;
        self.evict(&path);
        Ok(z.len() as u64)
    }

    /// Reads a site's snapshot: `None` when there is none, `Corrupt` when unreadable.
    pub fn read(&self, site: &str) -> Result<Option<Snapshot>, SnapshotError> {
        self.read_from(self.path(site), site)
    }

    fn read_from(&self, path: PathBuf, site: &str) -> Result<Option<Snapshot>, SnapshotError> {
        let z = match std::fs::read(&path) {
            Ok(z) => z,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(SnapshotError::Io { path, source }),
        };
        let corrupt = |reason: String| SnapshotError::Corrupt {
            path: path.clone(),
            reason,
        };
        let json = zstd::bulk::decompress(&z, MAX_DECODED).map_err(|e| corrupt(e.to_string()))?;
        let snap: Snapshot = serde_json::from_slice(&json).map_err(|e| corrupt(e.to_string()))?;
        if snap.format != FORMAT || snap.site != site {
            return Err(corrupt(format!(
                "format {} for site {:?}, expected format {FORMAT} for {site:?}",
                snap.format, snap.site
            )));
        }
        Ok(Some(snap))
    }

    /// Deletes the oldest snapshots and baselines (never `keep`) until the total fits
    /// the bound.
    fn evict(&self, keep: &Path) {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = rd
            .filter_map(Result::ok)
            .filter(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.ends_with(".json.zst") || n.ends_with(BASELINE)
            })
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                Some((m.modified().ok()?, m.len(), e.path()))
            })
            .collect();
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        files.sort();
        for (_, len, path) in files {
            if total <= self.max_bytes {
                break;
            }
            if path == keep {
                continue;
            }
            if std::fs::remove_file(&path).is_ok() {
                tracing::debug!(path = %path.display(), "evicted old snapshot");
                total = total.saturating_sub(len);
            }
        }
    }
}

#[cfg(test)]
mod tests;
