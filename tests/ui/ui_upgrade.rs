//! A K3s upgrade in the real window (WebKitGTK under Xvfb, over WebDriver), on the demo
//! fleet with simulated time sped up (`OUTPOST_DEMO_SPEED`): the Upgrades view shows the
//! version drift (K3s v1.31 newest, v1.30 behind, MicroK8s with its exact `snap refresh`
//! command), prefills the newest K3s version and refuses a loose one; starting
//! `store-munich-schwabing` and `factory-lyon-gerland` upgrades Munich and refuses Lyon
//! (its last health check failed: a crash-looping workload) until "Force" is ticked; then
//! every node of both sites moves to the target, live, checked in the view and against
//! the simulator through `site_detail`.

use crate::support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::wait::wait_for;
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(30);
const TARGET: &str = "v1.31.4+k3s1";
const OLD: &str = "v1.30.8+k3s1";
const MUNICH: &str = "store-munich-schwabing";
const LYON: &str = "factory-lyon-gerland";

async fn js(app: &App, script: &str, args: Vec<Value>) -> Value {
    app.client
        .execute(script, args)
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Types into a field as a user would (value, then an `input` event for Yew).
async fn type_into(app: &App, css: &str, text: &str) {
    js(
        app,
        "const el = document.querySelector(arguments[0]);
         el.value = arguments[1];
         el.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![json!(css), json!(text)],
    )
    .await;
}

/// `[site, node, version, state]` of every node row of the progress section.
async fn node_rows(app: &App) -> Vec<(String, String, String, String)> {
    let v = js(
        app,
        "return Array.from(document.querySelectorAll('#upgrade-progress tr.upgrade-node'))
             .map(r => [r.closest('[data-site]').dataset.site, r.dataset.node, r.dataset.version, r.dataset.state]);",
        vec![],
    )
    .await;
    serde_json::from_value(v).expect("rows")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k3s_upgrade_of_two_demo_sites_moves_every_node() {
    if !ui_tests_enabled("ui_upgrade") {
        return;
    }
    let t_all = Instant::now();
    let home = tempfile::tempdir().expect("temp home");
    let app = App::launch_with_env(&["--demo"], home, &[("OUTPOST_DEMO_SPEED", "20")]).await;
    app.wait_text("#status-profile", "Profile: demo", T).await;
    app.wait_text("#status-sites", "12 sites", T).await;

    // Munich must pass its health check; Lyon crash-loops (critical) by design.
    wait_for("Munich healthy, Lyon critical", T, || async {
        let sites = app
            .invoke("list_sites", json!({ "req": {} }))
            .await
            .map_err(|e| e.to_string())?;
        let level = |n: &str| {
            sites
                .as_array()
                .into_iter()
                .flatten()
                .find(|s| s["name"] == n)
                .map(|s| s["level"].as_str().unwrap_or_default().to_string())
                .unwrap_or_default()
        };
        match (level(MUNICH).as_str(), level(LYON).as_str()) {
            ("ok", "critical") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;

    app.click("#nav-upgrades").await;
    app.wait_text("#upgrades-title", "Version drift", T).await;
    app.wait_text(
        "#upgrades-newest",
        "Newest K3s in the fleet: v1.31.4+k3s1",
        T,
    )
    .await;
    // Drift: the groups, newest first, the old K3s group behind.
    let heads = js(
        &app,
        "return Array.from(document.querySelectorAll('#upgrades-drift tbody.upgrade-group'))
             .map(g => [g.dataset.distro, g.dataset.version, g.classList.contains('behind'),
                        g.querySelectorAll('tr.upgrade-site').length]);",
        vec![],
    )
    .await;
    assert_eq!(
        heads,
        json!([
            ["K3s", TARGET, false, 4],
            ["K3s", OLD, true, 4],
            ["MicroK8s", "v1.29.12", false, 4]
        ]),
        "drift groups"
    );
    // MicroK8s: the exact command, plainly.
    app.wait_text(
        "#upgrade-snap-store-paris-marais",
        "sudo snap refresh microk8s --channel=1.30/stable",
        T,
    )
    .await;
    // The version is prefilled with the newest; a loose one is refused while typing.
    let v = js(
        &app,
        "return document.querySelector('#upgrade-version').value;",
        vec![],
    )
    .await;
    assert_eq!(v, json!(TARGET));
    app.click(&format!("#upgrade-pick-{MUNICH}")).await;
    app.click(&format!("#upgrade-pick-{LYON}")).await;
    app.wait_text("#upgrade-picked", LYON, T).await;
    app.wait_text("#upgrade-unhealthy", "unless you tick Force", T)
        .await;
    type_into(&app, "#upgrade-version", "v1.31").await;
    app.wait_text("#upgrade-version-error", "v1.31.4+k3s1", T)
        .await;
    let disabled = js(
        &app,
        "return document.querySelector('#upgrade-confirm-open').disabled;",
        vec![],
    )
    .await;
    assert_eq!(disabled, json!(true), "no start with a loose version");
    type_into(&app, "#upgrade-version", TARGET).await;
    app.screenshot("upgrade-01-drift").await;

    // Without force: Munich starts, Lyon is refused with the core's reason.
    app.click("#upgrade-confirm-open").await;
    app.wait_text("#upgrade-confirm-dialog", "Start this K3s upgrade?", T)
        .await;
    app.click("#upgrade-start").await;
    app.wait_text(
        &format!("#upgrade-results li[data-site='{LYON}']"),
        "its last health check failed",
        T,
    )
    .await;
    let kinds = js(
        &app,
        "return Array.from(document.querySelectorAll('#upgrade-results li'))
             .map(l => [l.dataset.site, l.classList.contains('ok'), l.dataset.kind]);",
        vec![],
    )
    .await;
    assert_eq!(
        kinds,
        json!([[MUNICH, true, ""], [LYON, false, "unhealthy"]]),
        "per-site results"
    );
    app.wait_text(
        &format!("#upgrade-results li[data-site='{LYON}']"),
        "tick Force to upgrade it anyway",
        T,
    )
    .await;
    app.screenshot("upgrade-02-refused").await;

    // Forced: Lyon starts too (Munich's Plans are unchanged).
    app.click("#upgrade-force").await;
    app.wait_text("#upgrade-unhealthy", "forced", T).await;
    app.click("#upgrade-confirm-open").await;
    app.wait_text("#upgrade-confirm-dialog", "Forced", T).await;
    app.click("#upgrade-start").await;
    app.wait_text(
        &format!("#upgrade-results li[data-site='{LYON}']"),
        &format!("upgrading to {TARGET}"),
        T,
    )
    .await;

    // Live per-node progress until every node of both sites is at the target.
    let t0 = Instant::now();
    let mut seen_states = std::collections::BTreeSet::new();
    loop {
        let rows = node_rows(&app).await;
        for r in &rows {
            seen_states.insert(r.3.clone());
        }
        if rows.len() == 4 && rows.iter().all(|r| r.2 == TARGET && r.3 == "up to date") {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(45),
            "not every node upgraded: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!(
        "upgrade done in {:?}; node states seen: {seen_states:?}",
        t0.elapsed()
    );
    assert!(
        seen_states.contains("upgrading") || seen_states.contains("waiting"),
        "progress was shown while it ran: {seen_states:?}"
    );
    for site in [MUNICH, LYON] {
        app.wait_text(
            &format!("#upgrade-progress [data-site='{site}'] .upgrade-head"),
            &format!("done: every node at {TARGET}"),
            T,
        )
        .await;
    }
    js(
        &app,
        &format!(
            "document.querySelector(\"#upgrade-progress [data-site='{LYON}']\").scrollIntoView();"
        ),
        vec![],
    )
    .await;
    app.screenshot("upgrade-03-done").await;

    // The simulator agrees: every node's kubelet is at the target.
    for site in [MUNICH, LYON] {
        let d = app
            .invoke("site_detail", json!({ "req": { "name": site } }))
            .await
            .expect("site detail");
        let nodes = d["nodes"].as_array().expect("nodes");
        assert!(!nodes.is_empty(), "{site}: {d}");
        let versions: Vec<&str> = nodes
            .iter()
            .map(|n| n["kubelet_version"].as_str().unwrap_or_default())
            .collect();
        assert!(
            versions.iter().all(|v| *v == TARGET),
            "{site}: {versions:?} {d}"
        );
    }
    eprintln!("ui_upgrade took {:?}", t_all.elapsed());
    app.close().await;
}
