//! Diff on reconnect and a start with no network, in the real window, with no bundle
//! ever exported or imported:
//!
//! - a simulated site is synced, goes offline (the simulator's fault API), an image and
//!   a replica count change while it is away, and when it answers again the site view
//!   lists exactly those two changes since the state it had before, dated; Dismiss
//!   hides them for good;
//! - the app is closed, every site is made unreachable (blackholed: connections accepted
//!   and never answered, and one with its port closed), and the app started again shows
//!   every site's last state from its snapshot, marked and aged, without waiting for
//!   the sites (how fast is measured by a benchmark, not asserted here); its Logs view
//!   says plainly that no log lines are kept for it (no bundle was stored).

use crate::support;

use outpost_sim::faults::Fault;
use outpost_sim::spec::{Distro, SiteSpec, WorkloadKind};
use outpost_sim::testing::demo_site;
use outpost_sim::{Fleet, FleetConfig};
use serde_json::{Value, json};
use std::time::Duration;
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(90);

fn sites() -> Vec<SiteSpec> {
    vec![
        demo_site(Distro::K3s, "back-k3s"),
        demo_site(Distro::MicroK8s, "quiet-mk8s"),
        demo_site(Distro::K3s, "quiet-k3s"),
    ]
}

/// Texts of the elements matching `css`.
async fn texts(app: &App, css: &str) -> Vec<String> {
    let v = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("texts of {css}: {e}"));
    serde_json::from_value(v).unwrap_or_default()
}

