//! Deterministic, plausible container logs.
//!
//! Line `i` of a container instance has a fixed timestamp and text derived from the fleet
//! seed, the pod and the container, so any window can be produced without storing lines:
//! `tailLines`, `sinceSeconds` and `follow` are all just windows over the same sequence.
//!
//! Timestamps are `start + i·period + jitter(i)` with `jitter < period`, so they are
//! strictly increasing and the index range of any time window is computed directly.

use super::logsystem::SystemLog;
use super::logtext;
use super::objects::{annotation, fnv64, mix, str_at, time_at};
use super::templates::{LOGS_ANNOTATION, parse_profile};
use crate::spec::LogProfile;
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

/// What kind of text the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Profile(LogProfile),
    System(SystemLog),
    Hostile,
    Flood,
}

/// The log sequence of one container instance.
#[derive(Debug, Clone)]
pub struct LogGen {
    started: jiff::Timestamp,
    ended: Option<jiff::Timestamp>,
    key: u64,
    period_ns: i128,
    style: Style,
    /// The instance exited with a non-zero code: it ends with a fatal error and trace.
    crashed: bool,
    container: String,
    image: String,
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
        let spec_c = pod
            .pointer("/spec/containers")?
            .as_array()?
            .iter()
            .find(|c| c["name"] == container)?;
        let cs = pod
            .pointer("/status/containerStatuses")?
            .as_array()?
            .iter()
            .find(|c| c["name"] == container)?;
        let instance = if previous {
            cs.pointer("/lastState/terminated")?
        } else if let Some(r) = cs.pointer("/state/running") {
            r
        } else if let Some(t) = cs.pointer("/state/terminated") {
            t
        } else {
            // Waiting (e.g. CrashLoopBackOff): the API serves the last terminated instance.
            cs.pointer("/lastState/terminated")?
        };
        let started = time_at(instance, "/startedAt")?;
        let ended = time_at(instance, "/finishedAt");
        let crashed = ended.is_some() && instance["exitCode"].as_i64().unwrap_or(0) != 0;
        let pod_id = str_at(pod, "/metadata/uid")
            .or_else(|| str_at(pod, "/metadata/name"))
            .unwrap_or("");
        let inst_id = str_at(instance, "/startedAt").unwrap_or("");
        let key = mix(&[
            seed,
            fnv64(pod_id.as_bytes()),
            fnv64(container.as_bytes()),
            fnv64(inst_id.as_bytes()),
        ]);
        let ann = annotation(pod, LOGS_ANNOTATION);
        let system = ann.and_then(SystemLog::parse);
        let profile = ann.map(parse_profile).unwrap_or(LogProfile::Json);
        let spread = 0.7 + 0.6 * ((mix(&[key, 99]) >> 11) as f64 / (1u64 << 53) as f64);
        let (style, period_ns) = match mode {
            LogMode::Flood { lines_per_sec } => (
                Style::Flood,
                1_000_000_000 / i128::from(lines_per_sec.max(1)),
            ),
            LogMode::Hostile => (Style::Hostile, 1_000_000_000),
            LogMode::Normal if profile == LogProfile::Hostile => (Style::Hostile, 1_000_000_000),
            LogMode::Normal if system.is_some() => {
                let k = system.unwrap_or(SystemLog::Klog);
                (Style::System(k), (k.period_ms() * spread * 1e6) as i128)
            }
            LogMode::Normal => {
                let base_ms: f64 = match profile {
                    LogProfile::WebApp => 700.0,
                    LogProfile::Camera => 1000.0,
                    LogProfile::Mqtt => 500.0,
                    LogProfile::Cache => 2000.0,
                    LogProfile::Json | LogProfile::Hostile => 1200.0,
                };
                (Style::Profile(profile), (base_ms * spread * 1e6) as i128)
            }
        };
        Some(LogGen {
            started,
            ended,
            key,
            period_ns: period_ns.max(1),
            style,
            crashed,
            container: container.to_string(),
            image: spec_c["image"].as_str().unwrap_or("").to_string(),
        })
    }

    /// Lines with `since < ts <= until` (all from the start when `since` is None), oldest
    /// first; when there are more than `max`, only the newest `max`.
    pub fn lines(
        &self,
        since: Option<jiff::Timestamp>,
        until: jiff::Timestamp,
        max: usize,
    ) -> Vec<LogLine> {
        let upper = match self.ended {
            Some(e) if e < until => e,
            _ => until,
        };
        let lo = since.map_or(0, |s| self.count_le(s));
        let hi = self.count_le(upper).max(lo);
        let tail_in_window = self.crashed
            && self
                .ended
                .is_some_and(|e| e <= until && since.is_none_or(|s| s < e));
        let tail = if tail_in_window {
            logtext::fatal_tail(self.key, &self.container)
        } else {
            Vec::new()
        };
        let tail_n = tail.len().min(max) as u64;
        let budget = (max as u64).saturating_sub(tail_n);
        let lo = lo.max(hi.saturating_sub(budget));
        let mut out = Vec::with_capacity((hi - lo) as usize + tail_n as usize);
        for i in lo..hi {
            out.push(LogLine {
                ts: self.ts_of(i),
                text: self.text_of(i),
            });
        }
        if let Some(e) = self.ended {
            let skip = tail.len() - tail_n as usize;
            for t in tail.into_iter().skip(skip) {
                out.push(LogLine { ts: e, text: t });
            }
        }
        out
    }

    /// For a terminated instance, when it ended: no line comes after it.
    pub fn ended_at(&self) -> Option<jiff::Timestamp> {
        self.ended
    }

    /// When the instance started.
    pub fn started_at(&self) -> jiff::Timestamp {
        self.started
    }

    fn ts_ns(&self, i: u64) -> i128 {
        let jitter = (mix(&[self.key, i, 7]) % 900) as i128 * self.period_ns / 1000;
        self.started.as_nanosecond() + i128::from(i) * self.period_ns + jitter
    }

    fn ts_of(&self, i: u64) -> jiff::Timestamp {
        jiff::Timestamp::from_nanosecond(self.ts_ns(i)).unwrap_or(self.started)
    }

    /// How many lines have `ts <= t`.
    fn count_le(&self, t: jiff::Timestamp) -> u64 {
        let d = t.as_nanosecond() - self.started.as_nanosecond();
        if d < 0 {
            return 0;
        }
        let k = u64::try_from(d / self.period_ns).unwrap_or(u64::MAX / 2);
        if self.ts_ns(k) <= t.as_nanosecond() {
            k + 1
        } else {
            k
        }
    }

    fn text_of(&self, i: u64) -> Vec<u8> {
        let ts = self.ts_of(i);
        match self.style {
            Style::Flood => logtext::flood(self.key, i),
            Style::Hostile => logtext::hostile(self.key, i),
            Style::System(k) => super::logsystem::line(k, self.key, i, ts),
            Style::Profile(p) => {
                logtext::profile_line(p, self.key, i, ts, &self.container, &self.image)
            }
        }
    }
}
