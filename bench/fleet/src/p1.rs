//! P1: wall time of the real `outpost status --json` against a loop of
//! `kubectl get nodes,deployments,pods -A -o json` over every context, and against the
//! floor ⌈N/C⌉·RTT; plus an in-process breakdown to explain where the time goes.

use crate::HealthArgs;
use crate::proc::{quantile, row};
use crate::setup::Env;
use anyhow::{Context as _, bail};
use outpost_core::client::ClientCache;
use outpost_core::health::{FleetMonitor, MonitorOptions, Reach};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

pub struct P1 {
    sites: usize,
    status_runs: Vec<f64>,
    reachable: usize,
    kubectl_cold: Option<f64>,
    kubectl_warm: Option<f64>,
    concurrency: usize,
    rtt_ms: u64,
    /// In-process: every site's credentials read as status reads them (one batch over
    /// one keyring session), seconds.
    creds_batch: f64,
    /// In-process: building every site's clients reading entry by entry (one keyring
    /// session per entry, as before the batch), seconds.
    clients_build: f64,
    /// In-process: one sweep of every site with clients built, seconds.
    sweep: f64,
    /// In-process sweeps at other concurrencies: (C, seconds).
    by_c: Vec<(usize, f64)>,
    /// In-process sweep with snapshots: (loaded, swept, all written) seconds.
    snapshots: (f64, f64, f64),
    /// The JSON the sweep moves, encoded and decoded on one core.
    json: crate::p1_costs::JsonCosts,
    /// One status run under bash's `time`: (wall, user, sys) seconds of the status
    /// process, and the CPU seconds this process (the simulator) used meanwhile.
    cpu: Option<(f64, f64, f64, f64)>,
    /// The status process doing nothing (`outpost status --site none`, failing fast).
    process_floor: f64,
    /// CPU seconds per second the simulator (this process) uses with no client: the
    /// simulated world ticking.
    sim_idle: f64,
    /// TLS connections the simulator accepted during one status run, and how many of
    /// them were HTTP/2.
    handshakes: Option<(u64, u64)>,
    /// The same during the kubectl loop (warm cache).
    kubectl_handshakes: Option<(u64, u64)>,
}

/// TLS connections accepted by all simulated sites so far (all, HTTP/2).
fn accepted(env: &Env) -> (u64, u64) {
    env.fleet
        .handles()
        .iter()
        .map(|h| h.tls_accepted())
        .fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
}

async fn status_once(outpost: &Path, root: &Path) -> anyhow::Result<(f64, Vec<Value>)> {
    let t = Instant::now();
    let out = tokio::process::Command::new(outpost)
        .args(["status", "--json", "--timeout", "60"])
        .env("OUTPOST_HOME", root)
        .env_remove("RUST_LOG")
        .output()
        .await
        .context("running outpost status")?;
    let took = t.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "outpost status failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).context("status JSON")?;
    Ok((took, v))
}

/// CPU seconds (user + system) this process has used so far.
fn own_cpu() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the ')'.
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs status once under bash's `time` (wall, user, sys of the status process), and
/// the simulator's CPU seconds meanwhile.
async fn status_cpu(outpost: &Path, root: &Path) -> anyhow::Result<(f64, f64, f64, f64)> {
    let before = own_cpu();
    let out = tokio::process::Command::new("bash")
        .arg("-c")
        .arg("TIMEFORMAT='%R %U %S'; time \"$0\" status --json --timeout 60 >/dev/null")
        .arg(outpost)
        .env("OUTPOST_HOME", root)
        .env_remove("RUST_LOG")
        .output()
        .await
        .context("running bash time outpost status")?;
    let sim = own_cpu() - before;
    let err = String::from_utf8_lossy(&out.stderr);
    let v: Vec<f64> = err
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    match v[..] {
        [wall, user, sys] => Ok((wall, user, sys, sim)),
        _ => bail!("unexpected `time` output: {err}"),
    }
}

