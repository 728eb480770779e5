//! Small helpers over JSON objects: field access, times, hashes, selectors, owners.

use serde_json::{Map, Value, json};

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

/// FNV-1a 64 over bytes.
pub fn fnv64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// FNV-1a 32 over bytes (what upstream uses for pod-template-hash).
pub fn fnv32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Mixes a few words into one well-distributed hash (splitmix64 finaliser).
pub fn mix(parts: &[u64]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for p in parts {
        h ^= p.wrapping_add(0x9e37_79b9_7f4a_7c15).wrapping_add(h << 6);
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^= h >> 31;
    }
    h
}

/// Writes `v` with object keys sorted, so hashes do not depend on map ordering.
fn canonical(v: &Value, out: &mut Vec<u8>) {
    canonical_skip(v, None, out);
}

/// Like [`canonical`], leaving out object keys named `skip` (at any depth).
fn canonical_skip(v: &Value, skip: Option<&str>, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().filter(|k| Some(k.as_str()) != skip).collect();
            keys.sort();
            out.push(b'{');
            for k in keys {
                out.extend_from_slice(k.as_bytes());
                out.push(b':');
                canonical_skip(&m[k.as_str()], skip, out);
                out.push(b',');
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            for x in a {
                canonical_skip(x, skip, out);
                out.push(b',');
            }
            out.push(b']');
        }
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

/// One character of upstream's `rand.SafeEncodeString` alphabet (no vowels, no confusables).
fn safe_char(b: u8) -> char {
    const A: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    char::from(A[usize::from(b) % A.len()])
}

/// Hash of a pod template like upstream's `ComputeHash`: FNV-32a, printed in decimal,
/// then safe-encoded (e.g. `5d8f7c9b6`). The `pod-template-hash` label is ignored.
pub fn template_hash(template: &Value) -> String {
    let mut buf = Vec::with_capacity(1024);
    canonical_skip(template, Some("pod-template-hash"), &mut buf);
    fnv32(&buf).to_string().bytes().map(safe_char).collect()
}

thread_local! {
    static HASH_MEMO: std::cell::RefCell<std::collections::HashMap<(String, i64), String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// [`template_hash`] of `obj.spec.template`, memoised by (uid, generation): the template
/// only changes with the generation, and hashing every controller's template every tick
/// is the largest cost of a settled site.
pub fn spec_template_hash(obj: &Value) -> String {
    static NULL: Value = Value::Null;
    let template = obj.pointer("/spec/template").unwrap_or(&NULL);
    let id = uid(obj);
    if id.is_empty() {
        return template_hash(template);
    }
    let k = (id.to_string(), generation(obj));
    if let Some(h) = HASH_MEMO.with(|m| m.borrow().get(&k).cloned()) {
        return h;
    }
    let h = template_hash(template);
    HASH_MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() > 50_000 {
            m.clear();
        }
        m.insert(k, h.clone());
    });
    h
}

/// Stable 64-bit hash of any JSON value.
pub fn value_hash(v: &Value) -> u64 {
    let mut buf = Vec::new();
    canonical(v, &mut buf);
    fnv64(&buf)
}

/// `n` random safe characters, like generateName suffixes.
pub fn random_suffix(rng: &mut impl rand::Rng, n: usize) -> String {
    (0..n)
        .map(|_| safe_char(rng.random_range(0..27u8)))
        .collect()
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

/// Standard base64 (for Secret `data`).
pub fn base64(input: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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
    fn base64_matches_reference() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn template_hash_ignores_key_order_and_hash_label() {
        let a = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"x": 1}});
        let b = json!({"spec": {"x": 1}, "metadata": {"labels": {"pod-template-hash": "zz", "b": "2", "a": "1"}}});
        assert_eq!(template_hash(&a), template_hash(&b));
        let c = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 2}});
        assert_ne!(template_hash(&a), template_hash(&c));
        assert!(template_hash(&a).chars().all(|c| c.is_ascii_alphanumeric()));
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
