//! A Deployment's current state and its revision history (its ReplicaSets), as
//! `kubectl rollout history` shows it.

use super::{ActionError, WorkloadRef};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, ListParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const REVISION: &str = "deployment.kubernetes.io/revision";

/// The `deployment.kubernetes.io/revision` annotation (0 when missing).
pub(crate) fn revision_of(m: &ObjectMeta) -> i64 {
    m.annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Container name → image of a pod template.
pub(crate) fn images_of(
    t: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>,
) -> BTreeMap<String, String> {
    t.and_then(|t| t.spec.as_ref())
        .map(|s| {
            s.containers
                .iter()
                .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// The ReplicaSets a Deployment controls.
pub(crate) async fn owned_replicasets(
    client: &kube::Client,
    target: &WorkloadRef,
    d: &Deployment,
) -> Result<Vec<ReplicaSet>, ActionError> {
    let api: Api<ReplicaSet> = Api::namespaced(client.clone(), &target.namespace);
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| ActionError::from_kube(&e, target))?;
    Ok(list
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .as_ref()
                .is_some_and(|o| o.iter().any(|r| r.uid == uid && r.controller == Some(true)))
        })
        .collect())
}

/// What a Deployment looks like now: enough to tell whether an action already happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadState {
    pub generation: i64,
    pub revision: i64,
    pub images: BTreeMap<String, String>,
    pub replicas: i32,
    pub paused: bool,
}

/// Reads the Deployment's current state.
pub async fn current(
    client: &kube::Client,
    target: &WorkloadRef,
) -> Result<WorkloadState, ActionError> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), &target.namespace);
    let d = api
        .get(&target.name)
        .await
        .map_err(|e| ActionError::from_kube(&e, target))?;
    Ok(state_of(&d))
}

/// Reads the Deployment: its state, and the object itself (to act on it without a
/// second read; a stale copy only costs a 409 and a retry).
pub async fn read(
    client: &kube::Client,
    target: &WorkloadRef,
) -> Result<(WorkloadState, Deployment), ActionError> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), &target.namespace);
    let d = api
        .get(&target.name)
        .await
        .map_err(|e| ActionError::from_kube(&e, target))?;
    Ok((state_of(&d), d))
}

pub(crate) fn state_of(d: &Deployment) -> WorkloadState {
    let spec = &d.spec;
    WorkloadState {
        generation: d.metadata.generation.unwrap_or(0),
        revision: revision_of(&d.metadata),
        images: images_of(Some(&spec.template)),
        replicas: spec.replicas.unwrap_or(1),
        paused: spec.paused.unwrap_or(false),
    }
}

/// One entry of the revision history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub revision: i64,
    pub replica_set: String,
    pub images: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_cause: Option<String>,
    /// Replicas the ReplicaSet currently wants.
    pub replicas: i32,
    /// Whether this is the Deployment's current revision.
    pub current: bool,
}

/// The revision history, oldest first.
pub async fn history(
    client: &kube::Client,
    target: &WorkloadRef,
) -> Result<Vec<Revision>, ActionError> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), &target.namespace);
    let d = api
        .get(&target.name)
        .await
        .map_err(|e| ActionError::from_kube(&e, target))?;
    let cur = revision_of(&d.metadata);
    let mut out: Vec<Revision> = owned_replicasets(client, target, &d)
        .await?
        .into_iter()
        .map(|rs| {
            let revision = revision_of(&rs.metadata);
            Revision {
                revision,
                replica_set: rs.metadata.name.clone().unwrap_or_default(),
                images: images_of(rs.spec.template.as_ref()),
                change_cause: rs
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("kubernetes.io/change-cause").cloned()),
                replicas: rs.spec.replicas.unwrap_or(0),
                current: revision == cur,
            }
        })
        .collect();
    out.sort_by_key(|r| r.revision);
    Ok(out)
}
