//! Readers, drops, notices, colours and export.

use super::*;
use crate::logs::text::render;

fn src(site: &str, pod: &str, container: &str) -> SourceInfo {
    SourceInfo {
        site: site.into(),
        namespace: "shop".into(),
        pod: pod.into(),
        container: container.into(),
        colour: 99,
        previous: false,
    }
}

fn lines(n: usize, tag: &str) -> Vec<Pending> {
    (0..n)
        .map(|i| Pending {
            ts: None,
            rendered: render(format!("{tag} {i}").as_bytes()),
            cut: 0,
        })
        .collect()
}

fn opts(max_lines: usize) -> BufferOptions {
    BufferOptions {
        max_lines,
        ..BufferOptions::default()
    }
}

#[test]
fn colours_follow_pods_not_containers() {
    let b = Buffer::new(opts(10));
    let a = b.add_source(src("s1", "api-1", "app"));
    let a2 = b.add_source(src("s1", "api-1", "sidecar"));
    let c = b.add_source(src("s1", "api-2", "app"));
    let d = b.add_source(src("s2", "api-1", "app"));
    let s = b.sources();
    assert_eq!((a, a2, c, d), (0, 1, 2, 3));
    assert_eq!(s[0].colour, s[1].colour);
    assert_ne!(s[0].colour, s[2].colour);
    assert_ne!(
        s[2].colour, s[3].colour,
        "same pod name on another site is another pod"
    );
    for i in 0..20 {
        b.add_source(src("s3", &format!("p{i}"), "app"));
    }
    assert!(b.sources().iter().all(|s| s.colour < COLOURS));
}

#[test]
fn a_reader_gets_everything_once_in_order() {
    let b = Buffer::new(opts(1000));
    let s = b.add_source(src("s1", "p", "c"));
    let mut c = Cursor::default();
    b.push(s, lines(5, "a"));
    let d = b.read(&mut c, 100, usize::MAX, 100);
    assert_eq!(d.new_sources.len(), 1);
    assert_eq!((d.dropped, d.lines.len()), (0, 5));
    assert_eq!(&*d.lines[4].text, "a 4");
    assert!(b.read(&mut c, 100, usize::MAX, 100).is_empty());
    b.push(s, lines(3, "b"));
    let d = b.read(&mut c, 100, usize::MAX, 100);
    assert!(d.new_sources.is_empty());
    let seqs: Vec<u64> = d.lines.iter().map(|l| l.seq).collect();
    assert_eq!(seqs, vec![5, 6, 7]);
}

#[test]
fn a_reader_that_falls_behind_is_told_how_many_lines_it_missed() {
    let b = Buffer::new(opts(100));
    let s = b.add_source(src("s1", "p", "c"));
    let mut c = Cursor::default();
    b.push(s, lines(1000, "x"));
    // Evicted by the ring (900) and skipped to stay within the batch limit (50 more).
    let d = b.read(&mut c, 50, usize::MAX, 50);
    assert_eq!((d.dropped, d.lines.len()), (950, 50));
    assert_eq!(d.lines[0].seq, 950);
    b.push(s, lines(10, "y"));
    let d = b.read(&mut c, 50, usize::MAX, 50);
    assert_eq!((d.dropped, d.lines.len()), (0, 10));
}

#[test]
fn notices_and_end_are_delivered_once() {
    let b = Buffer::new(opts(10));
    let mut c = Cursor::default();
    for i in 0..(MAX_NOTICES + 5) {
        b.notice(Notice {
            site: "s1".into(),
            pod: None,
            container: None,
            kind: crate::error::ErrorKind::Unreachable,
            message: format!("n{i}"),
        });
    }
    let d = b.read(&mut c, 10, usize::MAX, 10);
    assert_eq!(d.notices.len(), MAX_NOTICES, "old notices are bounded too");
    assert_eq!(d.notices[0].message, "n5");
    b.end("done");
    b.end("again");
    let d = b.read(&mut c, 10, usize::MAX, 10);
    assert_eq!(d.ended.as_deref(), Some("done"));
    assert!(d.notices.is_empty());
    assert!(b.read(&mut c, 10, usize::MAX, 10).is_empty());
}

#[test]
fn export_writes_filtered_tagged_lines() {
    let b = Buffer::new(opts(100_000));
    let s = b.add_source(src("s1", "api-1", "app"));
    b.push(s, lines(25_000, "line"));
    b.push(
        s,
        vec![Pending {
            ts: Some(jiff::Timestamp::UNIX_EPOCH),
            rendered: render(b"\x1b[31mred <script>\x1b[0m"),
            cut: 7,
        }],
    );
    let mut out = Vec::new();
    let n = b.export(&FilterSpec::default(), &mut out).expect("export");
    assert_eq!(n, 25_001);
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.starts_with("[s1/api-1/app] line 0\n"));
    assert!(text.ends_with("[s1/api-1/app] 1970-01-01T00:00:00Z red <script> [… 7 bytes cut]\n"));
    let spec = FilterSpec {
        pattern: "line 1234".into(),
        ..FilterSpec::default()
    };
    let mut out = Vec::new();
    assert_eq!(
        b.export(&spec, &mut out).expect("export"),
        11,
        "1234 and 12340..12349"
    );
}

#[test]
fn a_byte_budget_splits_reads_without_losing_lines() {
    let b = Buffer::new(opts(1000));
    let s = b.add_source(src("s1", "p", "c"));
    let mut c = Cursor::default();
    let big: Vec<Pending> = (0..10)
        .map(|i| Pending {
            ts: None,
            rendered: render(format!("{i}{}", "x".repeat(999)).as_bytes()),
            cut: 0,
        })
        .collect();
    b.push(s, big);
    b.end("done");
    let mut got = Vec::new();
    let mut reads = 0;
    loop {
        let d = b.read(&mut c, 100, 2_500, u64::MAX);
        reads += 1;
        assert!(d.lines.len() <= 2, "2,500 bytes hold two 1,000-byte lines");
        assert_eq!(d.dropped, 0);
        got.extend(d.lines.iter().map(|l| l.seq));
        if d.ended.is_some() {
            assert!(!d.more);
            break;
        }
        assert!(d.more, "lines are left: read again");
        assert!(reads < 20);
    }
    assert_eq!(got, (0..10).collect::<Vec<u64>>());
    // A single line larger than the budget still goes out alone.
    b.push(
        s,
        vec![Pending {
            ts: None,
            rendered: render(&[b'y'; 5000]),
            cut: 0,
        }],
    );
    assert_eq!(b.read(&mut c, 100, 10, u64::MAX).lines.len(), 1);
}

#[test]
fn a_burst_within_the_lag_is_delivered_over_several_reads_without_drops() {
    let b = Buffer::new(opts(100_000));
    let s = b.add_source(src("s1", "p", "c"));
    let mut c = Cursor::default();
    b.push(s, lines(5_000, "burst"));
    let mut got = 0;
    for _ in 0..3 {
        let d = b.read(&mut c, 2_000, usize::MAX, 20_000);
        assert_eq!(d.dropped, 0);
        got += d.lines.len();
    }
    assert_eq!(got, 5_000);
    b.push(s, lines(30_000, "flood"));
    let d = b.read(&mut c, 2_000, usize::MAX, 20_000);
    assert_eq!((d.dropped, d.lines.len(), d.more), (10_000, 2_000, true));
}
