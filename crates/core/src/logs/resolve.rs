//! What to stream: a pod, or a workload resolved to its label selector and pods.

use super::{LogError, check_name};
use crate::client::{ClientCache, ClientError};
use crate::registry::Site;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::Api;
use kube::api::ListParams;

/// Workload kinds whose pods can be aggregated (the IPC's enum).
pub use outpost_ipc::WorkloadKind;

/// A pod, or every pod of a workload, in one namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Pod {
        namespace: String,
        name: String,
    },
    Workload {
        namespace: String,
        kind: WorkloadKind,
        name: String,
    },
}

impl Target {
    pub fn namespace(&self) -> &str {
        match self {
            Target::Pod { namespace, .. } | Target::Workload { namespace, .. } => namespace,
        }
    }

    pub fn validate(&self) -> Result<(), LogError> {
        check_name("namespace", self.namespace())?;
        match self {
            Target::Pod { name, .. } => check_name("pod", name),
            Target::Workload { name, .. } => check_name("workload", name),
        }
    }
}

/// A label selector in the `kubectl -l` syntax.
pub fn selector_string(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let vals = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({vals})", e.key),
            "NotIn" => format!("{} notin ({vals})", e.key),
            "Exists" => e.key.clone(),
            _ => format!("!{}", e.key),
        });
    }
    parts.join(",")
}

async fn selector_of<K>(
    api: Api<K>,
    name: &str,
    get: fn(&K) -> Option<&LabelSelector>,
) -> Result<String, LogError>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let o = api.get(name).await.map_err(|e| LogError::kube(&e))?;
    let s = get(&o).map(selector_string).unwrap_or_default();
    if s.is_empty() {
        return Err(LogError::InvalidInput(format!(
            "{name} has an empty selector"
        )));
    }
    Ok(s)
}

/// The label selector of a workload.
pub(crate) async fn workload_selector(
    c: &kube::Client,
    ns: &str,
    kind: WorkloadKind,
    name: &str,
) -> Result<String, LogError> {
    let c = c.clone();
    match kind {
        WorkloadKind::Deployment => {
            selector_of(Api::<Deployment>::namespaced(c, ns), name, |o| {
                Some(&o.spec.selector)
            })
            .await
        }
        WorkloadKind::StatefulSet => {
            selector_of(Api::<StatefulSet>::namespaced(c, ns), name, |o| {
                Some(&o.spec.selector)
            })
            .await
        }
        WorkloadKind::DaemonSet => {
            selector_of(Api::<DaemonSet>::namespaced(c, ns), name, |o| {
                Some(&o.spec.selector)
            })
            .await
        }
        WorkloadKind::ReplicaSet => {
            selector_of(Api::<ReplicaSet>::namespaced(c, ns), name, |o| {
                Some(&o.spec.selector)
            })
            .await
        }
        WorkloadKind::Job => {
            selector_of(Api::<Job>::namespaced(c, ns), name, |o| {
                o.spec.as_ref().and_then(|s| s.selector.as_ref())
            })
            .await
        }
    }
}

/// The pods a target covers right now.
pub(crate) async fn pods_of(c: &kube::Client, t: &Target) -> Result<Vec<Pod>, LogError> {
    let api = Api::<Pod>::namespaced(c.clone(), t.namespace());
    match t {
        Target::Pod { name, .. } => Ok(vec![api.get(name).await.map_err(|e| LogError::kube(&e))?]),
        Target::Workload {
            namespace,
            kind,
            name,
        } => {
            let sel = workload_selector(c, namespace, *kind, name).await?;
            let list = api
                .list(&ListParams::default().labels(&sel))
                .await
                .map_err(|e| LogError::kube(&e))?;
            Ok(list.items)
        }
    }
}

/// A container of a pod, for the container picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerInfo {
    pub name: String,
    pub init: bool,
    /// `running`, `waiting: CrashLoopBackOff`, `terminated: Error`, …
    pub state: String,
    pub restarts: i32,
    /// A terminated previous instance exists (`previous` logs are available).
    pub has_previous: bool,
}

/// A pod and its containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodContainers {
    pub pod: String,
    pub phase: String,
    pub containers: Vec<ContainerInfo>,
}

