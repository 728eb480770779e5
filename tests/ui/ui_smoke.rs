//! Smoke test in the real Tauri window (WebKitGTK under Xvfb, over WebDriver): the shell
//! renders, the typed `app_info` answer is on screen, typed errors cross the IPC, and the
//! ACL refuses what the capability file does not grant.

use crate::support;

use serde_json::json;
use std::time::Duration;
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_renders_backend_answer_and_acl_refuses_unlisted_commands() {
    if !ui_tests_enabled("ui_smoke") {
        return;
    }
    let app = App::launch(&[]).await;

    // The shell: navigation for every area, and the backend's answer in the status bar.
    for id in ["map", "sites", "logs", "rollouts", "settings"] {
        app.wait_text(&format!("#nav-{id}"), "", T).await;
    }
    let version = app.wait_text("#status-version", "Outpost ", T).await;
    assert_eq!(version, format!("Outpost {}", env!("CARGO_PKG_VERSION")));
    app.wait_text("#status-sites", "0 sites", T).await;
    let home = app.home.path().to_string_lossy().to_string();
    app.wait_text("#status-data-dir", &home, T).await;
    app.wait_text("#status-profile", "Profile: default", T)
        .await;
    // First run: the welcome screen offers the demo fleet and the import wizard.
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;
    app.wait_text("#open-demo", "Open the demo fleet", T).await;
    app.wait_text("#open-import", "Import a kubeconfig", T)
        .await;
    app.screenshot("01-shell-map").await;

    // Keyboard navigation and the settings view round trip through typed commands.
    app.click("#nav-settings").await;
    app.wait_text("#view-settings h1", "Settings", T).await;
    let saved = app
        .invoke(
            "set_settings",
            json!({ "req": { "theme": "dark", "request_timeout_ms": 7000,
            "connect_timeout_ms": 1500, "log_buffer_lines": 200000 } }),
        )
        .await
        .expect("valid settings are saved");
    assert_eq!(saved["request_timeout_ms"], 7000);
    let store =
        std::fs::read_to_string(app.home.path().join("outpost.json")).expect("store file written");
    let store: serde_json::Value = serde_json::from_str(&store).expect("store is JSON");
    assert_eq!(store["settings"]["theme"], "dark");

    // A typed error: kind + message, never a bare string.
    let err = app
        .invoke(
            "set_settings",
            json!({ "req": { "request_timeout_ms": 1 } }),
        )
        .await
        .expect_err("out-of-range timeout is refused");
    assert_eq!(err["kind"], "invalid_input", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("request_timeout_ms"),
        "{err}"
    );
    // The app's own log can be exported for a support request.
    app.click("#export-log").await;
    let saved = app.wait_text("#export-log-done", "Saved", T).await;
    assert!(saved.contains("outpost-desktop-log-"), "{saved}");
    app.screenshot("02-settings").await;

    // The ACL: plugin commands the capability file does not grant are refused (the
    // dialog plugin is registered, for the backend's save dialogs), as are unknown
    // commands; the granted one works. The store plugin is not even registered: the
    // backend's `SiteStore` is the only writer of outpost.json.
    assert!(app.invoke("app_info", json!({ "req": {} })).await.is_ok());
    let denied = app
        .invoke(
            "plugin:dialog|save",
            json!({ "options": { "defaultPath": "stolen.json" } }),
        )
        .await
        .expect_err("the dialog plugin is not reachable from the webview");
    let denied = denied.to_string();
    assert!(
        denied.contains("not allowed"),
        "unexpected rejection: {denied}"
    );
    let gone = app
        .invoke("plugin:store|load", json!({ "path": "stolen.json" }))
        .await
        .expect_err("there is no store plugin to reach");
    let gone = gone.to_string();
    assert!(
        gone.contains("not allowed") || gone.contains("not found"),
        "unexpected rejection: {gone}"
    );
    let unknown = app
        .invoke("definitely_not_a_command", json!({}))
        .await
        .expect_err("unknown commands are refused");
    assert!(
        unknown.to_string().contains("not allowed") || unknown.to_string().contains("not found"),
        "{unknown}"
    );
    assert!(!app.home.path().join("stolen.json").exists());

    // The CSP: an injected inline script and eval() do not run.
    let csp = app
        .client
        .execute(
            r#"
            const s = document.createElement('script');
            s.textContent = 'window.__outpost_pwned = true;';
            document.body.appendChild(s);
            let evalResult;
            try { evalResult = eval('40 + 2'); } catch (e) { evalResult = 'blocked'; }
            return { inline: window.__outpost_pwned === true, eval: evalResult };
            "#,
            vec![],
        )
        .await
        .expect("run CSP probe");
    assert_eq!(csp["inline"], false, "inline script ran: {csp}");
    assert_eq!(csp["eval"], "blocked", "eval ran: {csp}");

    app.close().await;
}
