//! Helpers of the site view: which pods are in trouble, which events come first.

use outpost_ipc::{EventInfo, EventType, PodInfo, PodPhase, WorkloadInfo};

/// Restarts above which a pod counts as crash-looping even without the reason.
pub const CRASH_RESTARTS: u32 = 5;

/// A pod in `CrashLoopBackOff`, or one that keeps restarting.
pub fn is_crash_looping(p: &PodInfo) -> bool {
    p.reason.as_deref() == Some("CrashLoopBackOff") || p.restarts >= CRASH_RESTARTS
}

/// A pod to highlight: crash-looping, failed, or running without being ready.
pub fn pod_has_problem(p: &PodInfo) -> bool {
    is_crash_looping(p)
        || p.phase == PodPhase::Failed
        || p.phase == PodPhase::Pending
        || (p.phase == PodPhase::Running && !p.ready)
}

/// "CrashLoopBackOff" when there is a reason, otherwise the phase.
pub fn pod_status(p: &PodInfo) -> &str {
    p.reason.as_deref().unwrap_or(p.phase.as_str())
}

pub fn workload_ok(w: &WorkloadInfo) -> bool {
    w.ready >= w.desired
}

/// Warnings first, then newest first, then by reason (stable for equal times).
pub fn sort_events(events: &[EventInfo]) -> Vec<&EventInfo> {
    let mut out: Vec<&EventInfo> = events.iter().collect();
    out.sort_by(|a, b| {
        let warn = |e: &EventInfo| e.type_ == EventType::Warning;
        warn(b)
            .cmp(&warn(a))
            .then(b.last_ms.cmp(&a.last_ms))
            .then_with(|| a.reason.cmp(&b.reason))
    });
    out
}

/// Problem pods first (crash-looping before others), then by namespace/name.
pub fn sort_pods(pods: &[PodInfo]) -> Vec<&PodInfo> {
    let mut out: Vec<&PodInfo> = pods.iter().collect();
    out.sort_by(|a, b| {
        let rank = |p: &PodInfo| (is_crash_looping(p), pod_has_problem(p));
        rank(b)
            .cmp(&rank(a))
            .then_with(|| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, phase: &str, reason: Option<&str>, ready: bool, restarts: u32) -> PodInfo {
        PodInfo {
            namespace: "pos".into(),
            name: name.into(),
            phase: PodPhase::parse(phase),
            reason: reason.map(Into::into),
            ready,
            restarts,
            started_ms: None,
            node: Some("node-a".into()),
            owner: None,
        }
    }

    fn event(t: EventType, reason: &str, last: i64) -> EventInfo {
        EventInfo {
            type_: t,
            reason: reason.into(),
            object: "Pod/x".into(),
            message: "m".into(),
            count: 1,
            last_ms: Some(last),
        }
    }

    #[test]
    fn crash_looping_and_problem_pods() {
        let crash = pod("a", "Running", Some("CrashLoopBackOff"), false, 1);
        let flapping = pod("b", "Running", None, true, 7);
        let fine = pod("c", "Running", None, true, 0);
        let unready = pod("d", "Running", None, false, 0);
        let pending = pod("e", "Pending", Some("ImagePullBackOff"), false, 0);
        assert!(is_crash_looping(&crash) && is_crash_looping(&flapping));
        assert!(!is_crash_looping(&fine) && !pod_has_problem(&fine));
        assert!(pod_has_problem(&unready) && pod_has_problem(&pending));
        assert_eq!(pod_status(&pending), "ImagePullBackOff");
        assert_eq!(pod_status(&fine), "Running");
        let pods = [fine, unready, crash, pending, flapping];
        let order: Vec<_> = sort_pods(&pods).iter().map(|p| p.name.as_str()).collect();
        assert_eq!(order, ["a", "b", "d", "e", "c"]);
    }

    #[test]
    fn warnings_first_then_newest() {
        let evs = [
            event(EventType::Normal, "Pulled", 300),
            event(EventType::Warning, "BackOff", 100),
            event(EventType::Warning, "Unhealthy", 200),
            event(EventType::Normal, "Scheduled", 50),
        ];
        let order: Vec<_> = sort_events(&evs)
            .iter()
            .map(|e| e.reason.as_str())
            .collect();
        assert_eq!(order, ["Unhealthy", "BackOff", "Pulled", "Scheduled"]);
    }
}
