//! Opening a stream: one task per site (a watch on the workload's pods when following),
//! one task per container, all writing into one [`Buffer`](super::buffer::Buffer).

use super::buffer::{Buffer, BufferOptions, Cursor, Delivery, Notice, SourceInfo};
use super::filter::{FilterSpec, QueryResult, Window};
use super::resolve::{Target, container_names, pods_of, workload_selector};
use super::source::{SourceCtx, run};
use super::{LogError, check_name};
use crate::client::{ClientCache, SiteClients};
use crate::registry::Site;
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinSet};
use tracing::Instrument;

/// Sites at most in one stream.
pub const MAX_SITES: usize = 64;

/// What to stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSpec {
    pub target: Target,
    /// None: every container of each pod.
    pub container: Option<String>,
    pub follow: bool,
    /// The previous (terminated) instance of each container.
    pub previous: bool,
    /// Start with the last N lines of each container (None: all).
    pub tail_lines: Option<u64>,
}

struct StreamInner {
    buffer: Arc<Buffer>,
    task: AbortHandle,
    spec: OpenSpec,
    sites: Vec<String>,
}

impl Drop for StreamInner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A running log stream. Cheap to clone; the tasks stop when the last clone is dropped
/// or [`LogStream::close`] is called.
#[derive(Clone)]
pub struct LogStream {
    inner: Arc<StreamInner>,
}

impl LogStream {
    /// New sources, lines (at most `max`, and about `max_bytes` of text), notices and
    /// the end, since `c`. A reader more than `max_lag` lines behind skips ahead and is
    /// told how many lines it missed.
    pub fn read(&self, c: &mut Cursor, max: usize, max_bytes: usize, max_lag: u64) -> Delivery {
        self.inner.buffer.read(c, max, max_bytes, max_lag)
    }

    /// Changes whenever something was added.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.buffer.subscribe()
    }

    /// A window of the buffered lines matching `spec`.
    pub fn query(&self, spec: &FilterSpec, w: Window) -> Result<QueryResult, LogError> {
        self.inner.buffer.query(spec, w)
    }

    /// Writes the buffered lines matching `spec` as text; returns the number of lines.
    pub fn export(&self, spec: &FilterSpec, out: &mut dyn std::io::Write) -> Result<u64, LogError> {
        self.inner.buffer.export(spec, out)
    }

    pub fn sources(&self) -> Vec<SourceInfo> {
        self.inner.buffer.sources()
    }

    pub fn spec(&self) -> &OpenSpec {
        &self.inner.spec
    }

    pub fn sites(&self) -> &[String] {
        &self.inner.sites
    }

    /// A stream over a filled buffer with nothing left to run (recorded log tails).
    pub(crate) fn done(buffer: Arc<Buffer>, spec: OpenSpec, sites: Vec<String>) -> LogStream {
        let task = tokio::spawn(async {}).abort_handle();
        LogStream {
            inner: Arc::new(StreamInner {
                buffer,
                task,
                spec,
                sites,
            }),
        }
    }

    /// Stops every task; readers get the end.
    pub fn close(&self) {
        self.inner.buffer.close();
        self.inner.task.abort();
    }
}

/// Checks the request, resolves the target on every site (a site that fails becomes a
/// notice unless all fail) and starts streaming.
pub async fn open(
    clients: &ClientCache,
    sites: Vec<Site>,
    spec: OpenSpec,
    opts: BufferOptions,
) -> Result<LogStream, LogError> {
    spec.target.validate()?;
    if let Some(c) = &spec.container {
        check_name("container", c)?;
    }
    if sites.is_empty() || sites.len() > MAX_SITES {
        return Err(LogError::InvalidInput(format!(
            "pick between 1 and {MAX_SITES} sites"
        )));
    }
    let deadline = clients.timeouts().request * 2;
    let checks = sites.iter().map(|s| async {
        let c = clients.get(s)?;
        let pods = tokio::time::timeout(deadline, pods_of(&c.requests, &spec.target))
            .await
            .map_err(|_| {
                LogError::Client(crate::client::ClientError::Timeout(format!(
                    "{}: listing pods took longer than {deadline:?}",
                    s.name
                )))
            })??;
        Ok::<_, LogError>((c, pods))
    });
    let results = futures::future::join_all(checks).await;
    let buffer = Buffer::new(opts);
    let mut ready = Vec::new();
    let mut first_err = None;
    let mut has_container = spec.container.is_none();
    for (site, r) in sites.iter().zip(results) {
        match r {
            Ok((c, pods)) => {
                has_container |= pods.iter().any(|p| {
                    spec.container
                        .as_ref()
                        .is_some_and(|c| container_names(p).contains(c))
                });
                ready.push((site.name.clone(), c, pods));
            }
            Err(e) => {
                buffer.notice(Notice {
                    site: site.name.clone(),
                    pod: None,
                    container: None,
                    kind: e.kind(),
                    message: e.to_string(),
                });
                first_err.get_or_insert(e);
            }
        }
    }
    if ready.is_empty() {
        return Err(first_err.unwrap_or_else(|| LogError::InvalidInput("no site".into())));
    }
    let all_empty = ready.iter().all(|(_, _, p)| p.is_empty());
    if !has_container && !all_empty {
        return Err(LogError::NotFound(format!(
            "no pod of the target has a container named {:?}",
            spec.container.clone().unwrap_or_default()
        )));
    }
    let mut set = JoinSet::new();
    for (name, c, pods) in ready {
        let span = tracing::info_span!("logs", site = %name);
        let b = buffer.clone();
        let sp = spec.clone();
        set.spawn(site_task(b, name, c, sp, pods, deadline).instrument(span));
    }
    let b = buffer.clone();
    let task = tokio::spawn(async move {
        while set.join_next().await.is_some() {}
        b.end("every log stream ended");
    })
    .abort_handle();
    Ok(LogStream {
        inner: Arc::new(StreamInner {
            buffer,
            task,
            spec,
            sites: sites.into_iter().map(|s| s.name).collect(),
        }),
    })
}

