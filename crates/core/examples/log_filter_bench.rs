//! Filtering one million buffered log lines: substring (case-sensitive and not) and
//! regex, each over a fresh match index (the cost of typing a new filter), plus the
//! incremental refresh after 10,000 new lines (the cost of a live stream).
//!
//!     cargo run --release -p outpost-core --example log_filter_bench [LINES]
//!
//! Prints one line per case and exits non-zero when a full filter takes over 100 ms.

use outpost_core::logs::Ring;
use outpost_core::logs::filter::{FilterSpec, MatchIndex, Window, window};
use outpost_core::logs::text::render;
use std::time::{Duration, Instant};

const BUDGET: Duration = Duration::from_millis(100);

/// Lines like the simulator's web-app and JSON profiles (~90-130 bytes).
fn line(i: u64) -> String {
    let h = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    match h % 4 {
        0 => format!(
            "{{\"ts\":\"2026-11-24T20:{:02}:{:02}.{:03}Z\",\"level\":\"info\",\"logger\":\"http\",\"msg\":\"request served\",\"status\":200,\"ms\":{}}}",
            (i / 60_000) % 60,
            (i / 1000) % 60,
            i % 1000,
            h % 300
        ),
        1 => format!(
            "2026-11-24T20:10:41.{:03}Z INFO  [http] GET /api/v1/orders/{} 200 {}ms ua=pos-terminal/1.4",
            i % 1000,
            h % 100_000,
            h % 90
        ),
        2 => format!(
            "2026-11-24T20:10:41.{:03}Z INFO  [pos] receipt printed order={} total={}.{:02} EUR terminal=T{}",
            i % 1000,
            10_000 + h % 90_000,
            (h >> 8) % 200,
            (h >> 16) % 100,
            1 + (h >> 24) % 6
        ),
        _ => format!(
            "2026-11-24T20:10:41.{:03}Z {} [db] query took {}ms rows={}",
            i % 1000,
            if h.is_multiple_of(97) {
                "ERROR"
            } else {
                "DEBUG"
            },
            h % 500,
            (h >> 4) % 50
        ),
    }
}

fn time_filter(ring: &Ring, name: &str, spec: FilterSpec) -> Duration {
    let start = Instant::now();
    let mut idx = match MatchIndex::new(spec) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::exit(2);
        }
    };
    idx.refresh(ring);
    let q = window(
        ring,
        &idx,
        Window {
            offset: None,
            limit: 200,
        },
    );
    let took = start.elapsed();
    println!(
        "{name:<34} {:>8.1} ms  {:>8} matches  (window of {})",
        took.as_secs_f64() * 1e3,
        q.total,
        q.lines.len()
    );
    took
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let start = Instant::now();
    let mut ring = Ring::new(n as usize, usize::MAX);
    for i in 0..n {
        ring.push((i % 3) as u32, None, render(line(i).as_bytes()), 0);
    }
    println!(
        "filled {} lines ({} MiB) in {:.0} ms",
        ring.len(),
        ring.bytes() >> 20,
        start.elapsed().as_secs_f64() * 1e3
    );
    let spec = |p: &str, regex: bool, cs: bool| FilterSpec {
        pattern: p.into(),
        regex,
        case_sensitive: cs,
    };
    let cases = [
        (
            "substring, case-sensitive",
            spec("orders/4242", false, true),
        ),
        ("substring, case-insensitive", spec("error", false, false)),
        (
            "substring, no match",
            spec("no such text anywhere", false, true),
        ),
        ("regex", spec(r"total=1\d\.\d\d EUR", true, true)),
        (
            "regex, case-insensitive",
            spec(r"(error|warn).*rows=4\d", true, false),
        ),
    ];
    let mut worst = Duration::ZERO;
    for (name, s) in cases {
        worst = worst.max(time_filter(&ring, name, s));
    }
    // Incremental: 10,000 new lines on top of an existing index.
    let mut idx = match MatchIndex::new(spec("error", false, false)) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    idx.refresh(&ring);
    for i in n..n + 10_000 {
        ring.push(0, None, render(line(i).as_bytes()), 0);
    }
    let start = Instant::now();
    idx.refresh(&ring);
    println!(
        "{:<34} {:>8.1} ms  {:>8} matches",
        "incremental refresh (+10k lines)",
        start.elapsed().as_secs_f64() * 1e3,
        idx.total()
    );
    let verdict = if worst <= BUDGET { "PASS" } else { "FAIL" };
    println!(
        "{verdict}: slowest full filter {:.1} ms (budget {} ms)",
        worst.as_secs_f64() * 1e3,
        BUDGET.as_millis()
    );
    if worst > BUDGET {
        std::process::exit(1);
    }
}
