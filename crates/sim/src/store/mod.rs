//! Per-site object store: objects as `Arc<Value>`, a monotonically increasing
//! `resourceVersion`, a bounded watch history (the "watch cache") and a version
//! channel that wakes live watchers, which then read new events from history.
//!
//! History keeps the newest event per object: a watcher resuming from an older version
//! gets each changed object's latest state once (as a real watch cache does when it
//! coalesces), which bounds memory by the number of objects rather than the churn.
//!
//! One `std::sync::Mutex` guards the state; it is never held across an `.await`.

use crate::error::ErrorKind;

pub mod meta;
pub mod select;

use crate::resource::Resource;
use crate::world::{Action, ObjectView};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Storage key: resource, namespace (`""` when cluster-scoped), name.
pub type Key = (Resource, String, String);

/// Hard cap on retained history events per site, whatever the window.
const MAX_HISTORY: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as kept in history and sent to watchers.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    pub rv: u64,
    pub kind: EventType,
    pub resource: Resource,
    pub namespace: String,
    pub object: Arc<Value>,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    #[error("{plural} \"{name}\" not found")]
    NotFound { plural: &'static str, name: String },
    #[error("{plural} \"{name}\" already exists")]
    AlreadyExists { plural: &'static str, name: String },
    #[error(
        "Operation cannot be fulfilled on {plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
    )]
    Conflict { plural: &'static str, name: String },
    #[error("{0}")]
    Invalid(String),
    #[error("too old resource version: {requested} ({oldest})")]
    Expired { requested: u64, oldest: u64 },
}

impl StoreError {
    /// What kind of failure (the Kubernetes `reason` family).
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound { .. } => ErrorKind::NotFound,
            StoreError::AlreadyExists { .. } => ErrorKind::AlreadyExists,
            StoreError::Conflict { .. } => ErrorKind::Conflict,
            StoreError::Invalid(_) => ErrorKind::Invalid,
            StoreError::Expired { .. } => ErrorKind::Expired,
        }
    }
}

/// How an update treats `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    /// Replace everything (the world's controllers).
    Full,
    /// Main resource: status is kept from the stored object.
    Main,
    /// `/status` subresource: only status is taken from the new object.
    Status,
}

struct Inner {
    objects: BTreeMap<Key, Arc<Value>>,
    rv: u64,
    /// Events by resourceVersion (oldest first), at most one per object.
    history: BTreeMap<u64, (Instant, Arc<WatchEvent>)>,
    /// The history entry of each object, for coalescing.
    latest: HashMap<Key, u64>,
    /// Every event with `rv <= compacted_rv` is gone from history.
    compacted_rv: u64,
}

/// What a new watch starts with: events to replay, then the live receiver.
pub struct WatchStart {
    pub replay: Vec<Arc<WatchEvent>>,
    /// Changes whenever the store's resourceVersion moves; read new events with
    /// [`Store::events_after`].
    pub live: watch::Receiver<u64>,
    /// The resourceVersion the replay is complete up to.
    pub upto: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    tx: watch::Sender<u64>,
    window: Duration,
}

fn in_scope(r: Resource, ns: Option<&str>, er: Resource, ens: &str) -> bool {
    er == r && ns.is_none_or(|n| !r.namespaced() || ens == n)
}

fn key_of(resource: Resource, ns: Option<&str>, name: &str) -> Key {
    let ns = if resource.namespaced() {
        ns.unwrap_or("")
    } else {
        ""
    };
    (resource, ns.to_string(), name.to_string())
}

