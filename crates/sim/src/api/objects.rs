//! get, list, create, replace, patch, delete and the `scale` subresource.

use super::patch::{json_patch, merge_patch, strategic_merge};
use super::table::{Include, table, wants_table};
use super::{ApiError, Body, Target, json_response};
use crate::resource::Resource;
use crate::site::Site;
use crate::store::UpdateMode;
use crate::store::select::{FieldSelector, LabelSelector};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use http::Response;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

fn list_kind(r: Resource) -> String {
    format!("{}List", r.kind())
}

/// Selectors from the query.
pub fn selectors(q: &HashMap<String, String>) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let bad = |e: crate::store::select::SelectorError| ApiError::BadRequest(e.to_string());
    let l = LabelSelector::parse(q.get("labelSelector").map_or("", String::as_str)).map_err(bad)?;
    let f = FieldSelector::parse(q.get("fieldSelector").map_or("", String::as_str)).map_err(bad)?;
    Ok((l, f))
}

fn obj_key(o: &Value) -> (String, String) {
    let m = |f: &str| {
        o.pointer(&format!("/metadata/{f}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (m("namespace"), m("name"))
}

fn encode_continue(rv: u64, after: &(String, String)) -> String {
    B64.encode(json!({"rv": rv, "ns": after.0, "name": after.1}).to_string())
}

fn decode_continue(tok: &str) -> Result<(u64, (String, String)), ApiError> {
    let bad = || ApiError::BadRequest("continue key is not valid".into());
    let raw = B64.decode(tok).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let rv = v.get("rv").and_then(Value::as_u64).ok_or_else(bad)?;
    let s = |f: &str| v.get(f).and_then(Value::as_str).unwrap_or("").to_string();
    Ok((rv, (s("ns"), s("name"))))
}

pub fn list(
    site: &Site,
    r: Resource,
    t: &Target,
    q: &HashMap<String, String>,
    accept: &str,
) -> Result<Response<Body>, ApiError> {
    let (ls, fs) = selectors(q)?;
    let (items, rv) = site.store.list(r, t.namespace.as_deref());
    let mut start = None;
    let mut list_rv = rv;
    if let Some(tok) = q.get("continue").filter(|c| !c.is_empty()) {
        let (trv, after) = decode_continue(tok)?;
        if trv < site.store.oldest_resumable() {
            return Err(ApiError::Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.".into()));
        }
        list_rv = trv;
        start = Some(after);
    }
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let mut selected: Vec<&Value> = items
        .iter()
        .map(|a| a.as_ref())
        .filter(|o| start.as_ref().is_none_or(|s| obj_key(o) > *s))
        .filter(|o| ls.matches(o) && fs.matches(o))
        .collect();
    let mut meta = json!({"resourceVersion": list_rv.to_string()});
    if let Some(l) = limit
        && selected.len() > l
    {
        let remaining = selected.len() - l;
        selected.truncate(l);
        if let Some(last) = selected.last() {
            meta["continue"] = json!(encode_continue(list_rv, &obj_key(last)));
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    if wants_table(accept) {
        let inc = Include::parse(q.get("includeObject").map(String::as_str));
        return Ok(json_response(200, &table(r, &selected, inc, meta, true)));
    }
    Ok(super::body_response(
        200,
        &ListBody {
            kind: list_kind(r),
            api_version: r.api_version(),
            metadata: meta,
            items: selected,
        },
    ))
}

/// A list response, serialized from the stored objects by reference.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ListBody<'a> {
    kind: String,
    api_version: &'static str,
    metadata: Value,
    items: Vec<&'a Value>,
}

fn fetch(site: &Site, r: Resource, t: &Target, name: &str) -> Result<Arc<Value>, ApiError> {
    site.store
        .get(r, t.namespace.as_deref(), name)
        .ok_or_else(|| ApiError::NotFound(format!("{} \"{name}\" not found", r.plural())))
}

pub fn get(
    site: &Site,
    r: Resource,
    t: &Target,
    name: &str,
    accept: &str,
    q: &HashMap<String, String>,
) -> Result<Response<Body>, ApiError> {
    let o = fetch(site, r, t, name)?;
    if wants_table(accept) {
        let inc = Include::parse(q.get("includeObject").map(String::as_str));
        let meta = json!({"resourceVersion": o.pointer("/metadata/resourceVersion").cloned().unwrap_or(json!(""))});
        return Ok(json_response(
            200,
            &table(r, &[o.as_ref()], inc, meta, true),
        ));
    }
    Ok(json_response(200, &o))
}

/// Fills the namespace from the path; refuses a different one.
fn place(r: Resource, t: &Target, obj: &mut Value) -> Result<(), ApiError> {
    if !obj.is_object() {
        return Err(ApiError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    }
    if let Some(k) = obj.get("kind").and_then(Value::as_str)
        && k != r.kind()
    {
        return Err(ApiError::BadRequest(format!(
            "the kind {k} does not match the resource {}",
            r.plural()
        )));
    }
    if !r.namespaced() {
        return Ok(());
    }
    let ns = t.namespace.clone().ok_or(ApiError::MethodNotAllowed)?;
    let m = crate::store::meta::meta_mut(obj);
    match m
        .get("namespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        Some(given) if given != ns => Err(ApiError::BadRequest(
            "the namespace of the provided object does not match the namespace sent on the request"
                .into(),
        )),
        _ => {
            m.insert("namespace".into(), json!(ns));
            Ok(())
        }
    }
}

pub fn create(
    site: &Site,
    r: Resource,
    t: &Target,
    mut obj: Value,
) -> Result<Response<Body>, ApiError> {
    place(r, t, &mut obj)?;
    if let Some(ns) = t.namespace.as_deref()
        && site.store.get(Resource::Namespace, None, ns).is_none()
    {
        return Err(ApiError::NotFound(format!("namespaces \"{ns}\" not found")));
    }
    let created = site.store.create(r, obj)?;
    Ok(json_response(201, &created))
}

fn mode_for(sub: Option<&str>) -> Result<UpdateMode, ApiError> {
    match sub {
        None => Ok(UpdateMode::Main),
        Some("status") => Ok(UpdateMode::Status),
        Some(_) => Err(ApiError::MethodNotAllowed),
    }
}

pub fn replace(
    site: &Site,
    r: Resource,
    t: &Target,
    name: &str,
    sub: Option<&str>,
    mut obj: Value,
) -> Result<Response<Body>, ApiError> {
    if sub == Some("scale") {
        return update_scale(site, r, t, name, &obj);
    }
    place(r, t, &mut obj)?;
    let given = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or(name);
    if given != name {
        return Err(ApiError::BadRequest(
            "the name of the object does not match the name on the URL".into(),
        ));
    }
    crate::store::meta::meta_mut(&mut obj).insert("name".into(), json!(name));
    let updated = site.store.update(r, obj, mode_for(sub)?)?;
    Ok(json_response(200, &updated))
}

fn apply_patch(doc: &mut Value, ctype: &str, body: &Value) -> Result<(), ApiError> {
    match ctype {
        "application/strategic-merge-patch+json" => {
            strategic_merge(doc, body).map_err(|e| ApiError::BadRequest(e.to_string()))
        }
        "application/merge-patch+json" => {
            merge_patch(doc, body);
            Ok(())
        }
        "application/json-patch+json" => json_patch(doc, body).map_err(|e| match e.kind() {
            crate::error::ErrorKind::Invalid => ApiError::Invalid(e.to_string()),
            _ => ApiError::BadRequest(e.to_string()),
        }),
        other => Err(ApiError::UnsupportedMediaType(format!(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {other})"
        ))),
    }
}

pub fn patch(
    site: &Site,
    r: Resource,
    t: &Target,
    name: &str,
    sub: Option<&str>,
    ctype: &str,
    body: &Value,
) -> Result<Response<Body>, ApiError> {
    if sub == Some("scale") {
        let mut scale = scale_of(r, fetch(site, r, t, name)?.as_ref())?;
        apply_patch(&mut scale, ctype, body)?;
        return update_scale(site, r, t, name, &scale);
    }
    let mode = mode_for(sub)?;
    let mut last = None;
    for _ in 0..5 {
        let cur = fetch(site, r, t, name)?;
        let mut doc = (*cur).clone();
        apply_patch(&mut doc, ctype, body)?;
        // A patch that sets a resourceVersion is a precondition; otherwise use the read one.
        match site.store.update(r, doc, mode) {
            Ok(o) => return Ok(json_response(200, &o)),
            Err(e @ crate::store::StoreError::Conflict { .. }) => {
                if body.pointer("/metadata/resourceVersion").is_some() {
                    return Err(e.into());
                }
                last = Some(e);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(last
        .map(ApiError::from)
        .unwrap_or_else(|| ApiError::Internal("patch retries exhausted".into())))
}

pub fn delete(
    site: &Site,
    r: Resource,
    t: &Target,
    name: &str,
) -> Result<Response<Body>, ApiError> {
    let gone = site.store.delete(r, t.namespace.as_deref(), name)?;
    Ok(json_response(200, &gone))
}

fn scale_of(r: Resource, o: &Value) -> Result<Value, ApiError> {
    if !matches!(
        r,
        Resource::Deployment | Resource::ReplicaSet | Resource::StatefulSet
    ) {
        return Err(ApiError::NotFound(
            "the server could not find the requested resource".into(),
        ));
    }
    let sel = o
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let m = o.get("metadata").cloned().unwrap_or(json!({}));
    Ok(json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
                     "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
        "spec": {"replicas": o.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
        "status": {"replicas": o.pointer("/status/replicas").cloned().unwrap_or(json!(0)), "selector": sel},
    }))
}

pub fn get_scale(
    site: &Site,
    r: Resource,
    t: &Target,
    name: &str,
) -> Result<Response<Body>, ApiError> {
    Ok(json_response(
        200,
        &scale_of(r, fetch(site, r, t, name)?.as_ref())?,
    ))
}

fn update_scale(
    site: &Site,
    r: Resource,
    t: &Target,
    name: &str,
    scale: &Value,
) -> Result<Response<Body>, ApiError> {
    let replicas = scale
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            ApiError::Invalid(
                "spec.replicas: Invalid value: must be greater than or equal to 0".into(),
            )
        })?;
    let cur = fetch(site, r, t, name)?;
    let mut doc = (*cur).clone();
    doc["spec"]["replicas"] = json!(replicas);
    if let Some(rv) = scale
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        doc["metadata"]["resourceVersion"] = json!(rv);
    }
    let updated = site.store.update(r, doc, UpdateMode::Main)?;
    Ok(json_response(200, &scale_of(r, &updated)?))
}
