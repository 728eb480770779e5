//! Metadata helpers: names, uids, timestamps, generation and status handling.

use crate::resource::Resource;
use rand::Rng;
use serde_json::{Map, Value};

/// Characters the apiserver uses for `generateName` suffixes.
const SUFFIX_CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A random `generateName` suffix (5 characters, as in Kubernetes).
pub fn name_suffix() -> String {
    let mut rng = rand::rng();
    (0..5)
        .map(|_| SUFFIX_CHARS[rng.random_range(0..SUFFIX_CHARS.len())] as char)
        .collect()
}

/// A random RFC 4122 version-4 uid.
pub fn new_uid() -> String {
    let b: [u8; 16] = rand::rng().random();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
        (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
    )
}

/// RFC 3339 with second precision, as Kubernetes writes `metav1.Time`.
pub fn k8s_time(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Whether a resource has a `status` subresource (status ignored on main-resource writes).
pub fn has_status(r: Resource) -> bool {
    !matches!(r, Resource::ConfigMap | Resource::Secret | Resource::Event)
}

/// The metadata object, created if missing.
pub fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let map = obj.as_object_mut().expect("object ensured above");
    let m = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !m.is_object() {
        *m = Value::Object(Map::new());
    }
    m.as_object_mut().expect("object ensured above")
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj.get("metadata")?
        .get(field)?
        .as_str()
        .filter(|s| !s.is_empty())
}

/// Whether anything outside `metadata` and `status` differs (a generation bump).
pub fn spec_changed(a: &Value, b: &Value) -> bool {
    let skip = |k: &String| matches!(k.as_str(), "metadata" | "status" | "apiVersion" | "kind");
    let empty = Map::new();
    let am = a.as_object().unwrap_or(&empty);
    let bm = b.as_object().unwrap_or(&empty);
    am.iter()
        .filter(|(k, _)| !skip(k))
        .any(|(k, v)| bm.get(k) != Some(v))
        || bm
            .iter()
            .filter(|(k, _)| !skip(k))
            .any(|(k, _)| !am.contains_key(k))
}

/// Equal apart from `metadata.resourceVersion` (and managedFields).
pub fn same_content(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
            m.remove("managedFields");
        }
        v
    };
    strip(a) == strip(b)
}

/// Owner uids of an object.
pub fn owner_uids(obj: &Value) -> Vec<&str> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|o| o.get("uid")?.as_str()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uid_and_suffix_shape() {
        let u = new_uid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(name_suffix().len(), 5);
    }

    #[test]
    fn generation_detection() {
        let a = json!({"metadata": {"name": "a"}, "spec": {"replicas": 1}, "status": {"x": 1}});
        let mut b = a.clone();
        b["status"]["x"] = json!(2);
        b["metadata"]["labels"] = json!({"l": "v"});
        assert!(!spec_changed(&a, &b));
        b["spec"]["replicas"] = json!(2);
        assert!(spec_changed(&a, &b));
        assert!(spec_changed(
            &a,
            &json!({"metadata": {}, "status": {"x": 1}})
        ));
    }
}
