//! Bounds on what a site may send, applied to every response body of a site's
//! clients, so a compromised or broken site streaming gigabytes within a deadline
//! fails with [`TooLarge`] instead of filling memory.
//!
//! Whole responses (kube collects them before parsing) are bounded in bytes, and JSON
//! ones also in list items and in objects/arrays at any depth, counted by a tiny
//! structural scanner as the bytes arrive, before anything is parsed: a page of
//! `[{},{},…]` costs three bytes an item on the wire but a whole typed object each
//! once parsed. Watch streams are long-lived: each line (one event) is bounded
//! instead. Followed logs are left alone: their reader cuts lines itself.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::{BoxError, Service};

/// Most objects of one kind read from one site (a list across its pages, a watched
/// kind's map). Edge sites have a few hundred pods; this is far above that.
pub const MAX_OBJECTS: usize = 10_000;

/// Byte and item bounds of responses. A page of 500 pods (with managed fields) is
/// 5–10 MB; etcd refuses objects over 1.5 MiB, so no honest watch event is larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// One answer to a small request (`/version`, `/healthz`…).
    pub small_bytes: u64,
    /// Any other whole response (a list page, a log tail).
    pub body_bytes: u64,
    /// Items of one list response.
    pub list_items: u64,
    /// JSON objects and arrays, at any depth, of one response.
    pub json_nodes: u64,
    /// One line (one event) of a watch stream.
    pub event_bytes: u64,
    /// Longest silence of a watch stream (see [`super::Timeouts::watch_idle`]).
    pub watch_idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            small_bytes: 1 << 20,
            body_bytes: 16 << 20,
            list_items: MAX_OBJECTS as u64,
            json_nodes: 2_000_000,
            event_bytes: 4 << 20,
            watch_idle: super::Timeouts::default().watch_idle,
        }
    }
}

/// A site sent more than a bound allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{site} sent more than {limit} {what}")]
pub struct TooLarge {
    pub site: String,
    pub what: String,
    pub limit: u64,
}

/// A watch stream stayed silent (no event, no bookmark) past its bound: the
/// connection is most likely gone without a word (a NAT dropped it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{site}: no watch event or bookmark within {idle:?} (timed out; the connection was dropped?)"
)]
pub struct Idle {
    pub site: String,
    pub idle: Duration,
}

/// How one response is bounded, from its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// At most `bytes` in all; `json`: items and nodes counted too.
    Whole { bytes: u64, json: bool },
    /// At most `bytes` between two newlines, and some byte every `idle`.
    Lines { bytes: u64, idle: Duration },
    /// Not bounded here.
    Free,
}

impl Mode {
    fn of(uri: &http::Uri, l: &Limits) -> Mode {
        let path = uri.path().trim_end_matches('/');
        let param = |name: &str| {
            uri.query().unwrap_or("").split('&').any(|kv| {
                kv.split_once('=')
                    .is_some_and(|(k, v)| k == name && matches!(v, "true" | "1"))
            })
        };
        let log = path.ends_with("/log");
        if param("watch") {
            Mode::Lines {
                bytes: l.event_bytes,
                idle: l.watch_idle,
            }
        } else if log && param("follow") {
            Mode::Free
        } else if log {
            Mode::Whole {
                bytes: l.body_bytes,
                json: false,
            }
        } else if ["/version", "/healthz", "/livez", "/readyz"]
            .iter()
            .any(|p| path.ends_with(p))
        {
            Mode::Whole {
                bytes: l.small_bytes,
                json: true,
            }
        } else {
            Mode::Whole {
                bytes: l.body_bytes,
                json: true,
            }
        }
    }
}

/// Counts a JSON document's structure as its bytes arrive: objects opened directly
/// inside an array one level under the top object (a list's `items`), and every
/// object or array.
#[derive(Debug, Default)]
struct Scan {
    depth: u32,
    /// Whether each open container (up to depth 2) is an array.
    arrays: [bool; 3],
    in_str: bool,
    esc: bool,
    items: u64,
    nodes: u64,
}

