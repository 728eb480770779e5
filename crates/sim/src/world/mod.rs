//! The simulated world inside one site: seeding, controllers and the kubelet.
//!
//! The world never touches the store directly. Each tick it reads through an
//! [`ObjectView`] and returns [`Action`]s, which the API layer applies like any other
//! client write (bumping `resourceVersion`, notifying watches). An update built from a
//! stale read is rejected by the store as a conflict and simply retried on a later tick,
//! exactly as a real controller would.

use crate::resource::Resource;
use crate::spec::SiteSpec;
use serde_json::Value;
use std::sync::Arc;

/// Read access to one site's current objects.
pub trait ObjectView {
    /// Objects of one resource, in one namespace or (None) all of them.
    fn list(&self, resource: Resource, namespace: Option<&str>) -> Vec<Arc<Value>>;
    /// One object; `namespace` is None for cluster-scoped resources.
    fn get(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Option<Arc<Value>>;
}

/// A write the world wants applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Create; the store fills `metadata.uid`, `resourceVersion`, `creationTimestamp`
    /// and `generateName` suffixes, exactly as for an API create.
    Create(Resource, Value),
    /// Replace the whole object (spec and status). Carries the `resourceVersion` that was
    /// read: the store refuses it if the object changed since.
    Update(Resource, Value),
    /// Delete by namespace and name.
    Delete(Resource, Option<String>, String),
}

/// Everything one tick may depend on besides the objects.
pub struct TickCtx<'a> {
    pub spec: &'a SiteSpec,
    /// Simulated wall-clock time (advances `speed` times faster than real time).
    pub now: jiff::Timestamp,
    /// Simulated seconds since the previous tick.
    pub dt_secs: f64,
    /// Deterministic randomness for this site (seeded from the fleet seed and the name).
    pub rng: &'a mut rand::rngs::StdRng,
    /// When set, system-upgrade-controller Jobs fail past their deadline (the "stuck" mode).
    pub upgrade_stuck: bool,
    /// When set, system-upgrade-controller Jobs start but never finish nor fail (a hung
    /// upgrade: no deadline, or a node that never comes back): the node never moves.
    pub upgrade_hang: bool,
}

mod daemonset;
mod deployment;
mod deployment_scale;
mod deployment_status;
mod gc;
mod hashing;
mod jobs;
mod kubelet;
mod kubelet_status;
pub mod logs;
mod logsystem;
mod logtext;
pub mod metrics;
mod nodes;
pub(crate) mod objects;
mod pods;
mod replicaset;
mod seed;
mod statefulset;
mod templates;
mod templates_system;
mod txn;
mod upgrade;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_demo;
#[cfg(test)]
mod tests_logs;
#[cfg(test)]
mod tests_rollout;
#[cfg(test)]
mod tests_typed;
#[cfg(test)]
mod tests_upgrade;

pub use seed::{UPGRADE_NAMESPACE, seed};
pub use templates::{CRASH_ANNOTATION, CRASH_IMAGE_ANNOTATION, LOGS_ANNOTATION};

/// One reconcile pass over the whole site: controllers (deployments, replicasets,
/// daemonsets, statefulsets, system-upgrade-controller) and the kubelet (pod phases,
/// image pulls, crash loops, events, node conditions). Pure: reads `view`, returns writes.
pub fn tick(view: &dyn ObjectView, ctx: &mut TickCtx<'_>) -> Vec<Action> {
    let mut txn = txn::Txn::new(view, ctx.now);
    let prev = objects::plus(ctx.now, -ctx.dt_secs.max(0.0));
    gc::orphans(&mut txn);
    let restarting = if ctx.spec.upgrade_controller {
        upgrade::reconcile(&mut txn, ctx.upgrade_stuck, ctx.upgrade_hang)
    } else {
        Default::default()
    };
    nodes::reconcile(&mut txn, &restarting);
    deployment::reconcile(&mut txn);
    let pods = txn.list(Resource::Pod, None);
    let by_owner = pods::by_owner(&pods);
    replicaset::reconcile(&mut txn, &by_owner, ctx.rng);
    daemonset::reconcile(&mut txn, &by_owner, ctx.rng);
    statefulset::reconcile(&mut txn, &by_owner);
    jobs::reconcile(&mut txn, &by_owner, ctx.rng);
    let pods = txn.list(Resource::Pod, None);
    pods::schedule(&mut txn, &pods);
    kubelet::reconcile(&mut txn, &pods, prev, &restarting);
    gc::old_events(&mut txn, prev);
    txn.finish()
}
