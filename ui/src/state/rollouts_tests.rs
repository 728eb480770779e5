//! The Rollouts view's reducer: form validation, preview staleness, confirmation,
//! start, live updates, controls and the site labels.

use super::*;
use outpost_ipc::ErrorKind;
use outpost_ipc::rollout::{RolloutCounts, SiteProgressCounts, WaveProgress};

fn filled() -> Form {
    let mut f = Form::default();
    for e in [
        Edit::Workload("retail/pos-terminal".into()),
        Edit::Container("pos".into()),
        Edit::Image("registry.local:5000/retail/pos-terminal:2.5.0".into()),
        Edit::Target(TargetKind::Tag),
        Edit::Tag("retail".into()),
        Edit::Waves("1,100%".into()),
        Edit::Soak("3".into()),
        Edit::Deadline("120".into()),
    ] {
        f.apply(e);
    }
    f
}

fn site(name: &str, status: SiteRolloutStatus, fraction: Option<f64>) -> SiteProgress {
    SiteProgress {
        site: name.into(),
        status,
        reason: None,
        message: None,
        progress: fraction.map(|f| SiteProgressCounts {
            replicas: 2,
            updated: if f >= 1.0 { 2 } else { 1 },
            available: if f >= 1.0 { 2 } else { 0 },
            old: if f >= 1.0 { 0 } else { 1 },
            fraction: f,
            message: String::new(),
        }),
        revision_before: None,
        revision_after: None,
        started_ms: None,
        finished_ms: None,
    }
}

fn info(id: &str, status: RolloutStatus, sites: Vec<SiteProgress>) -> RolloutInfo {
    RolloutInfo {
        id: id.into(),
        workload: "retail/pos-terminal".into(),
        images: BTreeMap::from([("pos".into(), "reg/pos:2.5".into())]),
        status,
        reason: None,
        created_ms: 1,
        created_by: "alice".into(),
        max_failures: 0,
        on_failure: OnFailure::Rollback,
        deadline_ms: 120_000,
        soak_ms: 3_000,
        counts: RolloutCounts::default(),
        waves: vec![WaveProgress {
            index: 0,
            done: false,
            current: true,
            sites,
        }],
    }
}

#[test]
fn a_filled_form_makes_the_request_and_defaults_are_the_issue_s() {
    let d = Form::default();
    assert_eq!(d.waves, "1,25%,100%");
    assert_eq!((d.soak.as_str(), d.on_failure), ("60", OnFailure::Rollback));
    let r = filled().request().unwrap();
    assert_eq!(r.workload, "retail/pos-terminal");
    assert_eq!(
        r.images["pos"],
        "registry.local:5000/retail/pos-terminal:2.5.0"
    );
    assert_eq!(r.targets, RolloutTargets::Tag("retail".into()));
    assert_eq!(
        (r.waves.as_str(), r.soak_ms, r.deadline_ms),
        ("1,100%", 3_000, 120_000)
    );
    assert_eq!(r.max_failures, 0);
}

#[test]
fn incomplete_forms_say_what_is_missing() {
    let mut f = filled();
    f.apply(Edit::Workload("pos-terminal".into()));
    assert_eq!(f.request().unwrap_err(), RolloutFormError::Workload);
    let mut f = filled();
    f.apply(Edit::Image("reg/pos 2".into()));
    assert_eq!(f.request().unwrap_err(), RolloutFormError::Image);
    let mut f = filled();
    f.apply(Edit::Target(TargetKind::Sites));
    assert_eq!(f.request().unwrap_err(), RolloutFormError::Sites);
    f.apply(Edit::Site("store-berlin-mitte".into(), true));
    f.apply(Edit::Site("store-berlin-mitte".into(), true));
    f.apply(Edit::Site("store-madrid-salamanca".into(), true));
    assert_eq!(
        f.request().unwrap().targets,
        RolloutTargets::Sites(vec![
            "store-berlin-mitte".into(),
            "store-madrid-salamanca".into()
        ])
    );
    f.apply(Edit::Site("store-berlin-mitte".into(), false));
    assert_eq!(f.sites, vec!["store-madrid-salamanca".to_string()]);
    let mut f = filled();
    f.apply(Edit::Soak("-1".into()));
    assert_eq!(f.request().unwrap_err(), RolloutFormError::Soak);
    f.apply(Edit::Soak("60s".into()));
    f.apply(Edit::MaxFailures("x".into()));
    assert_eq!(f.request().unwrap_err(), RolloutFormError::FailureBudget);
}

