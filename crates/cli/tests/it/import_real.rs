//! `outpost site import` of the kubeconfigs real K3s and MicroK8s write, against real sites
//! (outpost-testbed): the K3s one says `default` everywhere and `https://127.0.0.1:6443`,
//! so it is renamed and its address rewritten to where the site answers; the serving
//! certificate is checked to cover that address; credentials go to the real Secret Service
//! (a private gnome-keyring); the imported sites then answer `outpost status`.
//!
//! Skipped (with a message) when the test bed binaries are missing and
//! OUTPOST_REQUIRE_TESTBED is unset; `make test` sets it.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Keyring, outpost, run_ok};
use outpost_testbed::kubeconfig::{k3s_shaped, microk8s_shaped};
use outpost_testbed::{Binaries, Testbed, TestbedConfig};
use serde_json::Value;
use std::path::Path;

#[test]
fn import_k3s_and_microk8s_kubeconfigs_of_real_sites() {
    let Some(bins) = Binaries::for_tests("import_real") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfg = TestbedConfig {
        k3s: 1,
        microk8s: 1,
        seed: 9,
        dir: None,
    };
    let bed = rt.block_on(Testbed::start(cfg, &bins)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let kr = Keyring::start();
    let (k3s, mk8s) = (&bed.sites[0], &bed.sites[1]);

    // K3s: /etc/rancher/k3s/k3s.yaml as copied off the node.
    let k3s_yaml = tmp.path().join("k3s.yaml");
    std::fs::write(
        &k3s_yaml,
        serde_json::to_string_pretty(&k3s_shaped(&k3s.entry())).unwrap(),
    )
    .unwrap();
    let addr = format!("{}:6443", k3s.ip);
    let import = |file: &Path, name: &str, address: Option<&str>, extra: &[&str]| {
        let mut c = outpost(&home, &kr);
        c.args(["site", "import"]).arg(file).args(["--name", name]);
        if let Some(a) = address {
            c.args(["--address", a]);
        }
        c.args(extra);
        run_ok(&mut c)
    };
    let plan = import(&k3s_yaml, "real-k3s", Some(&addr), &["--dry-run"]);
    assert!(
        plan.contains(&format!("https://127.0.0.1:6443 -> https://{addr}")),
        "{plan}"
    );
    assert!(
        plan.contains(&format!("serving certificate covers {}", k3s.ip)),
        "{plan}"
    );
    let json: Value = serde_json::from_str(&import(
        &k3s_yaml,
        "real-k3s",
        Some(&addr),
        &["--dry-run", "--json"],
    ))
    .unwrap();
    assert!(json.to_string().contains("\"covered\""), "{json}");
    let out = import(&k3s_yaml, "real-k3s", Some(&addr), &[]);
    assert!(
        out.contains("imported 1 site(s): real-k3s (credentials in the secret-service keyring)"),
        "{out}"
    );
    let install = outpost_core::credentials::install_id(
        &outpost_core::paths::Home::at(&home, "default").unwrap(),
    );
    assert!(
        kr.items(&format!("{install}/real-k3s/client-key"))
            .contains("/org/freedesktop/secrets/collection/")
    );

    // MicroK8s: `microk8s config` output, already on the node's address.
    let mk8s_yaml = tmp.path().join("microk8s.yaml");
    std::fs::write(
        &mk8s_yaml,
        serde_json::to_string_pretty(&microk8s_shaped(&mk8s.entry())).unwrap(),
    )
    .unwrap();
    let out = import(&mk8s_yaml, "real-microk8s", None, &[]);
    assert!(out.contains("imported 1 site(s): real-microk8s"), "{out}");
    let show: Value = serde_json::from_str(&run_ok(outpost(&home, &kr).args([
        "site",
        "show",
        "real-microk8s",
        "--json",
    ])))
    .unwrap();
    let entries = show["credentials"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{show}");
    let store = std::fs::read_to_string(home.join("outpost.json")).unwrap();
    assert!(
        !store.contains(mk8s.pki.token.as_deref().unwrap()),
        "token kept out of the store"
    );

    // Both answer, with the distro detected from the real site.
    let status: Value = serde_json::from_str(&run_ok(outpost(&home, &kr).args([
        "status",
        "--json",
        "--timeout",
        "10",
    ])))
    .unwrap();
    for (name, distro, version) in [
        ("real-k3s", "k3s", &k3s.spec.version),
        ("real-microk8s", "microk8s", &mk8s.spec.version),
    ] {
        let s = status
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap();
        assert_eq!(s["reach"], "reachable", "{s}");
        assert_eq!(s["distro"], distro, "{s}");
        assert_eq!(s["version"], version.as_str(), "{s}");
    }
    drop(bed);
}