/// Container names of a pod (`spec.containers`, then `spec.initContainers`).
pub(crate) fn container_names(p: &Pod) -> Vec<String> {
    p.spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default()
}

fn describe(p: &Pod) -> PodContainers {
    let statuses = p.status.as_ref();
    let status_of = |name: &str, init: bool| {
        let list = if init {
            statuses.and_then(|s| s.init_container_statuses.as_ref())
        } else {
            statuses.and_then(|s| s.container_statuses.as_ref())
        };
        list.and_then(|l| l.iter().find(|c| c.name == name))
    };
    let mut containers = Vec::new();
    let spec = p.spec.as_ref();
    let init = spec
        .and_then(|s| s.init_containers.as_ref())
        .into_iter()
        .flatten()
        .map(|c| (c, true));
    for (c, is_init) in spec
        .map(|s| s.containers.iter().map(|c| (c, false)))
        .into_iter()
        .flatten()
        .chain(init)
    {
        let st = status_of(&c.name, is_init);
        let state = st.and_then(|s| s.state.as_ref()).map_or_else(
            || "unknown".to_string(),
            |s| {
                if s.running.is_some() {
                    "running".to_string()
                } else if let Some(w) = &s.waiting {
                    format!("waiting: {}", w.reason.clone().unwrap_or_default())
                } else if let Some(t) = &s.terminated {
                    format!("terminated: {}", t.reason.clone().unwrap_or_default())
                } else {
                    "unknown".to_string()
                }
            },
        );
        containers.push(ContainerInfo {
            name: c.name.clone(),
            init: is_init,
            state,
            restarts: st.map_or(0, |s| s.restart_count),
            has_previous: st
                .and_then(|s| s.last_state.as_ref())
                .is_some_and(|l| l.terminated.is_some()),
        });
    }
    PodContainers {
        pod: p.metadata.name.clone().unwrap_or_default(),
        phase: statuses.and_then(|s| s.phase.clone()).unwrap_or_default(),
        containers,
    }
}

/// The pods of a target on one site and their containers, sorted by pod name.
pub async fn containers(
    clients: &ClientCache,
    site: &Site,
    t: &Target,
) -> Result<Vec<PodContainers>, LogError> {
    t.validate()?;
    let c = clients.get(site)?.requests;
    let deadline = clients.timeouts().request * 2;
    let pods = tokio::time::timeout(deadline, pods_of(&c, t))
        .await
        .map_err(|_| {
            LogError::Client(ClientError::Timeout(format!(
                "listing pods: no answer within {deadline:?}"
            )))
        })??;
    let mut out: Vec<PodContainers> = pods.iter().map(describe).collect();
    out.sort_by(|a, b| a.pod.cmp(&b.pod));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    #[test]
    fn selectors_render_like_kubectl() {
        let sel = LabelSelector {
            match_labels: Some(
                [
                    ("app".to_string(), "pos".to_string()),
                    ("tier".to_string(), "web".to_string()),
                ]
                .into(),
            ),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "env".into(),
                    operator: "In".into(),
                    values: Some(vec!["a".into(), "b".into()]),
                },
                LabelSelectorRequirement {
                    key: "x".into(),
                    operator: "Exists".into(),
                    values: None,
                },
                LabelSelectorRequirement {
                    key: "y".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                },
                LabelSelectorRequirement {
                    key: "z".into(),
                    operator: "NotIn".into(),
                    values: Some(vec!["c".into()]),
                },
            ]),
        };
        assert_eq!(
            selector_string(&sel),
            "app=pos,tier=web,env in (a,b),x,!y,z notin (c)"
        );
    }

    #[test]
    fn kinds_parse_case_insensitively() {
        assert_eq!(
            WorkloadKind::parse("Deployment"),
            Some(WorkloadKind::Deployment)
        );
        assert_eq!(WorkloadKind::parse("sts"), Some(WorkloadKind::StatefulSet));
        assert_eq!(WorkloadKind::parse("CronJob"), None);
        for k in [
            WorkloadKind::Deployment,
            WorkloadKind::StatefulSet,
            WorkloadKind::DaemonSet,
            WorkloadKind::ReplicaSet,
            WorkloadKind::Job,
        ] {
            assert_eq!(WorkloadKind::parse(k.as_str()), Some(k));
        }
    }
}
