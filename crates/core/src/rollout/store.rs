//! Where rollouts live: one journal per rollout in `<data dir>/rollouts/`, a lock file
//! held by the process running it, and control requests appended by other processes.

use super::RolloutError;
use super::journal::{Control, Entry, Journal};
use super::plan::{Plan, valid_id};
use super::state::RolloutView;
use crate::paths::Home;
use std::fs::File;
use std::path::PathBuf;

/// The rollouts of a profile.
#[derive(Debug, Clone)]
pub struct RolloutStore {
    dir: PathBuf,
}

/// Held while an engine runs a rollout; released on drop or when the process dies.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

impl RolloutStore {
    pub fn new(home: &Home) -> RolloutStore {
        RolloutStore {
            dir: home.rollouts_dir(),
        }
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The journal of rollout `id`.
    pub fn journal(&self, id: &str) -> Result<Journal, RolloutError> {
        if !valid_id(id) {
            return Err(RolloutError::Invalid(format!("invalid rollout id {id:?}")));
        }
        Ok(Journal::at(self.dir.join(format!("{id}.jsonl"))))
    }

    /// Writes a new rollout's `created` entry.
    pub fn create(&self, plan: Plan) -> Result<RolloutView, RolloutError> {
        let j = self.journal(&plan.id)?;
        if j.path().exists() {
            return Err(RolloutError::Invalid(format!(
                "rollout {} already exists",
                plan.id
            )));
        }
        crate::fsutil::private_dir_all(&self.dir).map_err(|source| RolloutError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let rec = j.append(Entry::Created {
            plan: Box::new(plan),
        })?;
        crate::fsutil::sync_dir(&self.dir);
        RolloutView::replay(&[rec]).ok_or_else(|| RolloutError::Invalid("empty rollout".into()))
    }

    /// A rollout's current state from its journal.
    pub fn view(&self, id: &str) -> Result<RolloutView, RolloutError> {
        let j = self.journal(id)?;
        RolloutView::replay(&j.read()?).ok_or_else(|| RolloutError::Corrupt(id.to_string()))
    }

    /// Every rollout, newest first.
    pub fn list(&self) -> Result<Vec<RolloutView>, RolloutError> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(RolloutError::Io {
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let mut out = Vec::new();
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "jsonl")
                && let Some(id) = p.file_stem().and_then(|s| s.to_str())
                && let Ok(v) = self.view(id)
            {
                out.push(v);
            }
        }
        out.sort_by_key(|v| std::cmp::Reverse(v.plan.created_at));
        Ok(out)
    }

    /// Appends a pause/resume/abort request (a running engine picks it up).
    pub fn request(&self, id: &str, request: Control) -> Result<RolloutView, RolloutError> {
        let v = self.view(id)?;
        if !v.status.resumable() {
            return Err(RolloutError::NotResumable {
                id: id.to_string(),
                status: v.status,
            });
        }
        self.journal(id)?.append(Entry::Control {
            request,
            by: crate::actions::os_user(),
        })?;
        self.view(id)
    }

    /// Takes the run lock of rollout `id`, failing when another process holds it.
    pub fn lock(&self, id: &str) -> Result<RunLock, RolloutError> {
        self.journal(id)?;
        let path = self.dir.join(format!("{id}.lock"));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| RolloutError::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(RolloutError::Busy(id.to_string())),
            Err(std::fs::TryLockError::Error(source)) => Err(RolloutError::Io { path, source }),
        }
    }

    /// Whether some process is running rollout `id` now.
    pub fn is_running(&self, id: &str) -> bool {
        matches!(self.lock(id), Err(RolloutError::Busy(_)))
    }
}
