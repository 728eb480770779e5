//! Log generator tests: determinism, windows (since/until/max), profiles, hostile
//! content, and the flood generation rate.

use super::logs::{LogGen, LogMode};
use super::objects::plus;
use serde_json::{Value, json};

fn t(s: &str) -> jiff::Timestamp {
    s.parse().expect("valid time")
}

fn pod(profile: &str, running_since: &str) -> Value {
    json!({
        "metadata": {"name": "web-abc-xyz12", "namespace": "apps", "uid": "u-1",
                     "annotations": {"sim.outpost.dev/logs": profile}},
        "spec": {"containers": [{"name": "main", "image": "registry.local/web:2.4"}]},
        "status": {"containerStatuses": [{"name": "main", "restartCount": 2,
            "state": {"running": {"startedAt": running_since}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                "startedAt": "2026-03-01T07:58:00Z", "finishedAt": "2026-03-01T07:58:06Z"}}}]}
    })
}

fn text(l: &super::logs::LogLine) -> String {
    String::from_utf8_lossy(&l.text).to_string()
}

#[test]
fn logs_are_deterministic_and_vary_by_pod() {
    let p = pod("web-app", "2026-03-01T08:00:00Z");
    let until = t("2026-03-01T08:05:00Z");
    let a = LogGen::for_container(1, &p, "main", false, LogMode::Normal).expect("gen");
    let b = LogGen::for_container(1, &p, "main", false, LogMode::Normal).expect("gen");
    assert_eq!(a.lines(None, until, 10_000), b.lines(None, until, 10_000));
    let other = LogGen::for_container(2, &p, "main", false, LogMode::Normal).expect("gen");
    assert_ne!(a.lines(None, until, 50), other.lines(None, until, 50));
    let lines = a.lines(None, until, 10_000);
    // A few lines per second, strictly ordered, within the instance.
    assert!(
        (150..=800).contains(&lines.len()),
        "{} lines in 5 min",
        lines.len()
    );
    assert!(lines.windows(2).all(|w| w[0].ts < w[1].ts));
    assert!(
        lines
            .iter()
            .all(|l| l.ts > t("2026-03-01T08:00:00Z") || l.ts == t("2026-03-01T08:00:00Z"))
    );
    assert!(
        lines.iter().any(|l| text(l).contains("HTTP/1.1\" 200")),
        "access log lines"
    );
    assert!(LogGen::for_container(1, &p, "nope", false, LogMode::Normal).is_none());
}

#[test]
fn windows_since_until_max_are_consistent() {
    let p = pod("camera", "2026-03-01T08:00:00Z");
    let g = LogGen::for_container(9, &p, "main", false, LogMode::Normal).expect("gen");
    let until = t("2026-03-01T09:00:00Z");
    let all = g.lines(None, until, usize::MAX);
    let since = t("2026-03-01T08:30:00Z");
    let window = g.lines(Some(since), until, usize::MAX);
    let expect: Vec<_> = all.iter().filter(|l| l.ts > since).cloned().collect();
    assert_eq!(window, expect);
    let tail = g.lines(None, until, 25);
    assert_eq!(tail.len(), 25);
    assert_eq!(tail[..], all[all.len() - 25..]);
    // A huge window with a small max is cheap and returns only the newest lines.
    let far = plus(until, 86400.0 * 365.0);
    let started = std::time::Instant::now();
    let newest = g.lines(None, far, 10);
    assert_eq!(newest.len(), 10);
    assert!(newest[9].ts <= far && newest[0].ts > plus(far, -60.0));
    assert!(started.elapsed().as_millis() < 500);
    assert!(all.iter().any(|l| text(l).contains("inference_ms=")));
}

#[test]
fn previous_instance_ends_with_a_crash_trace() {
    let p = pod("json", "2026-03-01T08:00:00Z");
    let g = LogGen::for_container(1, &p, "main", true, LogMode::Normal).expect("previous");
    assert_eq!(g.ended_at(), Some(t("2026-03-01T07:58:06Z")));
    let lines = g.lines(None, t("2026-03-01T09:00:00Z"), 1000);
    assert!(
        lines
            .iter()
            .all(|l| l.ts >= t("2026-03-01T07:58:00Z") && l.ts <= t("2026-03-01T07:58:06Z"))
    );
    assert!(text(&lines[0]).starts_with('{'));
    assert!(lines.iter().any(|l| text(l).starts_with("FATAL:")));
    assert!(text(&lines[lines.len() - 1]).contains("main.go"));
    // The tail counts towards max.
    assert_eq!(g.lines(None, t("2026-03-01T09:00:00Z"), 3).len(), 3);
    let mut waiting = p.clone();
    waiting["status"]["containerStatuses"][0]["lastState"] = json!({});
    assert!(LogGen::for_container(1, &waiting, "main", true, LogMode::Normal).is_none());
}

