//! The log viewer's state: the open form, the stream's events, a bounded client-side
//! window of live lines, the filter (answered by the backend's `logs_query` a window at
//! a time), autoscroll and the virtual-scrolling maths. Pure: no DOM, no IPC.

mod render;
mod scroll;

pub use render::{Segment, colour_class, segments};
pub use scroll::{ROW_HEIGHT, Range, visible};

use outpost_ipc::{
    IpcError, LogEvent, LogFilter, LogLine, LogSource, LogTarget, LogsOpenRequest, LogsPage,
    LogsQueryRequest, LogsSaved,
};
use std::collections::VecDeque;
use std::rc::Rc;
use yew::Reducible;

/// Live lines kept in the webview (the backend keeps the whole buffer).
pub const LIVE_WINDOW: usize = 20_000;
/// Error notices kept.
pub const MAX_NOTICES: usize = 50;
/// Default tail per container.
pub const DEFAULT_TAIL: u64 = 1_000;

/// What to open.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub sites: Vec<String>,
    pub namespace: String,
    pub target: Option<LogTarget>,
    /// None: every container.
    pub container: Option<String>,
    pub follow: bool,
    pub previous: bool,
    pub tail: Option<u64>,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            sites: Vec::new(),
            namespace: String::new(),
            target: None,
            container: None,
            follow: true,
            previous: false,
            tail: Some(DEFAULT_TAIL),
        }
    }
}

impl Form {
    /// The request, when the form is complete.
    pub fn request(&self) -> Option<LogsOpenRequest> {
        if self.sites.is_empty() || self.namespace.is_empty() {
            return None;
        }
        Some(LogsOpenRequest {
            sites: self.sites.clone(),
            namespace: self.namespace.clone(),
            target: self.target.clone()?,
            container: self.container.clone(),
            follow: self.follow && !self.previous,
            previous: self.previous,
            tail_lines: self.tail,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Idle,
    Opening,
    Live,
    Ended(String),
    Failed(IpcError),
}

/// One row of the live window.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Line(Rc<LogLine>),
    /// The backend skipped lines because the view fell behind.
    Dropped(u64),
}

/// Filter input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterInput {
    pub text: String,
    pub regex: bool,
    pub case_sensitive: bool,
}

impl FilterInput {
    pub fn active(&self) -> bool {
        !self.text.is_empty()
    }

