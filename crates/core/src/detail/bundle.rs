//! The site view from a stored snapshot bundle: the full resources a bundle keeps
//! (images, pod phases, nodes' roles and versions, all events), which the health
//! engine's pruned snapshot does not have.

use super::convert;
use crate::bundle::Bundle;
use crate::health::SiteHealth;
use crate::registry::Site;
use outpost_ipc as ipc;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn typed<T: DeserializeOwned>(b: &Bundle, plural: &str) -> Vec<T> {
    b.resources
        .get(plural)
        .map(|v: &Vec<Value>| {
            v.iter()
                .filter_map(|o| serde_json::from_value(o.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The site view as of the bundle, flagged stale at its time.
pub fn from_bundle(site: &Site, b: &Bundle, health: Option<&SiteHealth>) -> ipc::SiteDetail {
    use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
    use k8s_openapi::api::core::v1::{Event, Node, Pod};
    let mut summary = super::summary(site, health.or(Some(&b.health)));
    if summary.stale.is_none() {
        summary.stale = Some(b.manifest.taken_at.as_millisecond());
    }
    let usage = convert::NodeUsage::new();
    let mut nodes: Vec<ipc::NodeInfo> = typed::<Node>(b, "nodes")
        .iter()
        .map(|n| convert::node(n, &usage))
        .collect();
    nodes.sort_by(|a, c| a.name.cmp(&c.name));
    let mut workloads: Vec<ipc::WorkloadInfo> = typed::<Deployment>(b, "deployments")
        .iter()
        .map(convert::deployment)
        .collect();
    workloads.extend(
        typed::<StatefulSet>(b, "statefulsets")
            .iter()
            .map(convert::statefulset),
    );
    workloads.extend(
        typed::<DaemonSet>(b, "daemonsets")
            .iter()
            .map(convert::daemonset),
    );
    workloads.sort_by(|a, c| (&a.namespace, &a.name).cmp(&(&c.namespace, &c.name)));
    let mut pods: Vec<ipc::PodInfo> = typed::<Pod>(b, "pods").iter().map(convert::pod).collect();
    pods.sort_by(|a, c| (&a.namespace, &a.name).cmp(&(&c.namespace, &c.name)));
    let mut events: Vec<ipc::EventInfo> = typed::<Event>(b, "events")
        .iter()
        .map(convert::event)
        .collect();
    convert::order_events(&mut events);
    ipc::SiteDetail {
        summary,
        nodes,
        workloads,
        pods,
        events,
    }
}
