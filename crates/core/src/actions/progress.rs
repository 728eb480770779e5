//! `kubectl rollout status` semantics, plus the pod states that doom a rollout early.
//!
//! Done when `observedGeneration >= generation`, `updatedReplicas == replicas`,
//! `availableReplicas == replicas` and no old replicas remain. Failed when the
//! `Progressing` condition says `ProgressDeadlineExceeded`, or a pod of the new revision
//! is in `ImagePullBackOff` or `CrashLoopBackOff`.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use serde::{Deserialize, Serialize};

/// Why a rollout failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FailReason {
    ProgressDeadlineExceeded,
    ImagePullBackOff,
    CrashLoopBackOff,
    /// The write kept meeting newer versions (409) and was not forced.
    Conflict,
    /// Outpost's own deadline passed before the rollout completed.
    Timeout,
    /// The site stopped answering.
    Unreachable,
    /// The API refused the change (not found, invalid, …).
    Rejected,
}

impl FailReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::ProgressDeadlineExceeded => "ProgressDeadlineExceeded",
            FailReason::ImagePullBackOff => "ImagePullBackOff",
            FailReason::CrashLoopBackOff => "CrashLoopBackOff",
            FailReason::Conflict => "Conflict",
            FailReason::Timeout => "Timeout",
            FailReason::Unreachable => "Unreachable",
            FailReason::Rejected => "Rejected",
        }
    }
}

impl std::fmt::Display for FailReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The counts `kubectl rollout status` looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub generation: i64,
    pub observed_generation: i64,
    /// Desired replicas.
    pub replicas: i32,
    pub updated: i32,
    pub ready: i32,
    pub available: i32,
    /// Pods of older revisions still present.
    pub old: i32,
    /// What the rollout waits for, in kubectl's words.
    pub message: String,
}

