//! Small helpers over JSON objects: field access, times, hashes, selectors, owners.

use serde_json::{Map, Value, json};

pub use super::hashing::{
    base64, fnv64, mix, random_suffix, spec_template_hash, template_hash, value_hash,
};

/// `metadata.name` (empty when missing).
pub fn name(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.namespace` (empty for cluster-scoped objects).
pub fn namespace(obj: &Value) -> &str {
    obj.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.uid` (empty before the store assigned one).
pub fn uid(obj: &Value) -> &str {
    obj.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub fn str_at<'a>(obj: &'a Value, ptr: &str) -> Option<&'a str> {
    obj.pointer(ptr).and_then(Value::as_str)
}

pub fn i64_at(obj: &Value, ptr: &str) -> Option<i64> {
    obj.pointer(ptr).and_then(Value::as_i64)
}

pub fn bool_at(obj: &Value, ptr: &str) -> bool {
    obj.pointer(ptr).and_then(Value::as_bool).unwrap_or(false)
}

pub fn generation(obj: &Value) -> i64 {
    i64_at(obj, "/metadata/generation").unwrap_or(1)
}

/// A label or annotation value.
pub fn label<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get("metadata")?.get("labels")?.get(key)?.as_str()
}

pub fn annotation<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get("metadata")?.get("annotations")?.get(key)?.as_str()
}

/// The object at `ptr` as a mutable map, creating empty objects along the way.
pub fn map_mut<'a>(obj: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = obj;
    for key in path {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else {
            unreachable!("just made an object")
        };
        cur = m
            .entry((*key).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !cur.is_object() {
        *cur = Value::Object(Map::new());
    }
    match cur {
        Value::Object(m) => m,
        _ => unreachable!("just made an object"),
    }
}

pub fn set_annotation(obj: &mut Value, key: &str, value: &str) {
    map_mut(obj, &["metadata", "annotations"]).insert(key.to_string(), json!(value));
}

/// RFC 3339 at second precision, as the API server writes times.
pub fn ts(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses an RFC 3339 time field.
pub fn time_at(obj: &Value, ptr: &str) -> Option<jiff::Timestamp> {
    str_at(obj, ptr).and_then(|s| s.parse().ok())
}

/// `t + secs` (saturating to `t` on overflow).
pub fn plus(t: jiff::Timestamp, secs: f64) -> jiff::Timestamp {
    let d = jiff::SignedDuration::from_secs_f64(secs);
    t.checked_add(d).unwrap_or(t)
}

/// Seconds from `a` to `b`.
pub fn secs_between(a: jiff::Timestamp, b: jiff::Timestamp) -> f64 {
    b.duration_since(a).as_secs_f64()
}

/// Whether `labels` satisfy a LabelSelector (`matchLabels` and `matchExpressions`).
pub fn selector_matches(selector: &Value, labels: Option<&Value>) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    if let Some(ml) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in ml {
            if get(k) != v.as_str() {
                return false;
            }
        }
    }
    if let Some(exprs) = selector.get("matchExpressions").and_then(Value::as_array) {
        for e in exprs {
            let key = e.get("key").and_then(Value::as_str).unwrap_or("");
            let op = e.get("operator").and_then(Value::as_str).unwrap_or("");
            let vals: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let cur = get(key);
            let ok = match op {
                "In" => cur.is_some_and(|c| vals.contains(&c)),
                "NotIn" => cur.is_none_or(|c| !vals.contains(&c)),
                "Exists" => cur.is_some(),
                "DoesNotExist" => cur.is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// The uid of the controlling owner (ownerReferences entry with `controller: true`).
pub fn controller_uid(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))?
        .get("uid")?
        .as_str()
}

/// An ownerReferences entry pointing at `owner`.
pub fn owner_ref(owner: &Value, api_version: &str, kind: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Resolves an int-or-percent (`2`, `"25%"`) against `total`, rounding up or down.
pub fn int_or_percent(v: Option<&Value>, total: i64, round_up: bool, default: &str) -> i64 {
    let dflt = json!(default);
    let v = v.unwrap_or(&dflt);
    if let Some(n) = v.as_i64() {
        return n.max(0);
    }
    let s = v.as_str().unwrap_or(default);
    if let Some(p) = s.strip_suffix('%') {
        let p: i64 = p.trim().parse().unwrap_or(0);
        let num = p * total;
        return if round_up {
            (num + 99).div_euclid(100)
        } else {
            num.div_euclid(100)
        }
        .max(0);
    }
    s.trim().parse::<i64>().unwrap_or(0).max(0)
}

/// Sets (or replaces) a condition in `conditions`, keeping `lastTransitionTime` when the
/// status does not change. Returns whether anything but heartbeat-style times changed.
pub fn set_condition(
    conditions: &mut Vec<Value>,
    ctype: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: &str,
    with_update_time: bool,
) {
    let existing = conditions
        .iter_mut()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ctype));
    match existing {
        Some(c) => {
            let same_status = c.get("status").and_then(Value::as_str) == Some(status);
            let same_reason = c.get("reason").and_then(Value::as_str) == Some(reason);
            let same_msg = c.get("message").and_then(Value::as_str) == Some(message);
            if same_status && same_reason && same_msg {
                return;
            }
            if !same_status {
                c["lastTransitionTime"] = json!(now);
            }
            c["status"] = json!(status);
            c["reason"] = json!(reason);
            c["message"] = json!(message);
            if with_update_time {
                c["lastUpdateTime"] = json!(now);
            }
        }
        None => {
            let mut c = json!({
                "type": ctype, "status": status, "reason": reason, "message": message,
                "lastTransitionTime": now,
            });
            if with_update_time {
                c["lastUpdateTime"] = json!(now);
            }
            conditions.push(c);
        }
    }
}

/// A condition by type.
pub fn condition<'a>(obj: &'a Value, ptr: &str, ctype: &str) -> Option<&'a Value> {
    obj.pointer(ptr)?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ctype))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounding_matches_upstream() {
        assert_eq!(int_or_percent(Some(&json!("25%")), 3, true, "25%"), 1);
        assert_eq!(int_or_percent(Some(&json!("25%")), 3, false, "25%"), 0);
        assert_eq!(int_or_percent(Some(&json!("25%")), 10, true, "25%"), 3);
        assert_eq!(int_or_percent(Some(&json!("25%")), 10, false, "25%"), 2);
        assert_eq!(int_or_percent(Some(&json!(2)), 10, false, "25%"), 2);
        assert_eq!(int_or_percent(None, 4, true, "25%"), 1);
    }

    #[test]
    fn selectors() {
        let labels = json!({"app": "web", "tier": "fe"});
        assert!(selector_matches(
            &json!({"matchLabels": {"app": "web"}}),
            Some(&labels)
        ));
        assert!(!selector_matches(
            &json!({"matchLabels": {"app": "db"}}),
            Some(&labels)
        ));
        let e = json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe"]},
                                            {"key": "x", "operator": "DoesNotExist"}]});
        assert!(selector_matches(&e, Some(&labels)));
    }
}
