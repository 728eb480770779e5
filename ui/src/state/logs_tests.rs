//! The log viewer's reducer, scrolling maths and segmenting.

use super::scroll::{MAX_PX, OVERSCAN, at_bottom, list_height};
use super::*;
use outpost_ipc::{AnsiColour, ErrorKind, LogSpan, LogsPage, SPAN_BOLD, SPAN_INVERSE};

fn line(seq: u64, src: u32, text: &str) -> LogLine {
    LogLine {
        seq,
        src,
        ts: None,
        text: text.into(),
        spans: vec![],
        cut: 0,
        marks: vec![],
    }
}

fn source(id: u32, site: &str, pod: &str) -> LogSource {
    LogSource {
        id,
        site: site.into(),
        namespace: "shop".into(),
        pod: pod.into(),
        container: "app".into(),
        colour: id as u8,
        previous: false,
    }
}

fn form() -> Form {
    Form {
        sites: vec!["berlin".into()],
        namespace: "shop".into(),
        target: Some(LogTarget::Workload {
            kind: outpost_ipc::WorkloadKind::Deployment,
            name: "pos".into(),
        }),
        ..Form::default()
    }
}

/// An open stream (generation 1, id 7).
fn opened() -> Logs {
    Logs::default()
        .apply(LogsAction::Form(form()))
        .apply(LogsAction::Open)
        .apply(LogsAction::Opened {
            generation: 1,
            result: Ok(7),
            buffer_lines: 1_000_000,
            snapshot_at_ms: None,
        })
}

fn batch(g: u32, from: u64, n: u64) -> LogsAction {
    LogsAction::Event {
        generation: g,
        event: LogEvent::Batch {
            sources: if from == 0 {
                vec![source(0, "berlin", "pos-1"), source(1, "berlin", "pos-2")]
            } else {
                vec![]
            },
            lines: (from..from + n)
                .map(|i| line(i, (i % 2) as u32, &format!("line {i}")))
                .collect(),
        },
    }
}

#[test]
fn the_form_becomes_a_request_only_when_complete() {
    assert_eq!(Form::default().request(), None);
    let r = form().request().expect("complete");
    assert_eq!(r.sites, vec!["berlin".to_string()]);
    assert!(r.follow && !r.previous);
    assert_eq!(r.tail_lines, Some(DEFAULT_TAIL));
    let prev = Form {
        previous: true,
        ..form()
    }
    .request()
    .expect("complete");
    assert!(
        prev.previous && !prev.follow,
        "previous logs cannot be followed"
    );
    assert_eq!(
        Form {
            target: None,
            ..form()
        }
        .request(),
        None
    );
}

#[test]
fn opening_resets_and_events_of_older_streams_are_ignored() {
    let s = opened().apply(batch(1, 0, 5));
    assert_eq!(
        (s.stream, s.status.clone(), s.live.len(), s.received),
        (Some(7), Status::Live, 5, 5)
    );
    assert!(s.aggregated(), "two pods");
    let s2 = s.apply(LogsAction::Open);
    assert_eq!(
        (s2.generation, s2.live.len(), s2.stream, s2.status.clone()),
        (2, 0, None, Status::Opening)
    );
    let s3 = s2.apply(batch(1, 5, 5)).apply(LogsAction::Opened {
        generation: 1,
        result: Ok(9),
        buffer_lines: 1,
        snapshot_at_ms: None,
    });
    assert_eq!(
        (s3.live.len(), s3.stream),
        (0, None),
        "late events of stream 1 do not leak into stream 2"
    );
    let failed = s2.apply(LogsAction::Opened {
        generation: 2,
        result: Err(IpcError::new(ErrorKind::NotFound, "no pod")),
        buffer_lines: 0,
        snapshot_at_ms: None,
    });
    assert!(matches!(failed.status, Status::Failed(ref e) if e.kind == ErrorKind::NotFound));
}

#[test]
fn the_live_window_is_bounded_and_drops_are_shown() {
    let mut s = opened();
    let n = LIVE_WINDOW as u64 + 500;
    s = s.apply(batch(1, 0, n));
    assert_eq!(s.live.len(), LIVE_WINDOW);
    assert_eq!(s.received, n);
    assert!(matches!(s.row(0), Some(Row::Line(ref l)) if l.seq == 500));
    s = s.apply(LogsAction::Event {
        generation: 1,
        event: LogEvent::Dropped { n: 42 },
    });
    assert_eq!(s.dropped, 42);
    assert!(matches!(s.live.back(), Some(Row::Dropped(42))));
    let e = LogEvent::Error {
        site: "berlin".into(),
        pod: Some("pos-1".into()),
        container: None,
        error: IpcError::new(ErrorKind::Unreachable, "<b>refused</b>"),
    };
    s = s.apply(LogsAction::Event {
        generation: 1,
        event: e,
    });
    assert_eq!(
        s.notices.back().map(String::as_str),
        Some("berlin/pos-1: <b>refused</b> (unreachable)")
    );
    s = s.apply(LogsAction::Event {
        generation: 1,
        event: LogEvent::Ended {
            reason: "done".into(),
        },
    });
    assert_eq!(s.status, Status::Ended("done".into()));
}