/// Starts the container tasks of `pod` in `set`.
#[allow(clippy::too_many_arguments)]
fn spawn_pod(
    set: &mut JoinSet<()>,
    b: &Arc<Buffer>,
    site: &str,
    c: &SiteClients,
    spec: &OpenSpec,
    pod: &Pod,
    tail: bool,
    deadline: Duration,
) -> Vec<AbortHandle> {
    let names = container_names(pod);
    let chosen: Vec<String> = match &spec.container {
        Some(want) => names.into_iter().filter(|n| n == want).collect(),
        None => names,
    };
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    chosen
        .into_iter()
        .map(|container| {
            set.spawn(run(SourceCtx {
                buffer: b.clone(),
                site: site.to_string(),
                watches: c.watches.clone(),
                requests: c.requests.clone(),
                namespace: spec.target.namespace().to_string(),
                pod: pod_name.clone(),
                container,
                follow: spec.follow,
                previous: spec.previous,
                tail_lines: if tail { spec.tail_lines } else { None },
                open_deadline: deadline,
            }))
        })
        .collect()
}

async fn site_task(
    b: Arc<Buffer>,
    site: String,
    c: SiteClients,
    spec: OpenSpec,
    pods: Vec<Pod>,
    deadline: Duration,
) {
    let mut set = JoinSet::new();
    let follow_workload =
        spec.follow && !spec.previous && matches!(spec.target, Target::Workload { .. });
    if !follow_workload {
        for p in &pods {
            spawn_pod(&mut set, &b, &site, &c, &spec, p, true, deadline);
        }
        while set.join_next().await.is_some() {}
        return;
    }
    let Target::Workload {
        namespace,
        kind,
        name,
    } = &spec.target
    else {
        return;
    };
    let notice = |e: &LogError| {
        b.notice(Notice {
            site: site.clone(),
            pod: None,
            container: None,
            kind: e.kind(),
            message: e.to_string(),
        })
    };
    let sel = match workload_selector(&c.requests, namespace, *kind, name).await {
        Ok(s) => s,
        Err(e) => return notice(&e),
    };
    let api = Api::<Pod>::namespaced(c.watches.clone(), namespace);
    let cfg = watcher::Config::default().labels(&sel).timeout(60);
    let mut events = watcher::watcher(api, cfg).default_backoff().boxed();
    let mut tracked: HashMap<String, Vec<AbortHandle>> = HashMap::new();
    let mut listing: HashSet<String> = HashSet::new();
    let mut initial = true;
    let mut last_err: Option<String> = None;
    let pod_name = |p: &Pod| p.metadata.name.clone().unwrap_or_default();
    while let Some(ev) = events.next().await {
        while set.try_join_next().is_some() {}
        match ev {
            Ok(Event::Init) => listing.clear(),
            Ok(Event::InitApply(p) | Event::Apply(p)) => {
                let n = pod_name(&p);
                listing.insert(n.clone());
                if let std::collections::hash_map::Entry::Vacant(v) = tracked.entry(n) {
                    v.insert(spawn_pod(
                        &mut set, &b, &site, &c, &spec, &p, initial, deadline,
                    ));
                }
            }
            Ok(Event::InitDone) => {
                initial = false;
                tracked.retain(|n, hs| {
                    let keep = listing.contains(n);
                    if !keep {
                        hs.iter().for_each(AbortHandle::abort);
                    }
                    keep
                });
            }
            Ok(Event::Delete(p)) => {
                if let Some(hs) = tracked.remove(&pod_name(&p)) {
                    hs.iter().for_each(AbortHandle::abort);
                }
            }
            Err(e) => {
                let text = e.to_string();
                if last_err.as_deref() != Some(text.as_str()) {
                    notice(&LogError::Client(crate::client::ClientError::Unreachable(
                        format!("watching the pods of {name}: {text}"),
                    )));
                }
                last_err = Some(text);
            }
        }
    }
}