#[test]
fn the_preview_goes_stale_when_the_form_changes_and_gates_the_confirmation() {
    let mut s = Rollouts::default().apply(Action::NewRollout);
    for e in [
        Edit::Workload("retail/pos-terminal".into()),
        Edit::Container("pos".into()),
        Edit::Image("reg/pos:2.5".into()),
    ] {
        s = s.apply(Action::Edit(e));
    }
    assert!(!s.apply(Action::Confirm).confirming, "no preview yet");
    let req = s.form.request().unwrap();
    let preview = RolloutPlanPreview {
        workload: "retail/pos-terminal".into(),
        waves: vec![vec!["a".into()], vec!["b".into(), "c".into()]],
        offline: vec![],
    };
    let s = s
        .apply(Action::Previewing)
        .apply(Action::Previewed(req, Ok(preview.clone())));
    assert_eq!(s.current_preview(), Some(&Ok(preview)));
    let c = s.apply(Action::Confirm);
    assert!(c.confirming);
    let edited = c.apply(Action::Edit(Edit::Waves("2".into())));
    assert!(!edited.confirming, "an edit closes the confirmation");
    assert_eq!(edited.current_preview(), None, "and the preview is stale");
    assert!(!edited.apply(Action::Confirm).confirming);
}

#[test]
fn starting_selects_and_watches_the_new_rollout() {
    let s = Rollouts::default().apply(Action::Listed(Ok(vec![])));
    assert!(s.creating, "no rollouts yet: the form is shown");
    let s = s.apply(Action::Starting);
    let r = info("ro-1", RolloutStatus::Running, vec![]);
    let s2 = s.apply(Action::Started(Ok(r.clone())));
    assert!(!s2.creating && !s2.starting && !s2.confirming);
    assert_eq!(s2.selected.as_deref(), Some("ro-1"));
    assert!(s2.watch_gen > s.watch_gen);
    assert_eq!(s2.shown(), Some(&r));
    let failed = s.apply(Action::Started(Err(IpcError::new(
        ErrorKind::InvalidInput,
        "no site",
    ))));
    assert!(failed.creating && !failed.starting);
    assert_eq!(failed.error.map(|e| e.message), Some("no site".into()));
}

#[test]
fn updates_replace_the_rollout_and_controls_follow_its_status() {
    let running = info(
        "ro-1",
        RolloutStatus::Running,
        vec![site("a", SiteRolloutStatus::Updating, Some(0.5))],
    );
    let older = info("ro-0", RolloutStatus::Completed, vec![]);
    let s = Rollouts::default().apply(Action::Listed(Ok(vec![running.clone(), older])));
    assert_eq!(s.selected.as_deref(), Some("ro-1"), "the newest is shown");
    let done = info(
        "ro-1",
        RolloutStatus::Completed,
        vec![site("a", SiteRolloutStatus::Updated, None)],
    );
    let s = s.apply(Action::Update(done.clone()));
    assert_eq!(s.shown(), Some(&done));
    assert!(matches!(&s.list, Load::Ready(l) if l.len() == 2));
    assert_eq!(controls(RolloutStatus::Running), (true, false, true));
    assert_eq!(controls(RolloutStatus::Paused), (false, true, true));
    assert_eq!(controls(RolloutStatus::Completed), (false, false, false));
    // Failed sites within the budget: final, and never worded as plain success.
    assert_eq!(
        controls(RolloutStatus::CompletedWithFailures),
        (false, false, false)
    );
    assert_eq!(
        status_text(RolloutStatus::CompletedWithFailures),
        "completed with failures"
    );
    let before = s.watch_gen;
    let s = s.apply(Action::ControlSent);
    assert!(s.busy);
    let paused = info("ro-1", RolloutStatus::Paused, vec![]);
    let s = s.apply(Action::ControlDone(Ok(paused.clone()), false));
    assert!(!s.busy && s.watch_gen == before);
    assert_eq!(s.shown(), Some(&paused));
    let s = s.apply(Action::ControlDone(Ok(running), true));
    assert_eq!(s.watch_gen, before + 1, "resume re-opens the watch");
}

#[test]
fn site_labels_and_bars() {
    let w = site("a", SiteRolloutStatus::Waiting, None);
    assert_eq!((site_status(&w).0, site_percent(&w)), ("pending", 0));
    let off = site("a", SiteRolloutStatus::PendingOffline, Some(0.5));
    assert_eq!(
        (site_status(&off).0, site_percent(&off)),
        ("pending (offline)", 0)
    );
    let up = site("a", SiteRolloutStatus::Updating, Some(0.5));
    assert_eq!((site_status(&up).0, site_percent(&up)), ("updating", 50));
    let soak = site("a", SiteRolloutStatus::Updating, Some(1.0));
    assert!(soaking(&soak));
    assert_eq!(
        (site_status(&soak).0, site_percent(&soak)),
        ("soaking", 100)
    );
    let done = site("a", SiteRolloutStatus::Updated, None);
    assert_eq!((site_status(&done).0, site_percent(&done)), ("done", 100));
    let mut failed = site("a", SiteRolloutStatus::Failed, Some(0.25));
    failed.reason = Some("ImagePullBackOff".into());
    assert_eq!(
        (site_status(&failed).0, site_percent(&failed)),
        ("failed", 25)
    );
    let rb = site("a", SiteRolloutStatus::RolledBack, None);
    assert_eq!(site_status(&rb).0, "rolled back");
    assert_eq!(
        status_text(RolloutStatus::Pending),
        "pending (offline sites left)"
    );
}
