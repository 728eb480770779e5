//! Rollout tests: rolling updates within surge/unavailability bounds, revisions, undo,
//! stalled rollouts and the progress deadline, Recreate and pause.

use super::ObjectView;
use super::deployment::revision;
use super::objects::{annotation, condition, i64_at, label, name};
use super::pods::is_available;
use super::testkit::Sim;
use super::tests::{available, status, web_site};
use crate::resource::Resource;
use serde_json::{Value, json};
use std::sync::Arc;

fn rses(s: &Sim) -> Vec<Arc<Value>> {
    let mut v = s.store.list(Resource::ReplicaSet, Some("apps"));
    v.sort_by_key(|r| revision(r));
    v
}

fn set_image(s: &mut Sim, image: &str) {
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
    });
}

fn rolled_out(s: &Sim) -> bool {
    let d = s.store.obj(Resource::Deployment, "apps", "web");
    let want = i64_at(&d, "/spec/replicas").unwrap_or(1);
    let st = |f: &str| i64_at(&d, &format!("/status/{f}")).unwrap_or(-1);
    st("observedGeneration") >= i64_at(&d, "/metadata/generation").unwrap_or(1)
        && st("updatedReplicas") == want
        && st("replicas") == want
        && st("availableReplicas") == want
}

fn progressing_reason(s: &Sim) -> String {
    let d = s.store.obj(Resource::Deployment, "apps", "web");
    condition(&d, "/status/conditions", "Progressing")
        .and_then(|c| c["reason"].as_str())
        .unwrap_or("")
        .to_string()
}

#[test]
fn rolling_update_respects_bounds_and_bumps_revision() {
    let mut s = web_site(4);
    s.run_until(60.0, "initial rollout", rolled_out);
    // 4 replicas, 25%/25%: maxSurge 1, maxUnavailable 1.
    set_image(&mut s, "registry.local:5000/web:2.0");
    let mut max_pods = 0;
    let mut min_avail = i64::MAX;
    s.run_for(90.0, |s| {
        let pods = s.pods_of("apps", "web");
        max_pods = max_pods.max(pods.len());
        let avail = pods.iter().filter(|p| is_available(p, 0, s.now)).count() as i64;
        min_avail = min_avail.min(avail);
        let spec_total: i64 = rses(s)
            .iter()
            .map(|r| i64_at(r, "/spec/replicas").unwrap_or(0))
            .sum();
        assert!(
            spec_total <= 5,
            "replica sets sum above desired + maxSurge: {spec_total}"
        );
    });
    assert!(
        max_pods <= 5,
        "more than desired + maxSurge pods: {max_pods}"
    );
    assert!(
        min_avail >= 3,
        "fewer than desired - maxUnavailable available: {min_avail}"
    );
    assert!(rolled_out(&s));
    let rs = rses(&s);
    assert_eq!(rs.len(), 2);
    assert_eq!((revision(&rs[0]), revision(&rs[1])), (1, 2));
    assert_eq!(i64_at(&rs[0], "/spec/replicas"), Some(0));
    assert_eq!(i64_at(&rs[1], "/spec/replicas"), Some(4));
    let d = s.store.obj(Resource::Deployment, "apps", "web");
    assert_eq!(
        annotation(&d, "deployment.kubernetes.io/revision"),
        Some("2")
    );
    assert_eq!(progressing_reason(&s), "NewReplicaSetAvailable");
    for p in s.pods_of("apps", "web") {
        assert_eq!(
            label(&p, "pod-template-hash"),
            label(&rs[1], "pod-template-hash")
        );
        assert_eq!(
            p.pointer("/spec/containers/0/image"),
            Some(&json!("registry.local:5000/web:2.0"))
        );
    }
    assert!(s.events("ScalingReplicaSet").iter().any(|e| {
        e["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Scaled down replica set web-"))
    }));
}

