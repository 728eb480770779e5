//! The append-only rollout journal: one JSON object per line in
//! `<data dir>/rollouts/<id>.jsonl`, fsynced after every line. The engine writes an entry
//! before each step (the site's state before it acts) and after it (what happened), so a
//! process killed at any moment leaves enough to resume without repeating a write.
//! Control requests (pause, abort) from other processes are appended to the same file.

use super::RolloutError;
use super::plan::Plan;
use crate::actions::{FailReason, WorkloadState};
use serde::{Deserialize, Serialize};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A request from the user to a running (or stopped) rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    Pause,
    Resume,
    Abort,
}

/// How a site's update ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SiteOutcome {
    /// Rolled out and passed the health gate.
    Updated,
    /// Failed the gate (or refused the change).
    Failed { reason: FailReason, message: String },
}

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    Created {
        plan: Box<Plan>,
    },
    /// The engine (re)started; `by` is the OS user.
    Run {
        by: String,
        pid: u32,
    },
    WaveStarted {
        wave: usize,
    },
    /// Before acting on a site: its state as read just now.
    SiteStarted {
        site: String,
        wave: usize,
        before: WorkloadState,
    },
    /// After the write (or after finding the site already at the target).
    SiteApplied {
        site: String,
        changed: bool,
        revision_before: i64,
        conflicts: u32,
    },
    /// After the health gate.
    SiteDone {
        site: String,
        outcome: SiteOutcome,
        #[serde(default)]
        after: Option<WorkloadState>,
    },
    /// The site could not be reached; it will be retried.
    SitePending {
        site: String,
        reason: String,
    },
    RollbackStarted {
        site: String,
        to_revision: i64,
    },
    RollbackDone {
        site: String,
        ok: bool,
        message: String,
    },
    WaveDone {
        wave: usize,
        failed: u32,
        pending: u32,
    },
    Control {
        request: Control,
        by: String,
    },
    /// The engine stopped without finishing: paused, stopped after a failed wave, aborted,
    /// or waiting for offline sites.
    Halted {
        status: super::state::Status,
        reason: String,
    },
    Finished,
}

/// An entry with its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub at: jiff::Timestamp,
    #[serde(flatten)]
    pub entry: Entry,
}

/// One rollout's journal file.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    pub fn at(path: impl Into<PathBuf>) -> Journal {
        Journal { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends an entry and fsyncs it. A torn last line left by a killed process is
    /// terminated first so the new entry stays parseable.
    pub fn append(&self, entry: Entry) -> Result<Record, RolloutError> {
        let rec = Record {
            at: jiff::Timestamp::now(),
            entry,
        };
        let line = serde_json::to_string(&rec).map_err(|e| RolloutError::Invalid(e.to_string()))?;
        let io = |source| RolloutError::Io {
            path: self.path.clone(),
            source,
        };
        let torn = last_byte(&self.path)
            .map_err(io)?
            .is_some_and(|b| b != b'\n');
        let line = if torn { format!("\n{line}") } else { line };
        crate::actions::append_journal_line(&self.path, &line).map_err(io)?;
        Ok(rec)
    }

    /// Appends several entries with one write and one fsync (group commit).
    pub fn append_batch(&self, entries: Vec<Entry>) -> Result<Vec<Record>, RolloutError> {
        let io = |source| RolloutError::Io {
            path: self.path.clone(),
            source,
        };
        let at = jiff::Timestamp::now();
        let recs: Vec<Record> = entries
            .into_iter()
            .map(|entry| Record { at, entry })
            .collect();
        let mut text = String::new();
        if last_byte(&self.path)
            .map_err(io)?
            .is_some_and(|b| b != b'\n')
        {
            text.push('\n');
        }
        for (i, r) in recs.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(
                &serde_json::to_string(r).map_err(|e| RolloutError::Invalid(e.to_string()))?,
            );
        }
        crate::actions::append_journal_line(&self.path, &text).map_err(io)?;
        Ok(recs)
    }

    /// Every complete entry, in order. Lines that do not parse (a write torn by a kill)
    /// are skipped.
    pub fn read(&self) -> Result<Vec<Record>, RolloutError> {
        let text = std::fs::read_to_string(&self.path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                RolloutError::NotFound(self.id())
            } else {
                RolloutError::Io {
                    path: self.path.clone(),
                    source,
                }
            }
        })?;
        Ok(parse(&text))
    }

    /// Entries appended after byte `offset`; returns them and the new offset (only whole
    /// lines are consumed).
    pub fn read_from(&self, offset: u64) -> Result<(Vec<Record>, u64), RolloutError> {
        let io = |source| RolloutError::Io {
            path: self.path.clone(),
            source,
        };
        let mut f = std::fs::File::open(&self.path).map_err(io)?;
        f.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut buf = String::new();
        f.read_to_string(&mut buf).map_err(io)?;
        let whole = buf.rfind('\n').map(|i| i + 1).unwrap_or(0);
        Ok((parse(&buf[..whole]), offset + whole as u64))
    }

    fn id(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

fn parse(text: &str) -> Vec<Record> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn last_byte(path: &Path) -> std::io::Result<Option<u8>> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(None);
    }
    f.seek(SeekFrom::Start(len - 1))?;
    let mut b = [0u8; 1];
    f.read_exact(&mut b)?;
    Ok(Some(b[0]))
}

