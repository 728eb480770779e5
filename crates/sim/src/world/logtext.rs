//! The text of generated log lines, per profile: access logs, camera statistics, MQTT,
//! cache stats, JSON, hostile content and flood lines. Pure functions of (key, index).

use super::objects::mix;
use crate::spec::LogProfile;
use std::io::Write;

fn pick<'a>(h: u64, xs: &[&'a str]) -> &'a str {
    xs[(h % xs.len() as u64) as usize]
}

fn frac(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// One line of a profile's normal output.
pub fn profile_line(
    p: LogProfile,
    key: u64,
    i: u64,
    ts: jiff::Timestamp,
    container: &str,
    image: &str,
) -> Vec<u8> {
    let h = mix(&[key, i]);
    let h2 = mix(&[h, 1]);
    let iso = ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let version = image.rsplit(':').next().unwrap_or("latest");
    if i < 3 {
        let msg = match i {
            0 => format!("starting {container} version={version}"),
            1 => "configuration loaded from /etc/app/config.yaml (site-config)".to_string(),
            _ => "ready to serve requests".to_string(),
        };
        return match p {
            LogProfile::Json | LogProfile::Hostile => format!(
                "{{\"ts\":\"{iso}\",\"level\":\"info\",\"logger\":\"main\",\"msg\":\"{msg}\"}}"
            )
            .into_bytes(),
            _ => format!("{iso} INFO  [main] {msg}").into_bytes(),
        };
    }
    let line = match p {
        LogProfile::WebApp => {
            if h.is_multiple_of(9) {
                let order = 10000 + h2 % 90000;
                let total = (h2 >> 20) % 20000;
                format!(
                    "{iso} INFO  [pos] receipt printed order={order} total={}.{:02} EUR terminal=T{}",
                    total / 100,
                    total % 100,
                    1 + (h >> 40) % 6
                )
            } else {
                let path = pick(
                    h2,
                    &[
                        "/api/v1/orders",
                        "/api/v1/products?page=2",
                        "/api/v1/basket",
                        "/healthz",
                        "/api/v1/payments",
                        "/metrics",
                        "/api/v1/customers/lookup",
                        "/static/app.js",
                    ],
                );
                let method =
                    if path.starts_with("/api/v1/orders") || path.starts_with("/api/v1/payments") {
                        pick(h >> 8, &["GET", "POST", "POST"])
                    } else {
                        "GET"
                    };
                let status = pick(
                    h >> 16,
                    &[
                        "200", "200", "200", "200", "200", "201", "304", "404", "500",
                    ],
                );
                let bytes = 120 + (h2 >> 24) % 8000;
                let lat = 0.002 + frac(mix(&[h, 3])).powi(3) * 1.2;
                let ts_clf = ts.strftime("%d/%b/%Y:%H:%M:%S +0000");
                format!(
                    "10.42.{}.{} - - [{ts_clf}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"-\" \"pos-client/{version}\" {lat:.3}",
                    (h >> 32) % 3,
                    2 + (h >> 36) % 200
                )
            }
        }
        LogProfile::Camera => {
            let cam = 1 + h % 4;
            if h.is_multiple_of(23) {
                format!(
                    "{iso} WARN  camera=cam-{cam:02} dropped {} frames (decoder backlog)",
                    1 + h2 % 12
                )
            } else {
                let fps = 12.0 + frac(h2) * 3.0;
                let inf = 28.0 + frac(mix(&[h, 4])) * 30.0;
                let people = h2 % 4;
                let vehicles = (h2 >> 8) % 3;
                format!(
                    "{iso} INFO  camera=cam-{cam:02} frame={} fps={fps:.1} inference_ms={inf:.1} objects={} [person:{people} vehicle:{vehicles}]",
                    i * 15 + h % 15,
                    people + vehicles
                )
            }
        }
        LogProfile::Mqtt => {
            let secs = ts.as_second();
            let client = format!("sensor-{:02}", h % 40);
            match h2 % 7 {
                0 => format!(
                    "{secs}: New client connected from 10.42.0.{}:{} as {client} (p2, c1, k60).",
                    10 + h % 200,
                    30000 + h2 % 30000
                ),
                1 => format!("{secs}: Client {client} closed its connection."),
                _ => {
                    let topic = pick(
                        h >> 12,
                        &[
                            "site/line1/temperature",
                            "site/line2/vibration",
                            "site/door/state",
                            "site/fridge/temperature",
                            "site/pos/heartbeat",
                        ],
                    );
                    format!(
                        "{secs}: Received PUBLISH from {client} (d0, q1, r0, m{}, '{topic}', ... ({} bytes))",
                        h2 % 65535,
                        4 + h % 60
                    )
                }
            }
        }
        LogProfile::Cache => {
            let hits = 1000 + i * 37 + h % 50;
            let misses = 40 + i + h2 % 10;
            let ratio = hits as f64 / (hits + misses) as f64;
            let ts_r = ts.strftime("%d %b %Y %H:%M:%S%.3f");
            if h.is_multiple_of(11) {
                format!(
                    "1:M {ts_r} * evicted {} keys (maxmemory-policy allkeys-lru)",
                    1 + h2 % 40
                )
            } else {
                format!(
                    "1:M {ts_r} * stats hits={hits} misses={misses} hit_ratio={ratio:.3} keys={} used_memory={:.1}M",
                    8000 + h2 % 4000,
                    90.0 + frac(h2) * 60.0
                )
            }
        }
        LogProfile::Json | LogProfile::Hostile => {
            let level = pick(
                h,
                &["info", "info", "info", "info", "debug", "warn", "error"],
            );
            let msg = match level {
                "warn" => "slow upstream response",
                "error" => "upstream request failed",
                "debug" => "cache refreshed",
                _ => pick(
                    h2,
                    &[
                        "request handled",
                        "sync completed",
                        "heartbeat sent",
                        "config watched",
                    ],
                ),
            };
            format!(
                "{{\"ts\":\"{iso}\",\"level\":\"{level}\",\"logger\":\"{container}\",\"msg\":\"{msg}\",\"duration_ms\":{},\"request_id\":\"{:016x}\"}}",
                1 + h2 % 900,
                mix(&[h, 5])
            )
        }
    };
    line.into_bytes()
}

/// The last lines of a crashed instance: a fatal error and a Go panic trace.
pub fn fatal_tail(key: u64, container: &str) -> Vec<Vec<u8>> {
    let addr = format!("0x{:x}", 0x6b_0000 + mix(&[key, 77]) % 0xffff);
    vec![
        format!("FATAL: {container}: failed to open database: dial tcp 10.43.12.7:5432: connect: connection refused").into_bytes(),
        b"panic: runtime error: invalid memory address or nil pointer dereference".to_vec(),
        format!("[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc={addr}]").into_bytes(),
        Vec::new(),
        b"goroutine 1 [running]:".to_vec(),
        b"main.(*Store).Open(0x0, {0xc000012345, 0x1c})".to_vec(),
        b"\t/src/internal/store/store.go:88 +0x1d".to_vec(),
        b"main.main()".to_vec(),
        b"\t/src/cmd/server/main.go:57 +0x2a5".to_vec(),
    ]
}

/// Lines for security tests: markup, escapes, huge lines, invalid UTF-8.
pub fn hostile(key: u64, i: u64) -> Vec<u8> {
    if i % 97 == 50 {
        let mut v = b"HUGE LINE ".to_vec();
        v.resize(1 << 20, b'A');
        return v;
    }
    match mix(&[key, i]) % 7 {
        0 => b"user comment: <script>alert(1)</script>".to_vec(),
        1 => b"avatar: <img src=x onerror=alert(1)>".to_vec(),
        2 => b"\x1b[31mERROR\x1b[0m \x1b[1;32mcoloured\x1b[0m output \x1b[4munderlined\x1b[0m".to_vec(),
        3 => b"invalid utf-8: \xff\xfe\xc3\x28 \xe2\x82 end".to_vec(),
        4 => b"\x1b]0;pwned title\x07terminal title escape and a bell".to_vec(),
        5 => b"<a href=\"javascript:alert(document.cookie)\">click</a> &amp; {{constructor.constructor('alert(1)')()}}".to_vec(),
        _ => format!("request {i} from \"; DROP TABLE users; -- \u{202e}txt.exe").into_bytes(),
    }
}

/// A short benchmark line.
pub fn flood(key: u64, i: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(64);
    // Writing into a Vec cannot fail.
    let _ = write!(
        v,
        "flood seq={i} key={:016x} level=info msg=\"load test line\"",
        key ^ i
    );
    v
}
