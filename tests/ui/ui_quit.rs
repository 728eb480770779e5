//! Quitting never undoes a change, and the open app follows what the CLI does to its
//! profile. On a fresh profile a site is imported through the wizard; while the app runs,
//! the `outpost` CLI imports a second one, which shows in the window within a second or
//! two (the latency is printed). Then the window is closed as a person does, through the
//! window manager's close (`WM_DELETE_WINDOW`, which runs the app's exit path; a kill
//! would not): `outpost.json` still has both sites, and after a restart both show and
//! are reachable and healthy. The CLI then removes one: it leaves the open window, and
//! stays removed after another close.

use crate::support;

use outpost_sim::spec::{Distro, SiteSpec};
use outpost_sim::{Fleet, FleetConfig};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(45);
/// What the issue asks for; the test allows more on a loaded machine and prints the
/// actual figure.
const APPEAR_WITHIN: Duration = Duration::from_secs(2);
const WIZARD_SITE: &str = "store-wizard";
const CLI_SITE: &str = "store-cli";

fn site(name: &str) -> SiteSpec {
    outpost_sim::testing::demo_site(Distro::K3s, name)
}

/// The built `outpost` CLI, next to the app's binary (built once first if needed), or
/// the one `OUTPOST_TEST_CLI` names.
fn cli() -> PathBuf {
    static CLI: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CLI.get_or_init(build_cli).clone()
}

fn build_cli() -> PathBuf {
    let app = Path::new(env!("CARGO_BIN_EXE_outpost-desktop"));
    let profile_dir = app.parent().expect("target/<profile>");
    let target = profile_dir.parent().expect("target dir");
    if let Some(bin) = std::env::var_os("OUTPOST_TEST_CLI") {
        return PathBuf::from(bin);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    // The variables cargo set for this test would make it rebuild dependencies.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k.starts_with("CARGO_") && k != "CARGO_HOME" && k != "CARGO_TARGET_DIR" {
            build.env_remove(k);
        }
    }
    let st = build
        .args([
            "build",
            "-q",
            "-p",
            "outpost-cli",
            "--bin",
            "outpost",
            "--target-dir",
        ])
        .arg(target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo build -p outpost-cli");
    assert!(st.success(), "cargo build -p outpost-cli failed");
    profile_dir.join("outpost")
}

