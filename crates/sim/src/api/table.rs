//! Server-side `Table` output (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`),
//! with kubectl's usual columns per resource.

use crate::resource::Resource;
use serde_json::{Value, json};

/// kubectl's `HumanDuration`.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        let rest = s % 60;
        return if rest == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{rest}s")
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = s / 3600;
    if h < 8 {
        let rest = m % 60;
        return if rest == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{rest}m")
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        let rest = h % 24;
        return if rest == 0 {
            format!("{}d", h / 24)
        } else {
            format!("{}d{rest}h", h / 24)
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    if h < 24 * 365 * 8 {
        let d = (h / 24) % 365;
        return if d == 0 {
            format!("{}y", h / 24 / 365)
        } else {
            format!("{}y{d}d", h / 24 / 365)
        };
    }
    format!("{}y", h / 24 / 365)
}

mod cells;

pub use cells::pod_status;
use cells::{cells, columns};

/// How much of each object a row carries (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub fn parse(v: Option<&str>) -> Include {
        match v {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

fn row(r: Resource, o: &Value, inc: Include) -> Value {
    let object = match inc {
        Include::None => Value::Null,
        Include::Object => o.clone(),
        Include::Metadata => {
            json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                    "metadata": o.get("metadata").cloned().unwrap_or(json!({}))})
        }
    };
    json!({"cells": cells(r, o), "object": object})
}

/// A Table of objects. `headers` false leaves out column definitions (later watch events).
pub fn table(r: Resource, objs: &[&Value], inc: Include, list_meta: Value, headers: bool) -> Value {
    let defs = if headers {
        Value::Array(columns(r))
    } else {
        Value::Array(vec![])
    };
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta,
           "columnDefinitions": defs, "rows": objs.iter().map(|o| row(r, o, inc)).collect::<Vec<_>>()})
}

/// Whether an Accept header asks for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_kubectl() {
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(330), "5m30s");
        assert_eq!(human_duration(3600 * 2 + 600), "130m");
        assert_eq!(human_duration(3600 * 3 + 600), "3h10m");
        assert_eq!(human_duration(3600 * 30), "30h");
        assert_eq!(human_duration(86400 * 3 + 3600 * 4), "3d4h");
        assert_eq!(human_duration(86400 * 40), "40d");
    }

    #[test]
    fn pod_row_columns() {
        let p = json!({"metadata": {"name": "web-1", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"nodeName": "n1", "containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running", "podIP": "10.42.0.5", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 1, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        let t = table(Resource::Pod, &[&p], Include::Metadata, json!({}), true);
        let cells = &t["rows"][0]["cells"];
        assert_eq!(cells[0], "web-1");
        assert_eq!(cells[1], "1/2");
        assert_eq!(cells[2], "CrashLoopBackOff");
        assert_eq!(cells[3], "3");
        assert_eq!(cells[5], "10.42.0.5");
        assert_eq!(cells[6], "n1");
        assert_eq!(t["columnDefinitions"].as_array().map(Vec::len), Some(9));
        assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert!(wants_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
        assert!(!wants_table("application/json"));
    }
}
