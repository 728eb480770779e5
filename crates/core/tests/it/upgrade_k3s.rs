//! K3s upgrades against the simulator's system-upgrade-controller: Plans pinned to a
//! version move every node's version (one node at a time per Plan, cordoned), a stuck
//! upgrade (the Job fails on its deadline) is reported with next steps, MicroK8s gets
//! the exact snap command, and an unreachable site is refused unless forced.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::rollout_support as support;

use outpost_core::health::{FleetMonitor, MonitorOptions};
use outpost_core::registry::MaintenanceWindow;
use outpost_core::upgrade::{self, NodeState, Started};
use outpost_sim::Fault;
use outpost_sim::spec::Distro;
use std::time::{Duration, Instant};
use support::*;

const TARGET: &str = "v1.31.4+k3s1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k3s_upgrade_moves_every_node_and_a_stuck_one_is_reported() {
    let env = start(
        vec![
            spec("k3s-good", Distro::K3s, 3, true),
            spec("k3s-stuck", Distro::K3s, 2, true),
            spec("k3s-bare", Distro::K3s, 1, false),
            spec("mk8s", Distro::MicroK8s, 1, false),
        ],
        100.0,
    )
    .await;
    env.site("k3s-stuck").set_upgrade_stuck(true);
    let site = |n: &str| env.store.get(n).unwrap();

    // Detection.
    let good = env.client("k3s-good");
    assert!(upgrade::detect(&good).await.unwrap().installed());
    assert!(
        !upgrade::detect(&env.client("k3s-bare"))
            .await
            .unwrap()
            .installed()
    );
    let err = upgrade::start(&env.client("k3s-bare"), &site("k3s-bare"), TARGET, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), outpost_core::error::ErrorKind::NotFound);
    let err = upgrade::start(&good, &site("k3s-good"), "latest", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), outpost_core::error::ErrorKind::InvalidInput);

    // MicroK8s: the exact command, nothing created.
    match upgrade::start(&env.client("mk8s"), &site("mk8s"), "v1.31.4", None)
        .await
        .unwrap()
    {
        Started::MicroK8s { command } => {
            assert_eq!(command, "sudo snap refresh microk8s --channel=1.31/stable");
        }
        other => panic!("{other:?}"),
    }

    // Plans with a window, then without: created, then updated, then unchanged.
    let w = MaintenanceWindow::parse("sat,sun 02:00-05:00 Europe/Paris").unwrap();
    let win = upgrade::suc_window(&w).unwrap();
    assert_eq!(win["days"][0], "saturday");
    assert_eq!(
        upgrade::server_plan(TARGET, Some(&win))["spec"]["window"]["timeZone"],
        "Europe/Paris"
    );
    let s = upgrade::start(&good, &site("k3s-good"), TARGET, None)
        .await
        .unwrap();
    assert_eq!(
        s,
        Started::Plans {
            created: vec!["k3s-server".into(), "k3s-agent".into()],
            updated: vec![],
            unchanged: vec![]
        }
    );
    let s = upgrade::start(&good, &site("k3s-good"), TARGET, None)
        .await
        .unwrap();
    assert!(
        matches!(s, Started::Plans { ref unchanged, .. } if unchanged.len() == 2),
        "{s:?}"
    );
    upgrade::start(&env.client("k3s-stuck"), &site("k3s-stuck"), TARGET, None)
        .await
        .unwrap();

    // Per-node progress until every node of the good site is at the target.
    let t0 = Instant::now();
    let mut saw_upgrading = false;
    let mut saw_cordoned = false;
    loop {
        let st = upgrade::status(&good).await.unwrap();
        assert_eq!(st.target.as_deref(), Some(TARGET));
        assert!(st.stuck.is_empty(), "{st:?}");
        saw_upgrading |= st
            .nodes
            .iter()
            .any(|n| n.state == NodeState::Upgrading && n.job.is_some());
        saw_cordoned |= st.nodes.iter().any(|n| n.cordoned);
        // Concurrency 1 per Plan: at most one server and one agent at a time.
        assert!(
            st.nodes
                .iter()
                .filter(|n| n.state == NodeState::Upgrading)
                .count()
                <= 2
        );
        if st.done {
            assert!(
                st.nodes.iter().all(|n| n.version == TARGET && !n.cordoned),
                "{st:?}"
            );
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(40), "not done: {st:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(saw_upgrading && saw_cordoned);
    assert_eq!(env.node_versions("k3s-good"), vec![TARGET; 3]);

    // The stuck site: its Job fails on its deadline; reported with next steps.
    let stuck = env.client("k3s-stuck");
    let t0 = Instant::now();
    let st = loop {
        let st = upgrade::status(&stuck).await.unwrap();
        if !st.stuck.is_empty() {
            break st;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "never reported stuck: {st:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(!st.done);
    let s = &st.stuck[0];
    assert!(s.reason.contains("DeadlineExceeded"), "{s:?}");
    assert!(
        s.next_steps.iter().any(|n| n.contains("delete job")),
        "{s:?}"
    );
    assert!(
        s.next_steps.iter().any(|n| n.contains("kubectl uncordon")),
        "{s:?}"
    );
    let node = st.nodes.iter().find(|n| n.name == s.node).unwrap();
    assert_eq!(node.state, NodeState::Stuck);
    assert!(
        node.cordoned,
        "the controller never rolls back: the node stays cordoned"
    );
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unhealthy_site_is_refused_unless_forced() {
    let env = start(
        vec![
            spec("k3s-a", Distro::K3s, 1, true),
            spec("k3s-b", Distro::K3s, 1, true),
        ],
        20.0,
    )
    .await;
    settle(&env, 30).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    env.site("k3s-b").set_fault(Fault::Offline);
    let mon = FleetMonitor::start(
        env.sites(),
        env.vault.clone(),
        None,
        MonitorOptions::default(),
    );
    let fleet = mon.first_sweep(Duration::from_secs(5)).await;
    mon.stop();
    let a = fleet.sites.get("k3s-a").unwrap();
    let b = fleet.sites.get("k3s-b").unwrap();
    upgrade::check_health("k3s-a", Some(a), false).unwrap();
    let err = upgrade::check_health("k3s-b", Some(b), false).unwrap_err();
    assert_eq!(err.kind(), outpost_core::error::ErrorKind::Unhealthy);
    assert!(err.to_string().contains("--force"), "{err}");
    upgrade::check_health("k3s-b", Some(b), true).unwrap();
    assert_eq!(
        upgrade::check_health("k3s-a", None, false)
            .unwrap_err()
            .kind(),
        outpost_core::error::ErrorKind::Unhealthy
    );
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_upgrade_is_reported_as_making_no_progress() {
    use outpost_core::upgrade::{ProgressMarkers, StuckKind};
    let env = start(
        vec![
            spec("k3s-moving", Distro::K3s, 3, true),
            spec("k3s-hung", Distro::K3s, 2, true),
        ],
        100.0,
    )
    .await;
    env.site("k3s-hung").set_upgrade_hang(true);
    let window = Duration::from_secs(3);
    for n in ["k3s-moving", "k3s-hung"] {
        let site = env.store.get(n).unwrap();
        upgrade::start(&env.client(n), &site, TARGET, None)
            .await
            .unwrap();
    }
    // Each poll is a new marker store, as each `outpost upgrade status` run is.
    let observe = |name: &'static str| {
        let env = &env;
        async move {
            let mut st = upgrade::status(&env.client(name)).await.unwrap();
            ProgressMarkers::new(&env.home)
                .observe(name, &mut st, window, jiff::Timestamp::now())
                .unwrap();
            st
        }
    };
    // A moving upgrade never trips the window, even though the whole site takes longer.
    let t0 = Instant::now();
    loop {
        let st = observe("k3s-moving").await;
        assert!(st.stuck.is_empty(), "progressing, yet reported: {st:?}");
        if st.done {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(40), "not done: {st:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(env.node_versions("k3s-moving"), vec![TARGET; 3]);
    assert!(
        !env.home
            .dir()
            .join("upgrades/progress/k3s-moving.json")
            .exists(),
        "a finished upgrade forgets its marker"
    );
    // The hung site: its Job never ends; after the window it is reported.
    let t0 = Instant::now();
    let st = loop {
        let st = observe("k3s-hung").await;
        if !st.stuck.is_empty() {
            break st;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "never reported: {st:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(t0.elapsed() >= window, "reported before the window");
    assert!(!st.done);
    // One node per Plan (server and agent) is being upgraded: both hang.
    assert_eq!(st.stuck.len(), 2, "{st:?}");
    for s in &st.stuck {
        assert_eq!(s.kind, StuckKind::NoProgress);
        let job = s.job.clone().expect("the hung Job is named");
        let role = if s.node.ends_with("-n0") {
            "server"
        } else {
            "agent"
        };
        assert!(
            job.starts_with(&format!("apply-k3s-{role}-on-{}", s.node)),
            "{job}"
        );
        assert!(s.since.is_some());
        assert!(s.reason.starts_with("no progress for"), "{s:?}");
        assert!(
            s.next_steps
                .iter()
                .any(|n| n.contains(&format!("kubectl -n system-upgrade logs job/{job}"))),
            "{s:?}"
        );
        assert!(
            s.next_steps
                .iter()
                .any(|n| n.contains("logs deploy/system-upgrade-controller")),
            "{s:?}"
        );
        let node = st.nodes.iter().find(|n| n.name == s.node).unwrap();
        assert_eq!(node.state, NodeState::Stuck);
        assert!(node.cordoned);
    }
    // The simulator agrees nothing moved.
    assert_eq!(env.node_versions("k3s-hung"), vec!["v1.30.6+k3s1"; 2]);
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_start_refuses_per_site_and_validates_the_request() {
    use outpost_core::actions::ChangeLog;
    use outpost_core::upgrade::ipc as uipc;
    use outpost_ipc::upgrade::UpgradeStartRequest;
    let env = start(
        vec![
            spec("k3s-ok", Distro::K3s, 1, true),
            spec("k3s-down", Distro::K3s, 1, true),
            spec("mk8s", Distro::MicroK8s, 1, false),
        ],
        50.0,
    )
    .await;
    settle(&env, 30).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    env.site("k3s-down").set_fault(Fault::Offline);
    let mon = FleetMonitor::start(
        env.sites(),
        env.vault.clone(),
        None,
        MonitorOptions::default(),
    );
    let fleet = mon.first_sweep(Duration::from_secs(5)).await;
    mon.stop();
    let health = |n: &str| fleet.sites.get(n).cloned();
    let changes = ChangeLog::new(&env.home);
    let req =
        |sites: &[&str], version: &str, window: Option<&str>, force: bool| UpgradeStartRequest {
            sites: sites.iter().map(|s| s.to_string()).collect(),
            version: version.into(),
            window: window.map(str::to_string),
            force,
        };
    let sites = env.sites();
    let clients = env.clients();
    // Refused as a whole, nothing touched: unknown site, loose version, bad window.
    for (r, what) in [
        (req(&["nope"], TARGET, None, false), "no site named"),
        (
            req(&["k3s-ok"], "v1.31", None, false),
            "is not a K3s version",
        ),
        (
            req(&["k3s-ok"], TARGET, Some("someday"), false),
            "maintenance window",
        ),
        (req(&[], TARGET, None, false), "pick at least one site"),
    ] {
        let e = uipc::start(&sites, &clients, health, &r, &changes)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), outpost_core::error::ErrorKind::InvalidInput);
        assert!(e.to_string().contains(what), "{e}");
    }
    assert!(
        upgrade::status(&env.client("k3s-ok"))
            .await
            .unwrap()
            .target
            .is_none()
    );
    // Per site: the healthy one starts, the unreachable one is refused for its health,
    // MicroK8s gets its command.
    let out = uipc::start(
        &sites,
        &clients,
        health,
        &req(&["k3s-ok", "k3s-down", "mk8s"], TARGET, None, false),
        &changes,
    )
    .await
    .unwrap();
    assert!(out[0].ok, "{out:?}");
    assert!(
        out[0].message.contains("created k3s-server, k3s-agent"),
        "{out:?}"
    );
    assert!(!out[1].ok);
    assert_eq!(out[1].error_kind, Some(outpost_ipc::ErrorKind::Unhealthy));
    assert!(
        out[1].message.contains("last health check failed")
            && out[1].message.contains("tick Force"),
        "{out:?}"
    );
    assert_eq!(
        out[2].snap_command.as_deref(),
        Some("sudo snap refresh microk8s --channel=1.31/stable")
    );
    assert_eq!(
        upgrade::status(&env.client("k3s-ok"))
            .await
            .unwrap()
            .target
            .as_deref(),
        Some(TARGET)
    );
    // Forced, the unreachable site is tried and fails on the network, not on health.
    let out = uipc::start(
        &sites,
        &clients,
        health,
        &req(&["k3s-down"], TARGET, None, true),
        &changes,
    )
    .await
    .unwrap();
    assert!(!out[0].ok);
    assert_ne!(
        out[0].error_kind,
        Some(outpost_ipc::ErrorKind::Unhealthy),
        "{out:?}"
    );
    // Every attempt is in the sites' change journals.
    let j = changes.list("k3s-down").unwrap();
    assert_eq!(j.len(), 2, "{j:?}");
    assert_eq!(j[0].result, "refused: unhealthy");
    // The overview: drift and health as the view shows them.
    let summaries: Vec<outpost_ipc::SiteSummary> = {
        let s = outpost_core::session::Session::open(
            env.home.clone(),
            env.vault.clone(),
            MonitorOptions::default(),
        )
        .unwrap();
        s.first_sweep(Duration::from_secs(5)).await;
        let rows = s.summaries();
        s.monitor().stop();
        rows
    };
    let o = uipc::overview(&summaries, health);
    let row = |n: &str| o.sites.iter().find(|r| r.name == n).unwrap().clone();
    assert!(row("k3s-ok").healthy);
    assert!(!row("k3s-down").healthy);
    assert!(row("k3s-down").health_reason.is_some());
    assert!(row("mk8s").snap_command.is_some());
    env.finish().await;
}
