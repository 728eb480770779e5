//! Tests of the response bounds: the JSON scanner and the modes of requests.

use super::*;

fn scan(s: &str) -> Scan {
    let mut sc = Scan::default();
    for chunk in s.as_bytes().chunks(3) {
        sc.feed(chunk);
    }
    sc
}

#[test]
fn the_scanner_counts_list_items_not_nested_objects_or_strings() {
    let s = scan(
        r#"{"kind":"PodList","metadata":{"continue":"{[x"},"items":[{"metadata":{"labels":{"a":"}\"{"}}},{},{"spec":{"containers":[{},{}]}}]}"#,
    );
    assert_eq!(s.items, 3);
    assert_eq!(s.depth, 0);
    assert_eq!(s.nodes, 12);
    // A bare array of objects (one level too shallow) has no items.
    assert_eq!(scan("[{},{}]").items, 0);
}

#[test]
fn modes_follow_the_request() {
    let l = Limits::default();
    let m = |u: &str| Mode::of(&u.parse().unwrap(), &l);
    assert_eq!(
        m("https://h:6443/version"),
        Mode::Whole {
            bytes: l.small_bytes,
            json: true
        }
    );
    assert_eq!(
        m("/api/v1/pods?limit=500"),
        Mode::Whole {
            bytes: l.body_bytes,
            json: true
        }
    );
    assert_eq!(
        m("/api/v1/pods?watch=true&timeoutSeconds=60"),
        Mode::Lines {
            bytes: l.event_bytes,
            idle: l.watch_idle
        }
    );
    assert_eq!(m("/api/v1/namespaces/a/pods/b/log?follow=true"), Mode::Free);
    assert_eq!(
        m("/api/v1/namespaces/a/pods/b/log?tailLines=10"),
        Mode::Whole {
            bytes: l.body_bytes,
            json: false
        }
    );
}