#[test]
fn undo_makes_the_old_replicaset_current_with_revision_3() {
    let mut s = web_site(2);
    s.run_until(60.0, "initial rollout", rolled_out);
    let rev1 = rses(&s)[0].clone();
    set_image(&mut s, "registry.local:5000/web:2.0");
    s.run_until(120.0, "second rollout", |s| {
        rolled_out(s) && rses(s).len() == 2
    });
    // kubectl rollout undo: the deployment template becomes rev 1's template (minus hash).
    let mut tpl = rev1["spec"]["template"].clone();
    if let Some(l) = tpl
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        l.remove("pod-template-hash");
    }
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["template"] = tpl
    });
    s.run_until(120.0, "undo rollout", |s| {
        rolled_out(s)
            && s.pods_of("apps", "web")
                .iter()
                .all(|p| p["spec"]["containers"][0]["image"] == "registry.local:5000/web:1.0")
    });
    let rs = rses(&s);
    assert_eq!(rs.len(), 2, "no new replica set for an undo");
    let current = rs
        .iter()
        .find(|r| name(r) == name(&rev1))
        .expect("old rs still there");
    assert_eq!(revision(current), 3);
    assert_eq!(
        annotation(current, "deployment.kubernetes.io/revision-history"),
        Some("1")
    );
    assert_eq!(i64_at(current, "/spec/replicas"), Some(2));
    let other = rs
        .iter()
        .find(|r| name(r) != name(&rev1))
        .expect("rev 2 rs");
    assert_eq!(
        (revision(other), i64_at(other, "/spec/replicas")),
        (2, Some(0))
    );
}

#[test]
fn bad_image_stalls_then_reports_progress_deadline_exceeded() {
    let mut s = web_site(3);
    s.run_until(60.0, "initial rollout", rolled_out);
    set_image(&mut s, "registry.local:5000/web:bad-2.0");
    let mut saw = (false, false);
    s.run_for(120.0, |s| {
        for p in s.pods_of("apps", "web") {
            match p
                .pointer("/status/containerStatuses/0/state/waiting/reason")
                .and_then(Value::as_str)
            {
                Some("ErrImagePull") => saw.0 = true,
                Some("ImagePullBackOff") => saw.1 = true,
                _ => {}
            }
        }
    });
    assert!(
        saw.0 && saw.1,
        "ErrImagePull then ImagePullBackOff: {saw:?}"
    );
    assert!(
        available(&s, "web") >= 3,
        "old pods keep serving (maxUnavailable rounds down to 0 for 3 replicas)"
    );
    assert_ne!(progressing_reason(&s), "ProgressDeadlineExceeded");
    s.dt = 5.0;
    s.run_until(700.0, "progress deadline", |s| {
        progressing_reason(s) == "ProgressDeadlineExceeded"
    });
    let d = s.store.obj(Resource::Deployment, "apps", "web");
    let c = condition(&d, "/status/conditions", "Progressing").expect("cond");
    assert_eq!(c["status"], "False");
    // It only reports: no rollback, the new replica set stays.
    let rs = rses(&s);
    assert_eq!(rs.len(), 2);
    assert_eq!(i64_at(&rs[1], "/spec/replicas"), Some(1));
    assert_eq!(
        status(&s, Resource::Deployment, "web", "updatedReplicas"),
        1
    );
    assert!(s.events("Failed").iter().any(|e| {
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("ErrImagePull"))
    }));
    let backoff = s.events("BackOff");
    assert!(
        backoff
            .iter()
            .any(|e| e["count"].as_i64().unwrap_or(0) >= 2),
        "back-off events aggregate"
    );
}

