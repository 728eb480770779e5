//! `outpost site` end to end: a temp OUTPOST_HOME, a private D-Bus session with an
//! unlocked gnome-keyring (the real Secret Service), and a loopback TLS server standing in
//! for a K3s API server. Needs the Debian packages dbus and gnome-keyring.

// Test helpers (not #[test] fns themselves) unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use assert_cmd::Command;
use common::Keyring;
use outpost_core::testing::{Pki, VersionServer, b64, fill};
use std::path::Path;
use std::process::Stdio;

const K3S: &str = include_str!("../../../core/tests/fixtures/k3s.yaml");

fn outpost(home: &Path, kr: &Keyring) -> Command {
    let mut c = Command::cargo_bin("outpost").unwrap();
    c.env("OUTPOST_HOME", home)
        .env("DBUS_SESSION_BUS_ADDRESS", &kr.address)
        .env("XDG_RUNTIME_DIR", kr.dir.path().join("run"))
        .env("OUTPOST_KEYRING", "secret-service")
        .env_remove("KUBECONFIG")
        .env("RUST_LOG", "debug");
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A log line on stderr (the commands run with `RUST_LOG=debug`): a timestamp, then
/// the level.
fn is_log_line(l: &str) -> bool {
    l.starts_with("20")
        && [" TRACE ", " DEBUG ", " INFO ", " WARN ", " ERROR "]
            .iter()
            .any(|lvl| l.contains(lvl))
}

/// The command's error without its debug log lines: one line.
fn failure(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = String::from_utf8(out.stderr).unwrap();
    assert!(
        !all.contains('\u{1b}'),
        "no terminal colours on a pipe: {all}"
    );
    let err: Vec<&str> = all.lines().filter(|l| !is_log_line(l)).collect();
    assert_eq!(err.len(), 1, "one-line error: {all}");
    format!("{}\n", err[0])
}

#[test]
fn import_list_show_edit_remove_a_k3s_site() {
    let kr = Keyring::start();
    let home = tempfile::tempdir().unwrap();
    let pki = Pki::new("k3s-server-ca");
    let serving = pki.serving(&["127.77.2.1", "kubernetes.default"]);
    let srv = VersionServer::start(
        "127.77.2.1:0".parse().unwrap(),
        &serving.cert_pem,
        &serving.key_pem,
        "v1.31.4+k3s1",
    )
    .unwrap();
    let client = pki.client("system:admin", None);
    let cfg = fill(
        K3S,
        &[
            ("CA_DATA", &b64(&pki.ca_pem)),
            ("CERT_DATA", &b64(&client.cert_pem)),
            ("KEY_DATA", &b64(&client.key_pem)),
        ],
    );
    let kc = home.path().join("k3s.yaml");
    std::fs::write(&kc, &cfg).unwrap();
    let addr = format!("127.77.2.1:{}", srv.addr.port());
    let import = |extra: &[&str]| {
        let mut c = outpost(home.path(), &kr);
        c.args(["site", "import"])
            .arg(&kc)
            .args([
                "--name",
                "lyon-1",
                "--address",
                &addr,
                "--location",
                "45.76,4.83",
                "--tag",
                "fr",
            ])
            .args(extra);
        c
    };

    let plan = stdout(&mut import(&["--dry-run"]));
    assert!(
        plan.contains(
            "renamed   cluster default -> lyon-1, user default -> lyon-1, context default -> lyon-1"
        ),
        "{plan}"
    );
    assert!(
        plan.contains(&format!("https://127.0.0.1:6443 -> https://{addr}")),
        "{plan}"
    );
    assert!(
        plan.contains("serving certificate covers 127.77.2.1"),
        "{plan}"
    );
    assert!(plan.contains("dry run: nothing was written"));
    assert!(!home.path().join("outpost.json").exists());

    let out = stdout(&mut import(&[]));
    let install = outpost_core::credentials::install_id(
        &outpost_core::paths::Home::at(home.path(), "default").unwrap(),
    );
    assert!(
        out.contains("imported 1 site(s): lyon-1 (credentials in the secret-service keyring)"),
        "{out}"
    );
    assert!(
        kr.items(&format!("{install}/lyon-1/client-key"))
            .contains("/org/freedesktop/secrets/collection/"),
        "key stored in the Secret Service"
    );
    let store = std::fs::read_to_string(home.path().join("outpost.json")).unwrap();
    let key_body: String = client
        .key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert!(!store.contains(&key_body[..40]) && !store.contains("PRIVATE KEY"));
    assert!(!store.contains(&b64(&client.key_pem)[..40]));

    let list = stdout(outpost(home.path(), &kr).args(["site", "list"]));
    assert!(list.starts_with("NAME"), "{list}");
    assert!(
        list.contains("lyon-1")
            && list.contains("k3s")
            && list.contains(&format!("https://{addr}")),
        "{list}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(
        outpost(home.path(), &kr).args(["site", "list", "--json"]),
    ))
    .unwrap();
    assert_eq!(json[0]["name"], "lyon-1");
    assert_eq!(json[0]["location"]["latitude"], 45.76);
    let show: serde_json::Value = serde_json::from_str(&stdout(
        outpost(home.path(), &kr).args(["site", "show", "lyon-1", "--json"]),
    ))
    .unwrap();
    assert_eq!(
        show["credentials"]["entries"],
        serde_json::json!([
            format!("{install}/lyon-1/client-cert"),
            format!("{install}/lyon-1/client-key")
        ])
    );
    assert_eq!(show["tags"], serde_json::json!(["fr"]));

    // Importing the same site again is refused with a clear one-line error.
    let err = failure(&mut import(&[]));
    assert!(err.contains("already exists"), "{err}");

    let edited = stdout(outpost(home.path(), &kr).args([
        "site",
        "edit",
        "lyon-1",
        "--notes",
        "rack 3",
        "--window",
        "sat,sun 02:00-05:00 Europe/Paris",
        "--add-tag",
        "north",
        "--remove-tag",
        "fr",
    ]));
    assert!(
        edited.contains("rack 3") && edited.contains("sat,sun 02:00-05:00 Europe/Paris"),
        "{edited}"
    );
    let show = stdout(outpost(home.path(), &kr).args(["site", "show", "lyon-1"]));
    assert!(show.contains("tags          north"), "{show}");
    let err =
        failure(outpost(home.path(), &kr).args(["site", "edit", "lyon-1", "--window", "someday"]));
    assert!(err.contains("maintenance window"), "{err}");

    let out = stdout(outpost(home.path(), &kr).args(["site", "remove", "lyon-1"]));
    assert!(out.contains("removed site lyon-1"));
    let left = kr.items(&format!("{install}/lyon-1/client-key"));
    assert!(
        !left.contains("/org/freedesktop/secrets/collection/"),
        "keyring entry deleted: {left}"
    );
    assert!(
        stdout(outpost(home.path(), &kr).args(["site", "list"])).contains("no sites registered")
    );
    let err = failure(outpost(home.path(), &kr).args(["site", "show", "lyon-1"]));
    assert!(err.contains("no site named \"lyon-1\""), "{err}");
}

