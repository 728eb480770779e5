//! A fleet started with a warm-up serves sites that have already been running: the
//! demo opens on a settled fleet instead of every pod starting at once.

use outpost_sim::resource::Resource;
use outpost_sim::{Fleet, FleetConfig, demo};
use std::time::Duration;

/// Pods of `site` by phase and whether every container is ready.
fn pods(f: &Fleet, site: &str) -> Vec<(String, String, bool)> {
    let h = f.site(site).expect("site");
    let (items, _) = h.store().list(Resource::Pod, None);
    items
        .iter()
        .map(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or("").to_string();
            let phase = p["status"]["phase"].as_str().unwrap_or("").to_string();
            let ready = p["status"]["containerStatuses"]
                .as_array()
                .is_some_and(|c| !c.is_empty() && c.iter().all(|c| c["ready"] == true));
            (name, phase, ready)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warmed_up_fleet_serves_running_pods_from_the_start() {
    let specs = demo::demo_fleet();
    let healthy = specs
        .iter()
        .find(|s| s.name == "store-berlin-mitte")
        .expect("a healthy demo site")
        .name
        .clone();
    let cold = Fleet::start(FleetConfig {
        sites: specs.clone(),
        ..FleetConfig::default()
    })
    .await
    .expect("cold fleet");
    let warm = Fleet::start(FleetConfig {
        sites: specs,
        warmup: Duration::from_secs(120),
        ..FleetConfig::default()
    })
    .await
    .expect("warm fleet");

    let cold_pods = pods(&cold, &healthy);
    assert!(
        cold_pods
            .iter()
            .all(|(_, phase, ready)| phase != "Running" || !ready),
        "a cold site has nothing running yet: {cold_pods:?}"
    );
    let warm_pods = pods(&warm, &healthy);
    assert!(!warm_pods.is_empty());
    assert!(
        warm_pods
            .iter()
            .all(|(_, phase, ready)| phase == "Running" && *ready),
        "every pod of a warmed-up healthy site runs and is ready: {warm_pods:?}"
    );
    // The site has been up for the warm-up: its objects are that old.
    let h = warm.site(&healthy).expect("site");
    let (nodes, _) = h.store().list(Resource::Node, None);
    let created: jiff::Timestamp = nodes[0]["metadata"]["creationTimestamp"]
        .as_str()
        .expect("creationTimestamp")
        .parse()
        .expect("timestamp");
    let age = jiff::Timestamp::now().duration_since(created);
    assert!(
        age >= jiff::SignedDuration::from_secs(119),
        "node age {age:?}"
    );
    cold.shutdown().await;
    warm.shutdown().await;
}
