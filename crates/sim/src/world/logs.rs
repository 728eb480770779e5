//! Deterministic, plausible container logs.
//!
//! Line `i` of a container instance has a fixed timestamp and text derived from the fleet
//! seed, the pod and the container, so any window can be produced without storing lines:
//! `tailLines`, `sinceSeconds` and `follow` are all just windows over the same sequence.

use serde_json::Value;

/// How lines are produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogMode {
    /// Lines that match the workload's log profile, a few per second.
    #[default]
    Normal,
    /// HTML/script, ANSI escapes, 1 MB lines and invalid UTF-8.
    Hostile,
    /// As fast as asked, for benchmarks.
    Flood { lines_per_sec: u64 },
}

/// One log line; bytes, because hostile mode emits invalid UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub ts: jiff::Timestamp,
    pub text: Vec<u8>,
}

/// The log sequence of one container instance.
#[derive(Debug, Clone)]
pub struct LogGen {
    started: jiff::Timestamp,
    ended: Option<jiff::Timestamp>,
}

impl LogGen {
    /// The generator for a container of `pod`; None when the pod has no such container,
    /// or (`previous`) no terminated previous instance.
    pub fn for_container(
        seed: u64,
        pod: &Value,
        container: &str,
        previous: bool,
        mode: LogMode,
    ) -> Option<LogGen> {
        // Stub until the world's generator lands.
        let _ = (seed, pod, container, previous, mode);
        None
    }

    /// Lines with `since < ts <= until` (all from the start when `since` is None), oldest
    /// first; when there are more than `max`, only the newest `max`.
    pub fn lines(
        &self,
        since: Option<jiff::Timestamp>,
        until: jiff::Timestamp,
        max: usize,
    ) -> Vec<LogLine> {
        let _ = (since, until, max, self.started);
        Vec::new()
    }

    /// For a terminated instance, when it ended: no line comes after it.
    pub fn ended_at(&self) -> Option<jiff::Timestamp> {
        self.ended
    }
}
