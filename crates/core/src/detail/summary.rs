//! The map/list row of a site, and its detail from the last snapshot.

use crate::health::{Level, SiteHealth, SiteState};
use crate::registry::{Distro, Site};
use crate::snapshot::Snapshot;
use outpost_ipc as ipc;

fn level(l: Level) -> ipc::HealthLevel {
    match l {
        Level::Ok => ipc::HealthLevel::Ok,
        Level::Warning => ipc::HealthLevel::Warning,
        Level::Critical => ipc::HealthLevel::Critical,
        Level::Unknown => ipc::HealthLevel::Unknown,
    }
}

pub(super) fn distro(d: Option<Distro>) -> ipc::Distro {
    d.map(ipc::Distro::from).unwrap_or_default()
}

fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

/// The map/list row for `site`; `health` is `None` until the engine reported it.
pub fn summary(site: &Site, health: Option<&SiteHealth>) -> ipc::SiteSummary {
    let loc = &site.location;
    let mut s = ipc::SiteSummary {
        name: site.name.clone(),
        display_name: site.display_name.clone(),
        city: loc.address.clone().unwrap_or_default(),
        latitude: loc.latitude,
        longitude: loc.longitude,
        tags: site.tags.clone(),
        distro: distro(site.distro),
        version: site.version.clone().unwrap_or_default(),
        level: ipc::HealthLevel::Unknown,
        reasons: Vec::new(),
        reachability: ipc::Reachability::default(),
        last_seen_ms: None,
        stale: None,
        nodes_ready: 0,
        nodes_total: 0,
        workloads_available: 0,
        workloads_desired: 0,
        problem_pods: 0,
        cert_expires_ms: None,
    };
    let Some(h) = health else { return s };
    s.level = level(h.level);
    s.reasons = h.reasons.clone();
    s.reachability = crate::health::reachability(h);
    s.last_seen_ms = h.last_seen.map(ms);
    s.stale = h.stale.then(|| h.snapshot_at.map(ms)).flatten();
    if let Some(d) = h.distro {
        s.distro = distro(Some(d));
    }
    if let Some(v) = &h.version {
        s.version = v.clone();
    }
    s.nodes_ready = h.nodes_ready;
    s.nodes_total = h.nodes_total;
    s.workloads_available = h.workloads_available;
    s.workloads_desired = h.workloads_total;
    s.problem_pods = u32::try_from(h.problem_pods.len()).unwrap_or(u32::MAX);
    s.cert_expires_ms = h.cert_not_after.map(ms);
    s
}

/// The site view from the last snapshot: what health keeps (nodes, workloads, pods,
/// warning events), without what only a live read has (images, metrics, node roles).
pub fn from_snapshot(site: &Site, snap: &Snapshot, health: Option<&SiteHealth>) -> ipc::SiteDetail {
    let mut summary = summary(site, health.or(Some(&snap.health)));
    if summary.stale.is_none() {
        summary.stale = Some(ms(snap.taken_at));
    }
    let st: &SiteState = &snap.state;
    let nodes = st
        .nodes
        .iter()
        .map(|(name, n)| ipc::NodeInfo {
            name: name.clone(),
            ready: n.ready,
            roles: Vec::new(),
            kubelet_version: n.kubelet_version.clone().unwrap_or_default(),
            conditions: n
                .pressure
                .iter()
                .map(|p| ipc::NodeCondition {
                    type_: p.clone(),
                    status: ipc::ConditionStatus::True,
                    message: None,
                })
                .collect(),
            cpu_percent: None,
            memory_percent: None,
        })
        .collect();
    let workloads = st
        .workloads
        .values()
        // The health engine keeps Deployments, StatefulSets and DaemonSets only.
        .filter_map(|w| {
            Some(ipc::WorkloadInfo {
                kind: ipc::WorkloadKind::parse(&w.kind)?,
                namespace: w.namespace.clone(),
                name: w.name.clone(),
                ready: u32::try_from(w.available).unwrap_or(0),
                desired: u32::try_from(w.desired).unwrap_or(0),
                images: w.images.values().cloned().collect(),
            })
        })
        .collect();
    let pods = st
        .pods
        .values()
        .map(|p| ipc::PodInfo {
            namespace: p.namespace.clone(),
            name: p.name.clone(),
            phase: ipc::PodPhase::Unknown,
            reason: p.reason.clone(),
            ready: p.trouble.is_none(),
            restarts: u32::try_from(p.restarts).unwrap_or(0),
            started_ms: None,
            node: None,
            owner: p.owner.clone(),
        })
        .collect();
    let mut events: Vec<ipc::EventInfo> = st
        .events
        .values()
        .map(|e| ipc::EventInfo {
            type_: ipc::EventType::Warning,
            reason: e.reason.clone(),
            object: e.object.clone(),
            message: e.message.clone(),
            count: u32::try_from(e.count).unwrap_or(0),
            last_ms: e.last_seen.map(ms),
        })
        .collect();
    super::convert::order_events(&mut events);
    ipc::SiteDetail {
        summary,
        nodes,
        workloads,
        pods,
        events,
    }
}