#[test]
fn recreate_strategy_and_pause() {
    let mut s = web_site(2);
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["strategy"] = json!({"type": "Recreate"});
    });
    s.run_until(60.0, "initial rollout", rolled_out);
    set_image(&mut s, "registry.local:5000/web:2.0");
    let mut mixed = false;
    s.run_for(60.0, |s| {
        let imgs: std::collections::HashSet<String> = s
            .pods_of("apps", "web")
            .iter()
            .map(|p| p["spec"]["containers"][0]["image"].to_string())
            .collect();
        mixed |= imgs.len() > 1;
    });
    assert!(rolled_out(&s));
    assert!(
        s.pods_of("apps", "web")
            .iter()
            .all(|p| p["spec"]["containers"][0]["image"] == "registry.local:5000/web:2.0")
    );
    assert!(!mixed);
    // Pause: a template change creates nothing until resumed.
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["paused"] = json!(true)
    });
    set_image(&mut s, "registry.local:5000/web:3.0");
    s.run_for(30.0, |_| {});
    assert_eq!(rses(&s).len(), 2, "paused deployment must not roll out");
    assert_eq!(progressing_reason(&s), "DeploymentPaused");
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["paused"] = json!(false)
    });
    s.run_until(120.0, "resumed rollout", |s| {
        rolled_out(s) && rses(s).len() == 3
    });
}

#[test]
fn integer_surge_and_unavailability_bounds_hold() {
    for (surge, unavail) in [(0, 1), (2, 0), (1, 2)] {
        let mut s = web_site(5);
        s.patch(Resource::Deployment, "apps", "web", |d| {
            d["spec"]["strategy"]["rollingUpdate"] =
                json!({"maxSurge": surge, "maxUnavailable": unavail});
        });
        s.run_until(60.0, "initial rollout", rolled_out);
        set_image(&mut s, "registry.local:5000/web:2.0");
        let (mut max_pods, mut min_avail) = (0, i64::MAX);
        s.run_for(150.0, |s| {
            let pods = s.pods_of("apps", "web");
            max_pods = max_pods.max(pods.len() as i64);
            min_avail =
                min_avail.min(pods.iter().filter(|p| is_available(p, 0, s.now)).count() as i64);
        });
        assert!(
            rolled_out(&s),
            "surge {surge} unavailable {unavail}: rollout did not finish"
        );
        assert!(max_pods <= 5 + surge, "surge {surge}: {max_pods} pods");
        assert!(
            min_avail >= 5 - unavail,
            "unavailable {unavail}: {min_avail} available"
        );
    }
}

#[test]
fn statefulset_and_daemonset_roll_out_a_new_template() {
    use crate::spec::{Distro, LogProfile, WorkloadKind};
    let mut s = Sim::new(super::tests::site(
        Distro::K3s,
        2,
        vec![
            super::tests::wl(
                "db",
                WorkloadKind::StatefulSet,
                "redis:7.2",
                3,
                LogProfile::Cache,
            ),
            super::tests::wl(
                "agent",
                WorkloadKind::DaemonSet,
                "agent:1",
                1,
                LogProfile::Json,
            ),
        ],
    ));
    s.run_until(120.0, "ready", |s| {
        status(s, Resource::StatefulSet, "db", "readyReplicas") == 3
            && status(s, Resource::DaemonSet, "agent", "numberReady") == 2
    });
    for (r, n, img) in [
        (Resource::StatefulSet, "db", "redis:7.4"),
        (Resource::DaemonSet, "agent", "agent:2"),
    ] {
        s.patch(r, "apps", n, |o| {
            o["spec"]["template"]["spec"]["containers"][0]["image"] = json!(img)
        });
    }
    let mut deleted_order = Vec::new();
    s.run_until(300.0, "rolled", |s| {
        let sts = s.store.obj(Resource::StatefulSet, "apps", "db");
        let ds = s.store.obj(Resource::DaemonSet, "apps", "agent");
        let observed = |o: &Value| {
            i64_at(o, "/status/observedGeneration") == i64_at(o, "/metadata/generation")
        };
        observed(&sts)
            && observed(&ds)
            && sts["status"]["currentRevision"] == sts["status"]["updateRevision"]
            && i64_at(&sts, "/status/updatedReplicas") == Some(3)
            && i64_at(&sts, "/status/readyReplicas") == Some(3)
            && i64_at(&ds, "/status/updatedNumberScheduled") == Some(2)
            && i64_at(&ds, "/status/numberAvailable") == Some(2)
    });
    for e in s.events("SuccessfulDelete") {
        if let Some(m) = e["message"]
            .as_str()
            .filter(|m| m.contains("StatefulSet db"))
        {
            deleted_order.push(m.split_whitespace().nth(2).unwrap_or("").to_string());
        }
    }
    deleted_order.sort_by_key(|n| std::cmp::Reverse(n.clone()));
    assert_eq!(
        deleted_order,
        vec!["db-2", "db-1", "db-0"],
        "highest ordinal first"
    );
    for p in s
        .pods_of("apps", "db")
        .iter()
        .chain(s.pods_of("apps", "agent").iter())
    {
        let img = p["spec"]["containers"][0]["image"].as_str().unwrap_or("");
        assert!(img == "redis:7.4" || img == "agent:2", "{img}");
    }
}

