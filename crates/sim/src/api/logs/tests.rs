//! Windowing and streaming tests of the log handler against a fake source.

use super::*;

/// One line per simulated second since `start`, text `line N`.
struct Fake {
    start: jiff::Timestamp,
    ended: Option<jiff::Timestamp>,
}

impl LogSource for Fake {
    fn lines(
        &self,
        since: Option<jiff::Timestamp>,
        until: jiff::Timestamp,
        max: usize,
    ) -> Vec<LogLine> {
        let mut out = Vec::new();
        let total = (until.as_second() - self.start.as_second()).max(0);
        for i in 0..=total {
            let ts = self.start + jiff::SignedDuration::from_secs(i);
            if since.is_none_or(|s| ts > s) && ts <= until {
                out.push(LogLine {
                    ts,
                    text: format!("line {i}").into_bytes(),
                });
            }
        }
        let skip = out.len().saturating_sub(max);
        out.split_off(skip)
    }
    fn ended_at(&self) -> Option<jiff::Timestamp> {
        self.ended
    }
}

fn ts(s: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_700_000_000 + s).expect("ts")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn tail_since_and_timestamps() {
    let f = Fake {
        start: ts(0),
        ended: None,
    };
    let q = LogQuery {
        tail: Some(2),
        ..Default::default()
    };
    assert_eq!(text(&log_window(&f, &q, ts(10))), "line 9\nline 10\n");
    let q = LogQuery {
        since: Some(ts(7)),
        ..Default::default()
    };
    assert_eq!(text(&log_window(&f, &q, ts(9))), "line 8\nline 9\n");
    let q = LogQuery {
        tail: Some(1),
        timestamps: true,
        ..Default::default()
    };
    assert_eq!(
        text(&log_window(&f, &q, ts(3))),
        format!("{} line 3\n", ts(3))
    );
    let ended = Fake {
        start: ts(0),
        ended: Some(ts(2)),
    };
    assert_eq!(
        text(&log_window(&ended, &LogQuery::default(), ts(50))),
        "line 0\nline 1\nline 2\n"
    );
}

#[test]
fn query_parsing() {
    let q: HashMap<String, String> = [
        ("tailLines", "5"),
        ("sinceSeconds", "60"),
        ("follow", "true"),
        ("timestamps", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let p = LogQuery::parse(&q, ts(100)).expect("parse");
    assert_eq!(
        p,
        LogQuery {
            follow: true,
            tail: Some(5),
            since: Some(ts(40)),
            timestamps: true,
            limit_bytes: None
        }
    );
    let bad: HashMap<String, String> = [("sinceSeconds".to_string(), "0".to_string())]
        .into_iter()
        .collect();
    assert!(LogQuery::parse(&bad, ts(0)).is_err());
}

#[tokio::test]
async fn follow_streams_new_lines_and_respects_limit_bytes() {
    let base = std::time::Instant::now();
    // Simulated time: 10 s per real 10 ms.
    let clock = move || ts(base.elapsed().as_millis() as i64);
    let (tx, mut rx) = mpsc::channel(16);
    let q = LogQuery {
        follow: true,
        tail: Some(0),
        ..Default::default()
    };
    tokio::spawn(pump(
        Fake {
            start: ts(0),
            ended: None,
        },
        q,
        clock,
        Duration::from_millis(20),
        false,
        tx,
    ));
    let mut got = String::new();
    while got.lines().count() < 5 {
        let chunk = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("timely")
            .expect("open");
        got.push_str(&text(&chunk));
    }
    let nums: Vec<i64> = got
        .lines()
        .filter_map(|l| l.strip_prefix("line ")?.parse().ok())
        .collect();
    assert!(
        nums.windows(2).all(|w| w[1] == w[0] + 1),
        "consecutive, no duplicates: {nums:?}"
    );

    let (tx, mut rx) = mpsc::channel(16);
    let q = LogQuery {
        follow: true,
        limit_bytes: Some(15),
        ..Default::default()
    };
    tokio::spawn(pump(
        Fake {
            start: ts(0),
            ended: None,
        },
        q,
        || ts(100),
        Duration::from_millis(5),
        false,
        tx,
    ));
    let mut all = Vec::new();
    while let Some(c) = rx.recv().await {
        all.extend_from_slice(&c);
    }
    assert_eq!(text(&all), "line 0\nline 1\nl");
}

/// Looks alive until it is asked `alive_for` times for its end, then reports one that
/// lies before the time already streamed, with a fatal line stamped at it.
struct LateCrash {
    start: jiff::Timestamp,
    end: jiff::Timestamp,
    asked: std::sync::atomic::AtomicUsize,
    alive_for: usize,
}

impl LogSource for LateCrash {
    fn lines(
        &self,
        since: Option<jiff::Timestamp>,
        until: jiff::Timestamp,
        max: usize,
    ) -> Vec<LogLine> {
        let ended = self.ended_at();
        let upper = ended.map_or(until, |e| e.min(until));
        let mut out = Fake {
            start: self.start,
            ended: None,
        }
        .lines(since, upper, max);
        if ended.is_some_and(|e| e <= until && since.is_none_or(|s| s < e)) {
            out.push(LogLine {
                ts: self.end,
                text: b"FATAL: crashed".to_vec(),
            });
        }
        out
    }
    fn ended_at(&self) -> Option<jiff::Timestamp> {
        let n = self.asked.load(std::sync::atomic::Ordering::SeqCst);
        (n >= self.alive_for).then_some(self.end)
    }
}

impl LateCrash {
    fn tick(&self) {
        self.asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test]
async fn follow_ends_with_a_crash_noticed_after_its_time() {
    let src = std::sync::Arc::new(LateCrash {
        start: ts(0),
        end: ts(5),
        asked: 0.into(),
        alive_for: 3,
    });
    struct Shared(std::sync::Arc<LateCrash>);
    impl LogSource for Shared {
        fn lines(
            &self,
            since: Option<jiff::Timestamp>,
            until: jiff::Timestamp,
            max: usize,
        ) -> Vec<LogLine> {
            self.0.lines(since, until, max)
        }
        fn ended_at(&self) -> Option<jiff::Timestamp> {
            self.0.ended_at()
        }
    }
    // The clock has already passed the end (ts 5) when the crash is first reported.
    let (c, tick) = (std::sync::Arc::clone(&src), std::sync::Arc::clone(&src));
    let clock = move || {
        tick.tick();
        ts(8)
    };
    let (tx, mut rx) = mpsc::channel(16);
    let q = LogQuery {
        follow: true,
        ..Default::default()
    };
    tokio::spawn(pump(
        Shared(c),
        q,
        clock,
        Duration::from_millis(5),
        false,
        tx,
    ));
    let mut all = Vec::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("the follow ends")
    {
        all.extend_from_slice(&chunk);
    }
    let out = text(&all);
    assert!(out.starts_with("line 0\n"), "{out}");
    assert_eq!(out.matches("FATAL: crashed").count(), 1, "{out}");
    assert!(out.ends_with("FATAL: crashed\n"), "{out}");
}
