//! The built-in demo fleet in the real window (WebKitGTK under Xvfb, over WebDriver):
//! twelve simulated sites on the map with the right health, the degraded site's
//! crash-looping pod, the offline site's snapshot banner, and leaving the demo.

use crate::support;

use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use support::wait::wait_for;
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(45);

/// Site name → health level, as the sites table shows them.
async fn levels(app: &App) -> BTreeMap<String, String> {
    let v = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#sites-table tr[data-site]'))
                 .map(r => [r.dataset.site, r.dataset.level]);",
            vec![],
        )
        .await
        .expect("read the sites table");
    serde_json::from_value::<Vec<(String, String)>>(v)
        .expect("rows")
        .into_iter()
        .collect()
}

/// Every site name on the map: single markers plus cluster members.
async fn map_sites(app: &App) -> Vec<String> {
    let v = app
        .client
        .execute(
            "const m = document.querySelector('#map-markers');
             if (!m) return [];
             const single = Array.from(m.querySelectorAll('[data-site]')).map(e => e.dataset.site);
             const grouped = Array.from(m.querySelectorAll('[data-sites]'))
                 .flatMap(e => e.dataset.sites.split(','));
             return single.concat(grouped).sort();",
            vec![],
        )
        .await
        .expect("read the map");
    serde_json::from_value(v).expect("names")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_fleet_map_degraded_and_offline_sites() {
    if !ui_tests_enabled("ui_demo") {
        return;
    }
    let app = App::launch(&["--demo"]).await;
    app.wait_text("#status-profile", "Profile: demo", T).await;
    app.wait_text("#status-sites", "12 sites", T).await;
    app.wait_text("#demo-banner", "Demo fleet", T).await;

    // Health settles: the crash loop is seen, the certificate warning, and the offline
    // site is down and served from its snapshot.
    app.click("#nav-sites").await;
    const DEGRADED: &str = "factory-lyon-gerland";
    const CERT: &str = "clinic-amsterdam-zuid";
    const OFFLINE: &str = "clinic-vienna-alsergrund";
    wait_for("demo health", Duration::from_secs(90), || async {
        let l = levels(&app).await;
        let expected = |n: &str| match n {
            DEGRADED | OFFLINE => "critical",
            CERT => "warning",
            _ => "ok",
        };
        let stale = app
            .text(&format!("tr[data-site='{OFFLINE}']"))
            .await
            .is_some_and(|t| t.to_lowercase().contains("snapshot"));
        if l.len() == 12 && stale && l.iter().all(|(n, lvl)| lvl == expected(n)) {
            Ok(())
        } else {
            Err(format!("offline site stale: {stale}; levels {l:?}"))
        }
    })
    .await;
    let l = levels(&app).await;
    app.screenshot("demo-01-sites").await;

    // The map shows all twelve, coloured by level.
    app.click("#nav-map").await;
    wait_for("twelve sites on the map", T, || async {
        let m = map_sites(&app).await;
        if m.len() == 12 {
            Ok(())
        } else {
            Err(format!("{m:?}"))
        }
    })
    .await;
    let mut names: Vec<String> = l.keys().cloned().collect();
    names.sort();
    assert_eq!(map_sites(&app).await, names);
    let marker_levels = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#map-markers [data-level]'))
                 .map(e => e.getAttribute('class'));",
            vec![],
        )
        .await
        .expect("marker classes");
    assert!(
        marker_levels.to_string().contains("critical"),
        "a critical marker or cluster: {marker_levels}"
    );
    app.screenshot("demo-02-map").await;

    // The degraded site: its crash-looping pod.
    app.click("#nav-sites").await;
    app.click(&format!("tr[data-site='{DEGRADED}'] td")).await;
    app.wait_text("#pods-table", "CrashLoopBackOff", T).await;
    let crash = app
        .text("#pods-table tr[data-crashloop='true']")
        .await
        .expect("a crash-looping pod row");
    assert!(crash.contains("CrashLoopBackOff"), "{crash}");
    app.screenshot("demo-03-degraded-site").await;

    // Its logs: the crash-looping workload's pods, followed; the filter narrows them.
    let workload = app
        .client
        .execute(
            "const r = document.querySelector('#pods-table tr[data-crashloop=\"true\"]');
             return r ? r.querySelector('td:nth-of-type(6)').textContent : null;",
            vec![],
        )
        .await
        .expect("owner of the crash-looping pod");
    let owner = workload.as_str().expect("an owner").to_string();
    let (_, name) = owner.split_once('/').expect("Kind/name");
    app.click(&format!("tr[data-workload$='/{name}'] .logs-open"))
        .await;
    app.wait_text("#view-logs h1", "Logs", T).await;
    let rows = || async {
        app.client
            .execute(
                "return Array.from(document.querySelectorAll('#logs-viewport .log-text'))
                     .map(e => e.textContent);",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
            .unwrap_or_default()
    };
    wait_for("log lines", T, || async {
        let r = rows().await;
        if r.len() >= 3 {
            Ok(())
        } else {
            Err(format!("{r:?}"))
        }
    })
    .await;
    let first = rows().await;
    let word = first
        .iter()
        .flat_map(|l| l.split(|c: char| !c.is_alphanumeric()))
        .find(|w| w.len() >= 5)
        .expect("a word in the logs")
        .to_string();
    app.client
        .execute(
            "const el = document.querySelector('#logs-filter');
             el.value = arguments[0];
             el.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(word)],
        )
        .await
        .expect("type a filter");
    wait_for("filtered lines", T, || async {
        let r = rows().await;
        let w = word.to_lowercase();
        if !r.is_empty() && r.iter().all(|l| l.to_lowercase().contains(&w)) {
            Ok(())
        } else {
            Err(format!("{word}: {r:?}"))
        }
    })
    .await;
    app.screenshot("demo-04-logs-filtered").await;
    app.click("#nav-sites").await;

    // The offline site: its last state, dated.
    app.click("tr[data-site='clinic-vienna-alsergrund'] td")
        .await;
    let banner = app.wait_text("#stale-banner", "", T).await;
    assert!(!banner.trim().is_empty());
    app.wait_text("#nodes-table", "", T).await;
    app.screenshot("demo-05-offline-site").await;

    // Leaving the demo is one click and shows the user's own (empty) profile.
    app.click("#leave-demo").await;
    app.wait_text("#status-profile", "Profile: default", T)
        .await;
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;
    let err = app
        .invoke(
            "site_detail",
            json!({ "req": { "name": "factory-lyon-gerland" } }),
        )
        .await
        .expect_err("demo sites are gone with the demo");
    assert_eq!(err["kind"], "not_found", "{err}");
    app.screenshot("demo-06-left").await;
    app.close().await;
}