/// One pass of the kubectl loop; fails if any call fails.
async fn kubectl_loop(a: &HealthArgs, env: &Env, cache: &Path) -> anyhow::Result<f64> {
    let t = Instant::now();
    for n in &env.names {
        let out = tokio::process::Command::new(&a.kubectl)
            .arg("--kubeconfig")
            .arg(&env.kubeconfig)
            .arg("--cache-dir")
            .arg(cache)
            .args([
                "--context",
                n,
                "get",
                "nodes,deployments,pods",
                "-A",
                "-o",
                "json",
            ])
            .output()
            .await
            .context("running kubectl")?;
        if !out.status.success() {
            bail!(
                "kubectl --context {n} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let v: Value = serde_json::from_slice(&out.stdout).context("kubectl JSON")?;
        if v["items"].as_array().is_none_or(|i| i.is_empty()) {
            bail!("kubectl --context {n} returned no items");
        }
    }
    Ok(t.elapsed().as_secs_f64())
}

pub async fn run(a: &HealthArgs, env: &Env, outpost: &Path) -> anyhow::Result<P1> {
    let opts = MonitorOptions::default();
    let sites = env.store.list()?;
    // Breakdown 1a: every site's credentials, read as status reads them (one batch).
    let cache = ClientCache::new(env.vault.clone(), opts.timeouts);
    let t = Instant::now();
    cache.prefetch(&sites);
    for s in &sites {
        cache
            .auth_async(s)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", s.name))?;
    }
    let creds_batch = t.elapsed().as_secs_f64();
    // Breakdown 1b: the clients of every site, reading the keyring entry by entry.
    let cache = ClientCache::new(env.vault.clone(), opts.timeouts);
    let t = Instant::now();
    for s in &sites {
        cache
            .get(s)
            .map_err(|e| anyhow::anyhow!("{}: {e}", s.name))?;
    }
    let clients_build = t.elapsed().as_secs_f64();
    // Breakdown 2: one in-process sweep of every site (clients built inside, as status
    // does), at the monitor's concurrency and at others, to see what C buys.
    let mut by_c = Vec::new();
    for c in [opts.concurrency, 8, 64, sites.len()] {
        let t = Instant::now();
        let mon = FleetMonitor::start(
            sites.clone(),
            env.vault.clone(),
            None,
            MonitorOptions {
                watch: false,
                concurrency: c,
                sweep_deadline: Duration::from_secs(54),
                ..opts.clone()
            },
        );
        let fh = mon.first_sweep(Duration::from_secs(60)).await;
        let took = t.elapsed().as_secs_f64();
        mon.stop();
        let ok = fh
            .sites
            .values()
            .filter(|h| h.reach == Reach::Reachable)
            .count();
        eprintln!("in-process sweep, C={c}: {took:.3}s ({ok} reachable)");
        by_c.push((c, took));
    }
    let sweep = by_c[0].1;
    eprintln!(
        "in-process: credentials batch {creds_batch:.3}s, clients entry by entry \
         {clients_build:.3}s"
    );
    // The bare process: start, parse args, read the registry, fail on an unknown site.
    let t = Instant::now();
    let _ = tokio::process::Command::new(outpost)
        .args(["status", "--site", "no-such-site"])
        .env("OUTPOST_HOME", &env.root)
        .output()
        .await?;
    let process_floor = t.elapsed().as_secs_f64();

    let mut status_runs = Vec::new();
    let mut reachable = usize::MAX;
    for i in 0..a.status_runs.max(1) {
        let (took, v) = status_once(outpost, &env.root).await?;
        let up = v.iter().filter(|s| s["reach"] == "reachable").count();
        eprintln!(
            "outpost status run {}: {took:.3}s, {} sites, {up} reachable",
            i + 1,
            v.len()
        );
        if v.len() != env.names.len() {
            bail!("status listed {} of {} sites", v.len(), env.names.len());
        }
        reachable = reachable.min(up);
        status_runs.push(took);
    }
    let snapshots = crate::p1_costs::snapshot_costs(env, &sites, &opts).await;
    let json = crate::p1_costs::json_costs(env);
    let idle_start = own_cpu();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sim_idle = (own_cpu() - idle_start) / 2.0;
    let before = accepted(env);
    let cpu = match status_cpu(outpost, &env.root).await {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!("status CPU not measured: {e:#}");
            None
        }
    };
    let after = accepted(env);
    let handshakes = cpu.map(|_| (after.0 - before.0, after.1 - before.1));
    let (mut kubectl_cold, mut kubectl_warm, mut kubectl_handshakes) = (None, None, None);
    if !a.skip_kubectl {
        let cache = env.dir.path().join("kube-cache");
        let cold = kubectl_loop(a, env, &cache).await?;
        eprintln!("kubectl loop, cold discovery cache: {cold:.1}s");
        let before = accepted(env);
        let warm = kubectl_loop(a, env, &cache).await?;
        let after = accepted(env);
        kubectl_handshakes = Some((after.0 - before.0, after.1 - before.1));
        eprintln!("kubectl loop, warm discovery cache: {warm:.1}s");
        kubectl_cold = Some(cold);
        kubectl_warm = Some(warm);
    }
    Ok(P1 {
        sites: env.names.len(),
        status_runs,
        reachable,
        kubectl_cold,
        kubectl_warm,
        concurrency: opts.concurrency,
        rtt_ms: a.rtt_ms,
        creds_batch,
        clients_build,
        sweep,
        by_c,
        snapshots,
        json,
        cpu,
        process_floor,
        sim_idle,
        handshakes,
        kubectl_handshakes,
    })
}

fn verdict(ok: bool) -> String {
    if ok { "met" } else { "NOT met" }.into()
}

impl P1 {
    fn median(&self) -> f64 {
        let mut v = self.status_runs.clone();
        v.sort_by(f64::total_cmp);
        quantile(&v, 0.5)
    }

    fn floor(&self) -> f64 {
        self.sites.div_ceil(self.concurrency.max(1)) as f64 * self.rtt_ms as f64 / 1000.0
    }

    pub fn table(&self) -> Vec<String> {
        let m = self.median();
        let runs: Vec<String> = self
            .status_runs
            .iter()
            .map(|r| format!("{:.0}", r * 1000.0))
            .collect();
        let mut t = vec![
            row(&[
                "metric".into(),
                "measured".into(),
                "target".into(),
                "result".into(),
            ]),
            row(&["---".into(), "---".into(), "---".into(), "---".into()]),
            row(&[
                format!("P1 `outpost status --json`, {} sites", self.sites),
                format!(
                    "{:.0} ms median (runs: {} ms); {}/{} reachable",
                    m * 1000.0,
                    runs.join(", "),
                    self.reachable,
                    self.sites
                ),
                "-".into(),
                "-".into(),
            ]),
        ];
        for (label, v) in [
            ("cold discovery cache", self.kubectl_cold),
            ("warm discovery cache", self.kubectl_warm),
        ] {
            if let Some(k) = v {
                t.push(row(&[
                    format!("P1 kubectl loop ({label})"),
                    format!(
                        "{k:.1} s ({:.0} ms per site)",
                        k * 1000.0 / self.sites as f64
                    ),
                    "-".into(),
                    "-".into(),
                ]));
            }
        }
        if let (Some(c), Some(w)) = (self.kubectl_cold, self.kubectl_warm) {
            let (rc, rw) = (c / m, w / m);
            t.push(row(&[
                "P1 speed-up vs kubectl (warm / cold cache)".into(),
                format!("{rw:.0}× / {rc:.0}×"),
                "≥ 20×".into(),
                verdict(rw >= 20.0),
            ]));
        }
        let f = self.floor();
        t.push(row(&[
            format!(
                "P1 floor ⌈{}/{}⌉·{} ms",
                self.sites, self.concurrency, self.rtt_ms
            ),
            format!("{:.0} ms; status = {:.1}× the floor", f * 1000.0, m / f),
            "≤ 2× floor".into(),
            verdict(m <= 2.0 * f),
        ]));
        t
    }

    /// The breakdown, for explaining a missed floor.
    pub fn notes(&self) -> Vec<String> {
        let mut v = vec![format!(
            "P1 breakdown: bare `outpost status` process (start, registry read, exit) {:.0} ms; \
                 in-process credential read for all sites as status does it (one batch, one \
                 keyring session) {:.0} ms; the same entry by entry with client builds (one \
                 keyring session per entry) {:.0} ms; in-process sweep of all sites (clients \
                 built inside) {:.0} ms.",
            self.process_floor * 1000.0,
            self.creds_batch * 1000.0,
            self.clients_build * 1000.0,
            self.sweep * 1000.0
        )];
        let cs: Vec<String> = self
            .by_c
            .iter()
            .map(|(c, s)| format!("C={c} {:.0} ms", s * 1000.0))
            .collect();
        v.push(format!(
            "P1 concurrency: in-process sweeps (fresh monitor, credentials read inside) took {}.",
            cs.join(", ")
        ));
        let (loaded, swept, written) = self.snapshots;
        v.push(format!(
            "P1 snapshots: the same in-process sweep with the profile's snapshot store, as \
             status runs it: every site's snapshot loaded before the sweep {:.0} ms, sweep \
             done at {:.0} ms, every synced site's snapshot written at {:.0} ms.",
            loaded * 1000.0,
            swept * 1000.0,
            written * 1000.0
        ));
        v.push(self.json.note());
        for (who, h) in [
            ("one `outpost status --json` run", self.handshakes),
            ("the kubectl loop (warm cache)", self.kubectl_handshakes),
        ] {
            if let Some((all, h2)) = h {
                v.push(format!(
                    "P1 TLS: the simulator accepted {all} TLS connections during {who} \
                     ({:.1} per site), {h2} of them HTTP/2.",
                    all as f64 / self.sites.max(1) as f64
                ));
            }
        }
        if let Some((wall, user, sys, sim)) = self.cpu {
            v.push(format!(
                "P1 CPU: one `outpost status --json` run took {wall:.2} s wall, {user:.2} s user + \
                 {sys:.2} s system CPU in the status process; the simulator (this process) used \
                 {sim:.2} s CPU meanwhile, of which about {:.2} s its world's own ticking (it \
                 uses {:.2} CPU-s/s with no client); {:.1} of 2 cores busy on average.",
                self.sim_idle * wall,
                self.sim_idle,
                (user + sys + sim) / wall.max(0.001)
            ));
        }
        v
    }
}
