//! Process helpers: locating (and building) the `outpost` binary, reading a process's
//! memory from `/proc`, describing the machine, and small statistics.

use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `outpost` binary to measure. Without `explicit`, builds it with the cargo that
/// runs this benchmark (a no-op when up to date) and takes it from next to this binary.
pub fn outpost_binary(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        if !p.is_file() {
            bail!("{} is not a file", p.display());
        }
        return Ok(p.to_path_buf());
    }
    let me = std::env::current_exe().context("locating this binary")?;
    let dir = me.parent().context("this binary has no directory")?;
    if let Ok(cargo) = std::env::var("CARGO") {
        let profile = if dir.ends_with("release") {
            vec!["--release"]
        } else {
            vec![]
        };
        eprintln!("building the outpost binary ({cargo} build -p outpost-cli {profile:?})");
        let st = Command::new(&cargo)
            .args(["build", "-p", "outpost-cli", "--bin", "outpost"])
            .args(&profile)
            .status()
            .context("running cargo build")?;
        if !st.success() {
            bail!("cargo build -p outpost-cli failed");
        }
    }
    let p = dir.join("outpost");
    if !p.is_file() {
        bail!(
            "no outpost binary at {} (build it with cargo build --release -p outpost-cli, or pass --outpost)",
            p.display()
        );
    }
    Ok(p)
}

/// A `/proc/<pid>/status` field in KiB (`VmRSS`, `VmHWM`).
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// CPU, cores, memory and kernel, on one line.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or("?".into(), |k| format!("{:.1} GiB", k as f64 / 1048576.0));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    format!(
        "machine: {cpu}, {cores} cores available, {mem} RAM, Linux {kernel}, load average {load}; {}",
        jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC")
    )
}

/// The `q` quantile (nearest rank) of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A table row: `| a | b | … |`.
pub fn row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}
