//! One tick's working set: reads go through the view with this tick's own edits layered
//! on top, so controllers that run later in the same tick see earlier decisions, and
//! every object is written at most once per tick (one `Update` per object, built from the
//! version that was read, so the store's conflict check stays meaningful).

use super::objects::{fnv64, name, namespace, ts, uid};
use super::{Action, ObjectView};
use crate::resource::Resource;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

type Key = (Resource, String, String);

struct Edit {
    orig: Arc<Value>,
    cur: Arc<Value>,
}

/// The overlay for one tick.
pub struct Txn<'v> {
    view: &'v dyn ObjectView,
    pub now: jiff::Timestamp,
    /// `now` formatted like the API server does.
    pub now_s: String,
    edits: HashMap<Key, Edit>,
    order: Vec<Key>,
    creates: Vec<(Resource, Value)>,
    created_events: HashMap<String, usize>,
    deletes: Vec<Key>,
    deleted: HashSet<Key>,
}

fn key(res: Resource, ns: &str, name: &str) -> Key {
    (res, ns.to_string(), name.to_string())
}

impl<'v> Txn<'v> {
    pub fn new(view: &'v dyn ObjectView, now: jiff::Timestamp) -> Txn<'v> {
        Txn {
            view,
            now,
            now_s: ts(now),
            edits: HashMap::new(),
            order: Vec::new(),
            creates: Vec::new(),
            created_events: HashMap::new(),
            deletes: Vec::new(),
            deleted: HashSet::new(),
        }
    }

    /// Current objects (this tick's edits applied, this tick's deletes removed).
    pub fn list(&self, res: Resource, ns: Option<&str>) -> Vec<Arc<Value>> {
        let mut out = self.view.list(res, ns);
        if self.edits.is_empty() && self.deleted.is_empty() {
            return out;
        }
        out.retain(|o| !self.deleted.contains(&key(res, namespace(o), name(o))));
        for o in &mut out {
            if let Some(e) = self.edits.get(&key(res, namespace(o), name(o))) {
                *o = e.cur.clone();
            }
        }
        out
    }

    pub fn get(&self, res: Resource, ns: &str, name: &str) -> Option<Arc<Value>> {
        let k = key(res, ns, name);
        if self.deleted.contains(&k) {
            return None;
        }
        if let Some(e) = self.edits.get(&k) {
            return Some(e.cur.clone());
        }
        let nso = (!ns.is_empty()).then_some(ns);
        self.view.get(res, nso, name)
    }

    /// A mutable copy of a stored object, written back at the end of the tick if changed.
    /// None for objects the store does not have (yet) or that this tick deleted.
    pub fn edit(&mut self, res: Resource, ns: &str, name: &str) -> Option<&mut Value> {
        let k = key(res, ns, name);
        if self.deleted.contains(&k) {
            return None;
        }
        if !self.edits.contains_key(&k) {
            let nso = (!ns.is_empty()).then_some(ns);
            let orig = self.view.get(res, nso, name)?;
            self.order.push(k.clone());
            self.edits.insert(
                k.clone(),
                Edit {
                    cur: orig.clone(),
                    orig,
                },
            );
        }
        self.edits.get_mut(&k).map(|e| Arc::make_mut(&mut e.cur))
    }

    /// Edits the object `obj` names.
    pub fn edit_obj(&mut self, res: Resource, obj: &Value) -> Option<&mut Value> {
        let (ns, n) = (namespace(obj).to_string(), name(obj).to_string());
        self.edit(res, &ns, &n)
    }

    /// Creates an object (the store stamps `creationTimestamp`, uid and version).
    pub fn create(&mut self, res: Resource, obj: Value) {
        self.creates.push((res, obj));
    }

    pub fn delete(&mut self, res: Resource, ns: &str, name: &str) {
        let k = key(res, ns, name);
        if self.deleted.insert(k.clone()) {
            self.deletes.push(k);
        }
    }

    /// Records an Event about `involved`, aggregating repeats like the event correlator:
    /// the same reason and message for the same object bumps `count`.
    #[allow(clippy::too_many_arguments)]
    pub fn event(
        &mut self,
        res: Resource,
        involved: &Value,
        warning: bool,
        reason: &str,
        message: &str,
        component: &str,
        host: &str,
    ) {
        let ns = match namespace(involved) {
            "" => "default",
            n => n,
        }
        .to_string();
        let h = fnv64(format!("{}/{reason}/{message}", uid(involved)).as_bytes());
        let ev_name = format!("{}.{h:016x}", name(involved));
        if let Some(&i) = self.created_events.get(&ev_name) {
            let ev = &mut self.creates[i].1;
            let c = ev["count"].as_i64().unwrap_or(1);
            ev["count"] = json!(c + 1);
            return;
        }
        let now = self.now_s.clone();
        if let Some(ev) = self.edit(Resource::Event, &ns, &ev_name) {
            let c = ev["count"].as_i64().unwrap_or(1);
            ev["count"] = json!(c + 1);
            ev["lastTimestamp"] = json!(now);
            return;
        }
        let mut inv = json!({
            "kind": res.kind(),
            "name": name(involved),
            "uid": uid(involved),
            "apiVersion": res.api_version(),
        });
        if res.namespaced() {
            inv["namespace"] = json!(ns);
        }
        if let Some(rv) = involved.pointer("/metadata/resourceVersion") {
            inv["resourceVersion"] = rv.clone();
        }
        let mut source = json!({ "component": component });
        if !host.is_empty() {
            source["host"] = json!(host);
        }
        let ev = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": { "name": ev_name, "namespace": ns },
            "involvedObject": inv,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": if warning { "Warning" } else { "Normal" },
            "eventTime": null,
            "reportingComponent": component,
            "reportingInstance": host,
        });
        self.created_events.insert(ev_name, self.creates.len());
        self.creates.push((Resource::Event, ev));
    }

    /// The writes this tick made: updates of changed objects, then creates, then deletes.
    pub fn finish(self) -> Vec<Action> {
        let mut out = Vec::new();
        let mut edits = self.edits;
        for k in self.order {
            if self.deleted.contains(&k) {
                continue;
            }
            if let Some(e) = edits.remove(&k)
                && e.cur != e.orig
            {
                out.push(Action::Update(k.0, Arc::unwrap_or_clone(e.cur)));
            }
        }
        for (r, v) in self.creates {
            out.push(Action::Create(r, v));
        }
        for (r, ns, n) in self.deletes {
            out.push(Action::Delete(r, (!ns.is_empty()).then_some(ns), n));
        }
        out
    }
}