/// Runs `outpost` on the app's profile, with the same keyring as the app.
fn outpost(home: &Path, args: &[&str]) -> String {
    let out = Command::new(cli())
        .env("OUTPOST_HOME", home)
        .env_remove("KUBECONFIG")
        .args(args)
        .output()
        .expect("run outpost");
    assert!(
        out.status.success(),
        "outpost {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The names of the sites registered in the profile's `outpost.json`.
fn registered(home: &Path) -> Vec<String> {
    let raw = std::fs::read_to_string(home.join("outpost.json")).expect("outpost.json");
    let v: Value = serde_json::from_str(&raw).expect("outpost.json is JSON");
    v["sites"]
        .as_array()
        .unwrap_or_else(|| panic!("outpost.json has no site list: {raw}"))
        .iter()
        .map(|s| s["name"].as_str().expect("site name").to_string())
        .collect()
}

/// Waits until every site in `names` is listed, reachable and healthy.
async fn wait_healthy(app: &App, names: &[&str]) -> Value {
    let t0 = Instant::now();
    loop {
        let sites = app
            .invoke("list_sites", json!({ "req": {} }))
            .await
            .expect("list_sites");
        let ok = names.iter().all(|n| {
            sites.as_array().into_iter().flatten().any(|s| {
                s["name"] == *n && s["reachability"]["state"] == "reachable" && s["level"] == "ok"
            })
        });
        if ok {
            return sites;
        }
        if t0.elapsed() > T {
            app.screenshot("quit-timeout").await;
            panic!("{names:?} not all reachable and healthy within {T:?}: {sites}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wm_close_keeps_sites_imported_in_the_app_and_by_the_cli_while_it_ran() {
    if !ui_tests_enabled("ui_quit") {
        return;
    }
    let wizard = Fleet::start(FleetConfig {
        sites: vec![site(WIZARD_SITE)],
        ..FleetConfig::default()
    })
    .await
    .expect("simulated site for the wizard");
    let by_cli = Fleet::start(FleetConfig {
        sites: vec![site(CLI_SITE)],
        ..FleetConfig::default()
    })
    .await
    .expect("simulated site for the CLI");
    let cli_kubeconfig = tempfile::NamedTempFile::new().expect("temp kubeconfig");
    by_cli
        .write_kubeconfig(cli_kubeconfig.path())
        .expect("write kubeconfig");
    cli(); // build it now, not while the clock runs below

    // A fresh profile: the wizard imports the first site.
    let app = App::launch(&[]).await;
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;
    app.click("#open-import").await;
    app.click("#import-tab-paste").await;
    let kubeconfig = wizard.kubeconfig_yaml().expect("kubeconfig");
    app.type_into("#import-text", &kubeconfig).await;
    app.type_into("#import-name", WIZARD_SITE).await;
    app.click("#import-check").await;
    app.wait_text("#import-preview", WIZARD_SITE, T).await;
    app.click("#import-apply").await;
    app.wait_text("#import-done", WIZARD_SITE, T).await;
    app.click("#import-finish").await;
    app.wait_text("#status-sites", "1 site", T).await;
    app.screenshot("quit-01-wizard-imported").await;

    // While the app runs, the CLI imports the second site into the same profile: the
    // window shows it without a restart.
    let home = app.home.path().to_path_buf();
    let kc = cli_kubeconfig.path().to_string_lossy().to_string();
    outpost(&home, &["site", "import", &kc, "--name", CLI_SITE]);
    let t0 = Instant::now();
    app.wait_text("#status-sites", "2 sites", T).await;
    let latency = t0.elapsed();
    eprintln!("a site the CLI imported showed in the open app after {latency:?}");
    app.click("#nav-sites").await;
    app.wait_text(&format!("tr[data-site='{CLI_SITE}']"), CLI_SITE, T)
        .await;
    wait_healthy(&app, &[WIZARD_SITE, CLI_SITE]).await;
    app.screenshot("quit-02-cli-site-shown").await;
    assert!(
        latency < APPEAR_WITHIN,
        "the CLI's site took {latency:?} to show (want < {APPEAR_WITHIN:?})"
    );

    // Closed as a person closes it: the exit path runs, and nothing is undone.
    let home_dir = app.close().await;
    let mut names = registered(home_dir.path());
    names.sort();
    assert_eq!(
        names,
        [CLI_SITE, WIZARD_SITE],
        "outpost.json after the window manager's close"
    );

    // Started again: both sites are there and work.
    let app = App::launch_with_home(&[], home_dir).await;
    app.wait_text("#status-sites", "2 sites", T).await;
    let sites = wait_healthy(&app, &[WIZARD_SITE, CLI_SITE]).await;
    app.click("#nav-sites").await;
    for n in [WIZARD_SITE, CLI_SITE] {
        app.wait_text(&format!("tr[data-site='{n}']"), n, T).await;
    }
    app.screenshot("quit-03-after-restart").await;
    eprintln!("after the restart: {sites}");
    // The CLI sees the same two sites; one it removes leaves the open window.
    let listed = outpost(app.home.path(), &["site", "list"]);
    assert!(
        listed.contains(WIZARD_SITE) && listed.contains(CLI_SITE),
        "{listed}"
    );
    outpost(app.home.path(), &["site", "remove", CLI_SITE]);
    let t0 = Instant::now();
    app.wait_text("#status-sites", "1 site", T).await;
    let gone = t0.elapsed();
    eprintln!("a site the CLI removed left the open app after {gone:?}");
    assert!(
        app.text(&format!("tr[data-site='{CLI_SITE}']"))
            .await
            .is_none(),
        "the removed site is still listed"
    );
    app.screenshot("quit-04-cli-removed").await;
    let home_dir = app.close().await;
    assert_eq!(registered(home_dir.path()), [WIZARD_SITE]);
    assert!(
        gone < APPEAR_WITHIN,
        "the removed site took {gone:?} to leave (want < {APPEAR_WITHIN:?})"
    );
    wizard.shutdown().await;
    by_cli.shutdown().await;
}
