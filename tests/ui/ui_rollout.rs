//! A fleet rollout in the real window (WebKitGTK under Xvfb, over WebDriver): on the
//! demo fleet, a two-wave rollout of `retail/pos-terminal` to the sites tagged `retail`
//! (one canary, then the rest) is planned, confirmed, watched to completion, and checked
//! through `site_detail`: every targeted site runs the new image. Then pause/resume and
//! abort from the view on the two `tower` sites.

use crate::support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::wait::wait_for;
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(45);
/// The whole rollout: two waves of ~10-20 s each (image pulls of 1.5-7.5 s per pod,
/// two pods per site, one at a time) plus a 3 s soak per site.
const ROLLOUT: Duration = Duration::from_secs(180);
const WORKLOAD: &str = "retail/pos-terminal";
const NEW_IMAGE: &str = "registry.local:5000/retail/pos-terminal:2.5.0";
const RETAIL: [&str; 5] = [
    "store-berlin-mitte",
    "store-madrid-salamanca",
    "store-munich-schwabing",
    "store-paris-marais",
    "store-toronto-queen-west",
];

/// Types into a field as a user would (value, then an `input` event for Yew).
async fn type_into(app: &App, css: &str, text: &str) {
    app.client
        .execute(
            "const el = document.querySelector(arguments[0]);
             el.value = arguments[1];
             el.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(css), json!(text)],
        )
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// `[site, status]` of every row of the rollout's site tables.
async fn site_rows(app: &App) -> Vec<(String, String)> {
    let v = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#rollout-detail tr[data-site]'))
                 .map(r => [r.dataset.site, r.dataset.status]);",
            vec![],
        )
        .await
        .expect("read the rollout's sites");
    serde_json::from_value(v).expect("rows")
}