impl Scan {
    fn feed(&mut self, mut d: &[u8]) {
        while !d.is_empty() {
            if self.in_str {
                if self.esc {
                    self.esc = false;
                    d = &d[1..];
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', d) {
                    Some(i) => {
                        if d[i] == b'\\' {
                            self.esc = true;
                        } else {
                            self.in_str = false;
                        }
                        d = &d[i + 1..];
                    }
                    None => return,
                }
                continue;
            }
            match d[0] {
                b'"' => self.in_str = true,
                c @ (b'{' | b'[') => {
                    self.nodes += 1;
                    if c == b'{' && self.depth == 2 && self.arrays[2] {
                        self.items += 1;
                    }
                    self.depth += 1;
                    if let Some(a) = self.arrays.get_mut(self.depth as usize) {
                        *a = c == b'[';
                    }
                }
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            d = &d[1..];
        }
    }
}

/// A response body with the bounds of its [`Mode`].
pub(super) struct Capped<B> {
    inner: B,
    mode: Mode,
    site: Arc<str>,
    limits: Limits,
    /// Bytes so far (whole) or since the last newline (lines).
    seen: u64,
    scan: Scan,
    failed: bool,
    /// When a silent watch stream fails.
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<B> Capped<B> {
    fn check(&mut self, d: &[u8]) -> Result<(), TooLarge> {
        let over = |what: &str, limit: u64| TooLarge {
            site: self.site.to_string(),
            what: what.to_string(),
            limit,
        };
        match self.mode {
            Mode::Free => Ok(()),
            Mode::Lines { bytes, .. } => {
                self.seen = match memchr::memrchr(b'\n', d) {
                    Some(i) => (d.len() - i - 1) as u64,
                    None => self.seen + d.len() as u64,
                };
                if self.seen > bytes {
                    return Err(over("bytes in one watch event", bytes));
                }
                Ok(())
            }
            Mode::Whole { bytes, json } => {
                self.seen += d.len() as u64;
                if self.seen > bytes {
                    return Err(over("bytes in one response", bytes));
                }
                if json {
                    self.scan.feed(d);
                    if self.scan.items > self.limits.list_items {
                        return Err(over("items in one list", self.limits.list_items));
                    }
                    if self.scan.nodes > self.limits.json_nodes {
                        return Err(over(
                            "JSON objects and arrays in one response",
                            self.limits.json_nodes,
                        ));
                    }
                }
                Ok(())
            }
        }
    }
}

impl<B> Body for Capped<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(sleep), Mode::Lines { idle, .. }) = (this.idle.as_mut(), this.mode) {
                    sleep.as_mut().reset(tokio::time::Instant::now() + idle);
                }
                if let Some(d) = frame.data_ref()
                    && let Err(e) = this.check(d)
                {
                    this.failed = true;
                    tracing::warn!(limit = e.limit, what = %e.what, "response over its bound");
                    return Poll::Ready(Some(Err(Box::new(e))));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if let (Some(sleep), Mode::Lines { idle, .. }) = (this.idle.as_mut(), this.mode)
                    && sleep.as_mut().poll(cx).is_ready()
                {
                    this.failed = true;
                    let e = Idle {
                        site: this.site.to_string(),
                        idle,
                    };
                    tracing::info!(reason = %e, "watch stream silent; it starts again");
                    return Poll::Ready(Some(Err(Box::new(e))));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Wraps every response body of `inner` in [`Capped`], bounded by its request.
#[derive(Clone)]
pub(super) struct CapBodies<S> {
    pub inner: S,
    pub site: Arc<str>,
    pub limits: Limits,
}

impl<S, ReqB, B> Service<http::Request<ReqB>> for CapBodies<S>
where
    S: Service<http::Request<ReqB>, Response = http::Response<B>>,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = http::Response<Capped<B>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<ReqB>) -> Self::Future {
        let mode = Mode::of(req.uri(), &self.limits);
        let (site, limits) = (self.site.clone(), self.limits);
        let fut = self.inner.call(req);
        Box::pin(async move {
            let res = fut.await?;
            let idle = match mode {
                Mode::Lines { idle, .. } => Some(Box::pin(tokio::time::sleep(idle))),
                _ => None,
            };
            Ok(res.map(|inner| Capped {
                inner,
                mode,
                site,
                limits,
                seen: 0,
                scan: Scan::default(),
                failed: false,
                idle,
            }))
        })
    }
}

/// The [`Idle`] somewhere in an error's chain.
pub(super) fn idle(e: &(dyn std::error::Error + 'static)) -> Option<Idle> {
    find(e)
}

/// The [`TooLarge`] somewhere in an error's chain (kube wraps the body's error, and
/// watch streams wrap it in an `io::Error` too).
pub fn too_large(e: &(dyn std::error::Error + 'static)) -> Option<TooLarge> {
    find(e)
}

fn find<T: std::error::Error + Clone + 'static>(
    e: &(dyn std::error::Error + 'static),
) -> Option<T> {
    let mut cur = Some(e);
    while let Some(c) = cur {
        if let Some(t) = c.downcast_ref::<T>() {
            return Some(t.clone());
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && let Some(t) = io.get_ref().and_then(|i| i.downcast_ref::<T>())
        {
            return Some(t.clone());
        }
        cur = c.source();
    }
    None
}

#[cfg(test)]
#[path = "limit_tests.rs"]
mod tests;
