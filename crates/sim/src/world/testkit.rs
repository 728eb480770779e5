//! Test harness: an in-memory store that behaves like the real one for the world's
//! purposes (uids, resourceVersions, generation bumps, conflicts on stale updates), and a
//! driver that seeds a site and runs ticks on a simulated clock.

use super::objects::{name, namespace, ts};
use super::{Action, ObjectView, TickCtx};
use crate::resource::Resource;
use crate::spec::SiteSpec;
use rand::SeedableRng;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

type Key = (Resource, String, String);

/// Why the test store refuses a write.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("{0:?} already exists")]
    AlreadyExists(Key),
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict,
}

#[derive(Default)]
pub struct Store {
    objects: BTreeMap<Key, Arc<Value>>,
    rv: u64,
    uid: u64,
    pub conflicts: usize,
}

impl ObjectView for Store {
    fn list(&self, resource: Resource, namespace: Option<&str>) -> Vec<Arc<Value>> {
        self.objects
            .range((resource, String::new(), String::new())..)
            .take_while(|((r, _, _), _)| *r == resource)
            .filter(|((_, ns, _), _)| namespace.is_none_or(|n| n == ns))
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn get(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Option<Arc<Value>> {
        self.objects
            .get(&(
                resource,
                namespace.unwrap_or("").to_string(),
                name.to_string(),
            ))
            .cloned()
    }
}

fn key(r: Resource, v: &Value) -> Key {
    (r, namespace(v).to_string(), name(v).to_string())
}

fn without_meta_status(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

impl Store {
    pub fn create(
        &mut self,
        r: Resource,
        mut v: Value,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        if name(&v).is_empty() {
            let g = v
                .pointer("/metadata/generateName")
                .and_then(Value::as_str)
                .unwrap_or("x-")
                .to_string();
            self.uid += 1;
            v["metadata"]["name"] = json!(format!("{g}{:05}", self.uid));
        }
        let k = key(r, &v);
        if self.objects.contains_key(&k) {
            return Err(StoreError::AlreadyExists(k));
        }
        self.rv += 1;
        self.uid += 1;
        v["metadata"]["uid"] = json!(format!("00000000-0000-4000-8000-{:012}", self.uid));
        v["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        if v.pointer("/metadata/creationTimestamp").is_none() {
            v["metadata"]["creationTimestamp"] = json!(ts(now));
        }
        v["metadata"]["generation"] = json!(1);
        self.objects.insert(k, Arc::new(v));
        Ok(())
    }

    /// Replace, refusing a stale resourceVersion; bumps generation on spec changes.
    pub fn update(&mut self, r: Resource, mut v: Value) -> Result<(), StoreError> {
        let k = key(r, &v);
        let Some(old) = self.objects.get(&k) else {
            return Err(StoreError::NotFound);
        };
        if old["metadata"]["resourceVersion"] != v["metadata"]["resourceVersion"] {
            self.conflicts += 1;
            return Err(StoreError::Conflict);
        }
        let mut gen_ = old["metadata"]["generation"].as_i64().unwrap_or(1);
        if without_meta_status(old) != without_meta_status(&v) {
            gen_ += 1;
        }
        self.rv += 1;
        v["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        v["metadata"]["generation"] = json!(gen_);
        v["metadata"]["uid"] = old["metadata"]["uid"].clone();
        v["metadata"]["creationTimestamp"] = old["metadata"]["creationTimestamp"].clone();
        self.objects.insert(k, Arc::new(v));
        Ok(())
    }

    pub fn delete(&mut self, r: Resource, ns: &str, n: &str) {
        self.objects.remove(&(r, ns.to_string(), n.to_string()));
    }

    pub fn object_count(&self) -> usize {
        self.objects.len()
    }

    pub fn all(&self, r: Resource) -> Vec<Arc<Value>> {
        self.list(r, None)
    }

    pub fn obj(&self, r: Resource, ns: &str, n: &str) -> Arc<Value> {
        let nso = (!ns.is_empty()).then_some(ns);
        self.get(r, nso, n)
            .unwrap_or_else(|| panic!("{r:?} {ns}/{n} missing"))
    }
}

/// A seeded site on a simulated clock.
pub struct Sim {
    pub store: Store,
    pub spec: SiteSpec,
    pub now: jiff::Timestamp,
    pub rng: rand::rngs::StdRng,
    pub stuck: bool,
    pub hang: bool,
    pub dt: f64,
}

impl Sim {
    pub fn new(spec: SiteSpec) -> Sim {
        let now: jiff::Timestamp = "2026-03-01T08:00:00Z".parse().expect("valid time");
        let mut store = Store::default();
        for (r, v) in super::seed(&spec, now) {
            store.create(r, v, now).expect("seed objects are unique");
        }
        Sim {
            store,
            spec,
            now,
            rng: rand::rngs::StdRng::seed_from_u64(42),
            stuck: false,
            hang: false,
            dt: 0.5,
        }
    }

    /// One tick: advance the clock by `dt`, run the world, apply its actions.
    pub fn step(&mut self) -> Vec<Action> {
        self.now = super::objects::plus(self.now, self.dt);
        let mut ctx = TickCtx {
            spec: &self.spec,
            now: self.now,
            dt_secs: self.dt,
            rng: &mut self.rng,
            upgrade_stuck: self.stuck,
            upgrade_hang: self.hang,
        };
        let actions = super::tick(&self.store, &mut ctx);
        for a in &actions {
            match a.clone() {
                Action::Create(r, v) => self
                    .store
                    .create(r, v, self.now)
                    .expect("world creates unique objects"),
                Action::Update(r, v) => {
                    let _ = self.store.update(r, v);
                }
                Action::Delete(r, ns, n) => self.store.delete(r, ns.as_deref().unwrap_or(""), &n),
            }
        }
        actions
    }

    /// Runs for `secs` simulated seconds, calling `check` after every tick.
    pub fn run_for(&mut self, secs: f64, mut check: impl FnMut(&Sim)) {
        let steps = (secs / self.dt).ceil() as usize;
        for _ in 0..steps {
            self.step();
            check(self);
        }
    }

    /// Runs until `cond` holds (or panics after `max_secs`).
    pub fn run_until(&mut self, max_secs: f64, what: &str, mut cond: impl FnMut(&Sim) -> bool) {
        let steps = (max_secs / self.dt).ceil() as usize;
        for _ in 0..steps {
            if cond(self) {
                return;
            }
            self.step();
        }
        assert!(
            cond(self),
            "timed out after {max_secs}s waiting for: {what}"
        );
    }

    /// A client write: mutate an object and update it (like kubectl patch).
    pub fn patch(&mut self, r: Resource, ns: &str, n: &str, f: impl FnOnce(&mut Value)) {
        let mut v = (*self.store.obj(r, ns, n)).clone();
        f(&mut v);
        self.store.update(r, v).expect("client patch applies");
    }

    pub fn pods_of(&self, ns: &str, app: &str) -> Vec<Arc<Value>> {
        self.store
            .list(Resource::Pod, Some(ns))
            .into_iter()
            .filter(|p| super::objects::label(p, "app.kubernetes.io/name") == Some(app))
            .collect()
    }

    pub fn events(&self, reason: &str) -> Vec<Arc<Value>> {
        self.store
            .all(Resource::Event)
            .into_iter()
            .filter(|e| e["reason"] == reason)
            .collect()
    }
}
