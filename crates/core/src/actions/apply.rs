//! Applying an [`Action`]: read the Deployment, change it, replace it with the read
//! `resourceVersion`; on 409 read again and redo the change on the fresh state.

use super::history::{owned_replicasets, revision_of};
use super::{Action, ActionError, WorkloadRef};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, PostParams};

/// How many times a conflicting write is retried on fresh state.
pub const MAX_CONFLICT_RETRIES: u32 = 8;

/// What an action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// False when the Deployment already was as asked (nothing written).
    pub changed: bool,
    /// `metadata.generation` after the write (what `observedGeneration` must reach).
    pub generation: i64,
    /// The revision before the action.
    pub revision_before: i64,
    /// 409 conflicts met and retried on fresh state.
    pub conflicts: u32,
}

/// Applies `action` to the Deployment, reading it fresh first.
pub async fn apply(
    client: &kube::Client,
    target: &WorkloadRef,
    action: &Action,
) -> Result<Applied, ActionError> {
    apply_from(client, target, action, None).await
}

/// Applies `action` starting from `base`, a copy of the Deployment read earlier (the one
/// a user looked at). If it is stale the write gets 409 and the action is redone on
/// freshly read state; a stale write is never forced.
pub async fn apply_from(
    client: &kube::Client,
    target: &WorkloadRef,
    action: &Action,
    base: Option<Deployment>,
) -> Result<Applied, ActionError> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), &target.namespace);
    let mut base = base;
    let mut conflicts = 0;
    loop {
        let d = match base.take() {
            Some(d) => d,
            None => api
                .get(&target.name)
                .await
                .map_err(|e| ActionError::from_kube(&e, target))?,
        };
        let revision_before = revision_of(&d.metadata);
        let mut next = d.clone();
        mutate(client, target, &mut next, action).await?;
        if next == d {
            return Ok(Applied {
                changed: false,
                generation: d.metadata.generation.unwrap_or(0),
                revision_before,
                conflicts,
            });
        }
        match api
            .replace(&target.name, &PostParams::default(), &next)
            .await
        {
            Ok(out) => {
                return Ok(Applied {
                    changed: true,
                    generation: out.metadata.generation.unwrap_or(0),
                    revision_before,
                    conflicts,
                });
            }
            Err(kube::Error::Api(s)) if s.code == 409 => {
                conflicts += 1;
                tracing::debug!(deployment = %target, conflicts, "conflict; retrying on fresh state");
                if conflicts > MAX_CONFLICT_RETRIES {
                    return Err(ActionError::Conflict {
                        attempts: conflicts,
                    });
                }
            }
            Err(e) => return Err(ActionError::from_kube(&e, target)),
        }
    }
}

async fn mutate(
    client: &kube::Client,
    target: &WorkloadRef,
    d: &mut Deployment,
    action: &Action,
) -> Result<(), ActionError> {
    if let Action::Rollback { to_revision } = action {
        let tpl = rollback_template(client, target, d, *to_revision).await?;
        d.spec.template = tpl;
        return Ok(());
    }
    let spec = &mut d.spec;
    match action {
        Action::SetImage { images } => {
            let pod = spec
                .template
                .spec
                .as_mut()
                .ok_or_else(|| ActionError::Invalid("deployment has no pod spec".into()))?;
            for (container, image) in images {
                let c = pod
                    .containers
                    .iter_mut()
                    .find(|c| &c.name == container)
                    .ok_or_else(|| ActionError::NoContainer(container.clone()))?;
                c.image = Some(image.clone());
            }
        }
        Action::Restart => {
            let now = jiff::Timestamp::now();
            let now = now.round(jiff::Unit::Second).unwrap_or(now);
            spec.template
                .metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default)
                .insert("kubectl.kubernetes.io/restartedAt".into(), now.to_string());
        }
        Action::Scale { replicas } => {
            if *replicas < 0 {
                return Err(ActionError::Invalid("replicas must be 0 or more".into()));
            }
            spec.replicas = Some(*replicas);
        }
        Action::Pause => spec.paused = Some(true),
        Action::Resume => spec.paused = None,
        Action::Rollback { .. } => {}
    }
    Ok(())
}

/// The template `kubectl rollout undo` would apply: the picked revision's ReplicaSet
/// template without its `pod-template-hash` label.
async fn rollback_template(
    client: &kube::Client,
    target: &WorkloadRef,
    d: &Deployment,
    to_revision: Option<i64>,
) -> Result<k8s_openapi::api::core::v1::PodTemplateSpec, ActionError> {
    let current = revision_of(&d.metadata);
    let rses = owned_replicasets(client, target, d).await?;
    let pick = match to_revision {
        Some(r) => rses
            .iter()
            .find(|rs| revision_of(&rs.metadata) == r)
            .ok_or(ActionError::NoRevision(r))?,
        None => rses
            .iter()
            .filter(|rs| revision_of(&rs.metadata) < current)
            .max_by_key(|rs| revision_of(&rs.metadata))
            .ok_or(ActionError::NoPreviousRevision)?,
    };
    let mut tpl = pick
        .spec
        .template
        .clone()
        .ok_or_else(|| ActionError::Invalid("replica set has no template".into()))?;
    if let Some(labels) = tpl.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove("pod-template-hash");
    }
    Ok(tpl)
}
