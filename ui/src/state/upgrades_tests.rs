//! The Upgrades view's reducer: drift groups, the prefilled and validated version, what
//! can be picked, the confirmation gate, and watching what was started.

use super::*;
use outpost_ipc::ErrorKind;
use outpost_ipc::upgrade::NodeUpgradeInfo;

fn row(name: &str, distro: Distro, version: &str, behind: bool, healthy: bool) -> UpgradeSiteRow {
    UpgradeSiteRow {
        name: name.into(),
        display_name: name.into(),
        distro,
        version: version.into(),
        behind,
        healthy,
        health_reason: (!healthy).then(|| "critical: pod crash-looping".into()),
        snap_command: (distro == Distro::Microk8s)
            .then(|| "sudo snap refresh microk8s --channel=1.30/stable".into()),
    }
}

fn overview() -> UpgradesOverview {
    UpgradesOverview {
        sites: vec![
            row("old-a", Distro::K3s, "v1.30.8+k3s1", true, true),
            row("new-a", Distro::K3s, "v1.31.4+k3s1", false, true),
            row("mk", Distro::Microk8s, "v1.29.12", false, true),
            row("old-b", Distro::K3s, "v1.30.8+k3s1", true, false),
        ],
        newest_k3s: Some("v1.31.4+k3s1".into()),
        newest_microk8s: Some("v1.29.12".into()),
    }
}

fn loaded() -> Upgrades {
    Upgrades::default().apply(Action::Loaded(Ok(overview())))
}

#[test]
fn drift_groups_by_distro_and_version_newest_first() {
    let g = groups(&overview());
    let heads: Vec<(Distro, &str, bool, usize)> = g
        .iter()
        .map(|g| (g.distro, g.version.as_str(), g.newest, g.sites.len()))
        .collect();
    assert_eq!(
        heads,
        vec![
            (Distro::K3s, "v1.31.4+k3s1", true, 1),
            (Distro::K3s, "v1.30.8+k3s1", false, 2),
            (Distro::Microk8s, "v1.29.12", true, 1),
        ]
    );
    assert_eq!(distro_name(Distro::Microk8s), "MicroK8s");
}

#[test]
fn the_version_is_prefilled_validated_and_kept_once_typed() {
    let s = loaded();
    assert_eq!(s.version, "v1.31.4+k3s1");
    assert_eq!(version_error(&s.version), None);
    assert!(version_error("v1.31").is_some());
    assert!(version_error("latest").is_some());
    let s = s.apply(Action::Version("v1.31.5+k3s1".into()));
    let s = s.apply(Action::Loaded(Ok(overview())));
    assert_eq!(s.version, "v1.31.5+k3s1", "a reload keeps what was typed");
}

#[test]
fn only_k3s_sites_are_picked_and_the_confirmation_needs_a_valid_form() {
    let s = loaded();
    assert!(!s.apply(Action::Confirm).confirming, "nothing picked");
    let s = s
        .apply(Action::Pick("mk".into(), true))
        .apply(Action::Pick("old-a".into(), true));
    assert_eq!(s.picked, vec!["old-a".to_string()]);
    let s = s.apply(Action::PickBehind);
    assert_eq!(s.picked, vec!["old-a".to_string(), "old-b".to_string()]);
    assert_eq!(s.picked_unhealthy(), vec!["old-b".to_string()]);
    let bad = s.apply(Action::Version("v1.31".into()));
    assert!(bad.request().is_none());
    assert!(!bad.apply(Action::Confirm).confirming);
    let s = s
        .apply(Action::Window(" sat,sun 02:00-05:00 Europe/Paris ".into()))
        .apply(Action::Force(true));
    let req = s.request().unwrap();
    assert_eq!(req.version, "v1.31.4+k3s1");
    assert_eq!(
        req.window.as_deref(),
        Some("sat,sun 02:00-05:00 Europe/Paris")
    );
    assert!(req.force);
    let s = s.apply(Action::Confirm);
    assert!(s.confirming);
    // Any edit closes the confirmation: what was confirmed is what is sent.
    assert!(!s.apply(Action::Force(false)).confirming);
    assert!(!s.apply(Action::Cancel).confirming);
    assert_eq!(
        s.apply(Action::Pick("old-b".into(), false)).picked,
        vec!["old-a".to_string()]
    );
}

#[test]
fn started_sites_are_watched_refusals_are_kept_and_done_reloads() {
    let s = loaded()
        .apply(Action::Pick("old-a".into(), true))
        .apply(Action::Pick("old-b".into(), true))
        .apply(Action::Confirm)
        .apply(Action::Starting);
    assert!(s.starting);
    let gen0 = s.watch_gen;
    let s = s.apply(Action::Started(Ok(vec![
        UpgradeStartResult {
            site: "old-a".into(),
            ok: true,
            message: "upgrading".into(),
            error_kind: None,
            snap_command: None,
        },
        UpgradeStartResult {
            site: "old-b".into(),
            ok: false,
            message: "refusing to upgrade old-b: its last health check failed".into(),
            error_kind: Some(outpost_ipc::ErrorKind::Unhealthy),
            snap_command: None,
        },
    ])));
    assert!(!s.starting && !s.confirming);
    assert_eq!(s.watched, vec!["old-a".to_string()]);
    assert_ne!(s.watch_gen, gen0);
    assert_eq!(
        s.results[1].error_kind,
        Some(outpost_ipc::ErrorKind::Unhealthy)
    );
    let node = |state| NodeUpgradeInfo {
        name: "n0".into(),
        role: outpost_ipc::NodeRole::Server,
        version: "v1.30.8+k3s1".into(),
        target: Some("v1.31.4+k3s1".into()),
        state,
        cordoned: state == NodeUpgradeState::Upgrading,
        job: None,
    };
    let info = |state, done| SiteUpgradeInfo {
        site: "old-a".into(),
        error: None,
        controller: true,
        controller_image: None,
        target: Some("v1.31.4+k3s1".into()),
        applying: vec![],
        nodes: vec![node(state)],
        stuck: vec![],
        done,
    };
    let r0 = s.reload_gen;
    let s = s.apply(Action::Progress(vec![info(
        NodeUpgradeState::Upgrading,
        false,
    )]));
    assert_eq!(nodes_done(&s.progress[0]), (0, 1));
    assert_eq!(s.reload_gen, r0);
    let s = s.apply(Action::Progress(vec![info(
        NodeUpgradeState::UpToDate,
        true,
    )]));
    assert_eq!(nodes_done(&s.progress[0]), (1, 1));
    assert_eq!(
        s.reload_gen,
        r0.wrapping_add(1),
        "done: the drift table reloads"
    );
    assert_eq!(node_state(NodeUpgradeState::Stuck), ("stuck", "failed"));
    // A refusal of the whole request is shown, and dismissed.
    let s = s.apply(Action::Started(Err(IpcError::new(
        ErrorKind::InvalidInput,
        "maintenance window \"x\": bad",
    ))));
    assert_eq!(
        s.error.as_ref().map(|e| e.kind),
        Some(ErrorKind::InvalidInput)
    );
    assert!(s.apply(Action::DismissError).error.is_none());
}