#[test]
fn scaling_during_a_stuck_rollout_is_proportional() {
    let mut s = web_site(10);
    s.run_until(90.0, "initial rollout", rolled_out);
    set_image(&mut s, "registry.local:5000/web:bad-2.0");
    s.run_for(30.0, |_| {});
    let sizes = |s: &Sim| -> Vec<i64> {
        rses(s)
            .iter()
            .map(|r| i64_at(r, "/spec/replicas").unwrap_or(0))
            .collect()
    };
    // 10 replicas, surge 3, unavailable 2: old 8, new 5 (its pods never become ready),
    // as in the upstream documentation's stuck-rollout example.
    assert_eq!(sizes(&s), vec![8, 5]);
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["replicas"] = json!(20)
    });
    s.run_for(5.0, |_| {});
    // Upstream arithmetic: allowed 25, 12 to add; old gets round(8*25/13)-8 = 7, new
    // gets round(5*25/13)-5 = 5, no leftover.
    assert_eq!(sizes(&s), vec![15, 10]);
    for r in rses(&s) {
        assert_eq!(
            annotation(&r, "deployment.kubernetes.io/desired-replicas"),
            Some("20")
        );
        assert_eq!(
            annotation(&r, "deployment.kubernetes.io/max-replicas"),
            Some("25")
        );
    }
}

#[test]
fn deploying_a_new_image_fixes_the_demo_crash_loop() {
    use crate::spec::{Distro, LogProfile, WorkloadKind};
    let mut w = super::tests::wl(
        "web",
        WorkloadKind::Deployment,
        "registry.local:5000/web:1.0",
        2,
        LogProfile::WebApp,
    );
    w.crash_loop = true;
    let mut s = Sim::new(super::tests::site(Distro::K3s, 2, vec![w]));
    s.run_for(60.0, |_| {});
    assert_eq!(available(&s, "web"), 0, "crash-looping");
    assert!(s.pods_of("apps", "web").iter().any(|p| {
        p.pointer("/status/containerStatuses/0/restartCount")
            .and_then(Value::as_i64)
            > Some(0)
    }));
    set_image(&mut s, "registry.local:5000/web:1.0.1");
    s.run_until(120.0, "fixed rollout", rolled_out);
    assert_eq!(available(&s, "web"), 2);
}

#[test]
fn min_ready_seconds_delays_availability() {
    let mut s = web_site(1);
    s.patch(Resource::Deployment, "apps", "web", |d| {
        d["spec"]["minReadySeconds"] = json!(20)
    });
    s.run_until(60.0, "pod ready", |s| {
        s.pods_of("apps", "web")
            .iter()
            .any(|p| super::pods::is_ready(p))
    });
    let ready_at = s.now;
    s.run_until(60.0, "available", |s| available(s, "web") == 1);
    let waited = super::objects::secs_between(ready_at, s.now);
    assert!(
        waited >= 19.0,
        "available after only {waited}s of readiness"
    );
    assert!(rolled_out(&s));
}
