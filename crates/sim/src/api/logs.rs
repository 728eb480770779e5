//! `pods/log`: text streams built on the world's [`LogGen`], with `container`,
//! `follow`, `tailLines`, `sinceSeconds`/`sinceTime`, `timestamps`, `previous` and
//! `limitBytes`.

use super::{ApiError, Body, Target};
use crate::resource::Resource;
use crate::site::Site;
use crate::world::logs::{LogGen, LogLine};
use bytes::Bytes;
use http::{HeaderValue, Response, header};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// A source of log lines (the world's generator, or a fake in tests).
pub trait LogSource: Send + 'static {
    fn lines(
        &self,
        since: Option<jiff::Timestamp>,
        until: jiff::Timestamp,
        max: usize,
    ) -> Vec<LogLine>;
    fn ended_at(&self) -> Option<jiff::Timestamp>;
}

impl LogSource for LogGen {
    fn lines(
        &self,
        since: Option<jiff::Timestamp>,
        until: jiff::Timestamp,
        max: usize,
    ) -> Vec<LogLine> {
        LogGen::lines(self, since, until, max)
    }
    fn ended_at(&self) -> Option<jiff::Timestamp> {
        LogGen::ended_at(self)
    }
}

/// The parsed log options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    pub follow: bool,
    pub tail: Option<usize>,
    pub since: Option<jiff::Timestamp>,
    pub timestamps: bool,
    pub limit_bytes: Option<usize>,
}

impl LogQuery {
    pub fn parse(q: &HashMap<String, String>, now: jiff::Timestamp) -> Result<LogQuery, ApiError> {
        let flag = |k: &str| q.get(k).is_some_and(|v| v == "true" || v == "1");
        let num = |k: &str| -> Result<Option<i64>, ApiError> {
            q.get(k)
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| ApiError::BadRequest(format!("invalid {k}: {v}")))
                })
                .transpose()
        };
        let mut since = None;
        if let Some(s) = num("sinceSeconds")? {
            if s <= 0 {
                return Err(ApiError::Invalid(
                    "sinceSeconds: Invalid value: must be greater than 0".into(),
                ));
            }
            since = now.checked_sub(jiff::SignedDuration::from_secs(s)).ok();
        }
        if let Some(t) = q.get("sinceTime") {
            since = Some(
                t.parse()
                    .map_err(|_| ApiError::BadRequest(format!("invalid sinceTime: {t}")))?,
            );
        }
        Ok(LogQuery {
            follow: flag("follow"),
            tail: num("tailLines")?.map(|n| n.max(0) as usize),
            since,
            timestamps: flag("timestamps"),
            limit_bytes: num("limitBytes")?.map(|n| n.max(1) as usize),
        })
    }
}

/// Renders lines as the kubelet does (optional RFC 3339 nano timestamp prefix).
fn render(lines: &[LogLine], timestamps: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        if timestamps {
            out.extend_from_slice(l.ts.to_string().as_bytes());
            out.push(b' ');
        }
        out.extend_from_slice(&l.text);
        if !l.text.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}

/// The first chunk of a log response: lines up to `now` within `since`/`tail`.
pub fn log_window(src: &dyn LogSource, q: &LogQuery, now: jiff::Timestamp) -> Vec<u8> {
    let until = src.ended_at().map_or(now, |e| e.min(now));
    let lines = src.lines(q.since, until, q.tail.unwrap_or(usize::MAX));
    render(&lines, q.timestamps)
}

