//! Patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the parts of
//! Kubernetes strategic merge patch that clients use (lists merged by key, `$patch`).

use crate::error::ErrorKind;

use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PatchError {
    #[error("invalid patch: {0}")]
    Invalid(String),
    #[error(
        "the server rejected our request due to an error in our request: test operation failed at {0}"
    )]
    TestFailed(String),
}

impl PatchError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            PatchError::Invalid(_) => ErrorKind::BadRequest,
            PatchError::TestFailed(_) => ErrorKind::Invalid,
        }
    }
}

/// RFC 7386 merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("object ensured above");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// The merge key of a list field, as declared in the Kubernetes API types.
fn merge_key(field: &str, sample: Option<&Value>) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "containerStatuses"
        | "initContainerStatuses" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "conditions" | "addresses" if sample.is_some_and(|s| s.get("type").is_some()) => {
            Some("type")
        }
        "ports" => {
            if sample.is_some_and(|s| s.get("containerPort").is_some()) {
                Some("containerPort")
            } else {
                Some("port")
            }
        }
        "ownerReferences" => Some("uid"),
        _ => None,
    }
}

/// Strategic merge patch.
pub fn strategic_merge(target: &mut Value, patch: &Value) -> Result<(), PatchError> {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return Ok(());
    };
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut p = p.clone();
        p.remove("$patch");
        *target = Value::Object(p);
        return Ok(());
    }
    if p.get("$patch").and_then(Value::as_str) == Some("delete") {
        *target = Value::Object(Map::new());
        return Ok(());
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("object ensured above");
    for (k, v) in p {
        if k.starts_with("$setElementOrder/") || k == "$retainKeys" || k == "$patch" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Value::Array(gone)) = (t.get_mut(field), v) {
                list.retain(|x| !gone.contains(x));
            }
            continue;
        }
        if v.is_null() {
            t.remove(k);
            continue;
        }
        match (t.get_mut(k), v) {
            (Some(Value::Array(cur)), Value::Array(items)) => {
                let replace = items
                    .iter()
                    .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"));
                match merge_key(k, items.first().or(cur.first())) {
                    Some(mk) if !replace => merge_list(cur, items, mk)?,
                    _ => {
                        let kept = items
                            .iter()
                            .filter(|i| i.get("$patch").is_none())
                            .cloned()
                            .collect();
                        *cur = kept;
                    }
                }
            }
            (Some(existing @ Value::Object(_)), Value::Object(_)) => strategic_merge(existing, v)?,
            _ => {
                let mut fresh = Value::Null;
                strategic_merge(&mut fresh, v)?;
                t.insert(k.clone(), fresh);
            }
        }
    }
    Ok(())
}

fn merge_list(cur: &mut Vec<Value>, items: &[Value], key: &str) -> Result<(), PatchError> {
    for item in items {
        let Some(kv) = item.get(key).cloned() else {
            return Err(PatchError::Invalid(format!(
                "list item without merge key {key}"
            )));
        };
        let pos = cur.iter().position(|c| c.get(key) == Some(&kv));
        let directive = item.get("$patch").and_then(Value::as_str);
        match (pos, directive) {
            (Some(i), Some("delete")) => {
                cur.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), _) => strategic_merge(&mut cur[i], item)?,
            (None, _) => {
                let mut fresh = Value::Null;
                strategic_merge(&mut fresh, item)?;
                cur.push(fresh);
            }
        }
    }
    Ok(())
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

fn split_pointer(path: &str) -> Result<(String, String), PatchError> {
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| PatchError::Invalid(format!("bad path {path:?}")))?;
    Ok((parent.to_string(), unescape(last)))
}

fn remove_at(doc: &mut Value, path: &str) -> Result<Value, PatchError> {
    let (parent, last) = split_pointer(path)?;
    let missing = || PatchError::Invalid(format!("path {path:?} does not exist"));
    match doc.pointer_mut(&parent).ok_or_else(missing)? {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| missing())?;
            if i < a.len() {
                Ok(a.remove(i))
            } else {
                Err(missing())
            }
        }
        _ => Err(missing()),
    }
}

