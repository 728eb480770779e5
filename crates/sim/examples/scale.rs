//! Starts a large generated fleet and prints how long it took and the process RSS.
//!
//! `cargo run -p outpost-sim --release --example scale -- [SITES=500] [HISTORY_SECS=75] [WAIT_SECS=20]`

use outpost_sim::{Fleet, FleetConfig, demo};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let sites = demo::generated_fleet(n, 7);
    let objects_per_site: Vec<usize> = sites
        .iter()
        .map(|s| outpost_sim::world::seed(s, jiff::Timestamp::now()).len())
        .collect();
    let t = Instant::now();
    let window = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .map_or(Duration::from_secs(75), Duration::from_secs);
    let fleet = Fleet::start(FleetConfig {
        sites,
        history_window: window,
        ..FleetConfig::default()
    })
    .await?;
    let ready = t.elapsed();
    let rss_ready = rss_mib().unwrap_or(0.0);
    // Let the world's controllers run a few ticks (pods start, events appear).
    let wait = std::env::args()
        .nth(3)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let rss_running = rss_mib().unwrap_or(0.0);
    let objects: usize = fleet
        .handles()
        .iter()
        .map(|h| {
            outpost_sim::resource::Resource::ALL
                .iter()
                .map(|r| h.store().list(*r, None).0.len())
                .sum::<usize>()
        })
        .sum();
    println!(
        "sites={} seeded_objects={} ready_in={:.2}s rss_at_ready={:.0}MiB rss_after_wait={:.0}MiB objects_after_wait={}",
        fleet.sites().len(),
        objects_per_site.iter().sum::<usize>(),
        ready.as_secs_f64(),
        rss_ready,
        rss_running,
        objects
    );
    fleet.shutdown().await;
    Ok(())
}
