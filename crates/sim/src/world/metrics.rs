//! Resource usage for `metrics.k8s.io`: plausible, slowly varying, deterministic.

use serde_json::Value;

/// CPU (millicores) and memory (bytes) a node is using at `now`.
pub fn node_usage(seed: u64, node: &Value, now: jiff::Timestamp) -> (u64, u64) {
    let _ = (seed, node, now);
    (0, 0)
}

/// Per-container CPU (millicores) and memory (bytes) a running pod is using at `now`.
pub fn pod_usage(seed: u64, pod: &Value, now: jiff::Timestamp) -> Vec<(String, u64, u64)> {
    let _ = (seed, pod, now);
    Vec::new()
}
