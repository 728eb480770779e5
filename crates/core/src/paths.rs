//! Where Outpost keeps its files.
//!
//! The data directory is, in order: an explicit `--home`, `$OUTPOST_HOME`, then the OS data
//! directory joined with [`crate::APP_ID`] (the same place Tauri's `app_data_dir()` points
//! to, so the CLI and the desktop app share sites and settings). A profile other than
//! `default` lives under `profiles/<name>/`, which keeps the demo fleet apart from real sites.

use crate::error::ErrorKind;

use std::path::{Path, PathBuf};

/// Environment variable that overrides the data directory.
pub const HOME_ENV: &str = "OUTPOST_HOME";

/// The name of the normal profile.
pub const DEFAULT_PROFILE: &str = "default";

/// Name of the JSON store file (the tauri-plugin-store file) inside a profile directory.
pub const STORE_FILE: &str = "outpost.json";

#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("no data directory: set {HOME_ENV} or pass --home")]
    NoDataDir,
    #[error("invalid profile name {0:?}: use letters, digits, '-' or '_'")]
    InvalidProfile(String),
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot make {path} private: {source}")]
    Permissions {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl PathError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PathError::NoDataDir | PathError::Create { .. } | PathError::Permissions { .. } => {
                ErrorKind::Storage
            }
            PathError::InvalidProfile(_) => ErrorKind::InvalidInput,
        }
    }
}

/// A resolved profile directory and the well-known files inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
    profile: String,
}

impl Home {
    /// Resolves the data directory from an explicit path, `$OUTPOST_HOME`, or the OS default.
    pub fn resolve(explicit: Option<&Path>, profile: &str) -> Result<Self, PathError> {
        let root = match explicit {
            Some(p) => p.to_path_buf(),
            None => match std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
                Some(v) => PathBuf::from(v),
                None => dirs::data_dir()
                    .ok_or(PathError::NoDataDir)?
                    .join(crate::APP_ID),
            },
        };
        Self::at(root, profile)
    }

    /// A home rooted at `root` (no environment lookup).
    pub fn at(root: impl Into<PathBuf>, profile: &str) -> Result<Self, PathError> {
        let valid = !profile.is_empty()
            && profile.len() <= 64
            && profile
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(PathError::InvalidProfile(profile.to_string()));
        }
        Ok(Self {
            root: root.into(),
            profile: profile.to_string(),
        })
    }

    /// The profile's name.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The data directory root (shared by all profiles).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory holding this profile's files.
    pub fn dir(&self) -> PathBuf {
        if self.profile == DEFAULT_PROFILE {
            self.root.clone()
        } else {
            self.root.join("profiles").join(&self.profile)
        }
    }

    /// The JSON store file with sites and settings.
    pub fn store_file(&self) -> PathBuf {
        self.dir().join(STORE_FILE)
    }

    /// Compressed per-site snapshots.
    pub fn snapshot_dir(&self) -> PathBuf {
        self.dir().join("snapshots")
    }

    /// Encrypted credential blobs too large for a keyring entry.
    pub fn secrets_dir(&self) -> PathBuf {
        self.dir().join("secrets")
    }

    /// Fleet rollout journals and per-site change journals.
    pub fn rollouts_dir(&self) -> PathBuf {
        self.dir().join("rollouts")
    }

    /// Rolling log files (shared by all profiles).
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// Creates the profile directory if needed (0700, like the data directory) and
    /// tightens both if they are looser.
    pub fn ensure(&self) -> Result<PathBuf, PathError> {
        let dir = self.dir();
        crate::fsutil::private_dir_all(&dir).map_err(|source| PathError::Create {
            path: dir.clone(),
            source,
        })?;
        self.tighten()?;
        Ok(dir)
    }

    /// Makes the data directory, the profile directory and the log directory private
    /// (0700) if they exist and are looser; creates nothing.
    pub fn tighten(&self) -> Result<(), PathError> {
        for d in [self.root.clone(), self.dir(), self.log_dir()] {
            crate::fsutil::tighten(&d)
                .map_err(|source| PathError::Permissions { path: d, source })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_lives_at_root_and_others_below() {
        let h = Home::at("/data", DEFAULT_PROFILE).unwrap();
        assert_eq!(h.store_file(), PathBuf::from("/data/outpost.json"));
        let d = Home::at("/data", "demo").unwrap();
        assert_eq!(
            d.store_file(),
            PathBuf::from("/data/profiles/demo/outpost.json")
        );
        assert_eq!(d.log_dir(), PathBuf::from("/data/logs"));
    }

    #[test]
    fn profile_names_cannot_escape_the_directory() {
        for bad in ["", "../x", "a/b", "x y", "..", &"a".repeat(65)] {
            let e = Home::at("/data", bad).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput, "{bad:?}");
        }
    }

    #[test]
    fn explicit_home_wins_and_ensure_creates_it() {
        let tmp = tempfile::tempdir().unwrap();
        let h = Home::resolve(Some(tmp.path()), "demo").unwrap();
        let dir = h.ensure().unwrap();
        assert!(dir.is_dir());
        assert!(dir.starts_with(tmp.path()));
    }

    #[cfg(unix)]
    #[test]
    fn the_data_directory_is_created_private_and_a_loose_one_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("data");
        let demo = Home::at(&root, "demo").unwrap();
        let dir = demo.ensure().unwrap();
        assert_eq!((mode(&root), mode(&dir)), (0o700, 0o700));
        let loose = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(&root, loose.clone()).unwrap();
        std::fs::create_dir(demo.log_dir()).unwrap();
        std::fs::set_permissions(demo.log_dir(), loose).unwrap();
        let home = Home::at(&root, DEFAULT_PROFILE).unwrap();
        home.tighten().unwrap();
        assert_eq!((mode(&root), mode(&home.log_dir())), (0o700, 0o700));
    }
}
