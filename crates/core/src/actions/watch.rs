//! Following a rollout: a stream of [`RolloutStatus`] values (polled, emitted on change)
//! ending at complete or failed, and the post-rollout soak that watches for crash loops.

use super::history::{owned_replicasets, revision_of};
use super::progress::{self, FailReason, RolloutState, RolloutStatus, doomed, evaluate};
use super::{ActionError, WorkloadRef};
use futures::Stream;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use std::time::{Duration, Instant};

/// How a rollout is followed.
#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// Time between two looks.
    pub poll: Duration,
    /// Give up (failed: `Timeout`) when the rollout has not completed by then.
    pub deadline: Duration,
    /// Consecutive failed reads tolerated before the site counts as unreachable.
    pub read_retries: u32,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            poll: Duration::from_secs(1),
            deadline: Duration::from_secs(600),
            read_retries: 3,
        }
    }
}

fn selector_of(d: &Deployment) -> String {
    d.spec
        .selector
        .match_labels
        .as_ref()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

async fn pods(
    client: &kube::Client,
    target: &WorkloadRef,
    d: &Deployment,
) -> Result<Vec<Pod>, ActionError> {
    let api: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
    let lp = ListParams::default().labels(&selector_of(d));
    Ok(api
        .list(&lp)
        .await
        .map_err(|e| ActionError::from_kube(&e, target))?
        .items)
}

/// One look at the rollout: the Deployment and the pods of its newest revision.
pub(crate) async fn look(
    client: &kube::Client,
    target: &WorkloadRef,
    with_pods: bool,
) -> Result<RolloutStatus, ActionError> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), &target.namespace);
    let d = api
        .get(&target.name)
        .await
        .map_err(|e| ActionError::from_kube(&e, target))?;
    // Complete needs no pod: skip the two lists (the common last look).
    let quick = evaluate(&d, &[]);
    if quick.state == RolloutState::Complete || !with_pods {
        return Ok(quick);
    }
    let rev = revision_of(&d.metadata);
    let rses = owned_replicasets(client, target, &d).await?;
    let hash = rses
        .iter()
        .filter(|rs| revision_of(&rs.metadata) == rev && rev > 0)
        .find_map(|rs| {
            rs.metadata
                .labels
                .as_ref()?
                .get("pod-template-hash")
                .cloned()
        });
    let new_pods: Vec<Pod> = match hash {
        Some(h) => pods(client, target, &d)
            .await?
            .into_iter()
            .filter(|p| {
                p.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("pod-template-hash"))
                    == Some(&h)
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(evaluate(&d, &new_pods))
}

struct Follow {
    client: kube::Client,
    target: WorkloadRef,
    opts: WatchOptions,
    started: Instant,
    last: Option<RolloutStatus>,
    first: bool,
    done: bool,
    looks: u64,
}

/// One look in this many also lists the new revision's pods.
const PODS_EVERY: u64 = 4;

/// The rollout's progress as a stream: each distinct status, ending with a terminal one
/// (complete or failed), or an error when the site stops answering.
pub fn progress(
    client: kube::Client,
    target: WorkloadRef,
    opts: WatchOptions,
) -> impl Stream<Item = Result<RolloutStatus, ActionError>> {
    let st = Follow {
        client,
        target,
        opts,
        started: Instant::now(),
        last: None,
        first: true,
        done: false,
        looks: 0,
    };
    futures::stream::unfold(st, |mut st| async move {
        if st.done {
            return None;
        }
        let mut errors = 0;
        loop {
            if !st.first {
                tokio::time::sleep(st.opts.poll).await;
            }
            st.first = false;
            // The pods (for ImagePullBackOff/CrashLoopBackOff) every few looks only: the
            // Deployment alone says progressing/complete/deadline exceeded.
            st.looks += 1;
            let with_pods = st.looks % PODS_EVERY == 1;
            let s = match look(&st.client, &st.target, with_pods).await {
                Ok(s) => s,
                Err(e) if e.is_unreachable() && errors < st.opts.read_retries => {
                    errors += 1;
                    continue;
                }
                Err(e) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
            };
            errors = 0;
            let s = if !s.is_terminal() && st.started.elapsed() >= st.opts.deadline {
                let message = format!(
                    "not complete within {:?}: {}",
                    st.opts.deadline, s.progress.message
                );
                RolloutStatus {
                    progress: s.progress,
                    state: RolloutState::Failed {
                        reason: FailReason::Timeout,
                        message,
                    },
                }
            } else {
                s
            };
            if s.is_terminal() {
                st.done = true;
                return Some((Ok(s), st));
            }
            if st.last.as_ref() != Some(&s) {
                st.last = Some(s.clone());
                return Some((Ok(s), st));
            }
        }
    })
}

/// Follows the rollout to its end, calling `on_progress` with every status seen.
pub async fn wait(
    client: &kube::Client,
    target: &WorkloadRef,
    opts: WatchOptions,
    mut on_progress: impl FnMut(&RolloutStatus),
) -> Result<RolloutStatus, ActionError> {
    use futures::StreamExt;
    let s = progress(client.clone(), target.clone(), opts);
    futures::pin_mut!(s);
    let mut last = None;
    while let Some(item) = s.next().await {
        let st = item?;
        on_progress(&st);
        last = Some(st);
    }
    last.ok_or_else(|| ActionError::Invalid("rollout status stream ended without a status".into()))
}

/// Watches the Deployment's pods for `duration` after a complete rollout: a pod entering
/// `CrashLoopBackOff`/`ImagePullBackOff`, or any container restart, fails the soak.
pub async fn soak(
    client: &kube::Client,
    target: &WorkloadRef,
    duration: Duration,
    poll: Duration,
) -> Result<Option<(FailReason, String)>, ActionError> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), &target.namespace);
    let d = api
        .get(&target.name)
        .await
        .map_err(|e| ActionError::from_kube(&e, target))?;
    let started = Instant::now();
    let first = pods(client, target, &d).await?;
    let base = progress::restarts(&first);
    if let Some(f) = doomed(&first) {
        return Ok(Some(f));
    }
    while started.elapsed() < duration {
        tokio::time::sleep(poll.min(duration.saturating_sub(started.elapsed()))).await;
        let now = pods(client, target, &d).await?;
        if let Some(f) = doomed(&now) {
            return Ok(Some(f));
        }
        let r = progress::restarts(&now);
        if r > base {
            return Ok(Some((
                FailReason::CrashLoopBackOff,
                format!("{} container restart(s) during the soak", r - base),
            )));
        }
    }
    Ok(None)
}
