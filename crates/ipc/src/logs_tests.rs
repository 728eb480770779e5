//! Serde shapes of the log viewer's types.

use super::*;
use crate::ErrorKind;
use serde_json::json;

#[test]
fn open_request_shape_with_defaults() {
    let v = json!({
        "sites": ["store-berlin-01", "store-lyon-02"],
        "namespace": "shop",
        "target": {"type": "workload", "kind": "Deployment", "name": "pos"},
        "container": "app",
        "follow": true,
        "previous": false,
        "tail_lines": 500
    });
    let r: LogsOpenRequest = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(
        r.target,
        LogTarget::Workload {
            kind: crate::WorkloadKind::Deployment,
            name: "pos".into()
        }
    );
    assert_eq!(serde_json::to_value(&r).unwrap(), v);
    let min: LogsOpenRequest = serde_json::from_value(json!({
        "sites": ["a"], "namespace": "shop", "target": {"type": "pod", "name": "api-1"}
    }))
    .unwrap();
    assert!(!min.follow && !min.previous && min.container.is_none() && min.tail_lines.is_none());
    assert_eq!(
        serde_json::to_value(&min).unwrap(),
        json!({"sites": ["a"], "namespace": "shop", "target": {"type": "pod", "name": "api-1"},
               "follow": false, "previous": false})
    );
}

#[test]
fn open_request_rejects_unknown_fields_and_targets() {
    let bad = json!({"sites": [], "namespace": "n", "target": {"type": "pod", "name": "x"}, "html": true});
    assert!(serde_json::from_value::<LogsOpenRequest>(bad).is_err());
    let bad = json!({"sites": [], "namespace": "n", "target": {"type": "node", "name": "x"}});
    assert!(serde_json::from_value::<LogsOpenRequest>(bad).is_err());
}

fn line_json() -> serde_json::Value {
    json!({
        "seq": 41,
        "src": 2,
        "ts": "2026-11-24T20:10:41.123456789Z",
        "text": "ERROR <script>alert(1)</script>",
        "spans": [
            {"start": 0, "end": 5, "fg": {"idx": 1}, "flags": 1},
            {"start": 6, "end": 14, "bg": {"rgb": [1, 2, 3]}}
        ],
        "cut": 7
    })
}

#[test]
fn lines_carry_text_and_spans_as_data() {
    let l: LogLine = serde_json::from_value(line_json()).unwrap();
    assert_eq!(l.spans[0].fg, Some(AnsiColour::Idx(1)));
    assert_eq!(l.spans[0].flags, SPAN_BOLD);
    assert_eq!(l.spans[1].bg, Some(AnsiColour::Rgb([1, 2, 3])));
    assert_eq!(l.text, "ERROR <script>alert(1)</script>", "text stays text");
    assert_eq!(serde_json::to_value(&l).unwrap(), line_json());
    // A plain line is compact: no empty spans/marks/cut.
    let plain = LogLine {
        seq: 1,
        src: 0,
        ts: None,
        text: "x".into(),
        spans: vec![],
        cut: 0,
        marks: vec![],
    };
    assert_eq!(
        serde_json::to_value(&plain).unwrap(),
        json!({"seq": 1, "src": 0, "text": "x"})
    );
    let mut v = line_json();
    v["html"] = json!("<b>");
    assert!(serde_json::from_value::<LogLine>(v).is_err());
}

#[test]
fn events_are_tagged_by_type() {
    let b = LogEvent::Batch {
        sources: vec![LogSource {
            id: 0,
            site: "s".into(),
            namespace: "shop".into(),
            pod: "api-1".into(),
            container: "app".into(),
            colour: 3,
            previous: false,
        }],
        lines: vec![],
    };
    assert_eq!(
        serde_json::to_value(&b).unwrap(),
        json!({"type": "batch", "sources": [{"id": 0, "site": "s", "namespace": "shop", "pod": "api-1",
               "container": "app", "colour": 3, "previous": false}], "lines": []})
    );
    assert_eq!(
        serde_json::to_value(LogEvent::Dropped { n: 5 }).unwrap(),
        json!({"type": "dropped", "n": 5})
    );
    assert_eq!(
        serde_json::to_value(LogEvent::Ended {
            reason: "closed".into()
        })
        .unwrap(),
        json!({"type": "ended", "reason": "closed"})
    );
    let e = LogEvent::Error {
        site: "s".into(),
        pod: Some("p".into()),
        container: None,
        error: IpcError::new(ErrorKind::Unreachable, "refused"),
    };
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(
        v,
        json!({"type": "error", "site": "s", "pod": "p", "error": {"kind": "unreachable", "message": "refused"}})
    );
    assert_eq!(serde_json::from_value::<LogEvent>(v).unwrap(), e);
    // A batch without sources omits them and still parses.
    let b: LogEvent =
        serde_json::from_value(json!({"type": "batch", "lines": [line_json()]})).unwrap();
    assert!(
        matches!(b, LogEvent::Batch { ref sources, ref lines } if sources.is_empty() && lines.len() == 1)
    );
}

#[test]
fn query_save_and_containers_shapes() {
    let q: LogsQueryRequest = serde_json::from_value(json!({"stream": 7, "limit": 200})).unwrap();
    assert_eq!((q.offset, q.filter.clone()), (None, LogFilter::default()));
    let q: LogsQueryRequest = serde_json::from_value(json!({
        "stream": 7, "filter": {"pattern": "err", "regex": true}, "offset": 10, "limit": 200
    }))
    .unwrap();
    assert!(q.filter.regex && !q.filter.case_sensitive);
    assert_eq!(q.offset, Some(10));
    let page = LogsPage {
        total: 1,
        offset: 0,
        lines: vec![],
        buffered: 10,
        evicted: 0,
        sources: vec![],
    };
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        json!({"total": 1, "offset": 0, "lines": [], "buffered": 10, "evicted": 0, "sources": []})
    );
    let pods: Vec<LogPod> = serde_json::from_value(json!([{"name": "api-1", "phase": "Running", "containers": [
        {"name": "app", "state": "waiting: CrashLoopBackOff", "restarts": 4, "has_previous": true}
    ]}]))
    .unwrap();
    assert!(pods[0].containers[0].has_previous && !pods[0].containers[0].init);
    let s: LogsSaved =
        serde_json::from_value(json!({"path": "/home/u/Downloads/x.log", "lines": 3})).unwrap();
    assert_eq!(s.lines, 3);
    assert_eq!(
        LOGS_COMMANDS,
        [
            "logs_open",
            "logs_close",
            "logs_query",
            "logs_containers",
            "logs_save"
        ]
    );
}
