//! Streams to the webview. The `watch_fleet` stream: the full fleet first (and again
//! after a profile switch), then one message per changed site, at most every
//! [`MIN_INTERVAL`] so a busy fleet cannot flood the webview. Ends when the window's
//! channel is gone. [`pipe`] forwards a session's stream (a rollout, upgrades).

use crate::profiles::Profiles;
use outpost_ipc::{FleetUpdate, SiteSummary};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::{Channel, IpcResponse};
use tokio::sync::mpsc;

/// Shortest time between two batches of changes.
const MIN_INTERVAL: Duration = Duration::from_millis(250);

/// What changed between two lists of rows, in order.
pub fn changes(before: &HashMap<String, SiteSummary>, now: &[SiteSummary]) -> Vec<FleetUpdate> {
    let mut out: Vec<FleetUpdate> = now
        .iter()
        .filter(|s| before.get(&s.name) != Some(*s))
        .map(|s| FleetUpdate::Changed {
            site: Box::new(s.clone()),
        })
        .collect();
    out.extend(
        before
            .keys()
            .filter(|n| !now.iter().any(|s| &s.name == *n))
            .map(|n| FleetUpdate::Removed { name: n.clone() }),
    );
    out
}

fn index(rows: &[SiteSummary]) -> HashMap<String, SiteSummary> {
    rows.iter().map(|s| (s.name.clone(), s.clone())).collect()
}

/// Forwards fleet changes to `ch` until sending fails.
pub async fn forward_fleet(profiles: Arc<Profiles>, ch: Channel<FleetUpdate>) {
    let mut profiles_rx = profiles.subscribe();
    loop {
        let active = match profiles.ready().await {
            Ok(a) => a,
            // Nothing to stream until a profile opens (the commands report why).
            Err(_) => {
                if profiles_rx.changed().await.is_err() {
                    return;
                }
                continue;
            }
        };
        profiles_rx.mark_unchanged();
        let rows = active.session.summaries();
        if ch
            .send(FleetUpdate::Full {
                sites: rows.clone(),
            })
            .is_err()
        {
            return;
        }
        let mut last = index(&rows);
        let mut health = active.session.subscribe();
        loop {
            tokio::select! {
                r = profiles_rx.changed() => {
                    if r.is_err() { return; }
                    break;
                }
                r = health.changed() => {
                    if r.is_err() { break; }
                    tokio::time::sleep(MIN_INTERVAL).await;
                    let fleet = health.borrow_and_update().clone();
                    let rows = active.session.summaries_of(&fleet);
                    for u in changes(&last, &rows) {
                        if ch.send(u).is_err() {
                            return;
                        }
                    }
                    last = index(&rows);
                }
            }
        }
    }
}

/// Forwards each message of a session's stream to `ch` until either ends; dropping the
/// receiver then ends the session's side.
pub async fn pipe<T: IpcResponse>(mut rx: mpsc::Receiver<T>, ch: Channel<T>) {
    while let Some(v) = rx.recv().await {
        if ch.send(v).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_ipc::{Distro, HealthLevel, Reachability};

    fn row(name: &str, level: HealthLevel) -> SiteSummary {
        SiteSummary {
            name: name.into(),
            display_name: name.into(),
            city: String::new(),
            latitude: None,
            longitude: None,
            tags: vec![],
            distro: Distro::K3s,
            version: String::new(),
            level,
            reasons: vec![],
            reachability: Reachability::default(),
            last_seen_ms: None,
            stale: None,
            nodes_ready: 0,
            nodes_total: 0,
            workloads_available: 0,
            workloads_desired: 0,
            problem_pods: 0,
            cert_expires_ms: None,
        }
    }

    #[test]
    fn only_changed_added_and_removed_sites_are_sent() {
        let before = index(&[row("a", HealthLevel::Ok), row("b", HealthLevel::Ok)]);
        let now = [
            row("a", HealthLevel::Ok),
            row("b", HealthLevel::Critical),
            row("c", HealthLevel::Unknown),
        ];
        let u = changes(&before, &now);
        let names: Vec<String> = u
            .iter()
            .map(|u| match u {
                FleetUpdate::Changed { site } => format!("changed {}", site.name),
                FleetUpdate::Removed { name } => format!("removed {name}"),
                FleetUpdate::Full { .. } => "full".into(),
            })
            .collect();
        assert_eq!(names, ["changed b", "changed c"]);
        let gone = changes(&before, &[row("a", HealthLevel::Ok)]);
        assert_eq!(gone, vec![FleetUpdate::Removed { name: "b".into() }]);
        assert!(
            changes(
                &before,
                &[row("a", HealthLevel::Ok), row("b", HealthLevel::Ok)]
            )
            .is_empty()
        );
    }
}
