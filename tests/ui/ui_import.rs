//! The import wizard in the real window: a K3s-style kubeconfig (everything named
//! `default`, server on 127.0.0.1) is pasted, previewed (renames, SAN check), given a
//! name, tags and a location clicked on the map, and imported into the real keyring.
//! The imported site carries hostile content (script in a pod name and in an event);
//! the site view shows it as text and nothing runs.

use crate::support;

use outpost_sim::spec::{Distro, SiteSpec};
use outpost_sim::store::Store;
use outpost_sim::testing::{SiteBuilder, demo_site};
use outpost_sim::{Fleet, FleetConfig, resource::Resource};
use serde_json::json;
use std::time::Duration;
use support::{App, ui_tests_enabled};

const T: Duration = Duration::from_secs(45);
const HOSTILE_POD: &str = "<img src=x onerror=window.__outpost_pwned=1>";

fn site() -> SiteSpec {
    let mut s = demo_site(Distro::K3s, "wizard-k3s");
    s.nodes = SiteBuilder::new("wizard-k3s", Distro::K3s).build().nodes;
    s
}

/// The kubeconfig as K3s writes it: cluster, user and context all named `default`.
fn k3s_style(kubeconfig: &str) -> String {
    let mut v: serde_json::Value = serde_saphyr::from_str(kubeconfig).expect("sim kubeconfig");
    for (list, key) in [
        ("clusters", "name"),
        ("users", "name"),
        ("contexts", "name"),
    ] {
        for e in v[list].as_array_mut().expect("list") {
            e[key] = "default".into();
        }
    }
    let ctx = &mut v["contexts"][0]["context"];
    ctx["cluster"] = "default".into();
    ctx["user"] = "default".into();
    v["current-context"] = "default".into();
    serde_saphyr::to_string(&v).expect("yaml")
}

fn plant_hostile_content(store: &Store) {
    store
        .create(
            Resource::Pod,
            json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": HOSTILE_POD, "namespace": "default"},
                "spec": {"containers": [{"name": "x", "image": "<script>window.__outpost_pwned=2</script>"}]},
                "status": {"phase": "Running"}}),
        )
        .expect("hostile pod");
    store
        .create(
            Resource::Event,
            json!({"apiVersion": "v1", "kind": "Event", "type": "Warning", "reason": "Hostile",
                "metadata": {"name": "hostile-event", "namespace": "default"},
                "involvedObject": {"kind": "Pod", "name": HOSTILE_POD, "namespace": "default"},
                "message": "<script>window.__outpost_pwned=3</script><b onmouseover=alert(1)>x</b>"}),
        )
        .expect("hostile event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_wizard_imports_a_k3s_kubeconfig_and_hostile_content_stays_inert() {
    if !ui_tests_enabled("ui_import") {
        return;
    }
    let fleet = Fleet::start(FleetConfig {
        sites: vec![site()],
        ..FleetConfig::default()
    })
    .await
    .expect("simulated site");
    let handle = fleet.site("wizard-k3s").expect("site");
    plant_hostile_content(handle.store());
    let kubeconfig = k3s_style(&fleet.kubeconfig_yaml().expect("kubeconfig"));

    let app = App::launch(&[]).await;
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;
    app.click("#open-import").await;
    app.click("#import-tab-paste").await;
    app.type_into("#import-text", &kubeconfig).await;
    app.type_into("#import-name", "store-wizard-1").await;
    app.type_into("#import-tags", "eu, wizard").await;
    // A click in the middle of the picker is (0°, 0°); then a typed correction.
    app.click("#import-map").await;
    app.wait_text("#import-lat", "", T).await;
    app.type_into("#import-lat", "48.1372").await;
    app.type_into("#import-lon", "11.5754").await;
    app.screenshot("import-00-form").await;
    app.click("#import-check").await;
    let preview = app.wait_text("#import-preview", "store-wizard-1", T).await;
    assert!(
        preview.contains("rename context \"default\" → \"store-wizard-1\""),
        "{preview}"
    );
    assert!(
        preview.contains("certificate: the certificate covers"),
        "{preview}"
    );
    app.screenshot("import-01-preview").await;
    app.click("#import-apply").await;
    app.wait_text("#import-done", "store-wizard-1", T).await;
    app.screenshot("import-02-done").await;
    app.click("#import-finish").await;
    app.wait_text("#status-sites", "1 site", T).await;

    // The site is watched; its view shows the hostile pod name as plain text.
    app.click("#nav-sites").await;
    app.click("tr[data-site='store-wizard-1'] td").await;
    app.wait_text("#pods-table", HOSTILE_POD, T).await;
    app.wait_text("#events-table", "<script>", T).await;
    let probe = app
        .client
        .execute(
            "return { pwned: window.__outpost_pwned === undefined ? null : window.__outpost_pwned,
                      imgs: document.querySelectorAll('#site-view img').length,
                      scripts: document.querySelectorAll('#site-view script').length };",
            vec![],
        )
        .await
        .expect("probe");
    assert_eq!(
        probe,
        json!({"pwned": null, "imgs": 0, "scripts": 0}),
        "hostile content ran"
    );
    app.screenshot("import-03-hostile-site").await;

    // The store file has the site and no secret; the key went to the keyring.
    let store = std::fs::read_to_string(app.home.path().join("outpost.json")).expect("store");
    assert!(store.contains("store-wizard-1"));
    assert!(!store.contains("PRIVATE KEY") && !store.contains("client-key-data"));
    let site = app
        .invoke(
            "site_detail",
            json!({ "req": { "name": "store-wizard-1" } }),
        )
        .await
        .expect("detail");
    assert_eq!(site["summary"]["latitude"], 48.1372);
    app.close().await;
    fleet.shutdown().await;
}