impl Progress {
    /// 0.0 ..= 1.0 for a progress bar: half for updated replicas, half for available ones.
    pub fn fraction(&self) -> f64 {
        if self.observed_generation < self.generation {
            // The counts are still the previous revision's: nothing of this one yet.
            return 0.0;
        }
        if self.replicas <= 0 {
            return if self.old == 0 { 1.0 } else { 0.5 };
        }
        let r = f64::from(self.replicas);
        let up = f64::from(self.updated.min(self.replicas)) / r;
        let av = f64::from(self.available.min(self.updated).min(self.replicas)) / r;
        ((up + av) / 2.0).clamp(0.0, 1.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RolloutState {
    Progressing,
    Complete,
    Failed { reason: FailReason, message: String },
}

/// One observation of a rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutStatus {
    pub progress: Progress,
    #[serde(flatten)]
    pub state: RolloutState,
}

impl RolloutStatus {
    pub fn is_terminal(&self) -> bool {
        !matches!(self.state, RolloutState::Progressing)
    }
}

/// Evaluates a Deployment and the pods of its newest ReplicaSet (`new_pods`).
pub fn evaluate(d: &Deployment, new_pods: &[Pod]) -> RolloutStatus {
    let generation = d.metadata.generation.unwrap_or(0);
    let st = d.status.clone().unwrap_or_default();
    let replicas = d.spec.replicas.unwrap_or(1);
    let p = |message: String| Progress {
        generation,
        observed_generation: st.observed_generation.unwrap_or(0),
        replicas,
        updated: st.updated_replicas.unwrap_or(0),
        ready: st.ready_replicas.unwrap_or(0),
        available: st.available_replicas.unwrap_or(0),
        old: (st.replicas.unwrap_or(0) - st.updated_replicas.unwrap_or(0)).max(0),
        message,
    };
    let failed = |reason: FailReason, message: String| RolloutStatus {
        progress: p(message.clone()),
        state: RolloutState::Failed { reason, message },
    };
    let waiting = |message: String| RolloutStatus {
        progress: p(message),
        state: RolloutState::Progressing,
    };
    let observed = st.observed_generation.unwrap_or(0) >= generation;
    if observed
        && let Some(c) = st
            .conditions
            .as_ref()
            .and_then(|c| c.iter().find(|c| c.type_.as_deref() == Some("Progressing")))
        && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    {
        let name = d.metadata.name.clone().unwrap_or_default();
        return failed(
            FailReason::ProgressDeadlineExceeded,
            format!("deployment {name:?} exceeded its progress deadline"),
        );
    }
    if !observed {
        return waiting("Waiting for deployment spec update to be observed".into());
    }
    // Only once the controller saw the new spec are `new_pods` the new revision's pods.
    if let Some((reason, msg)) = doomed(new_pods) {
        return failed(reason, msg);
    }
    let pr = p(String::new());
    if pr.updated < replicas {
        return waiting(format!(
            "Waiting for rollout to finish: {} out of {replicas} new replicas have been updated",
            pr.updated
        ));
    }
    let total = st.replicas.unwrap_or(0);
    if total > pr.updated {
        return waiting(format!(
            "Waiting for rollout to finish: {} old replicas are pending termination",
            total - pr.updated
        ));
    }
    if pr.available < pr.updated {
        return waiting(format!(
            "Waiting for rollout to finish: {} of {} updated replicas are available",
            pr.available, pr.updated
        ));
    }
    RolloutStatus {
        progress: p("successfully rolled out".into()),
        state: RolloutState::Complete,
    }
}

/// A pod in `ImagePullBackOff` or `CrashLoopBackOff`, with its message.
pub(crate) fn doomed(pods: &[Pod]) -> Option<(FailReason, String)> {
    for pod in pods {
        let name = pod.metadata.name.as_deref().unwrap_or("");
        let statuses = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref());
        for cs in statuses.into_iter().flatten() {
            let Some(w) = cs.state.as_ref().and_then(|s| s.waiting.as_ref()) else {
                continue;
            };
            let reason = match w.reason.as_deref() {
                Some("ImagePullBackOff") | Some("ErrImageNeverPull") | Some("InvalidImageName") => {
                    FailReason::ImagePullBackOff
                }
                Some("CrashLoopBackOff") => FailReason::CrashLoopBackOff,
                _ => continue,
            };
            let msg = w.message.clone().unwrap_or_default();
            return Some((
                reason,
                format!("pod {name} container {}: {reason}: {msg}", cs.name),
            ));
        }
    }
    None
}

/// Total container restarts across pods.
pub(crate) fn restarts(pods: &[Pod]) -> i64 {
    pods.iter()
        .flat_map(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.container_statuses.clone())
                .unwrap_or_default()
        })
        .map(|c| i64::from(c.restart_count))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dep(gen_: i64, status: serde_json::Value) -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": "pos", "generation": gen_},
            "spec": {"replicas": 2, "selector": {}, "template": {}},
            "status": status,
        }))
        .unwrap()
    }

    #[test]
    fn kubectl_semantics() {
        let s = evaluate(&dep(3, json!({"observedGeneration": 2})), &[]);
        assert_eq!(s.state, RolloutState::Progressing);
        assert!(s.progress.message.contains("observed"));
        let s = evaluate(
            &dep(
                3,
                json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
            ),
            &[],
        );
        assert_eq!(
            s.progress.fraction(),
            0.0,
            "the old revision's counts are not progress"
        );
        let s = evaluate(
            &dep(
                3,
                json!({"observedGeneration": 3, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2}),
            ),
            &[],
        );
        assert!(s.progress.message.contains("1 old replicas"), "{s:?}");
        let s = evaluate(
            &dep(
                3,
                json!({"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1}),
            ),
            &[],
        );
        assert!(s.progress.message.contains("1 of 2 updated"), "{s:?}");
        assert!((s.progress.fraction() - 0.75).abs() < 1e-9);
        let s = evaluate(
            &dep(
                3,
                json!({"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
            ),
            &[],
        );
        assert_eq!(s.state, RolloutState::Complete);
        let s = evaluate(
            &dep(
                3,
                json!({"observedGeneration": 3, "conditions": [
                {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}),
            ),
            &[],
        );
        assert!(matches!(
            s.state,
            RolloutState::Failed {
                reason: FailReason::ProgressDeadlineExceeded,
                ..
            }
        ));
    }

    #[test]
    fn doomed_pods_fail_early() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "pos-1"},
            "status": {"containerStatuses": [{"name": "app", "image": "x", "imageID": "", "ready": false,
                "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off"}}}]}
        }))
        .unwrap();
        let s = evaluate(
            &dep(3, json!({"observedGeneration": 2})),
            std::slice::from_ref(&pod),
        );
        assert_eq!(
            s.state,
            RolloutState::Progressing,
            "stale pods are not judged"
        );
        let s = evaluate(&dep(3, json!({"observedGeneration": 3})), &[pod]);
        assert!(matches!(
            s.state,
            RolloutState::Failed {
                reason: FailReason::ImagePullBackOff,
                ..
            }
        ));
    }
}