impl Store {
    /// An empty store keeping `window` of watch history.
    pub fn new(window: Duration) -> Store {
        let (tx, _) = watch::channel(0);
        Store {
            inner: Mutex::new(Inner {
                objects: BTreeMap::new(),
                rv: 0,
                history: BTreeMap::new(),
                latest: HashMap::new(),
                compacted_rv: 0,
            }),
            tx,
            window,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The latest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, r: Resource, ns: Option<&str>, name: &str) -> Option<Arc<Value>> {
        self.lock().objects.get(&key_of(r, ns, name)).cloned()
    }

    /// Objects of one resource (one namespace or all), sorted by namespace and name,
    /// with the resourceVersion they were read at.
    pub fn list(&self, r: Resource, ns: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let g = self.lock();
        let start = (r, String::new(), String::new());
        let items = g
            .objects
            .range(start..)
            .take_while(|((kr, _, _), _)| *kr == r)
            .filter(|((_, kns, _), _)| ns.is_none_or(|n| !r.namespaced() || kns == n))
            .map(|(_, v)| v.clone())
            .collect();
        (items, g.rv)
    }

    /// The oldest resourceVersion a watch may still resume from.
    pub fn oldest_resumable(&self) -> u64 {
        self.lock().compacted_rv
    }

    fn record(&self, g: &mut Inner, kind: EventType, r: Resource, key: &Key, obj: Arc<Value>) {
        let mut kind = kind;
        if let Some(prev) = g.latest.remove(key)
            && let Some((_, old)) = g.history.remove(&prev)
            && old.kind == EventType::Added
            && kind == EventType::Modified
        {
            // Added then modified within the window: still an addition for anyone
            // who resumes from before it.
            kind = EventType::Added;
        }
        let ev = Arc::new(WatchEvent {
            rv: g.rv,
            kind,
            resource: r,
            namespace: key.1.clone(),
            object: obj,
        });
        let now = Instant::now();
        g.history.insert(g.rv, (now, ev));
        g.latest.insert(key.clone(), g.rv);
        loop {
            let len = g.history.len();
            let Some(entry) = g.history.first_entry() else {
                break;
            };
            let (t, e) = entry.get();
            if now.duration_since(*t) <= self.window && len <= MAX_HISTORY {
                break;
            }
            let rv = e.rv;
            let k = (
                e.resource,
                e.namespace.clone(),
                meta::meta_str(&e.object, "name").unwrap_or("").to_string(),
            );
            entry.remove();
            if g.latest.get(&k) == Some(&rv) {
                g.latest.remove(&k);
            }
            g.compacted_rv = rv;
        }
        self.tx.send_replace(g.rv);
    }

    /// Creates an object, filling uid, resourceVersion, creationTimestamp, generation
    /// and `generateName`.
    pub fn create(&self, r: Resource, mut obj: Value) -> Result<Arc<Value>, StoreError> {
        let now = jiff::Timestamp::now();
        {
            let map = obj
                .as_object_mut()
                .ok_or_else(|| StoreError::Invalid("object must be a JSON object".into()))?;
            map.insert("apiVersion".into(), json!(r.api_version()));
            map.insert("kind".into(), json!(r.kind()));
        }
        let has_spec = obj.get("spec").is_some();
        let m = meta::meta_mut(&mut obj);
        let mut name = m
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let generate = m
            .get("generateName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if !r.namespaced() {
            m.remove("namespace");
        }
        let ns = m
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if r.namespaced() && ns.is_empty() {
            return Err(StoreError::Invalid(
                "metadata.namespace: Required value".into(),
            ));
        }
        let mut g = self.lock();
        if name.is_empty() {
            if generate.is_empty() {
                return Err(StoreError::Invalid(
                    "metadata.name: Required value: name or generateName is required".into(),
                ));
            }
            loop {
                name = format!("{generate}{}", meta::name_suffix());
                if !g.objects.contains_key(&(r, ns.clone(), name.clone())) {
                    break;
                }
            }
        }
        let key = (r, ns.clone(), name.clone());
        if g.objects.contains_key(&key) {
            return Err(StoreError::AlreadyExists {
                plural: r.plural(),
                name,
            });
        }
        g.rv += 1;
        m.insert("name".into(), json!(name));
        m.insert("uid".into(), json!(meta::new_uid()));
        m.insert("resourceVersion".into(), json!(g.rv.to_string()));
        if m.get("creationTimestamp").is_none_or(Value::is_null) {
            m.insert("creationTimestamp".into(), json!(meta::k8s_time(now)));
        }
        if has_spec {
            m.insert("generation".into(), json!(1));
        }
        let obj = Arc::new(obj);
        g.objects.insert(key, obj.clone());
        self.record(
            &mut g,
            EventType::Added,
            r,
            &key_of(r, Some(&ns), &name),
            obj.clone(),
        );
        Ok(obj)
    }

    /// Inserts an object exactly as given (uid, resourceVersion, timestamps kept), for
    /// serving a recorded snapshot; the store's resourceVersion moves past the object's.
    pub fn restore(&self, r: Resource, obj: Value) -> Result<(), StoreError> {
        let name = meta::meta_str(&obj, "name")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| StoreError::Invalid("metadata.name: Required value".into()))?
            .to_string();
        let ns = meta::meta_str(&obj, "namespace").map(str::to_string);
        let key = key_of(r, ns.as_deref(), &name);
        let rv = meta::meta_str(&obj, "resourceVersion")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let mut g = self.lock();
        g.rv = g.rv.max(rv) + 1;
        let obj = Arc::new(obj);
        g.objects.insert(key.clone(), obj.clone());
        self.record(&mut g, EventType::Added, r, &key, obj);
        Ok(())
    }