    pub fn to_ipc(&self) -> LogFilter {
        LogFilter {
            pattern: self.text.clone(),
            regex: self.regex,
            case_sensitive: self.case_sensitive,
        }
    }
}

/// The backend's answer for the current filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub filter: FilterInput,
    pub total: u64,
    pub offset: u64,
    pub lines: Vec<Rc<LogLine>>,
    pub buffered: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Logs {
    pub form: Form,
    /// Bumped on every open: events of older streams are ignored.
    pub generation: u32,
    pub stream: Option<u64>,
    pub buffer_lines: u64,
    pub status: Status,
    pub sources: Vec<LogSource>,
    pub live: VecDeque<Row>,
    /// Lines received since the stream opened.
    pub received: u64,
    /// Lines the backend skipped (dropped events), in total.
    pub dropped: u64,
    pub notices: VecDeque<String>,
    pub filter: FilterInput,
    pub page: Option<Page>,
    /// A query is in flight / the page is out of date.
    pub query_pending: bool,
    pub query_dirty: bool,
    pub autoscroll: bool,
    pub scroll_top: f64,
    pub viewport: f64,
    /// Rows evicted from the top of the live window while paused, for the view to
    /// keep the same lines in place (scrollTop -= rows × ROW_HEIGHT).
    pub shift_rows: u64,
    pub timestamps: bool,
    pub saved: Option<Result<LogsSaved, IpcError>>,
    /// Why the current filter cannot be applied (e.g. an invalid regex).
    pub filter_error: Option<String>,
    /// The sites are offline: the lines come from their stored snapshot, taken then
    /// (RFC 3339).
    pub snapshot_at_ms: Option<i64>,
}

impl Default for Logs {
    fn default() -> Self {
        Logs {
            form: Form::default(),
            generation: 0,
            stream: None,
            buffer_lines: 0,
            status: Status::Idle,
            sources: Vec::new(),
            live: VecDeque::new(),
            received: 0,
            dropped: 0,
            notices: VecDeque::new(),
            filter: FilterInput::default(),
            page: None,
            query_pending: false,
            query_dirty: false,
            autoscroll: true,
            scroll_top: 0.0,
            viewport: 600.0,
            shift_rows: 0,
            timestamps: false,
            saved: None,
            filter_error: None,
            snapshot_at_ms: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LogsAction {
    Form(Form),
    /// The form was submitted; the component calls `logs_open` with this generation.
    Open,
    Opened {
        generation: u32,
        result: Result<u64, IpcError>,
        buffer_lines: u64,
        /// Lines from the sites' stored snapshot, taken then (they are offline).
        snapshot_at_ms: Option<i64>,
    },
    Event {
        generation: u32,
        event: LogEvent,
    },
    /// One channel message: several events, applied in order (one render).
    Events {
        generation: u32,
        events: Vec<LogEvent>,
    },
    /// The stream was closed by the user.
    Closed,
    Filter(FilterInput),
    QueryStarted,
    QueryDone {
        generation: u32,
        filter: FilterInput,
        result: Result<LogsPage, IpcError>,
    },
    Scrolled {
        top: f64,
        viewport: f64,
    },
    /// The view applied `shift_rows`.
    Shifted,
    SetAutoscroll(bool),
    SetTimestamps(bool),
    Saved(Result<LogsSaved, IpcError>),
}

impl Logs {
    /// Rows the list shows: matches when filtering, else the live window.
    pub fn total_rows(&self) -> u64 {
        if self.filter.active() {
            self.page
                .as_ref()
                .filter(|p| p.filter == self.filter)
                .map_or(0, |p| p.total)
        } else {
            self.live.len() as u64
        }
    }

    /// Which rows to render now.
    pub fn range(&self) -> Range {
        visible(
            self.total_rows(),
            self.scroll_top,
            self.viewport,
            self.autoscroll,
        )
    }

    pub fn source(&self, id: u32) -> Option<&LogSource> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// Several pods or sites: each row shows where it came from.
    pub fn aggregated(&self) -> bool {
        let first = self.sources.first();
        self.sources
            .iter()
            .any(|s| Some((&s.site, &s.pod)) != first.map(|f| (&f.site, &f.pod)))
    }

    /// The `logs_query` to send now, if any: filtering, nothing in flight, and the page
    /// is stale or does not cover the visible rows.
    pub fn next_query(&self) -> Option<LogsQueryRequest> {
        let stream = self.stream?;
        if !self.filter.active() || self.query_pending || self.filter_error.is_some() {
            return None;
        }
        let r = self.range();
        let want = r.end.saturating_sub(r.start).max(1);
        let covered = self.page.as_ref().is_some_and(|p| {
            p.filter == self.filter
                && p.offset <= r.start
                && r.end <= p.offset + p.lines.len() as u64
        });
        if covered && !self.query_dirty {
            return None;
        }
        let margin = want;
        let (offset, limit) = if self.autoscroll {
            (None, want + margin)
        } else {
            let start = r.start.saturating_sub(margin);
            (Some(start), r.end + margin - start)
        };
        Some(LogsQueryRequest {
            stream,
            filter: self.filter.to_ipc(),
            offset,
            limit: u32::try_from(limit.min(u64::from(LogsQueryRequest::MAX_LIMIT))).unwrap_or(1),
        })
    }

    /// The line shown at row `i`, if loaded.
    pub fn row(&self, i: u64) -> Option<Row> {
        if self.filter.active() {
            let p = self.page.as_ref()?;
            let k = i.checked_sub(p.offset)?;
            p.lines
                .get(usize::try_from(k).ok()?)
                .cloned()
                .map(Row::Line)
        } else {
            self.live.get(usize::try_from(i).ok()?).cloned()
        }
    }

    fn push_live(&mut self, row: Row) {
        self.live.push_back(row);
        while self.live.len() > LIVE_WINDOW {
            self.live.pop_front();
            if !self.autoscroll {
                self.shift_rows += 1;
            }
        }
    }

    fn notice(&mut self, text: String) {
        self.notices.push_back(text);
        while self.notices.len() > MAX_NOTICES {
            self.notices.pop_front();
        }
    }

    fn event(&mut self, ev: LogEvent) {
        match ev {
            LogEvent::Batch { sources, lines } => {
                for s in sources {
                    self.sources.retain(|o| o.id != s.id);
                    self.sources.push(s);
                }
                self.received += lines.len() as u64;
                for l in lines {
                    self.push_live(Row::Line(Rc::new(l)));
                }
                if self.filter.active() {
                    self.query_dirty = true;
                }
                if self.status == Status::Opening {
                    self.status = Status::Live;
                }
            }
            LogEvent::Dropped { n } => {
                self.dropped += n;
                self.push_live(Row::Dropped(n));
            }
            LogEvent::Error {
                site,
                pod,
                container,
                error,
            } => {
                let at = [Some(site), pod, container]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("/");
                self.notice(format!("{at}: {} ({})", error.message, error.kind.as_str()));
            }
            LogEvent::Ended { reason } => {
                self.status = Status::Ended(reason);
                self.query_dirty |= self.filter.active();
            }
        }
    }

    /// The reducer, as a plain function.
    pub fn apply(&self, action: LogsAction) -> Logs {
        let mut n = self.clone();
        match action {
            LogsAction::Form(f) => n.form = f,
            LogsAction::Open => {
                n = Logs {
                    form: self.form.clone(),
                    generation: self.generation.wrapping_add(1),
                    status: Status::Opening,
                    filter: self.filter.clone(),
                    timestamps: self.timestamps,
                    viewport: self.viewport,
                    ..Logs::default()
                };
            }
            LogsAction::Opened {
                generation,
                result,
                buffer_lines,
                snapshot_at_ms,
            } if generation == self.generation => match result {
                Ok(id) => {
                    n.stream = Some(id);
                    n.buffer_lines = buffer_lines;
                    n.snapshot_at_ms = snapshot_at_ms;
                    n.query_dirty = n.filter.active();
                }
                Err(e) => n.status = Status::Failed(e),
            },
            LogsAction::Event { generation, event } if generation == self.generation => {
                n.event(event)
            }
            LogsAction::Events { generation, events } if generation == self.generation => {
                for e in events {
                    n.event(e);
                }
            }
            LogsAction::Opened { .. } | LogsAction::Event { .. } | LogsAction::Events { .. } => {}
            LogsAction::Closed => {
                n.stream = None;
                n.generation = self.generation.wrapping_add(1);
                if matches!(n.status, Status::Live | Status::Opening) {
                    n.status = Status::Ended("closed".into());
                }
            }
            LogsAction::Filter(f) => {
                n.filter_error = None;
                n.query_dirty = f.active();
                n.filter = f;
                n.autoscroll = true;
            }
            LogsAction::QueryStarted => {
                n.query_pending = true;
                n.query_dirty = false;
            }
            LogsAction::QueryDone {
                generation,
                filter,
                result,
            } => {
                if generation == self.generation {
                    n.query_pending = false;
                    match result {
                        Ok(p) if filter == self.filter => {
                            for s in p.sources {
                                if !n.sources.iter().any(|o| o.id == s.id) {
                                    n.sources.push(s);
                                }
                            }
                            n.filter_error = None;
                            n.page = Some(Page {
                                filter,
                                total: p.total,
                                offset: p.offset,
                                lines: p.lines.into_iter().map(Rc::new).collect(),
                                buffered: p.buffered,
                            });
                        }
                        // An answer for an older filter: ask again.
                        Ok(_) => n.query_dirty = true,
                        Err(e) if filter == self.filter => n.filter_error = Some(e.message),
                        Err(_) => n.query_dirty = true,
                    }
                }
            }
            LogsAction::Scrolled { top, viewport } => {
                n.scroll_top = top.max(0.0);
                n.viewport = viewport.max(ROW_HEIGHT);
                let total = self.total_rows();
                n.autoscroll = scroll::at_bottom(total, n.scroll_top, n.viewport);
            }
            LogsAction::Shifted => n.shift_rows = 0,
            LogsAction::SetAutoscroll(on) => {
                n.autoscroll = on;
                n.shift_rows = 0;
            }
            LogsAction::SetTimestamps(on) => n.timestamps = on,
            LogsAction::Saved(r) => n.saved = Some(r),
        }
        n
    }
}

impl Reducible for Logs {
    type Action = LogsAction;

    fn reduce(self: Rc<Self>, action: LogsAction) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[cfg(test)]
#[path = "logs_tests.rs"]
mod tests;