/// Opens a site from the Sites list (clicked again if the list re-rendered under the
/// click, as it does when the profile reloads after an import).
async fn open_site(app: &App, site: &str) {
    app.click("#nav-sites").await;
    let t0 = std::time::Instant::now();
    loop {
        app.click(&format!("tr[data-site='{site}'] th button"))
            .await;
        for _ in 0..20 {
            if app
                .text("#site-view h2")
                .await
                .is_some_and(|t| t.contains(site))
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if t0.elapsed() > T {
            app.screenshot("reconnect-timeout").await;
            panic!("{site}: the site view did not open");
        }
    }
}

/// Waits until `js` (a function body returning a boolean) holds in the page.
async fn wait_js(app: &App, what: &str, js: &str, args: Vec<Value>) {
    let t0 = std::time::Instant::now();
    loop {
        let ok = app.client.execute(js, args.clone()).await;
        if ok.as_ref().is_ok_and(|v| v == &json!(true)) {
            return;
        }
        if t0.elapsed() > T {
            app.screenshot("reconnect-timeout").await;
            panic!("{what}: not true within {T:?} (last: {ok:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_diff_without_a_bundle_then_a_start_with_no_network() {
    if !ui_tests_enabled("ui_reconnect") {
        return;
    }
    let specs = sites();
    let fleet = Fleet::start(FleetConfig {
        sites: specs.clone(),
        ..FleetConfig::default()
    })
    .await
    .expect("simulated sites");
    let site = "back-k3s";
    let h = fleet.site(site).expect("site");
    let spec = &specs[0];
    let web = spec
        .workloads
        .iter()
        .find(|w| {
            w.kind == WorkloadKind::Deployment && w.replicas >= 1 && w.namespace != "kube-system"
        })
        .expect("a Deployment")
        .clone();

    let mut app = App::launch(&[]).await;
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;
    let kubeconfig = fleet.kubeconfig_yaml().expect("kubeconfig");
    let names = app
        .invoke(
            "import_apply",
            json!({"req": {"source": {"type": "text", "text": kubeconfig}, "all": true}}),
        )
        .await
        .expect("import_apply");
    assert_eq!(names.as_array().map(Vec::len), Some(3), "{names}");
    open_site(&app, site).await;
    app.wait_text("#pods-table", &web.name, T).await;
    app.wait_text("#site-view .site-head", "OK", T).await;
    assert!(
        app.text("#snapshot-changes").await.is_none(),
        "no changes panel before any outage"
    );

    // Offline: the snapshot banner; meanwhile an image and a replica count change.
    h.set_fault(Fault::Offline);
    app.wait_text("#stale-banner", "Offline snapshot — as of", T)
        .await;
    let ns = web.namespace.as_str();
    let before = h
        .change_deployment(ns, &web.name, |b| {
            (b.replicas + 1, format!("{}-away", b.image))
        })
        .expect("deployment in the sim updated");
    let (replicas, container, old_image) = (before.replicas, before.container, before.image);
    let new_image = format!("{old_image}-away");

    // Back: exactly those two changes, since the dated state from before.
    h.clear_faults();
    app.wait_text("#changes-list", "Replicas of", Duration::from_secs(120))
        .await;
    app.wait_text("#changes-list", "Image of", T).await;
    let got = texts(&app, "#changes-list li").await;
    let subject = format!("Deployment/{ns}/{}", web.name);
    assert_eq!(
        got,
        vec![
            format!("Image of {subject}:{container}: {old_image} → {new_image}"),
            format!("Replicas of {subject}: {replicas} → {}", replicas + 1),
        ],
        "changes panel"
    );
    let since = app
        .text("#changes-since")
        .await
        .expect("the baseline's time");
    assert!(
        since.contains("as of 20") && since.contains("before the site came back"),
        "{since}"
    );
    assert!(app.text("#stale-banner").await.is_none(), "live again");
    let stored = app.home.path().join("snapshots/bundles");
    assert!(
        !stored.exists()
            || std::fs::read_dir(&stored).is_ok_and(|d| d.flatten().all(|e| e.path().is_dir())),
        "no bundle was exported or imported"
    );
    app.screenshot("reconnect-01-changes").await;
    // Dismissed: the panel goes and stays gone after the view is reopened.
    app.click("#changes-dismiss").await;
    wait_js(
        &app,
        "changes panel gone",
        "return document.querySelector('#snapshot-changes') === null;",
        vec![],
    )
    .await;
    app.click("#site-back").await;
    open_site(&app, site).await;
    app.wait_text("#site-view .site-head", "OK", T).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        app.text("#snapshot-changes").await.is_none(),
        "dismissed for good"
    );

    // Every site synced and snapshotted (the replica change has settled too), then the
    // app closes and the network goes away.
    app.click("#nav-sites").await;
    for s in &specs {
        wait_js(
            &app,
            &format!("{} healthy", s.name),
            "const r = document.querySelector(`tr[data-site='${arguments[0]}']`);
             return !!r && r.dataset.level === 'ok' && !r.querySelector('.flag-stale');",
            vec![json!(s.name)],
        )
        .await;
    }
    let snapshots = app.home.path().join("snapshots");
    for s in &specs {
        let f = snapshots.join(format!("{}.json.zst", s.name));
        assert!(f.exists(), "snapshot of {} at {}", s.name, f.display());
    }
    // Let the last debounced snapshot writes land.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let home = std::mem::replace(&mut app.home, tempfile::tempdir().expect("temp dir"));
    app.close().await;
    for (i, s) in specs.iter().enumerate() {
        let f = if i == 1 {
            Fault::Offline
        } else {
            Fault::Blackhole
        };
        fleet.site(&s.name).expect("site").set_fault(f);
    }

    let app = App::launch_with_home(&[], home).await;
    app.click("#nav-sites").await;
    for s in &specs {
        wait_js(
            &app,
            &format!("{} from its snapshot", s.name),
            "const r = document.querySelector(`tr[data-site='${arguments[0]}']`);
             return !!r && !!r.querySelector('.flag-stale');",
            vec![json!(s.name)],
        )
        .await;
    }
    for s in &specs {
        let row = app
            .text(&format!("tr[data-site='{}']", s.name))
            .await
            .expect("row");
        let nodes = format!("{0}/{0}", s.nodes.len());
        assert!(
            row.contains("Snapshot")
                && row.contains(&nodes)
                && (row.contains(" ago") || row.contains("just now")),
            "{}: {row}",
            s.name
        );
        assert!(!row.contains("never"), "{}: {row}", s.name);
    }
    app.screenshot("reconnect-02-no-network-sites").await;
    open_site(&app, "quiet-mk8s").await;
    let banner = app
        .wait_text("#stale-banner", "Offline snapshot — as of", T)
        .await;
    assert!(
        banner.contains("ago") || banner.contains("just now"),
        "{banner}"
    );
    app.wait_text("#nodes-table", &specs[1].nodes[0].name, T)
        .await;
    app.screenshot("reconnect-03-no-network-site").await;
    // Its logs: no bundle was ever stored, and the health snapshot keeps no log lines.
    app.click("#workloads-table button.logs-open").await;
    let err = app
        .wait_text("#logs-error", "no snapshot with log lines is kept", T)
        .await;
    assert!(err.contains("quiet-mk8s is offline"), "{err}");
    app.screenshot("reconnect-04-no-network-logs").await;
    app.close().await;
    fleet.shutdown().await;
}
