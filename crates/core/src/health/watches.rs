//! Live watches of one site (`kube::runtime::watcher` with the default back-off and
//! bookmarks), pruned into the site's [`SiteState`](super::SiteState) as events arrive.

use super::entry::Shared;
use super::prune;
use crate::client::{ClientError, MAX_OBJECTS, classify};
use crate::model::SiteState;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event as WEvent};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One bit per watched kind: a site is caught up once each has relisted.
pub(crate) const ALL_KINDS: u8 = 0b11_1111;

/// Warning events kept per site.
const MAX_EVENTS: usize = 50;

/// How one kind lands in the state.
struct Sink<K, V> {
    /// This kind's bit in [`ALL_KINDS`].
    bit: u8,
    /// Keys of this kind start with this (workload kinds share one map).
    prefix: &'static str,
    key: fn(&K) -> String,
    prune: fn(&K) -> V,
    map: fn(&mut SiteState) -> &mut BTreeMap<String, V>,
}

fn workload_key<K: kube::Resource>(kind: &str, o: &K) -> String {
    format!("{kind}/{}", prune::key_of(o))
}

/// Runs every watch of a site until the task is dropped.
pub(crate) async fn run_all(shared: &Arc<Shared>, name: &str) {
    let Some(site) = shared.site(name) else {
        return;
    };
    let c = match shared.clients.get_async(&site).await {
        Ok(c) => c.watches,
        Err(e) => {
            shared.update(name, |en| en.failed(&e));
            return;
        }
    };
    let t = shared.opts.watch_timeout_secs;
    let cfg = watcher::Config::default().timeout(t);
    futures::join!(
        watch_kind(
            shared,
            name,
            Api::<Node>::all(c.clone()),
            cfg.clone(),
            Sink {
                bit: 1 << 0,
                prefix: "",
                key: prune::key_of,
                prune: prune::node,
                map: |s| &mut s.nodes,
            }
        ),
        watch_kind(
            shared,
            name,
            Api::<Deployment>::all(c.clone()),
            cfg.clone(),
            Sink {
                bit: 1 << 1,
                prefix: "Deployment/",
                key: |o| workload_key("Deployment", o),
                prune: prune::deployment,
                map: |s| &mut s.workloads,
            }
        ),
        watch_kind(
            shared,
            name,
            Api::<StatefulSet>::all(c.clone()),
            cfg.clone(),
            Sink {
                bit: 1 << 2,
                prefix: "StatefulSet/",
                key: |o| workload_key("StatefulSet", o),
                prune: prune::statefulset,
                map: |s| &mut s.workloads,
            }
        ),
        watch_kind(
            shared,
            name,
            Api::<DaemonSet>::all(c.clone()),
            cfg.clone(),
            Sink {
                bit: 1 << 3,
                prefix: "DaemonSet/",
                key: |o| workload_key("DaemonSet", o),
                prune: prune::daemonset,
                map: |s| &mut s.workloads,
            }
        ),
        watch_kind(
            shared,
            name,
            Api::<Pod>::all(c.clone()),
            cfg.clone(),
            Sink {
                bit: 1 << 4,
                prefix: "",
                key: prune::key_of,
                prune: prune::pod,
                map: |s| &mut s.pods,
            }
        ),
        watch_kind(
            shared,
            name,
            Api::<Event>::all(c.clone()),
            cfg.clone().fields(super::sweep::WARNING_EVENTS),
            Sink {
                bit: 1 << 5,
                prefix: "",
                key: prune::key_of,
                prune: prune::event,
                map: |s| &mut s.events,
            }
        ),
    );
}