async fn attr(app: &App, css: &str, name: &str) -> Option<String> {
    let v = app
        .client
        .execute(
            "const el = document.querySelector(arguments[0]);
             return el ? el.getAttribute(arguments[1]) : null;",
            vec![json!(css), json!(name)],
        )
        .await
        .ok()?;
    v.as_str().map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_wave_rollout_on_the_demo_fleet_completes() {
    if !ui_tests_enabled("ui_rollout") {
        return;
    }
    let app = App::launch(&["--demo"]).await;
    app.wait_text("#status-profile", "Profile: demo", T).await;
    app.wait_text("#status-sites", "12 sites", T).await;

    // A rollout of a running fleet: the retail sites are up (their pods pulled) first.
    wait_for("healthy retail sites", Duration::from_secs(90), || async {
        let sites = app
            .invoke("list_sites", json!({ "req": {} }))
            .await
            .map_err(|e| e.to_string())?;
        let levels: Vec<(String, String)> = sites
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| RETAIL.contains(&s["name"].as_str().unwrap_or_default()))
            .map(|s| (s["name"].to_string(), s["level"].to_string()))
            .collect();
        if levels.len() == RETAIL.len() && levels.iter().all(|(_, l)| l == "\"ok\"") {
            Ok(())
        } else {
            Err(format!("{levels:?}"))
        }
    })
    .await;

    // No rollouts yet: the view opens on the form.
    app.click("#nav-rollouts").await;
    app.wait_text("#rollout-form-title", "New rollout", T).await;
    type_into(&app, "#rollout-workload", WORKLOAD).await;
    type_into(&app, "#rollout-container", "pos").await;
    type_into(&app, "#rollout-image", NEW_IMAGE).await;
    app.click("#rollout-target-tag").await;
    type_into(&app, "#rollout-tag", "retail").await;
    type_into(&app, "#rollout-waves", "1,100%").await;
    type_into(&app, "#rollout-soak", "3").await;
    type_into(&app, "#rollout-deadline", "120").await;
    app.screenshot("rollout-01-form").await;

    // The wave plan: one canary, then the other four.
    app.click("#rollout-preview").await;
    let plan = app
        .wait_text("#rollout-plan h3", "5 site(s) in 2 wave(s)", T)
        .await;
    assert!(plan.starts_with(WORKLOAD), "{plan}");
    let waves = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#rollout-plan .plan-wave'))
                 .map(w => Array.from(w.querySelectorAll('[data-site]')).map(s => s.dataset.site));",
            vec![],
        )
        .await
        .expect("read the plan");
    let waves: Vec<Vec<String>> = serde_json::from_value(waves).expect("waves");
    assert_eq!(
        waves.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![1, 4],
        "{waves:?}"
    );
    let mut planned: Vec<String> = waves.concat();
    planned.sort();
    assert_eq!(planned, RETAIL);
    app.screenshot("rollout-02-plan").await;

    // One click and a confirmation.
    app.click("#rollout-start").await;
    app.wait_text("#rollout-confirm-dialog", "Start this rollout?", T)
        .await;
    app.screenshot("rollout-03-confirm").await;
    app.click("#rollout-confirm").await;
    app.wait_text("#rollout-detail h2", WORKLOAD, T).await;
    let id = attr(&app, "#rollout-detail", "data-rollout")
        .await
        .expect("the rollout's id");

    // Live progress: the canary is updated first, alone.
    let t0 = Instant::now();
    wait_for("the canary in flight", T, || async {
        let rows = site_rows(&app).await;
        let busy: Vec<_> = rows
            .iter()
            .filter(|(_, s)| s != "waiting")
            .map(|(n, _)| n.clone())
            .collect();
        if busy.len() == 1 {
            Ok(())
        } else {
            Err(format!("{rows:?}"))
        }
    })
    .await;
    // The map overlay colours the canary apart from the waiting sites.
    wait_for("the canary on the map", T, || async {
        let dots = app
            .client
            .execute(
                "return Array.from(document.querySelectorAll('#rollout-map [data-site]'))
                     .map(d => [d.dataset.site, d.dataset.status]);",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        let dots: Vec<(String, String)> =
            serde_json::from_value(dots).map_err(|e| e.to_string())?;
        let moving = dots.iter().filter(|(_, s)| s != "waiting").count();
        if dots.len() == RETAIL.len() && moving >= 1 {
            Ok(())
        } else {
            Err(format!("{dots:?}"))
        }
    })
    .await;
    // Let the window paint the state just read before taking its picture.
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("rollout-04-canary").await;
    wait_for("wave 2 under way", ROLLOUT, || async {
        let rows = site_rows(&app).await;
        let moving = rows.iter().filter(|(_, s)| s != "waiting").count();
        if moving > 1 {
            Ok(())
        } else {
            Err(format!("{rows:?}"))
        }
    })
    .await;
    let canary_done = site_rows(&app).await;
    assert_eq!(
        canary_done
            .iter()
            .filter(|(_, s)| s == "done")
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        vec![waves[0][0].as_str()],
        "wave 2 starts once the canary is done: {canary_done:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("rollout-05-wave2").await;

    wait_for("the rollout to complete", ROLLOUT, || async {
        let status = attr(&app, "#rollout-detail", "data-status").await;
        match status.as_deref() {
            Some("completed") => Ok(()),
            Some("failed" | "aborted" | "paused" | "pending") => {
                panic!(
                    "the rollout stopped: {:?}",
                    app.text("#rollout-reason").await
                )
            }
            s => Err(format!("{s:?}: {:?}", site_rows(&app).await)),
        }
    })
    .await;
    eprintln!("rollout {id} completed in {:?}", t0.elapsed());
    let rows = site_rows(&app).await;
    let mut names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    assert_eq!(names, RETAIL);
    assert!(rows.iter().all(|(_, s)| s == "done"), "{rows:?}");
    let counts = app
        .wait_text("#rollout-counts", "5 of 5 sites done", T)
        .await;
    assert!(counts.contains("0 failed"), "{counts}");
    let dots = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#rollout-map [data-status=\"done\"]')).length;",
            vec![],
        )
        .await
        .expect("map dots");
    assert_eq!(dots, json!(5), "every site is done on the map overlay");
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("rollout-06-completed").await;

    // Every targeted site runs the new image (the site view's data), none other changed.
    for site in RETAIL {
        let d = app
            .invoke("site_detail", json!({ "req": { "name": site } }))
            .await
            .unwrap_or_else(|e| panic!("site_detail {site}: {e}"));
        let images = d["workloads"]
            .as_array()
            .expect("workloads")
            .iter()
            .find(|w| w["namespace"] == "retail" && w["name"] == "pos-terminal")
            .map(|w| w["images"].clone())
            .unwrap_or(Value::Null);
        assert_eq!(images, json!([NEW_IMAGE]), "{site}");
    }
    let other = app
        .invoke(
            "site_detail",
            json!({ "req": { "name": "factory-lyon-gerland" } }),
        )
        .await
        .expect("site_detail of a factory");
    assert!(
        !other.to_string().contains(NEW_IMAGE),
        "a site outside the targets was not touched"
    );

    // The backend agrees, and the report lists every site as updated, written once.
    let list = app
        .invoke("rollouts_list", json!({ "req": {} }))
        .await
        .expect("rollouts_list");
    assert_eq!(list[0]["id"], json!(id));
    assert_eq!(list[0]["status"], "completed");
    assert_eq!(list[0]["counts"]["updated"], 5);
    app.click("#rollout-report-csv").await;
    app.wait_text("#rollout-report h3", ".csv", T).await;
    let csv = app
        .client
        .execute(
            "return document.querySelector('#rollout-report-text').value;",
            vec![],
        )
        .await
        .expect("report text");
    let csv = csv.as_str().expect("csv text").to_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("site,wave,status"), "{csv}");
    assert_eq!(lines.len(), 6, "a header and one line per site: {csv}");
    for site in RETAIL {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("{site},")))
            .unwrap_or_else(|| panic!("{site} in {csv}"));
        assert!(line.contains(",updated,"), "{line}");
        assert!(line.contains(NEW_IMAGE), "{line}");
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[9], "1", "written exactly once: {line}");
    }
    app.screenshot("rollout-07-report").await;

    // Pause and resume: a pause asked while the canary is in flight stops the rollout
    // once the canary is done, before wave 2; resume completes it.
    start(&app, "telco/tower-monitor", "monitor", TOWER_IMAGE, "tower").await;
    in_flight(&app).await;
    app.click("#rollout-pause").await;
    wait_status(&app, "paused").await;
    let rows = site_rows(&app).await;
    assert_eq!(
        rows.iter().filter(|(_, s)| s == "waiting").count(),
        1,
        "wave 2 not started while paused: {rows:?}"
    );
    app.wait_text("#rollout-reason", "paused on request", T)
        .await;
    app.screenshot("rollout-08-paused").await;
    app.click("#rollout-resume").await;
    wait_status(&app, "completed").await;
    let rows = site_rows(&app).await;
    assert!(
        rows.len() == 2 && rows.iter().all(|(_, s)| s == "done"),
        "{rows:?}"
    );

    // Abort: the site in flight finishes, nothing else is touched, and it is final.
    start(
        &app,
        "telco/tower-monitor",
        "monitor",
        "registry.local:5000/telco/tower-monitor:5.1.1",
        "tower",
    )
    .await;
    in_flight(&app).await;
    app.click("#rollout-abort").await;
    wait_status(&app, "aborted").await;
    let rows = site_rows(&app).await;
    assert_eq!(
        rows.iter().filter(|(_, s)| s == "waiting").count(),
        1,
        "wave 2 never started: {rows:?}"
    );
    let disabled = app
        .client
        .execute(
            "return ['#rollout-pause', '#rollout-resume', '#rollout-abort']
                 .map(c => document.querySelector(c).disabled);",
            vec![],
        )
        .await
        .expect("buttons");
    assert_eq!(
        disabled,
        json!([true, true, true]),
        "an aborted rollout is final"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("rollout-09-aborted").await;
    app.close().await;
}

