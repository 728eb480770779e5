//! Reading one site in depth, within a deadline.

use super::convert::{self, NodeUsage};
use crate::client::{ClientCache, ClientError, classify, with_deadline};
use crate::health::SiteHealth;
use crate::registry::Site;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, ListParams};
use outpost_ipc as ipc;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Page size of lists.
const PAGE: u32 = 500;
/// At most this many pods and events are shown.
const MAX_ITEMS: usize = 2000;

async fn list<K>(api: Api<K>) -> Result<Vec<K>, ClientError>
where
    K: kube::Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut out = Vec::new();
    let mut lp = ListParams::default().limit(PAGE);
    loop {
        let page = api.list(&lp).await.map_err(|e| classify(&e))?;
        out.extend(page.items);
        match page.metadata.continue_ {
            Some(c) if !c.is_empty() && out.len() < MAX_ITEMS => lp = lp.continue_token(&c),
            _ => return Ok(out),
        }
    }
}

/// Node usage from metrics-server; empty when it is not installed or fails.
async fn node_usage(client: &kube::Client) -> NodeUsage {
    let req = match http::Request::get("/apis/metrics.k8s.io/v1beta1/nodes").body(Vec::new()) {
        Ok(r) => r,
        Err(_) => return NodeUsage::new(),
    };
    let Ok(v) = client.request::<serde_json::Value>(req).await else {
        return NodeUsage::new();
    };
    let items = v.get("items").and_then(|i| i.as_array());
    items
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let name = i.pointer("/metadata/name")?.as_str()?.to_string();
            let cpu = super::parse_cpu_millis(i.pointer("/usage/cpu")?.as_str()?)?;
            let mem = super::parse_memory_bytes(i.pointer("/usage/memory")?.as_str()?)?;
            Some((name, (cpu, mem)))
        })
        .collect()
}

/// Reads `site` live: nodes (with metrics when metrics-server answers), workloads,
/// pods and events, each list bounded; fails as a whole past `deadline`.
pub async fn fetch(
    site: &Site,
    clients: &ClientCache,
    health: Option<&SiteHealth>,
    deadline: Duration,
) -> Result<ipc::SiteDetail, ClientError> {
    let c = clients.get(site)?.requests;
    let read = async {
        let (nodes, usage, deps, sts, dss, pods, events) = futures::join!(
            list(Api::<Node>::all(c.clone())),
            node_usage(&c),
            list(Api::<Deployment>::all(c.clone())),
            list(Api::<StatefulSet>::all(c.clone())),
            list(Api::<DaemonSet>::all(c.clone())),
            list(Api::<Pod>::all(c.clone())),
            list(Api::<Event>::all(c.clone())),
        );
        let mut workloads: Vec<ipc::WorkloadInfo> = deps?.iter().map(convert::deployment).collect();
        workloads.extend(sts?.iter().map(convert::statefulset));
        workloads.extend(dss?.iter().map(convert::daemonset));
        workloads.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        let mut pods: Vec<ipc::PodInfo> = pods?.iter().map(convert::pod).collect();
        pods.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        pods.truncate(MAX_ITEMS);
        let mut events: Vec<ipc::EventInfo> = events?.iter().map(convert::event).collect();
        convert::order_events(&mut events);
        events.truncate(MAX_ITEMS);
        let mut nodes: Vec<ipc::NodeInfo> =
            nodes?.iter().map(|n| convert::node(n, &usage)).collect();
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ipc::SiteDetail {
            summary: super::summary(site, health),
            nodes,
            workloads,
            pods,
            events,
        })
    };
    with_deadline(deadline, "reading the site", read).await
}