async fn watch_kind<K, V>(
    shared: &Arc<Shared>,
    name: &str,
    api: Api<K>,
    cfg: watcher::Config,
    sink: Sink<K, V>,
) where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug
        + Send
        + 'static,
    V: Clone,
{
    let mut stream = watcher::watcher(api, cfg).default_backoff().boxed();
    let mut buffer: Option<BTreeMap<String, V>> = None;
    // More objects of this kind than any edge site has: reported (once until the
    // next relist), not kept.
    let reported = std::sync::atomic::AtomicBool::new(false);
    let over = || {
        if reported.swap(true, std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let e = ClientError::too_large(
            name,
            format!("{} objects", K::plural(&())),
            MAX_OBJECTS as u64,
        );
        tracing::warn!(reason = %e, "watched kind over its bound");
        shared.update(name, |en| {
            en.stats.watch_errors += 1;
            en.failed(&e);
        });
    };
    while let Some(ev) = stream.next().await {
        let ev = match ev {
            Ok(ev) => ev,
            Err(err) => {
                tracing::debug!(error = %err, "watch error; the watcher backs off and relists");
                let ce = match &err {
                    watcher::Error::InitialListFailed(e)
                    | watcher::Error::WatchStartFailed(e)
                    | watcher::Error::WatchFailed(e) => Some(classify(e)),
                    _ => None,
                }
                // 410 Gone is the normal end of a watch whose history was compacted:
                // the watcher relists; the site is fine.
                .filter(|ce| !matches!(ce, ClientError::Api { code: 410, .. }));
                shared.update(name, |e| {
                    e.stats.watch_errors += 1;
                    if let Some(ce) = &ce {
                        e.failed(ce);
                    }
                });
                continue;
            }
        };
        match ev {
            WEvent::Init => {
                buffer = Some(BTreeMap::new());
                reported.store(false, std::sync::atomic::Ordering::Relaxed);
                shared.update(name, |e| e.stats.relists += 1);
            }
            WEvent::InitApply(o) => {
                if let Some(b) = buffer.as_mut() {
                    let k = (sink.key)(&o);
                    if b.len() >= MAX_OBJECTS && !b.contains_key(&k) {
                        // This relist is not applied; the state keeps what it had.
                        buffer = None;
                        over();
                    } else {
                        b.insert(k, (sink.prune)(&o));
                    }
                }
            }
            WEvent::InitDone => {
                let Some(b) = buffer.take() else {
                    continue;
                };
                apply(shared, name, |s| {
                    let m = (sink.map)(s);
                    m.retain(|k, _| !k.starts_with(sink.prefix) || b.contains_key(k));
                    m.extend(b);
                });
                shared.update(name, |e| e.relisted(sink.bit));
            }
            WEvent::Apply(o) => {
                let (k, v) = ((sink.key)(&o), (sink.prune)(&o));
                let mut full = false;
                apply(shared, name, |s| {
                    let m = (sink.map)(s);
                    full = !room_for(m, sink.prefix, &k);
                    if !full {
                        m.insert(k, v);
                    }
                });
                if full {
                    over();
                }
            }
            WEvent::Delete(o) => {
                let k = (sink.key)(&o);
                apply(shared, name, |s| {
                    (sink.map)(s).remove(&k);
                });
            }
        }
    }
}

/// Whether `k` may go into the map: it is there already, or its kind (by `prefix`)
/// has fewer than [`MAX_OBJECTS`].
fn room_for<V>(m: &BTreeMap<String, V>, prefix: &str, k: &str) -> bool {
    m.contains_key(k) || count(m, prefix) < MAX_OBJECTS
}

/// Objects of one kind in its map (workload kinds share one, by key prefix).
fn count<V>(m: &BTreeMap<String, V>, prefix: &str) -> usize {
    if prefix.is_empty() {
        return m.len();
    }
    m.range::<str, _>((
        std::ops::Bound::Included(prefix),
        std::ops::Bound::Unbounded,
    ))
    .take_while(|(k, _)| k.starts_with(prefix))
    .count()
}

/// Applies a change from a live event: the site answered and the data is current.
fn apply(shared: &Arc<Shared>, name: &str, f: impl FnOnce(&mut SiteState)) {
    shared.update(name, |e| {
        e.seen();
        f(&mut e.state);
        if e.state.events.len() > MAX_EVENTS {
            let mut by_age: Vec<(Option<jiff::Timestamp>, String)> = e
                .state
                .events
                .iter()
                .map(|(k, v)| (v.last_seen, k.clone()))
                .collect();
            by_age.sort();
            for (_, k) in by_age.into_iter().take(e.state.events.len() - MAX_EVENTS) {
                e.state.events.remove(&k);
            }
        }
        e.data_at = e.last_seen;
        e.known.live();
        e.stats.watch_events += 1;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watched_kind_takes_new_objects_up_to_its_bound_only() {
        let mut m: BTreeMap<String, ()> = BTreeMap::new();
        for i in 0..MAX_OBJECTS {
            m.insert(format!("Deployment/ns/d{i}"), ());
        }
        m.insert("StatefulSet/ns/s".into(), ());
        // Deployments are full: a new one is refused, a known one updated.
        assert!(!room_for(&m, "Deployment/", "Deployment/ns/new"));
        assert!(room_for(&m, "Deployment/", "Deployment/ns/d7"));
        // The kinds sharing the map keep their own room.
        assert!(room_for(&m, "StatefulSet/", "StatefulSet/ns/t"));
        assert!(room_for(&m, "DaemonSet/", "DaemonSet/ns/t"));
        assert_eq!(count(&m, "Deployment/"), MAX_OBJECTS);
        assert_eq!(count(&m, "StatefulSet/"), 1);
        // A map of one kind counts whole.
        let pods: BTreeMap<String, ()> =
            (0..MAX_OBJECTS).map(|i| (format!("ns/p{i}"), ())).collect();
        assert!(!room_for(&pods, "", "ns/new"));
    }
}