    /// Replaces an object. A non-empty `metadata.resourceVersion` must match the stored one.
    pub fn update(
        &self,
        r: Resource,
        mut obj: Value,
        mode: UpdateMode,
    ) -> Result<Arc<Value>, StoreError> {
        let name = meta::meta_str(&obj, "name")
            .ok_or_else(|| StoreError::Invalid("metadata.name: Required value".into()))?
            .to_string();
        let ns = meta::meta_str(&obj, "namespace").map(str::to_string);
        let key = key_of(r, ns.as_deref(), &name);
        let mut g = self.lock();
        let old = g
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                plural: r.plural(),
                name: name.clone(),
            })?;
        if let Some(rv) = meta::meta_str(&obj, "resourceVersion")
            && Some(rv) != meta::meta_str(&old, "resourceVersion")
        {
            return Err(StoreError::Conflict {
                plural: r.plural(),
                name,
            });
        }
        if !obj.is_object() {
            return Err(StoreError::Invalid("object must be a JSON object".into()));
        }
        match mode {
            UpdateMode::Full => {}
            UpdateMode::Main => {
                if meta::has_status(r) {
                    match old.get("status") {
                        Some(s) => obj["status"] = s.clone(),
                        None => {
                            obj.as_object_mut().map(|m| m.remove("status"));
                        }
                    }
                }
            }
            UpdateMode::Status => {
                let status = obj.get("status").cloned();
                obj = (*old).clone();
                match status {
                    Some(s) => obj["status"] = s,
                    None => {
                        obj.as_object_mut().map(|m| m.remove("status"));
                    }
                }
            }
        }
        obj["apiVersion"] = json!(r.api_version());
        obj["kind"] = json!(r.kind());
        let bump = mode != UpdateMode::Status && meta::spec_changed(&old, &obj);
        {
            let m = meta::meta_mut(&mut obj);
            for f in ["uid", "creationTimestamp", "namespace", "generation"] {
                match old.get("metadata").and_then(|om| om.get(f)) {
                    Some(v) => m.insert(f.into(), v.clone()),
                    None => m.remove(f),
                };
            }
            m.insert(
                "resourceVersion".into(),
                old["metadata"]["resourceVersion"].clone(),
            );
            if bump {
                let generation = m.get("generation").and_then(Value::as_i64).unwrap_or(0);
                m.insert("generation".into(), json!(generation + 1));
            }
        }
        if meta::same_content(&old, &obj) {
            return Ok(old);
        }
        g.rv += 1;
        meta::meta_mut(&mut obj).insert("resourceVersion".into(), json!(g.rv.to_string()));
        let obj = Arc::new(obj);
        g.objects.insert(key.clone(), obj.clone());
        self.record(&mut g, EventType::Modified, r, &key, obj.clone());
        Ok(obj)
    }

    /// Deletes an object, then (garbage collection) everything it owns and, for a
    /// namespace, everything in it. Returns the deleted object.
    pub fn delete(
        &self,
        r: Resource,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Arc<Value>, StoreError> {
        let mut g = self.lock();
        let key = key_of(r, ns, name);
        let removed = self.remove_locked(&mut g, &key)?;
        let mut queue = vec![removed.clone()];
        while let Some(gone) = queue.pop() {
            let uid = meta::meta_str(&gone, "uid").unwrap_or("").to_string();
            let ns_name = (gone.get("kind").and_then(Value::as_str) == Some("Namespace"))
                .then(|| meta::meta_str(&gone, "name").unwrap_or("").to_string());
            let dependents: Vec<Key> = g
                .objects
                .iter()
                .filter(|(k, v)| {
                    meta::owner_uids(v).contains(&uid.as_str())
                        || ns_name
                            .as_deref()
                            .is_some_and(|n| k.0.namespaced() && k.1 == n)
                })
                .map(|(k, _)| k.clone())
                .collect();
            for k in dependents {
                if let Ok(o) = self.remove_locked(&mut g, &k) {
                    queue.push(o);
                }
            }
        }
        Ok(removed)
    }

    fn remove_locked(&self, g: &mut Inner, key: &Key) -> Result<Arc<Value>, StoreError> {
        let old = g.objects.remove(key).ok_or_else(|| StoreError::NotFound {
            plural: key.0.plural(),
            name: key.2.clone(),
        })?;
        g.rv += 1;
        let mut gone = (*old).clone();
        meta::meta_mut(&mut gone).insert("resourceVersion".into(), json!(g.rv.to_string()));
        let gone = Arc::new(gone);
        self.record(g, EventType::Deleted, key.0, key, gone.clone());
        Ok(gone)
    }

    /// Applies one of the world's writes.
    pub fn apply(&self, action: Action) -> Result<Arc<Value>, StoreError> {
        match action {
            Action::Create(r, v) => self.create(r, v),
            Action::Update(r, v) => self.update(r, v, UpdateMode::Full),
            Action::Delete(r, ns, name) => self.delete(r, ns.as_deref(), &name),
        }
    }

    /// Starts a watch of one resource. `from` None or 0: current objects as ADDED, then
    /// live. Otherwise replay history after `from`, or `Expired` if it is gone.
    pub fn watch(
        &self,
        r: Resource,
        ns: Option<&str>,
        from: Option<u64>,
    ) -> Result<WatchStart, StoreError> {
        let g = self.lock();
        let live = self.tx.subscribe();
        let upto = g.rv;
        let replay = match from.filter(|v| *v > 0) {
            None => g
                .objects
                .iter()
                .filter(|((kr, kns, _), _)| in_scope(r, ns, *kr, kns))
                .map(|((kr, kns, _), v)| {
                    Arc::new(WatchEvent {
                        rv: meta::meta_str(v, "resourceVersion")
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(0),
                        kind: EventType::Added,
                        resource: *kr,
                        namespace: kns.clone(),
                        object: v.clone(),
                    })
                })
                .collect(),
            Some(from) => Self::after_locked(&g, r, ns, from)?,
        };
        Ok(WatchStart { replay, live, upto })
    }

    fn after_locked(
        g: &Inner,
        r: Resource,
        ns: Option<&str>,
        from: u64,
    ) -> Result<Vec<Arc<WatchEvent>>, StoreError> {
        if from < g.compacted_rv {
            return Err(StoreError::Expired {
                requested: from,
                oldest: g.compacted_rv,
            });
        }
        Ok(g.history
            .range(from + 1..)
            .map(|(_, (_, e))| e)
            .filter(|e| in_scope(r, ns, e.resource, &e.namespace))
            .cloned()
            .collect())
    }

    /// Events of one resource after `from`, oldest first; `Expired` when history no
    /// longer reaches back that far.
    /// Also returns the store's resourceVersion at that moment: everything up to it has
    /// been returned.
    pub fn events_after(
        &self,
        r: Resource,
        ns: Option<&str>,
        from: u64,
    ) -> Result<(Vec<Arc<WatchEvent>>, u64), StoreError> {
        let g = self.lock();
        Ok((Self::after_locked(&g, r, ns, from)?, g.rv))
    }

    /// Drops all watch history ("the laptop slept"): every older resume gets 410.
    pub fn compact(&self) {
        let mut g = self.lock();
        g.history.clear();
        g.latest.clear();
        // A gap in the sequence: no client-held version can be resumed any more.
        g.rv += 1;
        g.compacted_rv = g.rv;
    }

    /// A receiver of the latest resourceVersion (wakes on every change).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }
}

impl ObjectView for Store {
    fn list(&self, resource: Resource, namespace: Option<&str>) -> Vec<Arc<Value>> {
        Store::list(self, resource, namespace).0
    }

    fn get(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Option<Arc<Value>> {
        Store::get(self, resource, namespace, name)
    }
}

#[cfg(test)]
mod tests;
