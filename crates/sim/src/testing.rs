//! Test helpers shared by every crate's tests (feature `test-support`): one builder for
//! hand-made [`SiteSpec`]s, one for workloads, and a renamed copy of a demo site.
//!
//! ```
//! use outpost_sim::spec::{Distro, WorkloadKind};
//! use outpost_sim::testing::{SiteBuilder, workload};
//! let spec = SiteBuilder::new("lyon-1", Distro::K3s)
//!     .nodes(2)
//!     .workload(workload("shop", "pos", WorkloadKind::Deployment, 2))
//!     .build();
//! assert_eq!(spec.nodes[1].name, "lyon-1-n1");
//! ```

use crate::spec::{Distro, LogProfile, NodeRole, NodeSpec, SiteSpec, WorkloadKind, WorkloadSpec};

/// A [`SiteSpec`] with test defaults: display name `Site NAME`, in Lyon, tagged `test`,
/// version `v1.31.4+k3s1` (K3s) or `v1.30.8` (MicroK8s), one server node `NAME-server`, no
/// workloads, no upgrade controller, certificates valid a year, online.
#[derive(Debug, Clone)]
pub struct SiteBuilder {
    spec: SiteSpec,
}

impl SiteBuilder {
    pub fn new(name: &str, distro: Distro) -> SiteBuilder {
        SiteBuilder {
            spec: SiteSpec {
                name: name.into(),
                display_name: format!("Site {name}"),
                city: "Lyon".into(),
                latitude: 45.76,
                longitude: 4.83,
                tags: vec!["test".into()],
                distro,
                version: match distro {
                    Distro::K3s => "v1.31.4+k3s1".into(),
                    Distro::MicroK8s => "v1.30.8".into(),
                },
                nodes: node_specs([format!("{name}-server")]),
                workloads: vec![],
                upgrade_controller: false,
                cert_valid_days: 365,
                offline: false,
            },
        }
    }

    pub fn display_name(mut self, display_name: &str) -> Self {
        self.spec.display_name = display_name.into();
        self
    }

    pub fn city(mut self, city: &str, latitude: f64, longitude: f64) -> Self {
        self.spec.city = city.into();
        self.spec.latitude = latitude;
        self.spec.longitude = longitude;
        self
    }

    pub fn tags(mut self, tags: &[&str]) -> Self {
        self.spec.tags = tags.iter().map(|t| t.to_string()).collect();
        self
    }

    /// The `/version` gitVersion the site reports.
    pub fn version(mut self, version: &str) -> Self {
        self.spec.version = version.into();
        self
    }

    /// `n` nodes named `NAME-n0`…: the first a server, the rest agents.
    pub fn nodes(self, n: usize) -> Self {
        let name = self.spec.name.clone();
        self.node_names((0..n).map(|i| format!("{name}-n{i}")))
    }

    /// Nodes with these names: the first a server, the rest agents.
    pub fn node_names(mut self, names: impl IntoIterator<Item = String>) -> Self {
        self.spec.nodes = node_specs(names);
        self
    }

    pub fn workload(mut self, w: WorkloadSpec) -> Self {
        self.spec.workloads.push(w);
        self
    }

    pub fn workloads(mut self, ws: Vec<WorkloadSpec>) -> Self {
        self.spec.workloads = ws;
        self
    }

    pub fn upgrade_controller(mut self, on: bool) -> Self {
        self.spec.upgrade_controller = on;
        self
    }

    pub fn build(self) -> SiteSpec {
        self.spec
    }
}

fn node_specs(names: impl IntoIterator<Item = String>) -> Vec<NodeSpec> {
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| NodeSpec {
            name,
            role: if i == 0 {
                NodeRole::Server
            } else {
                NodeRole::Agent
            },
            cpu_millis: 4000,
            memory_mib: 8192,
        })
        .collect()
}

/// A workload in `namespace`: container `app`, image
/// `registry.local:5000/apps/NAME:1.0.0`, JSON logs, not crash-looping. Change a field
/// with struct update syntax: `WorkloadSpec { logs, ..workload(…) }`.
pub fn workload(namespace: &str, name: &str, kind: WorkloadKind, replicas: u32) -> WorkloadSpec {
    WorkloadSpec {
        namespace: namespace.into(),
        name: name.into(),
        kind,
        container: "app".into(),
        image: format!("registry.local:5000/apps/{name}:1.0.0"),
        replicas,
        logs: LogProfile::Json,
        crash_loop: false,
    }
}

/// The first online demo site of `distro` ([`crate::demo::demo_fleet`]), renamed `name`,
/// online, with no workload crash-looping.
pub fn demo_site(distro: Distro, name: &str) -> SiteSpec {
    let mut s = crate::demo::demo_fleet()
        .into_iter()
        .find(|s| s.distro == distro && !s.offline)
        .unwrap_or_else(|| panic!("the demo fleet has an online {distro:?} site"));
    s.name = name.into();
    s.offline = false;
    for w in &mut s.workloads {
        w.crash_loop = false;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let s = SiteBuilder::new("m1", Distro::MicroK8s).build();
        assert_eq!(
            (s.version.as_str(), s.nodes.len(), s.nodes[0].name.as_str()),
            ("v1.30.8", 1, "m1-server")
        );
        let s = SiteBuilder::new("k", Distro::K3s)
            .nodes(3)
            .upgrade_controller(true)
            .build();
        let roles: Vec<_> = s.nodes.iter().map(|n| n.role).collect();
        assert_eq!(roles, [NodeRole::Server, NodeRole::Agent, NodeRole::Agent]);
        assert!(s.upgrade_controller);
    }

    #[test]
    fn a_demo_site_is_renamed_and_healthy() {
        let s = demo_site(Distro::K3s, "x");
        assert_eq!((s.name.as_str(), s.offline), ("x", false));
        assert!(s.workloads.iter().all(|w| !w.crash_loop));
    }
}
