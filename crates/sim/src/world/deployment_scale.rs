//! Scaling events (upstream `isScalingEvent`/`scale`): when `spec.replicas` changes while
//! ReplicaSets are active, the single active one is resized, a saturated new one takes
//! everything, or all active ones are scaled proportionally to their size (rolling
//! updates), leftovers going to the largest.

use super::deployment::{Bounds, DESIRED, MAX, scale};
use super::deployment_status::RsInfo;
use super::objects::annotation;
use super::txn::Txn;
use serde_json::Value;

fn annotated(rs: &RsInfo, key: &str) -> Option<i64> {
    annotation(&rs.obj, key).and_then(|s| s.parse().ok())
}

/// Whether an active ReplicaSet was sized for a different `spec.replicas`.
pub fn is_scaling_event(infos: &[RsInfo], desired: i64) -> bool {
    infos
        .iter()
        .filter(|r| r.replicas > 0 && !r.pending_create)
        .any(|r| annotated(r, DESIRED).is_some_and(|a| a != desired))
}

pub fn scale_event(
    txn: &mut Txn<'_>,
    d: &Value,
    infos: &mut [RsInfo],
    new_idx: Option<usize>,
    b: &Bounds,
) {
    let active: Vec<usize> = (0..infos.len())
        .filter(|&i| infos[i].replicas > 0)
        .collect();
    // FindActiveOrLatest: one active RS, or none (then the newest).
    let only = match active[..] {
        [one] => Some(one),
        [] => new_idx
            .or_else(|| (0..infos.len()).max_by(|&a, &b| infos[a].created.cmp(&infos[b].created))),
        _ => None,
    };
    if let Some(i) = only {
        scale(txn, d, &mut infos[i], b.desired, b);
        return;
    }
    // A saturated new RS: old ones go to zero.
    if let Some(ni) = new_idx {
        let n = &infos[ni];
        if n.replicas == b.desired
            && annotated(n, DESIRED) == Some(b.desired)
            && n.available == b.desired
        {
            for i in active.iter().copied().filter(|&i| i != ni) {
                scale(txn, d, &mut infos[i], 0, b);
            }
            return;
        }
    }
    if d.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("Recreate") {
        return;
    }
    let total: i64 = active.iter().map(|&i| infos[i].replicas).sum();
    let allowed = if b.desired > 0 {
        b.desired + b.max_surge
    } else {
        0
    };
    let to_add = allowed - total;
    let mut order = active.clone();
    order.sort_by(|&x, &y| {
        let (a, c) = (&infos[x], &infos[y]);
        c.replicas.cmp(&a.replicas).then(if to_add > 0 {
            c.created.cmp(&a.created)
        } else {
            a.created.cmp(&c.created)
        })
    });
    let status_replicas = d
        .pointer("/status/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut added = 0;
    let mut sizes: Vec<(usize, i64)> = Vec::new();
    for &i in &order {
        let rs = &infos[i];
        let mut size = rs.replicas;
        if to_add != 0 && added != to_add {
            // getReplicaSetFraction / GetProportion
            let fraction = if b.desired == 0 {
                -rs.replicas
            } else {
                let base = annotated(rs, MAX).unwrap_or(status_replicas).max(1);
                ((rs.replicas * allowed) as f64 / base as f64).round() as i64 - rs.replicas
            };
            let room = to_add - added;
            let p = if to_add > 0 {
                fraction.min(room)
            } else {
                fraction.max(room)
            };
            size += p;
            added += p;
        }
        sizes.push((i, size));
    }
    if let Some(first) = sizes.first_mut() {
        first.1 = (first.1 + to_add - added).max(0);
    }
    for (i, size) in sizes {
        scale(txn, d, &mut infos[i], size, b);
    }
}