#[test]
fn import_from_stdin_and_bad_input_errors() {
    let kr = Keyring::start();
    let home = tempfile::tempdir().unwrap();
    let err = failure(
        outpost(home.path(), &kr)
            .args(["site", "import", "-"])
            .write_stdin("clusters: [\n"),
    );
    // Where the unclosed bracket opens.
    assert!(err.contains("line 1") && err.contains("unclosed"), "{err}");
    let pki = Pki::new("ca");
    let client = pki.client("admin", Some((2021, 3, 4)));
    let cfg = fill(
        K3S,
        &[
            ("CA_DATA", &b64(&pki.ca_pem)),
            ("CERT_DATA", &b64(&client.cert_pem)),
            ("KEY_DATA", &b64(&client.key_pem)),
        ],
    );
    let err = failure(
        outpost(home.path(), &kr)
            .args([
                "site",
                "import",
                "-",
                "--name",
                "x",
                "--address",
                "127.77.2.2:1",
            ])
            .write_stdin(cfg.clone()),
    );
    assert!(err.contains("expired on 2021-03-04"), "{err}");
    let err = failure(
        outpost(home.path(), &kr)
            .args(["site", "import", "-", "--context", "nope"])
            .write_stdin(cfg),
    );
    assert!(err.contains("available: default"), "{err}");

    let client = pki.client("admin", None);
    let cfg = fill(
        K3S,
        &[
            ("CA_DATA", &b64(&pki.ca_pem)),
            ("CERT_DATA", &b64(&client.cert_pem)),
            ("KEY_DATA", &b64(&client.key_pem)),
        ],
    );
    let out = stdout(
        outpost(home.path(), &kr)
            .args([
                "site",
                "import",
                "-",
                "--name",
                "paste-1",
                "--address",
                "127.77.2.3:1",
                "--tls-timeout",
                "0.5",
            ])
            .write_stdin(cfg),
    );
    assert!(
        out.contains("WARNING   could not check the serving certificate"),
        "{out}"
    );
    assert!(out.contains("imported 1 site(s): paste-1"), "{out}");
}