const TOWER_IMAGE: &str = "registry.local:5000/telco/tower-monitor:5.1.0";

/// Fills the form (waves "1,100%", 3 s soak), previews, starts and confirms.
async fn start(app: &App, workload: &str, container: &str, image: &str, tag: &str) {
    app.click("#rollout-new").await;
    app.wait_text("#rollout-form-title", "New rollout", T).await;
    type_into(app, "#rollout-workload", workload).await;
    type_into(app, "#rollout-container", container).await;
    type_into(app, "#rollout-image", image).await;
    app.click("#rollout-target-tag").await;
    type_into(app, "#rollout-tag", tag).await;
    type_into(app, "#rollout-waves", "1,100%").await;
    type_into(app, "#rollout-soak", "3").await;
    app.click("#rollout-preview").await;
    app.wait_text("#rollout-plan h3", "in 2 wave(s)", T).await;
    app.click("#rollout-start").await;
    app.click("#rollout-confirm").await;
    wait_status(app, "running").await;
    app.wait_text("#rollout-detail h2", workload, T).await;
}

/// Waits until exactly the canary is under way.
async fn in_flight(app: &App) {
    wait_for("the canary in flight", T, || async {
        let rows = site_rows(app).await;
        let busy = rows
            .iter()
            .filter(|(_, s)| s == "updating" || s == "soaking")
            .count();
        if busy == 1 && rows.iter().filter(|(_, s)| s == "waiting").count() == rows.len() - 1 {
            Ok(())
        } else {
            Err(format!("{rows:?}"))
        }
    })
    .await;
}

async fn wait_status(app: &App, want: &str) {
    wait_for(&format!("rollout {want}"), ROLLOUT, || async {
        match attr(app, "#rollout-detail", "data-status").await {
            Some(s) if s == want => Ok(()),
            s => Err(format!("{s:?}: {:?}", site_rows(app).await)),
        }
    })
    .await;
}
