//! Text and JSON output of `outpost rollout`: the list, a rollout's status, the live
//! progress lines while the engine runs, and the final summary.

use outpost_core::rollout::{Report, RolloutStore, RolloutView, SiteStatus, Status};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

fn images(v: &RolloutView) -> String {
    v.plan
        .images
        .iter()
        .map(|(c, i)| format!("{c}={i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rollout list.
pub fn list(list: &[RolloutView], running: impl Fn(&str) -> bool) -> String {
    if list.is_empty() {
        return "no rollouts\n".into();
    }
    let mut out = format!(
        "{:<26} {:<23} {:<24} {:>7} {:>7} {:>7} {:>7}  {}\n",
        "ID", "STATUS", "WORKLOAD", "SITES", "UPDATED", "FAILED", "PENDING", "IMAGES"
    );
    for v in list {
        let c = v.counts();
        let status = if v.status == Status::Running && !running(&v.plan.id) {
            "interrupted"
        } else {
            v.status.as_str()
        };
        let _ = writeln!(
            out,
            "{:<26} {:<23} {:<24} {:>7} {:>7} {:>7} {:>7}  {}",
            v.plan.id,
            status,
            v.plan.workload.to_string(),
            c.total,
            c.updated,
            c.failed + c.rolled_back,
            c.pending,
            images(v)
        );
    }
    out
}

/// A rollout in detail: header, waves, sites.
pub fn render(v: &RolloutView, running: bool) -> String {
    let c = v.counts();
    let status = if v.status == Status::Running && !running {
        "interrupted (resume it with `outpost rollout resume`)".to_string()
    } else {
        v.status.as_str().to_string()
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rollout {}  {}  {}",
        v.plan.id,
        v.plan.workload,
        images(v)
    );
    let _ = writeln!(out, "status: {status}");
    if let Some(r) = &v.reason {
        let _ = writeln!(out, "reason: {r}");
    }
    let _ = writeln!(
        out,
        "sites: {} total, {} updated, {} failed, {} rolled back, {} pending (offline), {} in progress, {} waiting",
        c.total, c.updated, c.failed, c.rolled_back, c.pending, c.updating, c.waiting
    );
    for (i, wave) in v.plan.waves.iter().enumerate() {
        let done = if v.waves_done.get(i).copied().unwrap_or(false) {
            "done"
        } else if v.current_wave == Some(i) {
            "current"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "wave {}/{} ({} sites) {done}",
            i + 1,
            v.plan.waves.len(),
            wave.len()
        );
        for s in v.sites.iter().filter(|s| s.wave == i) {
            let pct = s
                .progress
                .as_ref()
                .map(|p| format!(" {:>3.0}%", p.fraction() * 100.0))
                .unwrap_or_default();
            let why = match (&s.reason, &s.message) {
                (Some(r), Some(m)) => format!("  {r}: {m}"),
                (None, Some(m)) => format!("  {m}"),
                (Some(r), None) => format!("  {r}"),
                _ => String::new(),
            };
            let _ = writeln!(out, "  {:<28} {:<18}{pct}{why}", s.site, s.status.as_str());
        }
    }
    out
}

/// The last lines after a run.
pub fn summary(v: &RolloutView) -> String {
    let c = v.counts();
    let mut out = format!(
        "rollout {}: {} ({} updated, {} failed, {} rolled back, {} pending (offline) of {})\n",
        v.plan.id,
        v.status.as_str(),
        c.updated,
        c.failed,
        c.rolled_back,
        c.pending,
        c.total
    );
    if let Some(r) = &v.reason {
        let _ = writeln!(out, "{r}");
    }
    out
}

/// Prints progress while the engine runs: one line per site change.
pub async fn live(mut rx: tokio::sync::watch::Receiver<RolloutView>, json: bool) {
    let mut last: HashMap<String, (SiteStatus, String)> = HashMap::new();
    let mut wave = None;
    while rx.changed().await.is_ok() {
        let v = rx.borrow_and_update().clone();
        if json {
            outln!(
                "{}",
                serde_json::to_string(&Report::of(&v)).unwrap_or_default()
            );
            continue;
        }
        if v.current_wave != wave {
            wave = v.current_wave;
            if let Some(w) = wave {
                outln!(
                    "wave {}/{}: {} site(s)",
                    w + 1,
                    v.plan.waves.len(),
                    v.plan.waves.get(w).map(Vec::len).unwrap_or(0)
                );
            }
        }
        for s in &v.sites {
            let msg = match (&s.progress, &s.message) {
                (Some(p), _)
                    if s.status == SiteStatus::Updating || s.status == SiteStatus::RollingBack =>
                {
                    format!("{:>3.0}% {}", p.fraction() * 100.0, p.message)
                }
                (_, Some(m)) => format!(
                    "{}{m}",
                    s.reason
                        .as_ref()
                        .map(|r| format!("{r}: "))
                        .unwrap_or_default()
                ),
                _ => String::new(),
            };
            let now = (s.status, msg.clone());
            if last.get(&s.site) != Some(&now) && s.status != SiteStatus::Waiting {
                outln!("  {:<28} {:<18} {msg}", s.site, s.status.as_str());
                last.insert(s.site.clone(), now);
            }
        }
    }
}

/// `outpost rollout status ID [--json] [--watch]`.
pub fn status(store: &RolloutStore, id: &str, json: bool, watch: bool) -> anyhow::Result<ExitCode> {
    let mut seen = None;
    loop {
        let v = store.view(id)?;
        let running = store.is_running(id);
        if seen != Some(v.updated_at) {
            seen = Some(v.updated_at);
            if json {
                jsonln!(serde_json::to_string(&Report::of(&v))?);
            } else {
                out!("{}", render(&v, running));
                if watch {
                    outln!();
                }
            }
        }
        if !watch || !running || v.status != Status::Running {
            return Ok(super::exit_code(v.status));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}