#[test]
fn hostile_logs_contain_markup_escapes_huge_lines_and_invalid_utf8() {
    let p = pod("hostile", "2026-03-01T08:00:00Z");
    let g = LogGen::for_container(3, &p, "main", false, LogMode::Normal).expect("gen");
    let lines = g.lines(None, t("2026-03-01T08:10:00Z"), usize::MAX);
    let has = |needle: &[u8]| {
        lines
            .iter()
            .any(|l| l.text.windows(needle.len()).any(|w| w == needle))
    };
    assert!(has(b"<script>alert(1)</script>"));
    assert!(has(b"<img src=x onerror=alert(1)>"));
    assert!(has(b"\x1b[31m"));
    assert!(
        lines.iter().any(|l| std::str::from_utf8(&l.text).is_err()),
        "invalid UTF-8"
    );
    assert!(lines.iter().any(|l| l.text.len() >= 1 << 20), "a 1 MB line");
    // The explicit mode works on any profile.
    let q = pod("web-app", "2026-03-01T08:00:00Z");
    let h = LogGen::for_container(3, &q, "main", false, LogMode::Hostile).expect("gen");
    assert!(
        h.lines(None, t("2026-03-01T08:10:00Z"), 100)
            .iter()
            .any(|l| l.text.starts_with(b"user comment: <script>"))
    );
}

#[test]
fn flood_mode_generates_over_100k_lines_per_second() {
    let p = pod("json", "2026-03-01T08:00:00Z");
    let g = LogGen::for_container(
        3,
        &p,
        "main",
        false,
        LogMode::Flood {
            lines_per_sec: 1_000_000,
        },
    )
    .expect("gen");
    let until = t("2026-03-01T08:00:01Z");
    let started = std::time::Instant::now();
    let lines = g.lines(None, until, usize::MAX);
    let secs = started.elapsed().as_secs_f64();
    let rate = lines.len() as f64 / secs;
    eprintln!(
        "flood: {} lines in {secs:.3}s = {rate:.0} lines/s",
        lines.len()
    );
    assert!(
        lines.len() >= 999_000,
        "{} lines for one simulated second",
        lines.len()
    );
    assert!(rate >= 100_000.0, "flood rate {rate:.0} lines/s");
}

#[test]
fn system_components_log_in_their_own_formats() {
    let mut s = super::testkit::Sim::new(super::tests::site(crate::spec::Distro::K3s, 1, vec![]));
    s.run_for(30.0, |_| {});
    let pods = super::ObjectView::list(
        &s.store,
        crate::resource::Resource::Pod,
        Some("kube-system"),
    );
    let logs_of = |prefix: &str| -> Vec<String> {
        let p = pods
            .iter()
            .find(|p| super::objects::name(p).starts_with(prefix))
            .expect("pod");
        let c = p["spec"]["containers"][0]["name"]
            .as_str()
            .expect("container")
            .to_string();
        let g = LogGen::for_container(5, p, &c, false, LogMode::Normal).expect("running");
        g.lines(None, plus(s.now, 600.0), usize::MAX)
            .iter()
            .map(text)
            .collect()
    };
    let dns = logs_of("coredns-");
    assert_eq!(dns[0], ".:53");
    assert!(
        dns.iter()
            .any(|l| l.starts_with("[INFO] 10.42.") && l.contains(" IN ")),
        "{dns:?}"
    );
    let traefik = logs_of("traefik-");
    assert!(
        traefik.iter().any(|l| l.contains("@kubernetes")),
        "{traefik:?}"
    );
    let klog = logs_of("metrics-server-");
    assert!(
        klog.iter()
            .all(|l| l.starts_with('I') && l.contains("controller.go:")),
        "{klog:?}"
    );
}
