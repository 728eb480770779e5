//! Hostile log content comes out as inert data (markup as text, ANSI as colour spans or
//! stripped, invalid UTF-8 replaced, a 1 MB line cut with the cut recorded), and a flood
//! stays within the ring's bound while a slow reader is told what it missed.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it logs_hostile::`.

use crate::health_support;
use crate::logs_support;

use health_support::{spec as site_spec, start, start_with, suffix, workload};
use logs_support::*;
use outpost_core::logs::text::{Colour, UNDERLINE};
use outpost_core::logs::{BufferOptions, FilterSpec, Window};
use outpost_sim::FleetConfig;
use outpost_sim::spec::{Distro, LogProfile, WorkloadKind};
use outpost_sim::world::logs::LogMode;
use std::time::Duration;

fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_lines_come_out_as_inert_data() {
    let s = format!("lh-{}", suffix());
    let mut w = workload("guestbook", WorkloadKind::Deployment, 1, false);
    w.logs = LogProfile::Hostile;
    let env = start(vec![site_spec(&s, Distro::K3s, 1, vec![w])]).await;
    wait_pods(&env, &s, "guestbook", 30, "running", |p| {
        p.len() == 1 && p[0]["status"]["containerStatuses"][0]["state"]["running"].is_object()
    })
    .await;
    let cap = 64 << 10;
    let opts = BufferOptions {
        max_line_bytes: cap,
        ..BufferOptions::default()
    };
    let stream = open(&env, &[&s], spec(deployment("guestbook"), true), opts).await;
    let mut seen = Seen::default();
    read_until(
        &stream,
        &mut seen,
        10_000,
        60,
        "a huge line and every hostile kind",
        |s| {
            let has = |p: &str| s.lines.iter().any(|l| l.text.contains(p));
            s.lines.iter().any(|l| l.cut > 0)
                && has("<script>alert(1)</script>")
                && has("onerror=alert(1)")
                && has("ERROR coloured output underlined")
                && has("terminal title escape")
                && has("invalid utf-8")
                && has("DROP TABLE")
        },
    )
    .await;
    for l in &seen.lines {
        assert!(
            !l.text.chars().any(forbidden),
            "control or bidi character left in {:?}",
            l.text
        );
        assert!(l.text.len() <= cap, "{} bytes", l.text.len());
        for sp in l.spans.iter() {
            assert!(sp.start < sp.end && (sp.end as usize) <= l.text.len());
            assert!(
                l.text.is_char_boundary(sp.start as usize)
                    && l.text.is_char_boundary(sp.end as usize)
            );
        }
    }
    let find = |p: &str| seen.lines.iter().find(|l| l.text.contains(p)).expect(p);
    // Markup is kept verbatim as text: the UI shows it, it is never parsed.
    assert_eq!(
        &*find("<script>").text,
        "user comment: <script>alert(1)</script>"
    );
    assert_eq!(&*find("<img").text, "avatar: <img src=x onerror=alert(1)>");
    let ansi = find("ERROR coloured");
    assert_eq!(&*ansi.text, "ERROR coloured output underlined");
    assert_eq!(ansi.spans[0].style.fg, Some(Colour::Idx(1)));
    assert_eq!(
        &ansi.text[ansi.spans[0].start as usize..ansi.spans[0].end as usize],
        "ERROR"
    );
    assert!(ansi.spans.iter().any(|s| s.style.flags & UNDERLINE != 0));
    let osc = find("terminal title escape");
    assert_eq!(&*osc.text, "terminal title escape and a bell");
    assert!(!seen.lines.iter().any(|l| l.text.contains("pwned title")));
    assert!(find("invalid utf-8").text.contains('\u{fffd}'));
    assert!(
        find("DROP TABLE").text.ends_with("-- txt.exe"),
        "the bidi override is dropped"
    );
    let huge = seen.lines.iter().find(|l| l.cut > 0).expect("cut line");
    assert!(huge.text.starts_with("HUGE LINE AAAA"));
    assert_eq!(
        huge.text.len() as u64 + huge.cut,
        1 << 20,
        "kept + cut = the 1 MiB line"
    );
    assert!(seen.notices.is_empty(), "{:#?}", seen.notices);
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_stays_within_the_ring_and_a_slow_reader_is_told_what_it_missed() {
    let s = format!("lfl-{}", suffix());
    let env = start_with(FleetConfig {
        sites: vec![site_spec(
            &s,
            Distro::K3s,
            1,
            vec![workload("firehose", WorkloadKind::Deployment, 1, false)],
        )],
        speed: 20.0,
        tick: Duration::from_millis(250),
        bookmark_every: Duration::from_millis(500),
        log_mode: LogMode::Flood {
            lines_per_sec: 2000,
        },
        ..FleetConfig::default()
    })
    .await;
    wait_pods(&env, &s, "firehose", 30, "running", |p| {
        p.len() == 1 && p[0]["status"]["containerStatuses"][0]["state"]["running"].is_object()
    })
    .await;
    let opts = BufferOptions {
        max_lines: 10_000,
        ..BufferOptions::default()
    };
    let stream = open(&env, &[&s], spec(deployment("firehose"), true), opts).await;
    let mut seen = Seen::default();
    let mut batches = 0;
    // A slow reader: at most 1,000 lines per read, every 200 ms.
    while seen.lines.len() as u64 + seen.dropped < 60_000 {
        batches += 1;
        assert!(
            batches < 600,
            "the flood did not reach 60k lines: {} + {}",
            seen.lines.len(),
            seen.dropped
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        let d = stream.read(&mut seen.cursor, 1_000, usize::MAX, 1_000);
        assert!(d.lines.len() <= 1_000);
        for w in d.lines.windows(2) {
            assert_eq!(
                w[1].seq,
                w[0].seq + 1,
                "within a batch lines are contiguous"
            );
        }
        seen.dropped += d.dropped;
        seen.lines.extend(d.lines);
        let q = stream
            .query(
                &FilterSpec::default(),
                Window {
                    offset: None,
                    limit: 1,
                },
            )
            .expect("query");
        assert!(q.buffered <= 10_000, "ring over its bound: {}", q.buffered);
    }
    assert!(
        seen.dropped > 0,
        "a reader 1000 lines/200 ms behind a 40k/s flood misses lines"
    );
    assert_eq!(
        seen.lines.len() as u64 + seen.dropped,
        seen.cursor.next_seq,
        "every line is delivered or counted"
    );
    stream.close();
    let all = stream
        .query(
            &FilterSpec::default(),
            Window {
                offset: Some(0),
                limit: 10_000,
            },
        )
        .expect("all");
    assert_eq!(all.buffered, 10_000);
    assert!(all.evicted >= 50_000);
    assert_eq!(all.lines.first().map(|(l, _)| l.seq), Some(all.evicted));
    // Filtering the streamed buffer agrees with a naive scan of the same lines.
    for spec in [
        FilterSpec {
            pattern: "2 key=".into(),
            regex: false,
            case_sensitive: true,
        },
        FilterSpec {
            pattern: "SEQ=\\d*7 KEY".into(),
            regex: true,
            case_sensitive: false,
        },
    ] {
        let q = stream
            .query(
                &spec,
                Window {
                    offset: Some(0),
                    limit: 10_000,
                },
            )
            .expect("filter");
        let re = regex::RegexBuilder::new(if spec.regex { &spec.pattern } else { "2 key=" })
            .case_insensitive(!spec.case_sensitive)
            .build()
            .expect("regex");
        let naive: Vec<u64> = all
            .lines
            .iter()
            .filter(|(l, _)| re.is_match(&l.text))
            .map(|(l, _)| l.seq)
            .collect();
        let got: Vec<u64> = q.lines.iter().map(|(l, _)| l.seq).collect();
        assert!(!naive.is_empty());
        assert_eq!(got, naive, "{spec:?}");
        assert_eq!(q.total, naive.len() as u64);
    }
    env.finish().await;
}
