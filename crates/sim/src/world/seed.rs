//! The objects a site starts with: namespaces, nodes, system pods and workloads.

use crate::resource::Resource;
use crate::spec::SiteSpec;
use serde_json::{Value, json};

/// Initial objects for a site, in creation order. The store assigns uids and versions.
pub fn seed(spec: &SiteSpec, now: jiff::Timestamp) -> Vec<(Resource, Value)> {
    // Stub: namespaces only; nodes, system pods and workloads land with the world.
    let _ = now;
    let _ = spec;
    ["default", "kube-system"]
        .into_iter()
        .map(|ns| {
            (
                Resource::Namespace,
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            )
        })
        .collect()
}
