//! The log viewer: open a stream of one pod or a whole workload on one or more sites,
//! receive its lines as [`LogEvent`]s over a `tauri::ipc::Channel`, filter the backend's
//! ring buffer a window at a time, list containers, save to a file.
//!
//! Lines are data: sanitised text plus colour spans as byte ranges. Nothing here is
//! markup, and the UI renders every string as a text node.

use crate::{Command, IpcError, PodPhase, WorkloadKind};
use serde::{Deserialize, Serialize};

/// Name of the channel argument of `logs_open`. Each channel message is raw bytes
/// (an `ArrayBuffer` in the webview): the UTF-8 JSON of a `Vec<LogEvent>`, one read's
/// worth of events in order, decoded in one pass by the UI.
pub const LOGS_OPEN_CHANNEL_ARG: &str = "on_event";

/// What to stream, in the request's namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LogTarget {
    Pod {
        name: String,
    },
    /// Every pod of a workload.
    Workload {
        kind: WorkloadKind,
        name: String,
    },
}

/// `logs_open`: starts a stream; events arrive on the channel argument
/// [`LOGS_OPEN_CHANNEL_ARG`].
pub struct LogsOpenCmd;

impl Command for LogsOpenCmd {
    const NAME: &'static str = "logs_open";
    type Request = LogsOpenRequest;
    type Response = LogsOpened;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsOpenRequest {
    /// One or more sites; the same target is streamed from each.
    pub sites: Vec<String>,
    pub namespace: String,
    pub target: LogTarget,
    /// None: every container of each pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default)]
    pub follow: bool,
    /// The previous (terminated) instance of each container.
    #[serde(default)]
    pub previous: bool,
    /// Start with the last N lines of each container (None: everything).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail_lines: Option<u64>,
}

/// The stream that was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsOpened {
    pub stream: u64,
    /// Lines the backend keeps for this stream (the setting `log_buffer_lines`).
    pub buffer_lines: u64,
    /// The sites do not answer: the lines are the last ones kept in their stored
    /// snapshot bundles, taken at this time (Unix ms); the stream is already ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_at_ms: Option<i64>,
}

/// Where lines come from; `id` is what [`LogLine::src`] refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSource {
    pub id: u32,
    pub site: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// Pod colour, 0..[`LOG_COLOURS`]: stable for the pod for the life of the stream.
    pub colour: u8,
    #[serde(default)]
    pub previous: bool,
}

/// Number of pod colours.
pub const LOG_COLOURS: u8 = 12;

/// A terminal colour: `{"idx": 0..=255}` or `{"rgb": [r, g, b]}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AnsiColour {
    Idx(u8),
    Rgb([u8; 3]),
}

/// [`LogSpan::flags`] bits.
pub const SPAN_BOLD: u8 = 1;
pub const SPAN_DIM: u8 = 2;
pub const SPAN_ITALIC: u8 = 4;
pub const SPAN_UNDERLINE: u8 = 8;
pub const SPAN_INVERSE: u8 = 16;

fn is_zero_u8(v: &u8) -> bool {
    *v == 0
}

fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

/// A styled byte range `[start, end)` of [`LogLine::text`], on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSpan {
    pub start: u32,
    pub end: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fg: Option<AnsiColour>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bg: Option<AnsiColour>,
    #[serde(default, skip_serializing_if = "is_zero_u8")]
    pub flags: u8,
}

/// One line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogLine {
    /// Position in the stream (from 0, contiguous, never reused).
    pub seq: u64,
    /// [`LogSource::id`].
    pub src: u32,
    /// The kubelet's RFC 3339 timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<String>,
    /// Sanitised text: no escapes, no control characters but TAB.
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<LogSpan>,
    /// Bytes cut off an over-long line.
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub cut: u64,
    /// Filter matches as byte ranges (only in `logs_query` answers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<[u32; 2]>,
}

/// One message of the `logs_open` channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LogEvent {
    /// New lines, and the sources they need that were not sent before.
    Batch {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sources: Vec<LogSource>,
        lines: Vec<LogLine>,
    },
    /// The reader fell behind: `n` lines were skipped (still queryable while buffered).
    Dropped { n: u64 },
    /// One site or container failed; the rest of the stream goes on.
    Error {
        site: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pod: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        container: Option<String>,
        error: IpcError,
    },
    /// No more lines will come.
    Ended { reason: String },
}

/// `logs_close`: stops a stream and frees its buffer.
pub struct LogsCloseCmd;

impl Command for LogsCloseCmd {
    const NAME: &'static str = "logs_close";
    type Request = LogsStreamRequest;
    type Response = ();
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsStreamRequest {
    pub stream: u64,
}

/// A substring or regex filter; an empty pattern matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogFilter {
    pub pattern: String,
    pub regex: bool,
    pub case_sensitive: bool,
}

/// `logs_query`: one window of the buffered lines matching a filter.
pub struct LogsQueryCmd;

impl Command for LogsQueryCmd {
    const NAME: &'static str = "logs_query";
    type Request = LogsQueryRequest;
    type Response = LogsPage;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsQueryRequest {
    pub stream: u64,
    #[serde(default)]
    pub filter: LogFilter,
    /// Index of the first match wanted; None: the last `limit` matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// At most [`LogsQueryRequest::MAX_LIMIT`].
    pub limit: u32,
}

impl LogsQueryRequest {
    pub const MAX_LIMIT: u32 = 5_000;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsPage {
    /// Matching lines in the buffer.
    pub total: u64,
    /// Index among the matches of `lines[0]`.
    pub offset: u64,
    pub lines: Vec<LogLine>,
    /// Lines in the buffer, matching or not.
    pub buffered: u64,
    /// Lines evicted from the buffer so far.
    pub evicted: u64,
    /// Every source of the stream.
    pub sources: Vec<LogSource>,
}

/// `logs_containers`: the pods of a target on one site and their containers.
pub struct LogsContainersCmd;

impl Command for LogsContainersCmd {
    const NAME: &'static str = "logs_containers";
    type Request = LogsContainersRequest;
    type Response = Vec<LogPod>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsContainersRequest {
    pub site: String,
    pub namespace: String,
    pub target: LogTarget,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogPod {
    pub name: String,
    pub phase: PodPhase,
    pub containers: Vec<LogContainer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogContainer {
    pub name: String,
    #[serde(default)]
    pub init: bool,
    /// `running`, `waiting: CrashLoopBackOff`, `terminated: Error`, …
    pub state: String,
    pub restarts: i32,
    /// `previous` logs are available.
    pub has_previous: bool,
}

/// `logs_save`: writes the buffered lines matching a filter to a text file in the
/// user's Downloads directory (the data directory when there is none).
pub struct LogsSaveCmd;

impl Command for LogsSaveCmd {
    const NAME: &'static str = "logs_save";
    type Request = LogsSaveRequest;
    type Response = LogsSaved;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsSaveRequest {
    pub stream: u64,
    #[serde(default)]
    pub filter: LogFilter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsSaved {
    pub path: String,
    pub lines: u64,
}

/// The log viewer's command names (for `COMMANDS`).
pub const LOGS_COMMANDS: [&str; 5] = [
    LogsOpenCmd::NAME,
    LogsCloseCmd::NAME,
    LogsQueryCmd::NAME,
    LogsContainersCmd::NAME,
    LogsSaveCmd::NAME,
];

#[cfg(test)]
#[path = "logs_tests.rs"]
mod tests;
