//! The rollout engine: runs (or resumes) a rollout wave by wave from its journal.

use super::journal::{Entry, Journal, Writer};
use super::plan::{OnFailure, Plan};
use super::state::{RolloutView, SiteStatus, Status};
use super::store::RolloutStore;
use super::{RolloutError, site};
use crate::actions::ChangeLog;
use crate::client::ClientCache;
use crate::paths::Home;
use crate::registry::Site;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tracing::Instrument;

/// How the engine paces itself.
#[derive(Debug, Clone, Copy)]
pub struct EngineOptions {
    /// Time between two looks at a site's rollout.
    pub poll: Duration,
    /// Sites updated at the same time within a wave.
    pub parallel: usize,
    /// After the last wave, how long to keep retrying offline sites before stopping as
    /// `pending` (a later `resume` carries on).
    pub offline_wait: Duration,
    /// Time between two retries of offline sites.
    pub offline_retry: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            poll: Duration::from_secs(1),
            parallel: 50,
            offline_wait: Duration::from_secs(60),
            offline_retry: Duration::from_secs(10),
        }
    }
}

/// Shared state of one run: the journal, the replayed view and its subscribers.
pub(super) struct Run {
    pub journal: Journal,
    pub writer: Writer,
    pub view: Mutex<RolloutView>,
    pub tx: watch::Sender<RolloutView>,
    pub offset: Mutex<u64>,
    pub clients: ClientCache,
    pub sites: HashMap<String, Site>,
    pub changes: ChangeLog,
    pub opts: EngineOptions,
}

