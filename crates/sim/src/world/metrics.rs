//! Resource usage for `metrics.k8s.io`: plausible, slowly varying, deterministic.
//!
//! Usage is a per-object baseline plus two sinusoids (an hourly and a ~7-minute swing)
//! plus smoothed hash noise, clamped under capacity (nodes) or limits (containers).

use super::objects::{fnv64, mix, name, namespace, str_at};
use serde_json::Value;
use std::f64::consts::TAU;

/// Parses a CPU quantity into millicores (`"500m"`, `"2"`, `"0.5"`).
pub fn cpu_millis(q: &str) -> Option<u64> {
    let q = q.trim();
    if let Some(m) = q.strip_suffix('m') {
        return m.parse::<f64>().ok().map(|v| v.round() as u64);
    }
    if let Some(n) = q.strip_suffix('n') {
        return n.parse::<f64>().ok().map(|v| (v / 1e6).round() as u64);
    }
    q.parse::<f64>().ok().map(|v| (v * 1000.0).round() as u64)
}

/// Parses a memory quantity into bytes (`"128Mi"`, `"1Gi"`, `"8048Ki"`, `"1G"`, `"1000"`).
pub fn mem_bytes(q: &str) -> Option<u64> {
    let q = q.trim();
    const UNITS: [(&str, f64); 8] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
    ];
    for (suffix, mult) in UNITS {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<f64>().ok().map(|v| (v * mult).round() as u64);
        }
    }
    q.parse::<f64>().ok().map(|v| v.round() as u64)
}

fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A load fraction in [0.02, 0.95] that drifts smoothly with time.
fn load(key: u64, now: jiff::Timestamp, base: f64, swing: f64) -> f64 {
    let t = now.as_millisecond() as f64 / 1000.0;
    let p1 = unit(mix(&[key, 1])) * TAU;
    let p2 = unit(mix(&[key, 2])) * TAU;
    let bucket = (t / 30.0).floor();
    let frac = t / 30.0 - bucket;
    let n0 = unit(mix(&[key, 3, bucket as i64 as u64])) - 0.5;
    let n1 = unit(mix(&[key, 3, (bucket as i64 + 1) as u64])) - 0.5;
    let noise = n0 + (n1 - n0) * frac;
    let v = base
        + swing * (TAU * t / 3600.0 + p1).sin()
        + swing * 0.5 * (TAU * t / 397.0 + p2).sin()
        + swing * 0.6 * noise;
    v.clamp(0.02, 0.95)
}

/// CPU (millicores) and memory (bytes) a node is using at `now`.
pub fn node_usage(seed: u64, node: &Value, now: jiff::Timestamp) -> (u64, u64) {
    let key = mix(&[seed, fnv64(name(node).as_bytes())]);
    let cpu_cap = str_at(node, "/status/capacity/cpu")
        .and_then(cpu_millis)
        .unwrap_or(2000);
    let mem_cap = str_at(node, "/status/capacity/memory")
        .and_then(mem_bytes)
        .unwrap_or(4 << 30);
    let cpu_base = 0.12 + 0.25 * unit(mix(&[key, 10]));
    let mem_base = 0.30 + 0.30 * unit(mix(&[key, 11]));
    let cpu = cpu_cap as f64 * load(key, now, cpu_base, 0.08);
    let mem = mem_cap as f64 * load(key ^ 0xabc, now, mem_base, 0.03);
    (cpu.round() as u64, mem.round() as u64)
}

/// Per-container CPU (millicores) and memory (bytes) a running pod is using at `now`.
pub fn pod_usage(seed: u64, pod: &Value, now: jiff::Timestamp) -> Vec<(String, u64, u64)> {
    let Some(containers) = pod.pointer("/spec/containers").and_then(Value::as_array) else {
        return Vec::new();
    };
    let statuses = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array);
    let running = |c: &str| {
        statuses.is_some_and(|s| {
            s.iter()
                .any(|cs| cs["name"] == c && cs.pointer("/state/running").is_some())
        })
    };
    containers
        .iter()
        .filter_map(|c| {
            let cname = c["name"].as_str()?;
            if !running(cname) {
                return None;
            }
            let key = mix(&[
                seed,
                fnv64(format!("{}/{}/{cname}", namespace(pod), name(pod)).as_bytes()),
            ]);
            let res = |kind: &str, what: &str| {
                c.pointer(&format!("/resources/{kind}/{what}"))
                    .and_then(Value::as_str)
            };
            // Usage follows the request (idle system pods use a few millicores, busy
            // ones more), never above the limit.
            let cpu_req = res("requests", "cpu").and_then(cpu_millis).unwrap_or(100);
            let cpu_lim = res("limits", "cpu")
                .and_then(cpu_millis)
                .unwrap_or(cpu_req * 4);
            let mem_req = res("requests", "memory")
                .and_then(mem_bytes)
                .unwrap_or(64 << 20);
            let mem_lim = res("limits", "memory")
                .and_then(mem_bytes)
                .unwrap_or(mem_req * 2);
            let busy = 0.1 + 0.6 * unit(mix(&[key, 5]));
            let cpu = (cpu_req as f64 * 2.0 * load(key, now, busy, 0.15)).min(cpu_lim as f64);
            let mem_frac = load(key ^ 0x55, now, 0.35 + 0.3 * unit(mix(&[key, 6])), 0.04);
            let mem = (mem_req as f64 * 2.0 * mem_frac).min(mem_lim as f64);
            Some((
                cname.to_string(),
                (cpu.round() as u64).max(1),
                mem.round() as u64,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_parse() {
        assert_eq!(cpu_millis("500m"), Some(500));
        assert_eq!(cpu_millis("2"), Some(2000));
        assert_eq!(mem_bytes("128Mi"), Some(128 << 20));
        assert_eq!(mem_bytes("8048Ki"), Some(8048 * 1024));
        assert_eq!(mem_bytes("1G"), Some(1_000_000_000));
    }

    #[test]
    fn node_usage_is_bounded_deterministic_and_varies_slowly() {
        let node = json!({"metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "4", "memory": "8192Mi"}}});
        let t0: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
        let mut prev = node_usage(7, &node, t0);
        let mut distinct = std::collections::HashSet::new();
        for i in 1..2000 {
            let t = super::super::objects::plus(t0, i as f64 * 5.0);
            let (c, m) = node_usage(7, &node, t);
            assert!(c <= 4000 && m <= 8192 << 20);
            assert!(
                c.abs_diff(prev.0) < 200,
                "cpu jumps too much: {} -> {c}",
                prev.0
            );
            distinct.insert(c / 50);
            prev = (c, m);
        }
        assert!(distinct.len() > 3, "usage should vary over time");
        assert_eq!(node_usage(7, &node, t0), node_usage(7, &node, t0));
    }

    #[test]
    fn pod_usage_only_for_running_containers_and_under_limits() {
        let pod = json!({"metadata": {"name": "p", "namespace": "apps"},
            "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}},
                                    {"name": "b"}]},
            "status": {"containerStatuses": [{"name": "a", "state": {"running": {}}},
                                             {"name": "b", "state": {"waiting": {}}}]}});
        let now: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
        let u = pod_usage(1, &pod, now);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].0, "a");
        assert!(u[0].1 <= 500 && u[0].2 <= 256 << 20 && u[0].2 > 0);
    }
}
