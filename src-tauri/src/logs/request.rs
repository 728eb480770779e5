//! Log requests from the webview to core shapes: the target, the filter, the buffer
//! the settings allow, and a label made safe for a file name.

use crate::{error, state::AppState};
use outpost_core::logs::{BufferOptions, FilterSpec, OpenSpec, Target, Window};
use outpost_core::session::OfflineError;
use outpost_ipc::{
    ErrorKind, IpcError, LogFilter, LogTarget, LogsOpenRequest, LogsQueryRequest, Settings,
};

pub fn invalid(msg: impl Into<String>) -> IpcError {
    IpcError::new(ErrorKind::InvalidInput, msg)
}

pub fn fail(e: OfflineError) -> IpcError {
    error::core(e.kind(), e)
}

pub fn target(namespace: &str, t: &LogTarget) -> Result<Target, IpcError> {
    Ok(match t {
        LogTarget::Pod { name } => Target::Pod {
            namespace: namespace.to_string(),
            name: name.clone(),
        },
        LogTarget::Workload { kind, name } => Target::Workload {
            namespace: namespace.to_string(),
            kind: *kind,
            name: name.clone(),
        },
    })
}

pub fn filter(f: &LogFilter) -> FilterSpec {
    FilterSpec {
        pattern: f.pattern.clone(),
        regex: f.regex,
        case_sensitive: f.case_sensitive,
    }
}

/// What a request asks to stream, and the buffer the settings allow.
pub fn open_spec(
    state: &AppState,
    req: &LogsOpenRequest,
) -> Result<(OpenSpec, BufferOptions), IpcError> {
    let settings = crate::settings::load(&state.home).unwrap_or_default();
    let max_lines = settings
        .log_buffer_lines
        .clamp(Settings::MIN_LOG_LINES, Settings::MAX_LOG_LINES);
    let spec = OpenSpec {
        target: target(&req.namespace, &req.target)?,
        container: req.container.clone(),
        follow: req.follow,
        previous: req.previous,
        tail_lines: req.tail_lines,
    };
    let opts = BufferOptions {
        max_lines,
        ..BufferOptions::default()
    };
    Ok((spec, opts))
}

/// The window a query asks for, within [`LogsQueryRequest::MAX_LIMIT`].
pub fn window(req: &LogsQueryRequest) -> Result<Window, IpcError> {
    if req.limit > LogsQueryRequest::MAX_LIMIT {
        return Err(invalid(format!(
            "limit is at most {}",
            LogsQueryRequest::MAX_LIMIT
        )));
    }
    Ok(Window {
        offset: req.offset,
        limit: req.limit as usize,
    })
}

/// The file name offered in the save dialog for a stream's lines.
pub fn file_name(label: &str) -> String {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S");
    format!("outpost-logs-{}-{stamp}", file_safe(label))
}

/// Keeps `[a-z0-9._+-]` of a label for a file name.
pub fn file_safe(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._+-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    t.trim_start_matches(['.', '-']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_core::logs::WorkloadKind;

    #[test]
    fn targets_and_file_names() {
        let t = target(
            "shop",
            &LogTarget::Workload {
                kind: WorkloadKind::Deployment,
                name: "pos".into(),
            },
        );
        assert!(matches!(
            t,
            Ok(Target::Workload {
                kind: WorkloadKind::Deployment,
                ..
            })
        ));
        // An unknown kind ("CronJob") no longer reaches here: the request does not
        // decode (outpost_ipc::kinds tests).
        let bad = serde_json::from_value::<LogTarget>(
            serde_json::json!({"type": "workload", "kind": "CronJob", "name": "x"}),
        );
        assert!(bad.is_err());
        assert_eq!(file_safe("a+b-pos/../<x>"), "a+b-pos-..--x-");
        assert_eq!(file_safe("../etc"), "etc");
    }
}
