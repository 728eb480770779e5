//! Crash-safe file writes: write a temp file in the same directory, fsync it, rename it
//! over the target, then fsync the directory.
//!
//! [`stage`] and [`Staged::commit`] are separate steps so tests can simulate a crash
//! between them (the old file must stay intact).
//!
//! Everything Outpost keeps is private to the user (Unix): directories it creates are
//! 0700 ([`private_dir_all`]), files 0600 ([`append_private`], [`create_private`]), and
//! looser existing ones are tightened ([`tighten`]).

use crate::error::ErrorKind;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Errors from atomic writes.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot replace {path}: {source}")]
    Rename { path: PathBuf, source: io::Error },
}

impl FsError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Storage
    }
}

/// A fully written and synced temp file waiting to replace its target.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Staged {
    /// The temp file's path.
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the temp file over the target and syncs the directory.
    pub fn commit(mut self) -> Result<(), FsError> {
        fs::rename(&self.tmp, &self.target).map_err(|source| FsError::Rename {
            path: self.target.clone(),
            source,
        })?;
        self.done = true;
        sync_dir(&self.target);
        Ok(())
    }

    /// Leaves the temp file behind without renaming it, as a crash would.
    #[cfg(test)]
    pub fn abandon(mut self) -> PathBuf {
        self.done = true;
        self.tmp.clone()
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to a new temp file next to `target` (mode 0600 on Unix) and syncs it.
pub fn stage(target: &Path, bytes: &[u8]) -> Result<Staged, FsError> {
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let err = |source| FsError::Write {
        path: target.to_path_buf(),
        source,
    };
    private_dir_all(dir).map_err(err)?;
    let tmp = dir.join(format!(".{name}.tmp-{:016x}", rand::random::<u64>()));
    let staged = Staged {
        tmp: tmp.clone(),
        target: target.to_path_buf(),
        done: false,
    };
    let mut f = open_private(&tmp).map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)?;
    drop(f);
    Ok(staged)
}

/// Atomically replaces `target` with `bytes`.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), FsError> {
    stage(target, bytes)?.commit()
}

/// Mode of the files Outpost writes.
pub const FILE_MODE: u32 = 0o600;
/// Mode of the directories Outpost creates.
pub const DIR_MODE: u32 = 0o700;

fn private_opts() -> OpenOptions {
    let mut opts = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(FILE_MODE);
    }
    opts
}

fn open_private(path: &Path) -> io::Result<File> {
    private_opts().write(true).create_new(true).open(path)
}

/// Creates `dir` and its missing parents with mode 0700 (existing ones are left as
/// they are: see [`tighten`]).
pub fn private_dir_all(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(DIR_MODE);
    }
    b.create(dir)
}

/// Removes group and other access from `path` (a file becomes at most 0600, a
/// directory 0700) if it has any; a missing path is fine.
pub fn tighten(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mode = meta.permissions().mode();
        if meta.file_type().is_symlink() || mode & 0o077 == 0 {
            return Ok(());
        }
        let want = if meta.is_dir() { DIR_MODE } else { FILE_MODE };
        fs::set_permissions(path, fs::Permissions::from_mode(mode & want))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Opens `path` for appending, created 0600 with its directory 0700; an existing file
/// that is looser is tightened first.
pub fn append_private(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent() {
        private_dir_all(dir)?;
    }
    tighten(path)?;
    private_opts().create(true).append(true).open(path)
}

/// Creates or truncates `path` as a 0600 file (an existing looser file is tightened
/// before anything is written to it).
pub fn create_private(path: &Path) -> io::Result<File> {
    tighten(path)?;
    private_opts()
        .create(true)
        .truncate(true)
        .write(true)
        .open(path)
}

/// Syncs the directory holding `path` so a rename survives a power cut (best effort).
pub fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent()
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_the_file_with_private_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("a.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // No temp files left behind.
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn private_dirs_and_files_are_created_private_and_loose_ones_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b/c");
        private_dir_all(&deep).unwrap();
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        assert_eq!(mode(&deep), 0o700);
        let j = tmp.path().join("new/journal.jsonl");
        append_private(&j).unwrap();
        assert_eq!((mode(&j), mode(&tmp.path().join("new"))), (0o600, 0o700));
        let loose = tmp.path().join("loose.log");
        fs::write(&loose, "x").unwrap();
        fs::set_permissions(&loose, fs::Permissions::from_mode(0o644)).unwrap();
        append_private(&loose).unwrap();
        assert_eq!(mode(&loose), 0o600);
        fs::set_permissions(&loose, fs::Permissions::from_mode(0o666)).unwrap();
        create_private(&loose).unwrap();
        assert_eq!(mode(&loose), 0o600);
        fs::set_permissions(&deep, fs::Permissions::from_mode(0o755)).unwrap();
        tighten(&deep).unwrap();
        assert_eq!(mode(&deep), 0o700);
        tighten(&tmp.path().join("missing")).unwrap();
    }

    #[test]
    fn crash_between_write_and_rename_keeps_the_old_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("a.json");
        write_atomic(&p, b"old").unwrap();
        let staged = stage(&p, b"new").unwrap();
        let leftover = staged.abandon();
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert_eq!(fs::read(&leftover).unwrap(), b"new");
    }

    #[test]
    fn dropping_an_uncommitted_stage_removes_the_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("a.json");
        let staged = stage(&p, b"new").unwrap();
        let t = staged.temp_path().to_path_buf();
        drop(staged);
        assert!(!t.exists());
        assert!(!p.exists());
    }
}
