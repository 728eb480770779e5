//! Offline inspection in the real window: a simulated K3s site is imported, its
//! snapshot exported from the site view (click), the site goes offline, an image and a
//! replica count change while it is away, and when it answers again the site view's
//! "Changes since the snapshot" panel lists exactly those two changes. Then the
//! simulator stops: the site shows offline with its snapshot banner and age, and an
//! export still works, from the stored bundle. The exported bundle is imported into a
//! second, fresh app, where the site is browsable as an offline snapshot; a truncated
//! copy of the bundle is refused with a typed error and changes nothing.

use crate::support;

use outpost_sim::faults::Fault;
use outpost_sim::spec::{Distro, WorkloadKind};
use outpost_sim::{Fleet, FleetConfig};
use serde_json::json;
use std::time::Duration;
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(90);
const SITE: &str = "depot-offline";

fn site() -> outpost_sim::spec::SiteSpec {
    outpost_sim::testing::demo_site(Distro::K3s, SITE)
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

async fn open_site(app: &App) {
    app.click("#nav-sites").await;
    app.click(&format!("tr[data-site='{SITE}'] td")).await;
    app.wait_text("#site-view h2", SITE, T).await;
}

/// Exports from the site view and answers the "Saved …" line.
async fn export_by_click(app: &App) -> String {
    if app.text("#snapshot-export-form").await.is_none() {
        app.click("#snapshot-export-open").await;
    }
    app.click("#snapshot-export").await;
    app.wait_text("#snapshot-export-done", "Saved ", T).await
}

fn saved_path(done: &str) -> String {
    let rest = done.strip_prefix("Saved ").expect("Saved prefix");
    rest[..rest.rfind(" (").expect("size")].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_offline_banner_reconnect_diff_and_import_into_a_fresh_app() {
    if !ui_tests_enabled("ui_offline") {
        return;
    }
    let fleet = Fleet::start(FleetConfig {
        sites: vec![site()],
        ..FleetConfig::default()
    })
    .await
    .expect("simulated site");
    let h = fleet.site(SITE).expect("site");
    let spec = site();
    let web = spec
        .workloads
        .iter()
        .find(|w| {
            w.kind == WorkloadKind::Deployment && w.replicas >= 1 && w.namespace != "kube-system"
        })
        .expect("a Deployment")
        .clone();

    let app = App::launch(&[]).await;
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;
    let kubeconfig = fleet.kubeconfig_yaml().expect("kubeconfig");
    let names = app
        .invoke(
            "import_apply",
            json!({"req": {"source": {"type": "text", "text": kubeconfig}, "name": SITE}}),
        )
        .await
        .expect("import_apply");
    assert_eq!(names, json!([SITE]));
    open_site(&app).await;
    app.wait_text("#pods-table", &web.name, T).await;
    // The simulated pods take a few seconds to become ready: export a healthy site.
    app.wait_text("#site-view .site-head", "OK", T).await;

    // Export by clicking; the bundle is a file on disk.
    let done = export_by_click(&app).await;
    let saved = saved_path(&done);
    // Downloads may not exist here (then the bundle is in the app's data directory,
    // which goes with the app): keep a copy for the second app.
    let keep = tempfile::tempdir().expect("temp dir");
    let bundle = keep.path().join("depot.opsnap").display().to_string();
    std::fs::copy(&saved, &bundle).expect("exported bundle");
    let size = std::fs::metadata(&bundle).expect("exported bundle").len();
    assert!(size > 1000 && done.contains(SITE), "{done} ({size} bytes)");
    app.screenshot("offline-00-exported").await;
    app.click("#snapshot-export-open").await;

    // Offline: the snapshot banner; meanwhile an image and a replica count change.
    h.set_fault(Fault::Offline);
    app.wait_text("#stale-banner", "Offline snapshot — as of", T)
        .await;
    let ns = web.namespace.as_str();
    let before = h
        .change_deployment(ns, &web.name, |b| {
            (b.replicas + 1, format!("{}-offline2", b.image))
        })
        .expect("deployment in the sim updated");
    let (replicas, container, old_image) = (before.replicas, before.container, before.image);
    let new_image = format!("{old_image}-offline2");
    app.screenshot("offline-01-away").await;

    // Back: the panel lists exactly those two changes.
    h.clear_faults();
    app.wait_text("#changes-list", "Replicas of", Duration::from_secs(120))
        .await;
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
    assert!(app.text("#stale-banner").await.is_none(), "live again");
    app.screenshot("offline-02-changes").await;

    // The simulator stops: offline with the snapshot banner and its age.
    fleet.shutdown().await;
    let banner = app
        .wait_text("#stale-banner", "Offline snapshot — as of", T)
        .await;
    assert!(
        banner.contains("ago") || banner.contains("just now"),
        "{banner}"
    );
    // The detail comes from the health engine's snapshot, which may have been taken
    // while the simulator was still recreating pods after the outage: check the nodes.
    let node = &spec.nodes[0].name;
    app.wait_text("#nodes-table", node, T).await;
    app.screenshot("offline-03-simulator-stopped").await;
    // An export still works, from the stored bundle, encrypted with a passphrase.
    if app.text("#snapshot-export-form").await.is_none() {
        app.click("#snapshot-export-open").await;
    }
    app.client
        .execute(
            "const el = document.querySelector('#snapshot-export-pass');
             el.value = arguments[0];
             el.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!("correct horse battery")],
        )
        .await
        .expect("type the passphrase");
    let again = export_by_click(&app).await;
    assert!(
        again.contains("from the stored snapshot") && again.contains("encrypted"),
        "{again}"
    );
    let sealed = keep.path().join("depot-sealed.opsnap");
    std::fs::copy(saved_path(&again), &sealed).expect("encrypted bundle");
    let head = std::fs::read(&sealed).expect("encrypted bundle");
    assert!(
        !head.windows(SITE.len()).any(|w| w == SITE.as_bytes()),
        "the encrypted bundle shows the site name in clear"
    );
    app.screenshot("offline-04-export-offline").await;
    app.close().await;

    // A fresh app: a truncated bundle is refused and changes nothing; the bundle
    // imports and the site is browsable from it.
    let app2 = App::launch(&[]).await;
    app2.wait_text("#welcome h2", "Welcome to Outpost", T).await;
    let bytes = std::fs::read(&bundle).expect("bundle");
    let cut = app2.home.path().join("cut.opsnap");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("truncated copy");
    let refused = app2
        .invoke(
            "snapshot_import",
            json!({"req": {"path": cut.display().to_string()}}),
        )
        .await
        .expect_err("a truncated bundle");
    assert_eq!(refused["kind"], "invalid_input", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("truncated") || m.contains("corrupt")),
        "{refused}"
    );
    // Encrypted: no passphrase, then a wrong one; typed `auth` errors, nothing imported.
    let sealed = sealed.display().to_string();
    for (pass, needle) in [
        (None, "passphrase is needed"),
        (Some("wrong"), "wrong passphrase"),
    ] {
        let e = app2
            .invoke(
                "snapshot_import",
                json!({"req": {"path": sealed, "passphrase": pass}}),
            )
            .await
            .expect_err("an encrypted bundle without its passphrase");
        assert_eq!(e["kind"], "auth", "{e}");
        assert!(
            e["message"].as_str().is_some_and(|m| m.contains(needle)),
            "{e}"
        );
    }
    let sites = app2
        .invoke("list_sites", json!({"req": {}}))
        .await
        .expect("list_sites");
    assert_eq!(sites, json!([]), "nothing imported");

    // Through the "Import snapshot…" dialog: the picked file's bytes go to the backend,
    // once to be read for the confirmation, once to be imported.
    app2.click("#header-import-snapshot").await;
    app2.client
        .find(fantoccini::Locator::Css("#snapshot-file"))
        .await
        .expect("file input")
        .send_keys(&bundle)
        .await
        .expect("pick the bundle");
    // Read first and shown for confirmation; imported only once confirmed.
    app2.click("#snapshot-import-apply").await;
    let preview = app2
        .wait_text("#snapshot-import-preview", "A new site", T)
        .await;
    assert!(
        preview.contains(SITE) && preview.contains("https://"),
        "{preview}"
    );
    let sites = app2
        .invoke("list_sites", json!({"req": {}}))
        .await
        .expect("list_sites");
    assert_eq!(sites, json!([]), "imported before the confirmation");
    app2.click("#snapshot-import-confirm").await;
    let done = app2
        .wait_text("#snapshot-import-done", "offline snapshot as of", T)
        .await;
    assert!(done.contains(SITE) && done.contains("new site"), "{done}");
    // Let the window paint the result before the screenshot.
    tokio::time::sleep(Duration::from_millis(500)).await;
    app2.screenshot("offline-05-import-dialog").await;
    app2.click("#snapshot-import-close").await;
    app2.wait_text("#status-sites", "1 site", T).await;
    open_site(&app2).await;
    let banner = app2
        .wait_text("#stale-banner", "Offline snapshot — as of", T)
        .await;
    assert!(
        banner.contains("ago") || banner.contains("just now"),
        "{banner}"
    );
    app2.wait_text("#pods-table", &web.name, T).await;
    app2.wait_text("#workloads-table", &web.name, T).await;
    // The bundle keeps every resource: images and pod phases show offline too.
    let repo = web
        .image
        .rsplit_once(':')
        .map_or(web.image.as_str(), |(r, _)| r);
    app2.wait_text("#workloads-table", repo, T).await;
    app2.wait_text("#pods-table", "Running", T).await;
    assert!(
        app2.text("#snapshot-changes").await.is_none(),
        "no changes panel while offline"
    );
    app2.screenshot("offline-06-imported-fresh-app").await;

    // Logs of the offline site: the last lines its bundle keeps, dated, from the
    // workload's "Logs" button.
    app2.click(&format!(
        "#workloads-table tr[data-workload='{}/{}'] button.logs-open",
        web.namespace, web.name
    ))
    .await;
    let note = app2
        .wait_text("#logs-snapshot", "from the snapshot as of", T)
        .await;
    assert!(note.contains("Offline"), "{note}");
    let status = app2
        .wait_text("#logs-status", "Ended (from the snapshot as of", T)
        .await;
    assert!(!status.contains("· 0 lines received"), "{status}");
    let rows = texts(&app2, "#logs-view .log-row .log-text").await;
    assert!(!rows.is_empty(), "snapshot lines shown");
    let srcs = texts(&app2, "#logs-view .log-row .log-src").await;
    assert!(
        srcs.iter().all(|r| r.contains(&web.name)),
        "only the workload's pods: {srcs:?}"
    );
    assert!(app2.text("#logs-error").await.is_none());
    app2.screenshot("offline-07-logs-from-snapshot").await;
    app2.close().await;
}
