//! Fleet rollouts through the session, in the IPC's terms: list, show, preview, start,
//! pause, resume, abort, report and a stream of one rollout's state. Runs go through the
//! session's [`Runner`] (live-runs registry, busy retry) and the session's client cache;
//! journal reads run on the blocking pool.

use super::Session;
use super::blocking::unblock;
use super::runs::{LiveRuns, Runner};
use crate::rollout::ipc::{info, plan_from_request};
use crate::rollout::{Control, EngineOptions, Report, RolloutError, RolloutStore, RolloutView};
use outpost_ipc::ReachabilityState;
use outpost_ipc::rollout::{
    ReportFormat, RolloutInfo, RolloutPlanPreview, RolloutPlanRequest, RolloutReportText,
};
use std::time::Duration;
use tokio::sync::mpsc;

/// Shortest time between two updates of a streamed rollout.
const MIN_INTERVAL: Duration = Duration::from_millis(250);
/// How often a rollout run by another process (the CLI) is re-read from its journal.
const POLL: Duration = Duration::from_secs(1);

/// How the engine paces itself in the app.
fn options() -> EngineOptions {
    EngineOptions {
        poll: Duration::from_millis(500),
        ..EngineOptions::default()
    }
}

/// Runs `f` with the profile's rollout store on the blocking pool.
async fn blocking<T: Send + 'static>(
    store: &RolloutStore,
    f: impl FnOnce(RolloutStore) -> Result<T, RolloutError> + Send + 'static,
) -> Result<T, RolloutError> {
    let s = store.clone();
    unblock(move || f(s)).await
}

impl Session {
    /// Shares `runs` with this session: the app keeps one registry for every session
    /// it opens, so a reopened profile still sees the rollouts it started.
    pub fn with_runs(mut self, runs: LiveRuns) -> Session {
        self.runs = runs;
        self
    }

    /// The rollouts this process runs.
    pub fn runs(&self) -> &LiveRuns {
        &self.runs
    }

    /// Runs this profile's rollouts with the session's clients and registry.
    pub fn runner(&self) -> Runner {
        Runner::new(
            self.home.clone(),
            self.clients.clone(),
            self.runs.clone(),
            options(),
        )
    }

    fn rollout_store(&self) -> RolloutStore {
        RolloutStore::new(&self.home)
    }

    /// Every rollout of the profile, newest first.
    pub async fn rollouts(&self) -> Result<Vec<RolloutInfo>, RolloutError> {
        let runs = self.runs.clone();
        blocking(&self.rollout_store(), move |store| {
            Ok(store
                .list()?
                .iter()
                .map(|v| info(v, runs.running(&store, &v.plan.id)))
                .collect())
        })
        .await
    }

    /// One rollout's state now (live when this process runs it).
    pub async fn rollout(&self, id: &str) -> Result<RolloutInfo, RolloutError> {
        let (runs, id) = (self.runs.clone(), id.to_string());
        blocking(&self.rollout_store(), move |store| {
            current(&runs, &store, &id)
        })
        .await
    }

    /// The waves a plan would have, and which targeted sites are unreachable now.
    pub fn rollout_preview(
        &self,
        req: &RolloutPlanRequest,
    ) -> Result<RolloutPlanPreview, RolloutError> {
        let plan = plan_from_request(req, &self.sites())?;
        let offline = self
            .summaries()
            .into_iter()
            .filter(|s| plan.sites().any(|(_, n)| *n == s.name))
            .filter(|s| {
                matches!(
                    s.reachability.state,
                    ReachabilityState::Unreachable | ReachabilityState::Timeout
                )
            })
            .map(|s| s.name)
            .collect();
        Ok(RolloutPlanPreview {
            workload: plan.workload.to_string(),
            waves: plan.waves,
            offline,
        })
    }

    /// Creates the rollout (its journal first) and runs it in the background.
    pub async fn rollout_start(
        &self,
        req: &RolloutPlanRequest,
    ) -> Result<RolloutInfo, RolloutError> {
        let plan = plan_from_request(req, &self.sites())?;
        let id = plan.id.clone();
        tracing::info!(rollout = %id, workload = %plan.workload, sites = plan.sites().count(), "rollout created");
        let (runner, sites) = (self.runner(), self.sites().to_vec());
        blocking(&self.rollout_store(), move |store| {
            store.create(plan)?;
            runner.spawn(sites, &id)?;
            current(runner.runs(), &store, &id)
        })
        .await
    }