/// Streams `src` into `tx`: the window, then (follow) new lines as simulated time passes.
pub async fn pump<S: LogSource>(
    src: S,
    q: LogQuery,
    clock: impl Fn() -> jiff::Timestamp,
    poll: Duration,
    slow: bool,
    tx: mpsc::Sender<Bytes>,
) {
    let mut budget = q.limit_bytes.unwrap_or(usize::MAX);
    let mut send = |mut chunk: Vec<u8>| {
        let stop = chunk.len() >= budget;
        chunk.truncate(budget);
        budget -= chunk.len();
        (Bytes::from(chunk), stop)
    };
    let mut upto = clock();
    let (first, stop) = send(log_window(&src, &q, upto));
    if !first.is_empty() && tx.send(first).await.is_err() {
        return;
    }
    if stop || !q.follow {
        return;
    }
    // Whether a chunk already carried the instance's end (a crash's fatal trace).
    let mut end_sent = src.ended_at().is_some();
    loop {
        if let Some(e) = src.ended_at().filter(|e| *e <= upto) {
            if !end_sent {
                // The instance ended at a time already streamed past while it looked
                // alive: its last lines (stamped with the end) still belong to it.
                let before = e
                    .checked_sub(jiff::SignedDuration::from_nanos(1))
                    .unwrap_or(e);
                let lines = src.lines(Some(before), e, usize::MAX);
                if !lines.is_empty() {
                    let (chunk, _) = send(render(&lines, q.timestamps));
                    let _ = tx.send(chunk).await;
                }
            }
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = tx.closed() => return,
        }
        let now = clock();
        let ended = src.ended_at();
        end_sent |= ended.is_some_and(|e| upto < e && e <= now);
        let until = ended.map_or(now, |e| e.min(now));
        let lines = src.lines(Some(upto), until, if slow { 1 } else { usize::MAX });
        if slow {
            // Throttled: at most one line per poll, time advances only as far as it.
            upto = lines.last().map_or(upto, |l| l.ts);
        } else {
            upto = until;
        }
        if lines.is_empty() {
            continue;
        }
        let (chunk, stop) = send(render(&lines, q.timestamps));
        if tx.send(chunk).await.is_err() || stop {
            return;
        }
    }
}

/// A running container's log, which ends like the kubelet's when that instance
/// terminates: a follow of a container that crashes ends with its fatal trace.
struct Live {
    instance: std::sync::Mutex<LogGen>,
    site: Arc<Site>,
    namespace: Option<String>,
    pod: String,
    container: String,
}

impl Live {
    fn lock(&self) -> std::sync::MutexGuard<'_, LogGen> {
        self.instance.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl LogSource for Live {
    fn lines(
        &self,
        since: Option<jiff::Timestamp>,
        until: jiff::Timestamp,
        max: usize,
    ) -> Vec<LogLine> {
        self.lock().lines(since, until, max)
    }

    fn ended_at(&self) -> Option<jiff::Timestamp> {
        let mut g = self.lock();
        if let Some(e) = g.ended_at() {
            return Some(e);
        }
        let pod = self
            .site
            .store
            .get(Resource::Pod, self.namespace.as_deref(), &self.pod)?;
        // The same instance (same start), now terminated: as current or previous state.
        let done = [false, true].into_iter().find_map(|previous| {
            LogGen::for_container(
                self.site.seed,
                &pod,
                &self.container,
                previous,
                self.site.log_mode,
            )
            .filter(|n| n.started_at() == g.started_at() && n.ended_at().is_some())
        })?;
        *g = done;
        g.ended_at()
    }
}

fn container_names(pod: &Value) -> Vec<String> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("name")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn serve(
    site: Arc<Site>,
    t: &Target,
    name: &str,
    q: &HashMap<String, String>,
) -> Result<Response<Body>, ApiError> {
    let pod = site
        .store
        .get(Resource::Pod, t.namespace.as_deref(), name)
        .ok_or_else(|| ApiError::NotFound(format!("pods \"{name}\" not found")))?;
    let names = container_names(&pod);
    let container = match q.get("container").filter(|c| !c.is_empty()) {
        Some(c) => c.clone(),
        None if names.len() == 1 => names[0].clone(),
        None => {
            return Err(ApiError::BadRequest(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    let previous = q.get("previous").is_some_and(|v| v == "true" || v == "1");
    let lq = LogQuery::parse(q, site.clock.now())?;
    let generator = LogGen::for_container(site.seed, &pod, &container, previous, site.log_mode).ok_or_else(|| {
        if previous {
            ApiError::BadRequest(format!("previous terminated container \"{container}\" in pod \"{name}\" not found"))
        } else if names.contains(&container) {
            ApiError::BadRequest(format!("container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating"))
        } else {
            ApiError::BadRequest(format!("container {container} is not valid for pod {name}"))
        }
    })?;
    let (tx, rx) = mpsc::channel(16);
    let slow = site.faults.borrow().slow_logs;
    let poll = if slow {
        Duration::from_secs(2)
    } else {
        Duration::from_millis(500)
    };
    let s2 = site.clone();
    let source = Live {
        instance: std::sync::Mutex::new(generator),
        site: site.clone(),
        namespace: t.namespace.clone(),
        pod: name.to_string(),
        container,
    };
    tokio::spawn(pump(source, lq, move || s2.clock.now(), poll, slow, tx));
    let mut r = super::watch::stream_response(rx);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(r)
}

#[cfg(test)]
mod tests;