#[test]
fn pausing_keeps_the_view_in_place_while_the_window_slides() {
    let mut s = opened().apply(batch(1, 0, LIVE_WINDOW as u64));
    assert!(s.autoscroll);
    s = s.apply(LogsAction::Scrolled {
        top: 1_000.0,
        viewport: 360.0,
    });
    assert!(!s.autoscroll, "scrolling up pauses autoscroll");
    s = s.apply(batch(1, LIVE_WINDOW as u64, 30));
    assert_eq!(s.shift_rows, 30, "30 rows left the top while paused");
    s = s.apply(LogsAction::Shifted);
    assert_eq!(s.shift_rows, 0);
    let bottom = list_height(s.total_rows()) - 360.0;
    s = s.apply(LogsAction::Scrolled {
        top: bottom,
        viewport: 360.0,
    });
    assert!(s.autoscroll, "scrolling back to the bottom resumes");
    assert!(!s.apply(LogsAction::SetAutoscroll(false)).autoscroll);
}

#[test]
fn filtering_asks_the_backend_for_the_visible_window() {
    let mut s = opened().apply(batch(1, 0, 100));
    assert_eq!(s.next_query(), None, "no filter, no query");
    let f = FilterInput {
        text: "line 1".into(),
        regex: false,
        case_sensitive: false,
    };
    s = s.apply(LogsAction::Filter(f.clone()));
    assert_eq!(s.total_rows(), 0, "no page yet");
    let q = s.next_query().expect("a query");
    assert_eq!(
        (q.stream, q.offset, q.filter.pattern.as_str()),
        (7, None, "line 1")
    );
    assert!(q.limit > 0 && q.limit <= LogsQueryRequest::MAX_LIMIT);
    s = s.apply(LogsAction::QueryStarted);
    assert_eq!(s.next_query(), None, "one query in flight at a time");
    let mut matched = line(10, 0, "line 10");
    matched.marks = vec![[0, 6]];
    let page = LogsPage {
        total: 11,
        offset: 0,
        lines: vec![matched],
        buffered: 100,
        evicted: 0,
        sources: vec![],
    };
    s = s.apply(LogsAction::QueryDone {
        generation: 1,
        filter: f.clone(),
        result: Ok(page.clone()),
    });
    assert_eq!((s.total_rows(), s.query_pending), (11, false));
    assert!(matches!(s.row(0), Some(Row::Line(ref l)) if l.marks == vec![[0, 6]]));
    assert!(s.next_query().is_some(), "rows 1..11 are not loaded yet");
    // New lines make the page stale; an answer for an older filter is not shown.
    s = s.apply(LogsAction::QueryStarted).apply(batch(1, 100, 10));
    assert!(s.query_dirty);
    let f2 = FilterInput {
        text: "line 2".into(),
        ..f.clone()
    };
    s = s.apply(LogsAction::Filter(f2));
    s = s.apply(LogsAction::QueryDone {
        generation: 1,
        filter: f,
        result: Ok(page),
    });
    assert_eq!(s.total_rows(), 0, "page of the old filter is dropped");
    assert!(s.next_query().is_some());
    let err = s
        .apply(LogsAction::QueryStarted)
        .apply(LogsAction::QueryDone {
            generation: 1,
            filter: s.filter.clone(),
            result: Err(IpcError::new(ErrorKind::InvalidInput, "invalid filter: (")),
        });
    assert_eq!(err.filter_error.as_deref(), Some("invalid filter: ("));
    assert_eq!(
        err.next_query(),
        None,
        "a failing filter is not retried in a loop"
    );
    let fixed = err.apply(LogsAction::Filter(FilterInput {
        text: "ok".into(),
        ..FilterInput::default()
    }));
    assert_eq!(fixed.filter_error, None);
    assert!(fixed.next_query().is_some());
}

#[test]
fn scrolling_renders_only_visible_rows() {
    let r = visible(1000, 0.0, 180.0, false);
    assert_eq!((r.start, r.top_px), (0, 0.0));
    assert_eq!(r.end, 11 + OVERSCAN);
    assert_eq!(r.height_px, 18_000.0);
    assert!(
        (r.top_px + (r.end - r.start) as f64 * ROW_HEIGHT + r.bottom_px - r.height_px).abs() < 1e-6
    );
    let r = visible(1000, 9_000.0, 180.0, false);
    assert_eq!(r.start, 500 - OVERSCAN);
    assert_eq!(r.top_px, (500 - OVERSCAN) as f64 * ROW_HEIGHT);
    let r = visible(1000, 0.0, 180.0, true);
    assert_eq!(r.end, 1000, "autoscroll shows the last row");
    assert!(at_bottom(1000, 18_000.0 - 180.0, 180.0));
    assert!(!at_bottom(1000, 0.0, 180.0));
    assert_eq!(
        visible(0, 0.0, 180.0, true),
        Range {
            start: 0,
            end: 0,
            top_px: 0.0,
            bottom_px: 0.0,
            height_px: 0.0
        }
    );
    // A million rows: the list is capped and the scroll position maps proportionally.
    let total = 1_000_000;
    assert_eq!(list_height(total), MAX_PX);
    let r = visible(total, MAX_PX - 360.0, 360.0, false);
    assert_eq!(r.end, total);
    let mid = visible(total, (MAX_PX - 360.0) / 2.0, 360.0, false);
    assert!((mid.start as i64 - 500_000).abs() < 100, "{}", mid.start);
    assert!(mid.end - mid.start <= 2 * OVERSCAN + 22);
}