#[test]
fn scan_and_local() {
    let kr = Keyring::start();
    let home = tempfile::tempdir().unwrap();
    let pki = Pki::new("ca");
    let serving = pki.serving(&["127.77.3.5"]);
    let srv = VersionServer::start(
        "127.77.3.5:0".parse().unwrap(),
        &serving.cert_pem,
        &serving.key_pem,
        "v1.31.4+k3s1",
    )
    .unwrap();
    let port = srv.addr.port().to_string();
    let out =
        stdout(outpost(home.path(), &kr).args(["site", "scan", "127.77.3.0/28", "--ports", &port]));
    assert!(
        out.lines().any(|l| l.starts_with("127.77.3.5")
            && l.contains(&port)
            && l.contains("k3s")
            && l.contains("v1.31.4+k3s1")),
        "{out}"
    );
    let err = failure(outpost(home.path(), &kr).args(["site", "scan", "10.0.0.0/8"]));
    assert!(err.contains("at most a /16"), "{err}");

    let a = home.path().join("a.yaml");
    std::fs::write(&a, "current-context: edge\nclusters:\n- name: c\n  cluster: {server: 'https://10.1.2.3:6443'}\ncontexts:\n- name: edge\n  context: {cluster: c, user: u}\nusers: []\n").unwrap();
    let out = stdout(outpost(home.path(), &kr).args(["site", "local"]).env(
        "KUBECONFIG",
        format!("{}:{}", a.display(), home.path().join("missing").display()),
    ));
    assert!(
        out.lines().any(|l| l.starts_with("edge")
            && l.contains("https://10.1.2.3:6443")
            && l.contains(&a.display().to_string())),
        "{out}"
    );
}

#[test]
fn concurrent_cli_processes_do_not_lose_each_others_edits() {
    use outpost_core::registry::{CredentialKind, CredentialRef, Location, Site, SiteStore};
    let home = tempfile::tempdir().unwrap();
    let store = SiteStore::at(home.path().join("outpost.json"));
    store
        .add(Site {
            name: "edge-1".into(),
            display_name: "Edge 1".into(),
            location: Location::default(),
            tags: vec![],
            contact: None,
            notes: None,
            maintenance_window: None,
            distro: None,
            version: None,
            endpoint: "https://10.0.0.1:6443".into(),
            ca_pem: None,
            insecure_skip_tls_verify: false,
            tls_server_name: None,
            credentials: CredentialRef {
                kind: CredentialKind::Token,
                entries: vec!["edge-1/token".into()],
                username: None,
                exec: None,
                exec_approved: false,
            },
            added_at: None,
        })
        .unwrap();
    // The app keeps its settings in the same file; they must survive the CLI's writes.
    store
        .set_key("settings", serde_json::json!({"theme": "dark"}))
        .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("outpost");
    let children: Vec<_> = (0..8)
        .map(|i| {
            std::process::Command::new(&bin)
                .args(["site", "edit", "edge-1", "--add-tag", &format!("t{i}")])
                .env("OUTPOST_HOME", home.path())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let mut tags = store.get("edge-1").unwrap().tags;
    tags.sort();
    assert_eq!(tags, (0..8).map(|i| format!("t{i}")).collect::<Vec<_>>());
    assert_eq!(store.get_key("settings").unwrap().unwrap()["theme"], "dark");
}
