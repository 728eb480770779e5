//! Watches: newline-delimited JSON events, resume from a resourceVersion, bookmarks,
//! `timeoutSeconds`, and 410 Gone (as an ERROR event) when the version is compacted.

use super::objects::selectors;
use super::table::{Include, table, wants_table};
use super::{ApiError, Body, Target};
use crate::resource::Resource;
use crate::site::Site;
use crate::store::{StoreError, WatchEvent};
use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderValue, Response, header};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub fn stream_response(rx: mpsc::Receiver<Bytes>) -> Response<Body> {
    let s = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::io::Error>(Frame::data(b)), rx))
    });
    let mut r = Response::new(BodyExt::boxed_unsync(StreamBody::new(s.boxed())));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    r
}

fn line(v: &Value) -> Bytes {
    let mut b = serde_json::to_vec(v).unwrap_or_default();
    b.push(b'\n');
    Bytes::from(b)
}

/// The ERROR event a watch sends when its version is gone.
pub fn expired_event(msg: &str) -> Value {
    json!({"type": "ERROR", "object": ApiError::Gone(msg.to_string()).status(None)})
}

struct Filter {
    resource: Resource,
    namespace: Option<String>,
    labels: crate::store::select::LabelSelector,
    fields: crate::store::select::FieldSelector,
    table: Option<Include>,
}

impl Filter {
    fn render(&self, ev: &WatchEvent, first: &mut bool) -> Option<Value> {
        if ev.resource != self.resource
            || self
                .namespace
                .as_deref()
                .is_some_and(|n| self.resource.namespaced() && ev.namespace != n)
            || !self.labels.matches(&ev.object)
            || !self.fields.matches(&ev.object)
        {
            return None;
        }
        let object = match self.table {
            Some(inc) => {
                let t = table(
                    self.resource,
                    &[ev.object.as_ref()],
                    inc,
                    json!({"resourceVersion": ev.rv.to_string()}),
                    *first,
                );
                *first = false;
                t
            }
            None => (*ev.object).clone(),
        };
        Some(json!({"type": ev.kind.as_str(), "object": object}))
    }
}

pub fn serve(
    site: Arc<Site>,
    r: Resource,
    t: &Target,
    q: &HashMap<String, String>,
    accept: &str,
) -> Result<Response<Body>, ApiError> {
    let (labels, fields) = selectors(q)?;
    let from = match q.get("resourceVersion").map(String::as_str) {
        None | Some("") | Some("0") => None,
        Some(v) => Some(
            v.parse::<u64>()
                .map_err(|_| ApiError::BadRequest(format!("invalid resource version: {v}")))?,
        ),
    };
    let bookmarks = q
        .get("allowWatchBookmarks")
        .is_some_and(|v| v == "true" || v == "1");
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let filter = Filter {
        resource: r,
        namespace: t.namespace.clone(),
        labels,
        fields,
        table: wants_table(accept)
            .then(|| Include::parse(q.get("includeObject").map(String::as_str))),
    };
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let start = site.store.watch(r, t.namespace.as_deref(), from);
    let mut sleep_rx = site.sleep_epoch.subscribe();
    let bookmark_every = site.bookmark_every;
    let span = tracing::info_span!("site", site = %site.spec.name);
    let task = async move {
        let start = match start {
            Ok(s) => s,
            Err(e @ StoreError::Expired { .. }) => {
                let _ = tx.send(line(&expired_event(&e.to_string()))).await;
                return;
            }
            Err(e) => {
                let _ = tx
                    .send(line(
                        &json!({"type": "ERROR", "object": ApiError::from(e).status(None)}),
                    ))
                    .await;
                return;
            }
        };
        let mut first = true;
        for ev in &start.replay {
            if let Some(v) = filter.render(ev, &mut first)
                && tx.send(line(&v)).await.is_err()
            {
                return;
            }
        }
        let mut last_rv = start.upto;
        let mut live = start.live;
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut tick = tokio::time::interval(bookmark_every);
        tick.tick().await;
        loop {
            let bookmark_due = tokio::select! {
                _ = &mut deadline => return,
                _ = sleep_rx.changed() => return,
                _ = tx.closed() => return,
                _ = tick.tick(), if bookmarks => true,
                r = live.changed() => if r.is_err() { return } else { false },
            };
            let (events, upto) =
                match site
                    .store
                    .events_after(r, filter.namespace.as_deref(), last_rv)
                {
                    Ok(x) => x,
                    Err(e) => {
                        let _ = tx.send(line(&expired_event(&e.to_string()))).await;
                        return;
                    }
                };
            for ev in &events {
                if let Some(v) = filter.render(ev, &mut first)
                    && tx.send(line(&v)).await.is_err()
                {
                    return;
                }
            }
            last_rv = upto;
            if bookmark_due {
                let b = json!({"type": "BOOKMARK", "object": {"kind": r.kind(), "apiVersion": r.api_version(),
                    "metadata": {"resourceVersion": last_rv.to_string()}}});
                if tx.send(line(&b)).await.is_err() {
                    return;
                }
            }
        }
    };
    tokio::spawn(tracing::Instrument::instrument(task, span));
    Ok(stream_response(rx))
}