#[test]
fn segments_follow_spans_and_marks_and_ignore_bad_ranges() {
    let mut l = line(0, 0, "ERROR <script>x</script> é");
    l.spans = vec![
        LogSpan {
            start: 0,
            end: 5,
            fg: Some(AnsiColour::Idx(1)),
            bg: None,
            flags: SPAN_BOLD,
        },
        LogSpan {
            start: 25,
            end: 26,
            fg: Some(AnsiColour::Idx(2)),
            bg: None,
            flags: 0,
        }, // inside "é"
        LogSpan {
            start: 3,
            end: 999,
            fg: Some(AnsiColour::Idx(3)),
            bg: None,
            flags: 0,
        },
    ];
    l.marks = vec![[3, 14]];
    let segs = segments(&l);
    let parts: Vec<(&str, &str)> = segs
        .iter()
        .map(|s| (&l.text[s.start..s.end], s.class.as_str()))
        .collect();
    assert_eq!(
        parts,
        vec![
            ("ERR", "ansi-fg-1 ansi-b"),
            ("OR", "ansi-fg-1 ansi-b log-mark"),
            (" <script>", "log-mark"),
            ("x</script> é", ""),
        ]
    );
    assert_eq!(segments(&line(0, 0, "")), vec![]);
    let mut inv = line(0, 0, "ab");
    inv.spans = vec![LogSpan {
        start: 0,
        end: 2,
        fg: Some(AnsiColour::Idx(4)),
        bg: None,
        flags: SPAN_INVERSE,
    }];
    assert_eq!(segments(&inv)[0].class, "ansi-inverse ansi-bg-4");
}

#[test]
fn extended_colours_map_to_the_nearest_base_colour() {
    assert_eq!(colour_class(AnsiColour::Idx(9)), 9);
    assert_eq!(
        colour_class(AnsiColour::Idx(196)),
        9,
        "256-colour bright red"
    );
    assert_eq!(
        colour_class(AnsiColour::Idx(21)),
        4,
        "256-colour blue (0,0,255)"
    );
    assert_eq!(colour_class(AnsiColour::Idx(232)), 0, "darkest grey");
    assert_eq!(
        colour_class(AnsiColour::Idx(255)),
        7,
        "grey 238 is nearest to white-ish 229"
    );
    assert_eq!(colour_class(AnsiColour::Rgb([0, 200, 0])), 2);
    assert_eq!(colour_class(AnsiColour::Rgb([250, 250, 250])), 15);
}

#[test]
fn one_message_of_several_events_applies_them_in_order() {
    let evs = vec![
        LogEvent::Dropped { n: 2 },
        LogEvent::Batch {
            sources: vec![source(0, "berlin", "pos-1")],
            lines: vec![line(5, 0, "a")],
        },
        LogEvent::Ended {
            reason: "done".into(),
        },
    ];
    let s = opened().apply(LogsAction::Events {
        generation: 1,
        events: evs.clone(),
    });
    assert_eq!(
        (s.dropped, s.received, s.status.clone()),
        (2, 1, Status::Ended("done".into()))
    );
    assert!(matches!(s.live.front(), Some(Row::Dropped(2))));
    let stale = opened().apply(LogsAction::Events {
        generation: 0,
        events: evs,
    });
    assert_eq!(stale.received, 0, "events of another stream are ignored");
}

#[test]
fn an_offline_site_shows_its_snapshot_lines_dated_and_a_reopen_forgets_it() {
    let s = Logs::default()
        .apply(LogsAction::Form(form()))
        .apply(LogsAction::Open)
        .apply(LogsAction::Opened {
            generation: 1,
            result: Ok(9),
            buffer_lines: 1_000,
            snapshot_at_ms: Some(1_795_550_400_000),
        })
        .apply(batch(1, 0, 3))
        .apply(LogsAction::Event {
            generation: 1,
            event: LogEvent::Ended {
                reason: "from the snapshot as of 2026-11-24 20:00:00 UTC".into(),
            },
        });
    assert_eq!(s.snapshot_at_ms, Some(1_795_550_400_000));
    assert_eq!(s.received, 3);
    assert!(matches!(&s.status, Status::Ended(r) if r.starts_with("from the snapshot")));
    // Opening again (the site answers now) starts without the snapshot mark.
    let again = s.apply(LogsAction::Open);
    assert_eq!(again.snapshot_at_ms, None);
}