impl Run {
    /// Journals an entry and applies it to the view.
    pub async fn record(&self, entry: Entry) -> Result<(), RolloutError> {
        let rec = self.writer.append(entry).await?;
        let v = {
            let mut v = self.lock();
            v.apply(&rec);
            v.clone()
        };
        self.tx.send_replace(v);
        Ok(())
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, RolloutView> {
        self.view.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn plan(&self) -> Plan {
        self.lock().plan.clone()
    }

    /// Live (not journaled) progress of a site.
    pub fn progress(&self, site: &str, p: crate::actions::Progress) {
        let v = {
            let mut v = self.lock();
            if let Some(s) = v.sites.iter_mut().find(|s| s.site == site) {
                s.progress = Some(p);
            }
            v.clone()
        };
        self.tx.send_replace(v);
    }

    /// Picks up control requests appended by other processes; returns
    /// `(pause, abort)`.
    pub fn controls(&self) -> (bool, bool) {
        let mut off = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        if let Ok((recs, next)) = self.journal.read_from(*off) {
            *off = next;
            let mut v = self.lock();
            for r in recs
                .iter()
                .filter(|r| matches!(r.entry, Entry::Control { .. }))
            {
                v.apply(r);
            }
        }
        let v = self.lock();
        (v.pause_requested, v.abort_requested)
    }
}

/// Runs rollouts of one profile.
pub struct Engine {
    store: RolloutStore,
    changes: ChangeLog,
    sites: HashMap<String, Site>,
    clients: ClientCache,
    opts: EngineOptions,
}

impl Engine {
    pub fn new(home: &Home, sites: Vec<Site>, clients: ClientCache, opts: EngineOptions) -> Engine {
        Engine {
            store: RolloutStore::new(home),
            changes: ChangeLog::new(home),
            sites: sites.into_iter().map(|s| (s.name.clone(), s)).collect(),
            clients,
            opts,
        }
    }

    pub fn store(&self) -> &RolloutStore {
        &self.store
    }

    /// Runs rollout `id` from wherever its journal says it is, until it completes, halts
    /// (paused, failed, aborted) or has only offline sites left (pending). `updates`
    /// receives the view after every step and every progress change.
    pub async fn run(
        &self,
        id: &str,
        updates: Option<watch::Sender<RolloutView>>,
    ) -> Result<RolloutView, RolloutError> {
        let _lock = self.store.lock(id)?;
        let journal = self.store.journal(id)?;
        let records = journal.read()?;
        let view = RolloutView::replay(&records).ok_or_else(|| RolloutError::Corrupt(id.into()))?;
        if !view.status.resumable() {
            return Err(RolloutError::NotResumable {
                id: id.into(),
                status: view.status,
            });
        }
        for s in view.plan.sites().map(|(_, s)| s) {
            if !self.sites.contains_key(s) {
                return Err(RolloutError::Invalid(format!(
                    "site {s:?} of rollout {id} is no longer registered"
                )));
            }
        }
        let offset = std::fs::metadata(journal.path())
            .map(|m| m.len())
            .unwrap_or(0);
        let tx = updates.unwrap_or_else(|| watch::channel(view.clone()).0);
        let run = Arc::new(Run {
            writer: Writer::start(journal.clone()),
            journal,
            view: Mutex::new(view),
            tx,
            offset: Mutex::new(offset),
            clients: self.clients.clone(),
            sites: self.sites.clone(),
            changes: self.changes.clone(),
            opts: self.opts,
        });
        let span = tracing::info_span!("rollout", id = %id);
        async {
            run.record(Entry::Run {
                by: crate::actions::os_user(),
                pid: std::process::id(),
            })
            .await?;
            drive(&run).await?;
            Ok(run.lock().clone())
        }
        .instrument(span)
        .await
    }
}

async fn halt(run: &Run, status: Status, reason: String) -> Result<(), RolloutError> {
    tracing::info!(status = status.as_str(), %reason, "rollout halted");
    run.record(Entry::Halted { status, reason }).await
}

/// Halts on a pending pause/abort; returns whether it did.
async fn checkpoint(run: &Run) -> Result<bool, RolloutError> {
    let (pause, abort) = run.controls();
    if abort {
        halt(run, Status::Aborted, "aborted on request".into()).await?;
        return Ok(true);
    }
    if pause {
        halt(run, Status::Paused, "paused on request".into()).await?;
        return Ok(true);
    }
    Ok(false)
}

/// Sites with nothing settled yet (waiting, interrupted, offline) in waves `..=wave`,
/// plus this wave's failed sites when resuming a paused wave.
fn todo(run: &Run, wave: usize) -> Vec<String> {
    let v = run.lock();
    v.sites
        .iter()
        .filter(|s| s.wave <= wave)
        .filter(|s| match s.status {
            SiteStatus::Waiting | SiteStatus::Updating | SiteStatus::PendingOffline => true,
            SiteStatus::Failed => s.wave == wave && !v.waves_done[wave],
            _ => false,
        })
        .map(|s| s.site.clone())
        .collect()
}

async fn drive(run: &Arc<Run>) -> Result<(), RolloutError> {
    let plan = run.plan();
    for wave in 0..plan.waves.len() {
        if checkpoint(run).await? {
            return Ok(());
        }
        let done = run.lock().waves_done[wave];
        let sites = todo(run, wave);
        if done && sites.is_empty() {
            continue;
        }
        if !done {
            run.record(Entry::WaveStarted { wave }).await?;
        }
        if let Some(next) = plan.waves.get(wave + 1) {
            site::warm_up(run, next.clone());
        }
        if site::run_sites(run, sites).await? {
            return halt_after_request(run).await;
        }
        let (failed, pending) = {
            let v = run.lock();
            let w = v.sites.iter().filter(|s| s.wave == wave);
            (
                // A site being (or already) rolled back failed too: a process killed
                // during a rollback must not resume into the next wave.
                w.clone()
                    .filter(|s| {
                        matches!(
                            s.status,
                            SiteStatus::Failed
                                | SiteStatus::RollingBack
                                | SiteStatus::RolledBack
                                | SiteStatus::RollbackFailed
                        )
                    })
                    .count() as u32,
                w.filter(|s| s.status == SiteStatus::PendingOffline).count() as u32,
            )
        };
        if failed > plan.max_failures {
            let reason = format!(
                "wave {} had {failed} failed site(s), more than its budget of {}",
                wave + 1,
                plan.max_failures
            );
            return match plan.on_failure {
                OnFailure::Pause => halt(run, Status::Paused, reason).await,
                OnFailure::Rollback => {
                    site::roll_back_failed(run, wave).await?;
                    halt(
                        run,
                        Status::Failed,
                        format!("{reason}; failed sites rolled back"),
                    )
                    .await
                }
            };
        }
        if !done {
            run.record(Entry::WaveDone {
                wave,
                failed,
                pending,
            })
            .await?;
        }
    }
    // Offline sites: retry until they are done or the wait is over.
    let started = Instant::now();
    loop {
        let left = todo(run, plan.waves.len().saturating_sub(1));
        if left.is_empty() {
            break;
        }
        if started.elapsed() >= run.opts.offline_wait {
            return halt(
                run,
                Status::Pending,
                format!(
                    "{} site(s) offline: not updated yet; `outpost rollout resume {}` retries them",
                    left.len(),
                    plan.id
                ),
            )
            .await;
        }
        tokio::time::sleep(run.opts.offline_retry).await;
        if checkpoint(run).await? {
            return Ok(());
        }
        if site::run_sites(run, left).await? {
            return halt_after_request(run).await;
        }
    }
    let failed = run.lock().counts().failed;
    if failed > 0 {
        tracing::warn!(
            failed,
            "rollout finished with failed sites within the budget"
        );
    }
    run.record(Entry::Finished).await
}

async fn halt_after_request(run: &Run) -> Result<(), RolloutError> {
    let (_, abort) = run.controls();
    if abort {
        halt(run, Status::Aborted, "aborted on request".into()).await
    } else {
        halt(run, Status::Paused, "paused on request".into()).await
    }
}
