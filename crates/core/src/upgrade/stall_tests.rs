//! Unit tests of no-progress detection: markers persist across instances (processes),
//! any change resets the clock, a finished upgrade forgets its marker, and a maintenance
//! window explains waiting nodes.

use super::*;
use crate::upgrade::{Controller, NodeUpgrade};

const T: &str = "v1.31.4+k3s1";

fn node(name: &str, version: &str, state: NodeState, job: Option<&str>) -> NodeUpgrade {
    NodeUpgrade {
        name: name.into(),
        role: outpost_ipc::NodeRole::Server,
        version: version.into(),
        target: Some(T.into()),
        state,
        cordoned: state == NodeState::Upgrading,
        job: job.map(str::to_string),
    }
}

fn upgrade(nodes: Vec<NodeUpgrade>, applying: &[&str]) -> SiteUpgrade {
    SiteUpgrade {
        controller: Controller {
            crd: true,
            image: None,
        },
        target: Some(T.into()),
        applying: applying.iter().map(|s| s.to_string()).collect(),
        done: nodes.iter().all(|n| n.state == NodeState::UpToDate),
        nodes,
        stuck: Vec::new(),
        windowed: false,
    }
}

fn hung() -> SiteUpgrade {
    upgrade(
        vec![
            node(
                "n0",
                "v1.30.6+k3s1",
                NodeState::Upgrading,
                Some("apply-k3s-server-on-n0-with-ab"),
            ),
            node("n1", "v1.30.6+k3s1", NodeState::Waiting, None),
        ],
        &["n0"],
    )
}

fn home() -> (tempfile::TempDir, Home) {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"), "default").unwrap();
    (dir, home)
}

#[test]
fn an_unchanged_upgrade_is_reported_after_the_window_even_from_another_process() {
    let (_d, home) = home();
    let t0 = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let w = Duration::from_secs(15 * 60);
    let mut st = hung();
    ProgressMarkers::new(&home)
        .observe("site-a", &mut st, w, t0)
        .unwrap();
    assert!(st.stuck.is_empty());
    // 14 minutes later, a new process: not yet.
    let mut st = hung();
    let at = t0 + jiff::SignedDuration::from_mins(14);
    ProgressMarkers::new(&home)
        .observe("site-a", &mut st, w, at)
        .unwrap();
    assert!(st.stuck.is_empty(), "{st:?}");
    // 16 minutes: the upgrading node is stuck, not the waiting one.
    let mut st = hung();
    let at = t0 + jiff::SignedDuration::from_mins(16);
    ProgressMarkers::new(&home)
        .observe("site-a", &mut st, w, at)
        .unwrap();
    assert_eq!(st.stuck.len(), 1, "{st:?}");
    let s = &st.stuck[0];
    assert_eq!((s.node.as_str(), s.kind), ("n0", StuckKind::NoProgress));
    assert_eq!(s.since, Some(t0));
    assert!(s.reason.contains("no progress for 16 min"), "{}", s.reason);
    assert!(
        s.next_steps
            .contains(&"see what the upgrade does: kubectl -n system-upgrade logs job/apply-k3s-server-on-n0-with-ab".to_string()),
        "{s:?}"
    );
    assert!(
        s.next_steps
            .iter()
            .any(|n| n.contains("kubectl uncordon n0"))
    );
    assert_eq!(st.nodes[0].state, NodeState::Stuck);
    assert_eq!(st.nodes[1].state, NodeState::Waiting);
    // The marker file is the only file, written atomically.
    let dir = home.dir().join("upgrades/progress");
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["site-a.json".to_string()]);
}

#[test]
fn any_change_resets_and_a_finished_upgrade_forgets() {
    let (_d, home) = home();
    let m = ProgressMarkers::new(&home);
    let t0 = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let w = Duration::from_secs(60);
    m.observe("s", &mut hung(), w, t0).unwrap();
    // n0 finished, n1 started: progress.
    let moved = || {
        upgrade(
            vec![
                node(
                    "n0",
                    T,
                    NodeState::UpToDate,
                    Some("apply-k3s-server-on-n0-with-ab"),
                ),
                node(
                    "n1",
                    "v1.30.6+k3s1",
                    NodeState::Upgrading,
                    Some("apply-k3s-agent-on-n1-with-cd"),
                ),
            ],
            &["n1"],
        )
    };
    let t1 = t0 + jiff::SignedDuration::from_mins(5);
    let mut st = moved();
    m.observe("s", &mut st, w, t1).unwrap();
    assert!(st.stuck.is_empty(), "a change is progress: {st:?}");
    let mut st = moved();
    m.observe("s", &mut st, w, t1 + jiff::SignedDuration::from_secs(61))
        .unwrap();
    assert_eq!(st.stuck.len(), 1);
    assert_eq!(st.stuck[0].node, "n1");
    assert_eq!(st.stuck[0].since, Some(t1));
    // Done: the marker goes away.
    let mut done = upgrade(vec![node("n0", T, NodeState::UpToDate, None)], &[]);
    m.observe("s", &mut done, w, t1 + jiff::SignedDuration::from_mins(60))
        .unwrap();
    assert!(done.stuck.is_empty());
    assert!(!home.dir().join("upgrades/progress/s.json").exists());
    assert_eq!(
        m.observe("../x", &mut hung(), w, t1).unwrap_err().kind(),
        crate::error::ErrorKind::InvalidInput
    );
}

#[test]
fn a_controller_that_does_nothing_is_reported_unless_a_window_explains_it() {
    let (_d, home) = home();
    let m = ProgressMarkers::new(&home);
    let t0 = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let w = Duration::from_secs(60);
    let idle = || {
        upgrade(
            vec![
                node("n0", "v1.30.6+k3s1", NodeState::Waiting, None),
                node("n1", "v1.30.6+k3s1", NodeState::Waiting, None),
            ],
            &[],
        )
    };
    m.observe("s", &mut idle(), w, t0).unwrap();
    let later = t0 + jiff::SignedDuration::from_mins(3);
    let mut st = idle();
    st.windowed = true;
    m.observe("s", &mut st, w, later).unwrap();
    assert!(st.stuck.is_empty(), "outside its window: {st:?}");
    let mut st = idle();
    m.observe("s", &mut st, w, later).unwrap();
    assert_eq!(st.stuck.len(), 2);
    assert!(st.stuck.iter().all(|s| s.job.is_none()
        && s.reason.contains("no upgrade Job was created")
        && s.next_steps[0].contains("upgrade.cattle.io/controller=system-upgrade-controller")));
}

#[test]
fn stuck_kind_names_match_their_json() {
    for k in [StuckKind::JobFailed, StuckKind::NoProgress] {
        assert_eq!(serde_json::to_value(k).expect("json"), k.as_str());
    }
}
