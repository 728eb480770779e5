//! Garbage collection: dependents whose controller is gone (cascading delete), and
//! Events older than the API server's one-hour TTL.

use super::objects::{controller_uid, name, namespace, secs_between, time_at, uid};
use super::txn::Txn;
use crate::resource::Resource;
use std::collections::HashSet;

/// Event time-to-live (kube-apiserver `--event-ttl` default).
pub const EVENT_TTL_SECS: f64 = 3600.0;

/// Deletes ReplicaSets, Pods and Jobs whose controlling owner no longer exists.
pub fn orphans(txn: &mut Txn<'_>) {
    let deployments = txn.list(Resource::Deployment, None);
    let dep_uids: HashSet<&str> = deployments.iter().map(|o| uid(o)).collect();
    let rses = txn.list(Resource::ReplicaSet, None);
    let mut doomed = Vec::new();
    for rs in &rses {
        if let Some(u) = controller_uid(rs)
            && !dep_uids.contains(u)
        {
            doomed.push((Resource::ReplicaSet, rs.clone()));
        }
    }
    let others: Vec<_> = [Resource::DaemonSet, Resource::StatefulSet, Resource::Job]
        .into_iter()
        .flat_map(|r| txn.list(r, None))
        .collect();
    let pod_owners: HashSet<&str> = rses.iter().chain(others.iter()).map(|o| uid(o)).collect();
    for p in txn.list(Resource::Pod, None) {
        if let Some(u) = controller_uid(&p)
            && !pod_owners.contains(u)
        {
            doomed.push((Resource::Pod, p.clone()));
        }
    }
    drop(pod_owners);
    drop(dep_uids);
    for (r, o) in doomed {
        txn.delete(r, namespace(&o), name(&o));
    }
}

/// Once per simulated minute, drops Events whose last occurrence is past the TTL.
pub fn old_events(txn: &mut Txn<'_>, prev: jiff::Timestamp) {
    if prev.as_second().div_euclid(60) == txn.now.as_second().div_euclid(60) {
        return;
    }
    let now = txn.now;
    for e in txn.list(Resource::Event, None) {
        let last = time_at(&e, "/lastTimestamp").or_else(|| time_at(&e, "/eventTime"));
        if last.is_some_and(|t| secs_between(t, now) > EVENT_TTL_SECS) {
            txn.delete(Resource::Event, namespace(&e), name(&e));
        }
    }
}
