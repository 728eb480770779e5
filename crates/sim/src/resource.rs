//! The resources the simulator serves: group, version, plural, kind and scope.
//!
//! Shared by the API layer (discovery, routing, storage keys) and the simulated world
//! (controllers read and write objects by [`Resource`]).

use serde::{Deserialize, Serialize};

/// A resource type the simulator stores and serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Resource {
    Namespace,
    Node,
    Pod,
    Service,
    ConfigMap,
    Secret,
    Event,
    Deployment,
    ReplicaSet,
    DaemonSet,
    StatefulSet,
    Job,
    /// `upgrade.cattle.io/v1` Plan (system-upgrade-controller); served only where installed.
    Plan,
}

impl Resource {
    pub const ALL: [Resource; 13] = [
        Resource::Namespace,
        Resource::Node,
        Resource::Pod,
        Resource::Service,
        Resource::ConfigMap,
        Resource::Secret,
        Resource::Event,
        Resource::Deployment,
        Resource::ReplicaSet,
        Resource::DaemonSet,
        Resource::StatefulSet,
        Resource::Job,
        Resource::Plan,
    ];

    /// API group; `""` is the core group (served under `/api/v1`).
    pub fn group(self) -> &'static str {
        match self {
            Resource::Deployment
            | Resource::ReplicaSet
            | Resource::DaemonSet
            | Resource::StatefulSet => "apps",
            Resource::Job => "batch",
            Resource::Plan => "upgrade.cattle.io",
            _ => "",
        }
    }

    pub fn version(self) -> &'static str {
        "v1"
    }

    /// `apiVersion` as written in objects: `v1`, `apps/v1`, …
    pub fn api_version(self) -> &'static str {
        match self.group() {
            "apps" => "apps/v1",
            "batch" => "batch/v1",
            "upgrade.cattle.io" => "upgrade.cattle.io/v1",
            _ => "v1",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Resource::Namespace => "Namespace",
            Resource::Node => "Node",
            Resource::Pod => "Pod",
            Resource::Service => "Service",
            Resource::ConfigMap => "ConfigMap",
            Resource::Secret => "Secret",
            Resource::Event => "Event",
            Resource::Deployment => "Deployment",
            Resource::ReplicaSet => "ReplicaSet",
            Resource::DaemonSet => "DaemonSet",
            Resource::StatefulSet => "StatefulSet",
            Resource::Job => "Job",
            Resource::Plan => "Plan",
        }
    }

    /// Lowercase plural, as in URLs.
    pub fn plural(self) -> &'static str {
        match self {
            Resource::Namespace => "namespaces",
            Resource::Node => "nodes",
            Resource::Pod => "pods",
            Resource::Service => "services",
            Resource::ConfigMap => "configmaps",
            Resource::Secret => "secrets",
            Resource::Event => "events",
            Resource::Deployment => "deployments",
            Resource::ReplicaSet => "replicasets",
            Resource::DaemonSet => "daemonsets",
            Resource::StatefulSet => "statefulsets",
            Resource::Job => "jobs",
            Resource::Plan => "plans",
        }
    }

    pub fn namespaced(self) -> bool {
        !matches!(self, Resource::Namespace | Resource::Node)
    }

    /// Finds a resource by group and plural, as parsed from a URL.
    pub fn from_group_plural(group: &str, plural: &str) -> Option<Resource> {
        Resource::ALL
            .into_iter()
            .find(|r| r.group() == group && r.plural() == plural)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_plural_lookup_round_trips() {
        for r in Resource::ALL {
            assert_eq!(Resource::from_group_plural(r.group(), r.plural()), Some(r));
        }
        assert_eq!(Resource::from_group_plural("apps", "pods"), None);
    }
}