type Job = (
    Entry,
    tokio::sync::oneshot::Sender<Result<Record, RolloutError>>,
);

/// Group commit for a running engine: entries from concurrent site steps are written
/// and fsynced together on a dedicated thread (never blocking the async workers); each
/// step waits until its entry is durable before it acts.
pub(super) struct Writer {
    tx: std::sync::mpsc::Sender<Job>,
    path: PathBuf,
}

impl Writer {
    pub fn start(journal: Journal) -> Writer {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let path = journal.path().to_path_buf();
        std::thread::spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while let Ok(more) = rx.try_recv() {
                    batch.push(more);
                }
                let (entries, acks): (Vec<Entry>, Vec<_>) = batch.into_iter().unzip();
                match journal.append_batch(entries) {
                    Ok(recs) => {
                        for (r, a) in recs.into_iter().zip(acks) {
                            let _ = a.send(Ok(r));
                        }
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        for a in acks {
                            let _ = a.send(Err(RolloutError::Io {
                                path: journal.path().to_path_buf(),
                                source: std::io::Error::other(msg.clone()),
                            }));
                        }
                    }
                }
            }
        });
        Writer { tx, path }
    }

    /// Appends an entry; returns once it is on disk.
    pub async fn append(&self, entry: Entry) -> Result<Record, RolloutError> {
        let gone = || RolloutError::Io {
            path: self.path.clone(),
            source: std::io::Error::other("the journal writer stopped"),
        };
        let (ack, done) = tokio::sync::oneshot::channel();
        self.tx.send((entry, ack)).map_err(|_| gone())?;
        done.await.map_err(|_| gone())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_lines_are_skipped_and_terminated() {
        let tmp = tempfile::tempdir().unwrap();
        let j = Journal::at(tmp.path().join("ro-1.jsonl"));
        j.append(Entry::WaveStarted { wave: 0 }).unwrap();
        // A kill in the middle of a write.
        crate::actions::append_journal_line(j.path(), "{\"at\":\"2026").unwrap();
        let raw = std::fs::read_to_string(j.path()).unwrap();
        std::fs::write(j.path(), raw.trim_end_matches('\n')).unwrap();
        j.append(Entry::WaveDone {
            wave: 0,
            failed: 0,
            pending: 0,
        })
        .unwrap();
        let recs = j.read().unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(
            recs[1].entry,
            Entry::WaveDone {
                wave: 0,
                failed: 0,
                pending: 0
            }
        );
        let (tail, off) = j.read_from(0).unwrap();
        assert_eq!(tail.len(), 2);
        let (none, off2) = j.read_from(off).unwrap();
        assert!(none.is_empty());
        assert_eq!(off, off2);
    }
}