    /// Asks the rollout to stop after the sites in flight.
    pub async fn rollout_pause(&self, id: &str) -> Result<RolloutInfo, RolloutError> {
        let (runs, id) = (self.runs.clone(), id.to_string());
        blocking(&self.rollout_store(), move |store| {
            store.request(&id, Control::Pause)?;
            current(&runs, &store, &id)
        })
        .await
    }

    /// Carries on with a paused, pending or interrupted rollout, in the background.
    pub async fn rollout_resume(&self, id: &str) -> Result<RolloutInfo, RolloutError> {
        let (runner, sites, id) = (self.runner(), self.sites().to_vec(), id.to_string());
        blocking(&self.rollout_store(), move |store| {
            if store.view(&id)?.pause_requested {
                store.request(&id, Control::Resume)?;
            }
            if !runner.runs().running(&store, &id) {
                runner.spawn(sites, &id)?;
            }
            current(runner.runs(), &store, &id)
        })
        .await
    }

    /// Stops the rollout for good. One that no process runs is run just long enough to
    /// journal that it was aborted.
    pub async fn rollout_abort(&self, id: &str) -> Result<RolloutInfo, RolloutError> {
        let (runner, sites, id) = (self.runner(), self.sites().to_vec(), id.to_string());
        blocking(&self.rollout_store(), move |store| {
            store.request(&id, Control::Abort)?;
            if !runner.runs().running(&store, &id) {
                runner.spawn(sites, &id)?;
            }
            current(runner.runs(), &store, &id)
        })
        .await
    }

    /// The per-site report as JSON or CSV text.
    pub async fn rollout_report(
        &self,
        id: &str,
        format: ReportFormat,
    ) -> Result<RolloutReportText, RolloutError> {
        let id = id.to_string();
        blocking(&self.rollout_store(), move |store| {
            let report = Report::of(&store.view(&id)?);
            let (text, ext) = match format {
                ReportFormat::Json => (report.to_json(), "json"),
                ReportFormat::Csv => (report.to_csv(), "csv"),
            };
            Ok(RolloutReportText {
                format,
                file_name: format!("{id}.{ext}"),
                text,
            })
        })
        .await
    }

    /// The rollout's state now and after every change, at most every
    /// [`MIN_INTERVAL`]: from the live run when this process runs it, else from its
    /// journal while another process runs it. Ends after the state of a stopped rollout
    /// was sent, or when the receiver is dropped.
    pub async fn rollout_updates(
        &self,
        id: &str,
    ) -> Result<mpsc::Receiver<RolloutInfo>, RolloutError> {
        let store = self.rollout_store();
        let wanted = id.to_string();
        blocking(&store, move |s| s.view(&wanted)).await?;
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(forward(self.runs.clone(), store, id.to_string(), tx));
        Ok(rx)
    }
}

/// The rollout's state as the view shows it. Blocking.
fn current(runs: &LiveRuns, store: &RolloutStore, id: &str) -> Result<RolloutInfo, RolloutError> {
    let v = store.view(id)?;
    Ok(info(&v, runs.running(store, id)))
}

/// See [`Session::rollout_updates`].
async fn forward(runs: LiveRuns, store: RolloutStore, id: String, tx: mpsc::Sender<RolloutInfo>) {
    let mut last: Option<RolloutInfo> = None;
    loop {
        let live = runs.live(&store, &id);
        let (view, running): (RolloutView, bool) = match &live {
            Some(rx) => (rx.borrow().clone(), true),
            None => {
                let wanted = id.clone();
                let read = blocking(&store, move |s| {
                    let v = s.view(&wanted)?;
                    let running = s.is_running(&wanted);
                    Ok((v, running))
                });
                match read.await {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::warn!(rollout = %id, error = %e, "rollout watch ended");
                        return;
                    }
                }
            }
        };
        let now = info(&view, running);
        if last.as_ref() != Some(&now) {
            if tx.send(now.clone()).await.is_err() {
                return;
            }
            last = Some(now);
        }
        match live {
            Some(mut rx) => {
                // Closed when the run ends: then the journal has the final word.
                tokio::select! {
                    _ = rx.changed() => {}
                    _ = tx.closed() => return,
                }
                tokio::time::sleep(MIN_INTERVAL).await;
            }
            None if running => tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = tx.closed() => return,
            },
            None => return,
        }
    }
}