fn add_at(doc: &mut Value, path: &str, value: Value, replace: bool) -> Result<(), PatchError> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = split_pointer(path)?;
    let missing = || PatchError::Invalid(format!("path {path:?} does not exist"));
    match doc.pointer_mut(&parent).ok_or_else(missing)? {
        Value::Object(m) => {
            if replace && !m.contains_key(&last) {
                return Err(missing());
            }
            m.insert(last, value);
        }
        Value::Array(a) => {
            if last == "-" {
                a.push(value);
            } else {
                let i: usize = last.parse().map_err(|_| missing())?;
                if replace && i < a.len() {
                    a[i] = value;
                } else if !replace && i <= a.len() {
                    a.insert(i, value);
                } else {
                    return Err(missing());
                }
            }
        }
        _ => return Err(missing()),
    }
    Ok(())
}

/// RFC 6902 JSON patch.
pub fn json_patch(doc: &mut Value, ops: &Value) -> Result<(), PatchError> {
    let ops = ops
        .as_array()
        .ok_or_else(|| PatchError::Invalid("JSON patch must be an array".into()))?;
    for op in ops {
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| PatchError::Invalid("missing value".into()))
        };
        let from = || {
            op.get("from")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| PatchError::Invalid("missing from".into()))
        };
        match op.get("op").and_then(Value::as_str) {
            Some("add") => add_at(doc, &path, value()?, false)?,
            Some("replace") => add_at(doc, &path, value()?, true)?,
            Some("remove") => {
                remove_at(doc, &path)?;
            }
            Some("move") => {
                let v = remove_at(doc, &from()?)?;
                add_at(doc, &path, v, false)?;
            }
            Some("copy") => {
                let v = doc
                    .pointer(&from()?)
                    .cloned()
                    .ok_or_else(|| PatchError::Invalid("copy from a missing path".into()))?;
                add_at(doc, &path, v, false)?;
            }
            Some("test") => {
                if doc.pointer(&path) != Some(&value()?) {
                    return Err(PatchError::TestFailed(path));
                }
            }
            other => return Err(PatchError::Invalid(format!("unknown op {other:?}"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy() -> Value {
        json!({"spec": {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
            {"name": "side", "image": "side:1"}]}}}})
    }

    #[test]
    fn strategic_merge_by_name() {
        let mut d = deploy();
        strategic_merge(&mut d, &json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "app:2", "env": [{"name": "B", "$patch": "delete"}, {"name": "C", "value": "3"}]}]}}}}))
        .expect("patch");
        let c = &d["spec"]["template"]["spec"]["containers"];
        assert_eq!(c.as_array().map(Vec::len), Some(2), "side container kept");
        assert_eq!(c[0]["image"], "app:2");
        assert_eq!(
            c[0]["env"],
            json!([{"name": "A", "value": "1"}, {"name": "C", "value": "3"}])
        );
        strategic_merge(
            &mut d,
            &json!({"spec": {"template": {"metadata": {"annotations": {"r": "now"}}}}}),
        )
        .expect("restart");
        assert_eq!(d["spec"]["template"]["metadata"]["labels"]["app"], "a");
        assert_eq!(d["spec"]["template"]["metadata"]["annotations"]["r"], "now");
        strategic_merge(
            &mut d,
            &json!({"spec": {"template": {"$patch": "replace", "spec": {}}}}),
        )
        .expect("replace");
        assert_eq!(d["spec"]["template"], json!({"spec": {}}));
    }

    #[test]
    fn merge_and_json_patch() {
        let mut d = deploy();
        merge_patch(&mut d, &json!({"spec": {"replicas": 3, "template": null}}));
        assert_eq!(d, json!({"spec": {"replicas": 3}}));
        json_patch(
            &mut d,
            &json!([{"op": "replace", "path": "/spec/replicas", "value": 5},
            {"op": "add", "path": "/metadata", "value": {"a~b/c": 1}},
            {"op": "test", "path": "/metadata/a~0b~1c", "value": 1},
            {"op": "copy", "from": "/spec/replicas", "path": "/spec/x"},
            {"op": "remove", "path": "/spec/replicas"}]),
        )
        .expect("json patch");
        assert_eq!(d, json!({"spec": {"x": 5}, "metadata": {"a~b/c": 1}}));
        assert!(
            json_patch(
                &mut d,
                &json!([{"op": "test", "path": "/spec/x", "value": 6}])
            )
            .is_err()
        );
        assert!(
            json_patch(
                &mut d,
                &json!([{"op": "replace", "path": "/nope/x", "value": 6}])
            )
            .is_err()
        );
    }
}
