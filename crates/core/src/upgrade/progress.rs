//! Per-node progress of a K3s upgrade: the Plans' `status.applying`, the upgrade Jobs and
//! the nodes' kubelet versions; a stuck upgrade (a Job failed on its deadline, or a node
//! applying with no Job) is reported with next steps. An upgrade that makes no progress at
//! all is found by `stall` across calls.

use super::plans::{AGENT_PLAN, Controller, NAMESPACE, SERVER_PLAN, detect, plan_resource};
use super::{UpgradeError, kube_err};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, DynamicObject, ListParams};
use outpost_ipc::NodeRole;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    /// At the target version (or no upgrade planned).
    UpToDate,
    /// Not started yet (concurrency 1: another node goes first, or outside the window).
    Waiting,
    Upgrading,
    Stuck,
}

/// One node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeUpgrade {
    pub name: String,
    pub role: NodeRole,
    pub version: String,
    pub target: Option<String>,
    pub state: NodeState,
    pub cordoned: bool,
    pub job: Option<String>,
}

/// Why a node is reported stuck (the IPC's enum).
pub use outpost_ipc::StuckKind;

/// A stuck node and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stuck {
    pub node: String,
    pub job: Option<String>,
    #[serde(default)]
    pub kind: StuckKind,
    pub reason: String,
    pub next_steps: Vec<String>,
    /// For `no_progress`: when the upgrade last changed, as this laptop saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<jiff::Timestamp>,
}

/// A site's upgrade, as seen now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteUpgrade {
    pub controller: Controller,
    /// The version the Plans pin (none when no Outpost Plan exists).
    pub target: Option<String>,
    /// Nodes in `status.applying` of any Plan.
    pub applying: Vec<String>,
    pub nodes: Vec<NodeUpgrade>,
    pub stuck: Vec<Stuck>,
    /// Every node is at the target.
    pub done: bool,
    /// A Plan has a maintenance window: waiting outside it is not a lack of progress.
    #[serde(default)]
    pub windowed: bool,
}

fn job_failed(j: &Job) -> Option<String> {
    let c = j
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Failed" && c.status == "True")?;
    Some(format!(
        "{}: {}",
        c.reason.clone().unwrap_or_else(|| "Failed".into()),
        c.message.clone().unwrap_or_default()
    ))
}

fn next_steps(node: &str, job: Option<&str>) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(j) = job {
        v.push(format!("see why: kubectl -n {NAMESPACE} logs job/{j}"));
    }
    v.push(format!(
        "node {node} stays cordoned and system-upgrade-controller never rolls back: fix the cause on the node first"
    ));
    if let Some(j) = job {
        v.push(format!("then retry: kubectl -n {NAMESPACE} delete job {j}"));
    }
    v.push(format!(
        "or give up: kubectl -n {NAMESPACE} delete plan {SERVER_PLAN} {AGENT_PLAN} && kubectl uncordon {node}"
    ));
    v
}

/// Reads a site's upgrade progress.
pub async fn status(client: &kube::Client) -> Result<SiteUpgrade, UpgradeError> {
    let controller = detect(client).await?;
    let nodes: Api<Node> = Api::all(client.clone());
    let nodes = nodes
        .list(&ListParams::default())
        .await
        .map_err(|e| kube_err(&e))?
        .items;
    let (mut plans, mut jobs) = (Vec::new(), Vec::new());
    if controller.installed() {
        let api: Api<DynamicObject> =
            Api::namespaced_with(client.clone(), NAMESPACE, &plan_resource());
        plans = api
            .list(&ListParams::default())
            .await
            .map_err(|e| kube_err(&e))?
            .items;
        let japi: Api<Job> = Api::namespaced(client.clone(), NAMESPACE);
        jobs = japi
            .list(&ListParams::default().labels("upgrade.cattle.io/plan"))
            .await
            .map_err(|e| kube_err(&e))?
            .items;
    }
    let plan = |name: &str| {
        plans
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(name))
    };
    let version_of = |p: &DynamicObject| {
        p.data
            .pointer("/spec/version")
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let mut applying: Vec<String> = plans
        .iter()
        .flat_map(|p| {
            p.data
                .pointer("/status/applying")
                .and_then(|a| a.as_array())
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    applying.sort();
    applying.dedup();
    let target = plan(SERVER_PLAN)
        .or_else(|| plan(AGENT_PLAN))
        .and_then(version_of);
    let mut out = Vec::new();
    let mut stuck = Vec::new();
    for n in &nodes {
        let name = n.metadata.name.clone().unwrap_or_default();
        let server = n.metadata.labels.as_ref().is_some_and(|l| {
            l.get("node-role.kubernetes.io/control-plane")
                .map(String::as_str)
                == Some("true")
        });
        let pname = if server { SERVER_PLAN } else { AGENT_PLAN };
        let want = plan(pname).and_then(version_of);
        let version = n
            .status
            .as_ref()
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone())
            .unwrap_or_default();
        let cordoned = n
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false);
        let mut node_jobs: Vec<&Job> = jobs
            .iter()
            .filter(|j| {
                let l = j.metadata.labels.as_ref();
                l.and_then(|l| l.get("upgrade.cattle.io/node")) == Some(&name)
                    && l.and_then(|l| l.get("upgrade.cattle.io/plan"))
                        .map(String::as_str)
                        == Some(pname)
            })
            .collect();
        node_jobs.sort_by_key(|j| j.metadata.creation_timestamp.as_ref().map(|t| t.0));
        let job = node_jobs.last().copied();
        let job_name = job.and_then(|j| j.metadata.name.clone());
        let state = match &want {
            None => NodeState::UpToDate,
            Some(w) if *w == version => NodeState::UpToDate,
            Some(_) => match job {
                Some(j) if job_failed(j).is_some() => {
                    let reason = job_failed(j).unwrap_or_default();
                    stuck.push(Stuck {
                        node: name.clone(),
                        job: job_name.clone(),
                        kind: StuckKind::JobFailed,
                        since: None,
                        reason: format!(
                            "upgrade Job {} failed: {reason}",
                            job_name.clone().unwrap_or_default()
                        ),
                        next_steps: next_steps(&name, job_name.as_deref()),
                    });
                    NodeState::Stuck
                }
                // Running, or done while the node restarts and has not reported the
                // new version yet. A node that stays here, or that the Plan lists as
                // applying while no Job comes, is reported by the no-progress check
                // (stall.rs): judged at once, both are normal for a moment.
                Some(_) => NodeState::Upgrading,
                None if applying.contains(&name) => NodeState::Upgrading,
                None => NodeState::Waiting,
            },
        };
        out.push(NodeUpgrade {
            name,
            role: if server {
                NodeRole::Server
            } else {
                NodeRole::Agent
            },
            version,
            target: want,
            state,
            cordoned,
            job: job_name,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    let done = target.is_some() && out.iter().all(|n| n.state == NodeState::UpToDate);
    let windowed = plans
        .iter()
        .any(|p| p.data.pointer("/spec/window").is_some_and(|w| !w.is_null()));
    Ok(SiteUpgrade {
        controller,
        target,
        applying,
        nodes: out,
        stuck,
        done,
        windowed,
    })
}
