//! One site's task: sweep (with retries and back-off), then live watches, a periodic
//! reachability ping and debounced snapshots, until the monitor stops.

use super::entry::Shared;
use super::sweep::sweep_with;
use crate::client::{ClientError, classify, probe, retry_cut, with_deadline};
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Exponential back-off with jitter between `min` and `max`.
struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    fn new(min: Duration, max: Duration) -> Self {
        Backoff {
            min,
            max,
            next: min,
        }
    }
    fn reset(&mut self) {
        self.next = self.min;
    }
    fn step(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(self.max);
        let jitter = rand::random_range(0.8..1.2);
        d.mul_f64(jitter)
    }
}

pub(crate) async fn run(shared: Arc<Shared>, name: String, mut stop: watch::Receiver<bool>) {
    let opts = shared.opts.clone();
    let mut backoff = Backoff::new(opts.retry_min, opts.retry_max);
    loop {
        let Some(site) = shared.site(&name) else {
            return;
        };
        let result = {
            let Ok(_permit) = shared.permits.acquire().await else {
                return;
            };
            sweep_with(&site, &shared.clients, opts.sweep_deadline, !opts.watch).await
        };
        match result {
            Ok(state) => {
                backoff.reset();
                tracing::debug!(
                    nodes = state.nodes.len(),
                    pods = state.pods.len(),
                    "site synced"
                );
                shared.update(&name, |e| {
                    e.seen();
                    e.state = state;
                    e.settle();
                    e.data_at = e.last_seen;
                    e.known.live();
                    e.stats.sweeps += 1;
                });
                shared.maybe_snapshot(&name).await;
                if !opts.watch {
                    return;
                }
                tokio::select! {
                    _ = live(&shared, &name) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
            Err(e) => {
                tracing::info!(kind = ?e.kind(), reason = %e, "site check failed");
                shared.update(&name, |en| {
                    en.failed(&e);
                    en.known.unanswered();
                    en.stats.sweep_failures += 1;
                });
                if !opts.watch {
                    return;
                }
                tokio::select! {
                    _ = tokio::time::sleep(backoff.step()) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        }
    }
}

/// Watches, pings and snapshots; runs until the monitor stops.
///
/// While pings fail they repeat on the retry back-off (at most `retry_max` apart)
/// instead of every `ping_every`, and the first ping that succeeds again restarts the
/// watches: their own back-off may have grown to half a minute while the site was
/// away, and a fresh list makes the site current at once.
async fn live(shared: &Arc<Shared>, name: &str) {
    let restart = tokio::sync::Notify::new();
    let watches = async {
        loop {
            tokio::select! {
                _ = super::watches::run_all(shared, name) => {
                    // The clients could not be built: wait for the site to answer again.
                    restart.notified().await;
                }
                _ = restart.notified() => {}
            }
            tracing::debug!("the site answers again; restarting its watches");
        }
    };
    let pings = async {
        let opts = &shared.opts;
        let mut backoff = Backoff::new(opts.retry_min, opts.retry_max);
        let mut failing = false;
        loop {
            let pause = if failing {
                backoff.step()
            } else {
                opts.ping_every
            };
            tokio::time::sleep(pause).await;
            let ok = ping(shared, name).await;
            // Back after failing pings, or after an outage the watches rode out on
            // their own (they resume without saying when they have caught up): relist.
            if ok && (failing || shared.take_resync(name)) {
                restart.notify_one();
            }
            if ok {
                backoff.reset();
            }
            failing = !ok;
            shared.maybe_snapshot(name).await;
        }
    };
    tokio::join!(watches, pings);
}

/// Probes TLS and makes one small authenticated request; false when the site did not
/// answer properly.
async fn ping(shared: &Arc<Shared>, name: &str) -> bool {
    let Some(site) = shared.site(name) else {
        return false;
    };
    let t = shared.clients.timeouts();
    let deadline = shared.opts.sweep_deadline;
    let r: Result<_, ClientError> = async {
        let p = retry_cut(super::sweep::TRIES, || probe(&site, t.connect, deadline)).await?;
        let c = shared.clients.get_async(&site).await?.requests;
        let work = async {
            let nodes: Api<Node> = Api::all(c.clone());
            let lp = ListParams::default().limit(1);
            let (v, _) = futures::try_join!(
                retry_cut(super::sweep::TRIES, || async {
                    c.apiserver_version().await.map_err(|e| classify(&e))
                }),
                retry_cut(super::sweep::TRIES, || async {
                    nodes.list_metadata(&lp).await.map_err(|e| classify(&e))
                }),
            )?;
            Ok(v.git_version)
        };
        let gv = with_deadline(deadline, "ping", work).await?;
        Ok((p, gv))
    }
    .await;
    match r {
        Ok((p, gv)) => {
            shared.update(name, |e| {
                e.seen();
                if e.state.cert_not_after != p.cert_not_after
                    || e.state.git_version.as_deref() != Some(&gv)
                {
                    e.known.changed();
                }
                e.state.cert_not_after = p.cert_not_after;
                e.state.git_version = Some(gv);
            });
            true
        }
        Err(err) => {
            if matches!(err, ClientError::Auth(_)) {
                shared.clients.forget(name);
            }
            tracing::info!(kind = ?err.kind(), reason = %err, "site ping failed");
            shared.update(name, |e| e.failed(&err));
            false
        }
    }
}
