//! Workload actions on one site's Deployment: set image (per container), restart, scale,
//! roll back (to the previous revision or a picked one), pause and resume; their progress
//! with `kubectl rollout status` semantics; and the per-site change journal.
//!
//! Writes are read-modify-replace with the object's `resourceVersion`: a 409 conflict is
//! retried on freshly read state, never forced.

use crate::error::ErrorKind;

mod apply;
mod changes;
mod history;
mod progress;
mod watch;

pub use apply::{Applied, MAX_CONFLICT_RETRIES, apply, apply_from};
pub(crate) use changes::append_line as append_journal_line;
pub use changes::{ChangeLog, ChangeRecord, os_user};
pub use history::{Revision, WorkloadState, current, history, read};
pub use progress::{FailReason, Progress, RolloutState, RolloutStatus, evaluate};
pub use watch::{WatchOptions, progress, soak, wait};

use crate::client::{ClientError, classify};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Errors from workload actions.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The site could not be reached or answered with an error.
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("deployment {namespace}/{name} not found")]
    NotFound { namespace: String, name: String },
    #[error("deployment has no container named {0:?}")]
    NoContainer(String),
    #[error("no revision {0} in the deployment's history")]
    NoRevision(i64),
    #[error("no previous revision to roll back to")]
    NoPreviousRevision,
    /// Every attempt met a newer version written by someone else.
    #[error("conflict: the deployment kept changing ({attempts} attempts); nothing was forced")]
    Conflict { attempts: u32 },
    #[error("{0}")]
    Invalid(String),
    #[error("change journal {path}: {source}")]
    Journal {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ActionError {
    /// Coarse category: the client's kinds (`unreachable`, `timeout`, …), `not_found`,
    /// `invalid_input`, `conflict`, `storage`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ActionError::Client(e) => e.kind(),
            ActionError::NotFound { .. }
            | ActionError::NoRevision(_)
            | ActionError::NoPreviousRevision => ErrorKind::NotFound,
            ActionError::NoContainer(_) | ActionError::Invalid(_) => ErrorKind::InvalidInput,
            ActionError::Conflict { .. } => ErrorKind::Conflict,
            ActionError::Journal { .. } => ErrorKind::Storage,
        }
    }

    /// Whether the site was unreachable (as opposed to refusing the action).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ActionError::Client(e) if e.kind().is_offline())
    }

    pub(crate) fn from_kube(e: &kube::Error, target: &WorkloadRef) -> ActionError {
        if let kube::Error::Api(s) = e
            && s.code == 404
        {
            return ActionError::NotFound {
                namespace: target.namespace.clone(),
                name: target.name.clone(),
            };
        }
        ActionError::Client(classify(e))
    }
}

/// A Deployment, by namespace and name (matched by name across sites).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WorkloadRef {
    pub namespace: String,
    pub name: String,
}

impl WorkloadRef {
    /// Parses `NAMESPACE/NAME`.
    pub fn parse(s: &str) -> Result<WorkloadRef, ActionError> {
        match s.split_once('/') {
            Some((ns, n))
                if crate::registry::is_dns_label(ns)
                    && !n.is_empty()
                    && n.len() <= 253
                    && n.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'
                    }) =>
            {
                Ok(WorkloadRef {
                    namespace: ns.to_string(),
                    name: n.to_string(),
                })
            }
            _ => Err(ActionError::Invalid(format!(
                "{s:?} is not NAMESPACE/DEPLOYMENT"
            ))),
        }
    }
}

impl std::fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// What to do to a Deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Set the image of each named container.
    SetImage {
        images: BTreeMap<String, String>,
    },
    /// Restart every pod (a new `kubectl.kubernetes.io/restartedAt` template annotation).
    Restart,
    Scale {
        replicas: i32,
    },
    /// Re-apply the template of a revision (the previous one when `None`), like
    /// `kubectl rollout undo [--to-revision]`.
    Rollback {
        to_revision: Option<i64>,
    },
    Pause,
    Resume,
}

impl Action {
    /// A one-line description for journals and confirmations.
    pub fn describe(&self) -> String {
        match self {
            Action::SetImage { images } => {
                let parts: Vec<String> = images.iter().map(|(c, i)| format!("{c}={i}")).collect();
                format!("set image {}", parts.join(" "))
            }
            Action::Restart => "restart".into(),
            Action::Scale { replicas } => format!("scale to {replicas}"),
            Action::Rollback { to_revision: None } => "roll back to the previous revision".into(),
            Action::Rollback {
                to_revision: Some(r),
            } => format!("roll back to revision {r}"),
            Action::Pause => "pause".into(),
            Action::Resume => "resume".into(),
        }
    }

    /// Whether the action starts a rollout worth following to completion.
    pub fn rolls_out(&self) -> bool {
        !matches!(self, Action::Pause)
    }
}

/// Parses `CONTAINER=IMAGE` pairs.
pub fn parse_images<S: AsRef<str>>(pairs: &[S]) -> Result<BTreeMap<String, String>, ActionError> {
    let mut out = BTreeMap::new();
    for p in pairs {
        let p = p.as_ref();
        let Some((c, i)) = p.split_once('=') else {
            return Err(ActionError::Invalid(format!(
                "{p:?} is not CONTAINER=IMAGE"
            )));
        };
        if c.is_empty() || i.is_empty() || i.chars().any(char::is_whitespace) {
            return Err(ActionError::Invalid(format!(
                "{p:?} is not CONTAINER=IMAGE"
            )));
        }
        if out.insert(c.to_string(), i.to_string()).is_some() {
            return Err(ActionError::Invalid(format!("container {c:?} given twice")));
        }
    }
    if out.is_empty() {
        return Err(ActionError::Invalid("no CONTAINER=IMAGE given".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_refs_and_images() {
        let r = WorkloadRef::parse("shop/pos-terminal").unwrap();
        assert_eq!(r.to_string(), "shop/pos-terminal");
        for bad in ["shop", "/x", "Shop/x", "shop/", "shop/X y"] {
            assert_eq!(
                WorkloadRef::parse(bad).unwrap_err().kind(),
                crate::error::ErrorKind::InvalidInput
            );
        }
        let m = parse_images(&["app=reg/pos:2.4", "side=reg/s:1"]).unwrap();
        assert_eq!(m["app"], "reg/pos:2.4");
        assert!(parse_images(&["app"]).is_err());
        assert!(parse_images(&["app=a", "app=b"]).is_err());
        assert!(parse_images::<&str>(&[]).is_err());
    }
}
