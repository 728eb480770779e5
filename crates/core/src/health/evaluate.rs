//! Rolling a site's cached state up into a [`SiteHealth`] with a level and reasons.

use super::words::sentence;
use crate::error::ErrorKind;
use crate::model::{Level, PodProblem, PodTrouble, Reach, SiteHealth, SiteState};
use crate::registry::{Distro, Site};

/// Serving certificates expiring within this many days give a warning.
pub const CERT_WARN_DAYS: i64 = 30;

/// K3s when gitVersion has `+k3s`; MicroK8s from node labels or the 16443 port.
pub fn detect_distro(site: &Site, state: &SiteState) -> Option<Distro> {
    let gv = state.git_version.as_deref()?;
    if gv.contains("+k3s") {
        return Some(Distro::K3s);
    }
    let port_16443 =
        crate::net::endpoint::parse_https(&site.endpoint).is_ok_and(|e| e.port == 16443);
    if state.nodes.values().any(|n| n.microk8s) || port_16443 {
        return Some(Distro::MicroK8s);
    }
    Some(Distro::Kubernetes)
}

/// What the cache says, as of `now`.
pub struct Observation<'a> {
    pub state: &'a SiteState,
    pub reach: Reach,
    /// The last failure's kind: the reason shown is its sentence.
    pub reach_kind: Option<ErrorKind>,
    /// The last failure's cause chain, kept as the detail only.
    pub reach_reason: Option<String>,
    pub last_seen: Option<jiff::Timestamp>,
    /// Set when `state` comes from a snapshot taken at this time.
    pub snapshot_at: Option<jiff::Timestamp>,
    /// True once a full list of the site has been seen (live or from a snapshot).
    pub have_data: bool,
}

/// Computes the site's health.
pub fn evaluate(site: &Site, o: &Observation<'_>, now: jiff::Timestamp) -> SiteHealth {
    let st = o.state;
    let mut level = Level::Ok;
    let mut reasons = Vec::new();
    let mut raise = |l: Level, why: String| {
        level = level.max(l);
        reasons.push(why);
    };
    match o.reach {
        // It answers, but with errors (429/5xx) or too much: the data may lag.
        Reach::Reachable if o.have_data && o.reach_reason.is_some() => raise(
            Level::Warning,
            sentence(o.reach, Some(o.reach_kind.unwrap_or(ErrorKind::Api))).unwrap_or_default(),
        ),
        Reach::Reachable | Reach::Unknown => {}
        // One sentence from the kind; the cause chain stays in `reach_reason`.
        r => raise(
            Level::Critical,
            sentence(r, o.reach_kind).unwrap_or_default(),
        ),
    }
    let nodes_total = st.nodes.len() as u32;
    let nodes_ready = st.nodes.values().filter(|n| n.ready).count() as u32;
    let mut node_pressure = Vec::new();
    for (name, n) in &st.nodes {
        node_pressure.extend(n.pressure.iter().map(|p| format!("{name}: {p}")));
    }
    if o.have_data {
        if nodes_total > 0 && nodes_ready == 0 {
            raise(Level::Critical, "no node is Ready".into());
        } else if nodes_ready < nodes_total {
            let msg = format!(
                "{} of {nodes_total} nodes not Ready",
                nodes_total - nodes_ready
            );
            raise(Level::Warning, msg);
        }
        for p in &node_pressure {
            raise(Level::Warning, p.clone());
        }
    }
    let workloads_total = st.workloads.len() as u32;
    let mut workloads_available = 0;
    for w in st.workloads.values() {
        if w.available >= w.desired {
            workloads_available += 1;
        } else if o.have_data {
            let l = if w.available == 0 {
                Level::Critical
            } else {
                Level::Warning
            };
            let msg = format!(
                "{} {}/{}: {}/{} available",
                w.kind, w.namespace, w.name, w.available, w.desired
            );
            raise(l, msg);
        }
    }
    let mut problem_pods = Vec::new();
    for p in st.pods.values() {
        let Some(t) = p.trouble else { continue };
        let reason = p.reason.clone().unwrap_or_default();
        let (l, what) = match t {
            PodTrouble::CrashLoop => (Level::Critical, "crash-looping"),
            PodTrouble::ImagePull => (Level::Warning, "cannot pull its image"),
        };
        let msg = format!(
            "pod {}/{} {what} ({reason}, {} restarts)",
            p.namespace, p.name, p.restarts
        );
        raise(l, msg);
        problem_pods.push(PodProblem {
            namespace: p.namespace.clone(),
            pod: p.name.clone(),
            trouble: t,
            reason,
            restarts: p.restarts,
        });
    }
    let cert_days_left = st
        .cert_not_after
        .map(|t| (t.as_second() - now.as_second()).div_euclid(86_400));
    if let Some(d) = cert_days_left {
        if d < 0 {
            raise(
                Level::Critical,
                "the serving certificate has expired".into(),
            );
        } else if d < CERT_WARN_DAYS {
            raise(
                Level::Warning,
                format!("the serving certificate expires in {d} days"),
            );
        }
    }
    let mut warnings: Vec<_> = st.events.values().cloned().collect();
    warnings.sort_by_key(|w| std::cmp::Reverse(w.last_seen));
    warnings.truncate(10);
    if !o.have_data && matches!(o.reach, Reach::Unknown | Reach::Reachable) {
        level = Level::Unknown;
        reasons.push(
            sentence(o.reach, o.reach_kind.filter(|_| o.reach_reason.is_some()))
                .unwrap_or_else(|| "no data yet".into()),
        );
    }
    let stale = o.snapshot_at.is_some();
    if let Some(at) = o.snapshot_at {
        reasons.push(format!(
            "stale: showing the snapshot from {}",
            fmt_age(now.as_second() - at.as_second())
        ));
    }
    SiteHealth {
        name: site.name.clone(),
        display_name: site.display_name.clone(),
        tags: site.tags.clone(),
        level,
        reasons,
        reach: o.reach,
        reach_kind: o.reach_kind,
        reach_reason: o.reach_reason.clone(),
        last_seen: o.last_seen,
        distro: detect_distro(site, st).or(site.distro),
        version: st.git_version.clone().or_else(|| site.version.clone()),
        nodes_ready,
        nodes_total,
        node_pressure,
        workloads_available,
        workloads_total,
        problem_pods,
        warnings,
        cert_not_after: st.cert_not_after,
        cert_days_left,
        stale,
        snapshot_at: o.snapshot_at,
        snapshot_age_secs: o
            .snapshot_at
            .map(|at| (now.as_second() - at.as_second()).max(0)),
    }
}

/// `42s ago`, `5m ago`, `3h ago`, `2d ago`.
pub fn fmt_age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s ago"),
        60..3600 => format!("{}m ago", s / 60),
        3600..86_400 => format!("{}h ago", s / 3600),
        _ => format!("{}d ago", s / 86_400),
    }
}