/// A kubeconfig whose credentials come from an exec plugin, for an unreachable server.
fn exec_kubeconfig() -> String {
    let port = std::net::TcpListener::bind("127.77.3.1:0")
        .and_then(|l| l.local_addr())
        .expect("a closed loopback port")
        .port();
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: store-exec-1\nclusters:\n- name: store-exec-1\n  \
         cluster:\n    server: https://127.77.3.1:{port}\ncontexts:\n- name: store-exec-1\n  context: \
         {{cluster: store-exec-1, user: store-exec-1}}\nusers:\n- name: store-exec-1\n  user:\n    exec:\n      \
         apiVersion: client.authentication.k8s.io/v1\n      command: get-token\n      args: [\"--cluster\", \
         \"dev\"]\n      env:\n      - name: SEED\n        value: seed-value-789\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_plugins_import_only_with_the_approved_hash_of_the_command_line_shown() {
    if !ui_tests_enabled("ui_import") {
        return;
    }
    let kubeconfig = exec_kubeconfig();
    let app = App::launch(&[]).await;
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;

    // A script in the page cannot approve on its own: no bare flag, no made-up hash.
    let source = json!({"type": "text", "text": kubeconfig});
    let bare = app
        .invoke(
            "import_apply",
            json!({"req": {"source": source, "allow_exec": true}}),
        )
        .await;
    assert!(bare.is_err(), "a bare approval flag is refused: {bare:?}");
    let forged = app
        .invoke(
            "import_apply",
            json!({"req": {"source": source, "approved_exec": ["0".repeat(64)]}}),
        )
        .await
        .expect_err("a hash of nothing shown is refused");
    assert_eq!(forged["kind"], "denied", "{forged}");

    // The wizard shows the command line and the environment names, never a value.
    app.click("#open-import").await;
    app.click("#import-tab-paste").await;
    app.type_into("#import-text", &kubeconfig).await;
    app.click("#import-check").await;
    let preview = app
        .wait_text("#import-preview", "get-token --cluster dev", T)
        .await;
    assert!(preview.contains("SEED"), "{preview}");
    assert!(!preview.contains("seed-value-789"), "{preview}");
    app.click(".import-exec-approve").await;
    app.screenshot("import-04-exec-approval").await;
    app.click("#import-apply").await;
    app.wait_text("#import-done", "store-exec-1", T).await;

    let store = std::fs::read_to_string(app.home.path().join("outpost.json")).expect("store");
    let v: serde_json::Value = serde_json::from_str(&store).expect("store JSON");
    let creds = &v["sites"][0]["credentials"];
    assert_eq!(creds["execApproved"], true, "{creds}");
    assert_eq!(creds["exec"]["command"], "get-token");
    assert!(!store.contains("seed-value-789"));
    app.close().await;
}

/// A MicroK8s site's kubeconfig in `dir/kc/config` whose token is in `dir/token`,
/// outside the kubeconfig's folder (`tokenFile: ../token`). Answers the config's path
/// and the token file's resolved path.
fn outside_token_kubeconfig(fleet: &Fleet, dir: &std::path::Path) -> (String, String) {
    let mut v: serde_json::Value =
        serde_saphyr::from_str(&fleet.kubeconfig_yaml().expect("kubeconfig")).expect("yaml");
    let user = &mut v["users"][0]["user"];
    let token = user["token"]
        .as_str()
        .expect("a MicroK8s token")
        .to_string();
    *user = json!({ "tokenFile": "../token" });
    std::fs::create_dir_all(dir.join("kc")).expect("kc dir");
    std::fs::write(dir.join("token"), format!("{token}\n")).expect("token file");
    let config = dir.join("kc").join("config");
    std::fs::write(&config, serde_saphyr::to_string(&v).expect("yaml")).expect("config");
    let token_path = std::fs::canonicalize(dir.join("token")).expect("token path");
    (
        config.display().to_string(),
        token_path.display().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outside_token_file_is_read_only_once_its_exact_path_is_approved() {
    if !ui_tests_enabled("ui_import") {
        return;
    }
    let mut spec = outpost_sim::demo::demo_fleet()
        .into_iter()
        .find(|s| s.distro == Distro::MicroK8s && !s.offline)
        .expect("a MicroK8s demo site");
    spec.name = "wizard-mk8s".into();
    let fleet = Fleet::start(FleetConfig {
        sites: vec![spec],
        ..FleetConfig::default()
    })
    .await
    .expect("simulated site");
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, token_path) = outside_token_kubeconfig(&fleet, dir.path());
    let app = App::launch(&[]).await;
    app.wait_text("#welcome h2", "Welcome to Outpost", T).await;

    // A script in the page cannot approve on its own: no made-up hash, no bare flag.
    let source = json!({"type": "path", "path": config});
    let forged = app
        .invoke(
            "import_apply",
            json!({"req": {"source": source, "approved_files": ["0".repeat(64)]}}),
        )
        .await
        .expect_err("a hash of nothing shown is refused");
    assert_eq!(forged["kind"], "denied", "{forged}");
    let bare = app
        .invoke(
            "import_apply",
            json!({"req": {"source": source, "allow_files": true}}),
        )
        .await;
    assert!(bare.is_err(), "a bare approval flag is refused: {bare:?}");

    // The preview lists the file: what it is, its resolved path and size.
    app.click("#open-import").await;
    app.click("#import-tab-path").await;
    app.type_into("#import-path", &config).await;
    app.click("#import-check").await;
    let preview = app
        .wait_text("#import-preview", "outside the kubeconfig's folder", T)
        .await;
    let size = std::fs::metadata(&token_path).expect("token").len();
    assert!(
        preview.contains(&format!("token {token_path} ({size} bytes)")),
        "{preview}"
    );
    app.screenshot("import-05-outside-file").await;

    // Not approved: the import is refused with a clear error, nothing is written.
    app.click("#import-apply").await;
    let refused = app
        .wait_text("#import-error", "outside the kubeconfig's folder", T)
        .await;
    assert!(refused.contains(&token_path), "{refused}");
    assert!(refused.contains("denied"), "{refused}");
    app.screenshot("import-06-outside-file-refused").await;
    let sites = app.invoke("list_sites", json!({"req": {}})).await;
    assert!(
        !format!("{sites:?}").contains("wizard-mk8s"),
        "nothing imported: {sites:?}"
    );

    // Approved: read, and the site is imported and answers with that token.
    app.click("#import-check").await;
    app.wait_text("#import-preview", &token_path, T).await;
    app.click(".import-file-approve").await;
    app.click("#import-apply").await;
    app.wait_text("#import-done", "wizard-mk8s", T).await;
    app.screenshot("import-07-outside-file-approved").await;
    app.click("#import-finish").await;
    app.wait_text("#status-sites", "1 site", T).await;
    app.click("#nav-sites").await;
    app.click("tr[data-site='wizard-mk8s'] td").await;
    app.wait_text("#pods-table", "Running", T).await;
    let store = std::fs::read_to_string(app.home.path().join("outpost.json")).expect("store");
    assert!(store.contains("wizard-mk8s"));
    let token = std::fs::read_to_string(&token_path).expect("token");
    assert!(
        !store.contains(token.trim()),
        "the token went to the keyring"
    );
    app.close().await;
    fleet.shutdown().await;
}
