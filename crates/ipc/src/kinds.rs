//! The closed sets of names that cross the IPC as enums rather than strings: a
//! workload's kind, a pod's phase, a condition's status, a node's upgrade role, why an upgrade is stuck, how
//! a site authenticates. Each keeps the wire name it had as a string, so the JSON is
//! unchanged; a name outside the set is refused when decoded instead of shown.

use serde::{Deserialize, Serialize};

/// A Kubernetes workload kind, on the wire as its API kind (`Deployment`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 5] = [
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::ReplicaSet,
        WorkloadKind::Job,
    ];

    /// `Deployment`, `deployment`, `deploy`, … (case-insensitive, as `kubectl` takes).
    pub fn parse(s: &str) -> Option<WorkloadKind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "deployment" | "deployments" | "deploy" => WorkloadKind::Deployment,
            "statefulset" | "statefulsets" | "sts" => WorkloadKind::StatefulSet,
            "daemonset" | "daemonsets" | "ds" => WorkloadKind::DaemonSet,
            "replicaset" | "replicasets" | "rs" => WorkloadKind::ReplicaSet,
            "job" | "jobs" => WorkloadKind::Job,
            _ => return None,
        })
    }

    /// The API kind, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::Job => "Job",
        }
    }
}

impl std::fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pod's phase, on the wire as Kubernetes names it (`Running`, …).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
    /// Also any phase this build does not know.
    #[default]
    Unknown,
}

impl PodPhase {
    pub const ALL: [PodPhase; 5] = [
        PodPhase::Pending,
        PodPhase::Running,
        PodPhase::Succeeded,
        PodPhase::Failed,
        PodPhase::Unknown,
    ];

    /// The phase of a pod's `status.phase` (`Unknown` for anything else).
    pub fn parse(s: &str) -> PodPhase {
        PodPhase::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .unwrap_or(PodPhase::Unknown)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Unknown => "Unknown",
        }
    }
}

impl std::fmt::Display for PodPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition's status, on the wire as Kubernetes writes it (`True`, `False`,
/// `Unknown`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConditionStatus {
    True,
    False,
    /// Also any status this build does not know.
    #[default]
    Unknown,
}

impl ConditionStatus {
    /// The status of a condition's `status` (`Unknown` for anything else).
    pub fn parse(s: &str) -> ConditionStatus {
        match s {
            "True" => ConditionStatus::True,
            "False" => ConditionStatus::False,
            _ => ConditionStatus::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConditionStatus::True => "True",
            ConditionStatus::False => "False",
            ConditionStatus::Unknown => "Unknown",
        }
    }
}

impl std::fmt::Display for ConditionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A node's part in a K3s upgrade: servers (control plane) go first, then agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeRole {
    Server,
    Agent,
}

impl NodeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Server => "server",
            NodeRole::Agent => "agent",
        }
    }
}

impl std::fmt::Display for NodeRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a node is reported stuck.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StuckKind {
    /// Its upgrade Job failed (e.g. `DeadlineExceeded`).
    #[default]
    JobFailed,
    /// Nothing changed (applying nodes, versions, Jobs) for longer than the no-progress
    /// window.
    NoProgress,
}

impl StuckKind {
    /// The name used in JSON (`job_failed`, `no_progress`).
    pub fn as_str(self) -> &'static str {
        match self {
            StuckKind::JobFailed => "job_failed",
            StuckKind::NoProgress => "no_progress",
        }
    }
}

/// How a site authenticates, on the wire in kebab-case (`client-cert`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    ClientCert,
    Token,
    Basic,
    Exec,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::ClientCert => "client-cert",
            CredentialKind::Token => "token",
            CredentialKind::Basic => "basic",
            CredentialKind::Exec => "exec",
        }
    }
}

impl std::fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_names_are_the_strings_they_replace() {
        for k in WorkloadKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.as_str()));
            assert_eq!(WorkloadKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(WorkloadKind::parse("sts"), Some(WorkloadKind::StatefulSet));
        assert_eq!(WorkloadKind::parse("CronJob"), None);
        for p in PodPhase::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), json!(p.as_str()));
            assert_eq!(PodPhase::parse(p.as_str()), p);
        }
        assert_eq!(PodPhase::parse("Evicted"), PodPhase::Unknown);
        for c in [
            ConditionStatus::True,
            ConditionStatus::False,
            ConditionStatus::Unknown,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), json!(c.as_str()));
            assert_eq!(ConditionStatus::parse(c.as_str()), c);
        }
        assert_eq!(ConditionStatus::parse("true"), ConditionStatus::Unknown);
        for r in [NodeRole::Server, NodeRole::Agent] {
            assert_eq!(serde_json::to_value(r).unwrap(), json!(r.as_str()));
        }
        for s in [StuckKind::JobFailed, StuckKind::NoProgress] {
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
        }
        for c in [
            CredentialKind::ClientCert,
            CredentialKind::Token,
            CredentialKind::Basic,
            CredentialKind::Exec,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), json!(c.as_str()));
        }
    }

    #[test]
    fn names_outside_the_set_are_refused() {
        assert!(serde_json::from_value::<WorkloadKind>(json!("deployment")).is_err());
        assert!(serde_json::from_value::<NodeRole>(json!("master")).is_err());
        assert!(serde_json::from_value::<PodPhase>(json!("running")).is_err());
        assert!(serde_json::from_value::<StuckKind>(json!("slow")).is_err());
        assert!(serde_json::from_value::<CredentialKind>(json!("oidc")).is_err());
    }
}
