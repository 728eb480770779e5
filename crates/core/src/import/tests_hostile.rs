//! Hostile kubeconfigs: file references outside their folder, devices, huge files,
//! exec plugins approved by hash only, proxies, YAML bombs.

use super::tests::*;
use super::*;
use crate::testing::{Pki, b64};
use std::path::Path;

/// A token kubeconfig for an unreachable loopback server; `user` is the user's YAML.
fn token_config(pki: &Pki, ip: &str, user: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: edge\nclusters:\n- name: edge\n  cluster:\n    \
         certificate-authority-data: {}\n    server: https://{ip}:{}\ncontexts:\n- name: edge\n  \
         context: {{cluster: edge, user: edge}}\nusers:\n- name: edge\n  user:\n{user}\n",
        b64(&pki.ca_pem),
        closed_port(ip)
    )
}

fn quick() -> ImportOptions {
    ImportOptions {
        tls_timeout: std::time::Duration::from_millis(300),
        ..Default::default()
    }
}

/// `root/kc/config` naming `token_file`; returns the config's path.
fn config_in(root: &Path, user: &str) -> std::path::PathBuf {
    let dir = root.join("kc");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("config");
    std::fs::write(&p, token_config(&Pki::new("ca"), "127.77.2.1", user)).unwrap();
    p
}

#[tokio::test]
async fn pasted_text_cannot_reference_any_file() {
    let pki = Pki::new("ca");
    for user in [
        "    token-file: /etc/hostname",
        "    tokenFile: token",
        "    client-certificate: c.crt\n    client-key: c.key",
    ] {
        let e = plan(&text(token_config(&pki, "127.77.2.2", user)), &quick(), &[])
            .await
            .unwrap_err();
        assert!(
            matches!(e, ImportError::FileRefRefused { .. }),
            "{user}: {e:?}"
        );
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("pasted"), "{e}");
    }
}

#[tokio::test]
async fn a_file_outside_the_kubeconfigs_folder_needs_its_exact_path_approved() {
    let tmp = tempfile::tempdir().unwrap();
    // `../../x` from the kubeconfig's folder: the user's home in the example.
    std::fs::write(tmp.path().join("vault-token"), "hvs.secret-vault-token\n").unwrap();
    let p = config_in(tmp.path(), "    token-file: ../vault-token");
    let e = plan(&Input::Path(p.clone()), &quick(), &[])
        .await
        .unwrap()
        .require_files_approved()
        .unwrap_err();
    let outside = std::fs::canonicalize(tmp.path().join("vault-token")).unwrap();
    let ImportError::FileRefNeedsApproval { path, field, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!((path, *field), (&outside, "tokenFile"));
    assert_eq!(e.kind(), crate::error::ErrorKind::Denied);
    assert!(e.to_string().contains("--allow-file"), "{e}");
    assert!(!e.to_string().contains("hvs."), "{e}");

    // Approving another path changes nothing; approving this one reads it.
    let mut o = quick();
    o.allowed_files = vec![tmp.path().join("other")];
    let still = plan(&Input::Path(p.clone()), &o, &[]).await.unwrap();
    assert_eq!(
        still.require_files_approved().unwrap_err().kind(),
        crate::error::ErrorKind::Denied
    );
    assert!(still.sites[0].secrets.is_empty(), "not read while pending");
    o.allowed_files = vec![outside.clone()];
    let planned = plan(&Input::Path(p), &o, &[]).await.unwrap();
    let s = &planned.sites[0];
    assert_eq!(s.file_refs.len(), 1);
    let f = &s.file_refs[0];
    assert_eq!(
        (f.field, f.kind, &f.path, f.size, f.outside, f.approved),
        ("tokenFile", FileKind::Token, &outside, 23, true, true)
    );
    assert_eq!(
        s.secrets[0].1.expose(),
        b"hvs.secret-vault-token",
        "read once approved"
    );

    // Inside its own folder: read without approval, and shown.
    let q = config_in(tmp.path(), "    token-file: token");
    std::fs::write(q.parent().unwrap().join("token"), "tok").unwrap();
    let planned = plan(&Input::Path(q), &quick(), &[]).await.unwrap();
    let f = &planned.sites[0].file_refs[0];
    assert!(!f.approved && !f.outside && f.approval.is_none());
    assert!(f.path.ends_with("kc/token"));
}

/// The wizard's way: the preview lists the outside file (path, kind, size) with a
/// hash; only that hash approves it, and apply refuses while it is not approved.
#[tokio::test]
async fn the_preview_lists_outside_files_and_only_their_hashes_approve_them() {
    let env = env();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("vault-token"), "hvs.secret-vault-token\n").unwrap();
    std::fs::write(tmp.path().join("ca.crt"), Pki::new("ca").ca_pem).unwrap();
    let user = "    token-file: ../vault-token";
    let p = config_in(tmp.path(), user);
    let outside = std::fs::canonicalize(tmp.path().join("vault-token")).unwrap();

    // Preview: listed, not read, and apply refuses with the clear error.
    let preview = plan(&Input::Path(p.clone()), &quick(), &[]).await.unwrap();
    let f = preview.sites[0].file_refs[0].clone();
    assert_eq!(
        (f.kind, &f.path, f.size, f.outside, f.approved),
        (FileKind::Token, &outside, 23, true, false)
    );
    assert_eq!(preview.pending_files().len(), 1);
    assert!(
        preview.sites[0].secrets.is_empty(),
        "not read before approval"
    );
    let hash = f
        .approval
        .clone()
        .expect("an outside file has an approval hash");
    let e = apply(preview, &env.store, &env.vault).unwrap_err();
    assert!(
        matches!(e, ImportError::FileRefNeedsApproval { .. }),
        "{e:?}"
    );
    assert!(env.store.list().unwrap().is_empty(), "nothing written");

    // A hash of anything else (another path, a made-up one) refuses the whole import.
    let mut o = quick();
    o.approved_files = vec!["0".repeat(64)];
    let e = plan(&Input::Path(p.clone()), &o, &[]).await.unwrap_err();
    assert!(
        matches!(e, ImportError::FileApprovalMismatch { .. }),
        "{e:?}"
    );
    assert_eq!(e.kind(), crate::error::ErrorKind::Denied);
    let other = config_in(tmp.path(), "    token-file: ../ca.crt");
    let other_hash = plan(&Input::Path(other), &quick(), &[])
        .await
        .unwrap()
        .sites[0]
        .file_refs[0]
        .approval
        .clone()
        .unwrap();
    let p = config_in(tmp.path(), user);
    o.approved_files = vec![other_hash];
    let e = plan(&Input::Path(p.clone()), &o, &[]).await.unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Denied, "{e}");

    // The file changed since the preview (its size): the old hash no longer approves.
    std::fs::write(tmp.path().join("vault-token"), "hvs.another-token\n").unwrap();
    o.approved_files = vec![hash.clone()];
    let e = plan(&Input::Path(p.clone()), &o, &[]).await.unwrap_err();
    assert!(
        matches!(e, ImportError::FileApprovalMismatch { .. }),
        "{e:?}"
    );
    std::fs::write(tmp.path().join("vault-token"), "hvs.secret-vault-token\n").unwrap();

    // The hash shown approves exactly that file: read, and the import applies.
    let approved = plan(&Input::Path(p), &o, &[]).await.unwrap();
    assert!(approved.pending_files().is_empty());
    assert!(approved.sites[0].file_refs[0].approved);
    assert_eq!(
        approved.sites[0].secrets[0].1.expose(),
        b"hvs.secret-vault-token"
    );
    assert_eq!(apply(approved, &env.store, &env.vault).unwrap(), ["edge"]);
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlink_in_the_folder_pointing_outside_needs_approval() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("secret"), "s").unwrap();
    let p = config_in(tmp.path(), "    token-file: link");
    std::os::unix::fs::symlink(tmp.path().join("secret"), p.parent().unwrap().join("link"))
        .unwrap();
    let planned = plan(&Input::Path(p), &quick(), &[]).await.unwrap();
    let e = planned.require_files_approved().unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Denied, "{e}");
}

#[cfg(unix)]
#[tokio::test]
async fn devices_and_huge_files_fail_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let p = config_in(tmp.path(), "    token-file: /dev/zero");
    let mut o = quick();
    o.allowed_files = vec!["/dev/zero".into()];
    let started = std::time::Instant::now();
    let e = plan(&Input::Path(p), &o, &[]).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(matches!(e, ImportError::FileRefRefused { .. }), "{e:?}");
    assert!(e.to_string().contains("not a regular file"), "{e}");

    let p = config_in(tmp.path(), "    token-file: big");
    let big = p.parent().unwrap().join("big");
    std::fs::write(&big, vec![b'a'; MAX_REF_BYTES as usize + 1]).unwrap();
    let e = plan(&Input::Path(p), &quick(), &[]).await.unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");

    // The kubeconfig itself: a device is refused too.
    let e = plan(&Input::Path("/dev/zero".into()), &quick(), &[])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
}

#[tokio::test]
async fn exec_plugins_are_approved_by_the_hash_of_their_command_line_only() {
    let pki = Pki::new("ca");
    let exec = |arg: &str, seed: &str| {
        format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: get-token\n      \
             args: [\"--cluster\", \"{arg}\"]\n      env:\n      - name: SEED\n        value: {seed}"
        )
    };
    let mut p = plan(
        &text(token_config(&pki, "127.77.2.3", &exec("dev", "s1"))),
        &quick(),
        &[],
    )
    .await
    .unwrap();
    let shown = p.sites[0].exec.clone().expect("the plugin is shown");
    assert_eq!(shown.command_line(), "SEED=… get-token --cluster dev");
    assert_eq!(shown.env_names, ["SEED"]);
    assert!(p.sites[0].exec_needs_approval);
    assert!(
        !p.sites[0].site.credentials.exec_approved,
        "never approved by default"
    );

    // A hash of anything else refuses the import and approves nothing.
    let e = p.approve_exec(&["0".repeat(64)]).unwrap_err();
    assert!(
        matches!(e, ImportError::ExecApprovalMismatch { .. }),
        "{e:?}"
    );
    assert_eq!(e.kind(), crate::error::ErrorKind::Denied);
    assert!(!p.sites[0].site.credentials.exec_approved);

    // Another argument or another env value: another hash.
    for (arg, seed) in [("prod", "s1"), ("dev", "s2")] {
        let other = plan(
            &text(token_config(&pki, "127.77.2.3", &exec(arg, seed))),
            &quick(),
            &[],
        )
        .await
        .unwrap();
        assert_ne!(other.sites[0].exec.as_ref().unwrap().hash, shown.hash);
    }
    assert!(!shown.hash.contains("s1"));

    p.approve_exec(std::slice::from_ref(&shown.hash)).unwrap();
    assert!(p.sites[0].site.credentials.exec_approved);
    assert!(!p.sites[0].exec_needs_approval);
}

#[tokio::test]
async fn proxy_url_is_refused_not_ignored() {
    let pki = Pki::new("ca");
    let cfg = token_config(&pki, "127.77.2.4", "    token: t").replace(
        "    server:",
        "    proxy-url: socks5://127.0.0.1:1080\n    server:",
    );
    let e = plan(&text(cfg), &quick(), &[]).await.unwrap_err();
    assert!(matches!(e, ImportError::ProxyUnsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("socks5://127.0.0.1:1080"), "{e}");
}

#[tokio::test]
async fn yaml_bombs_and_huge_documents_fail_fast_without_quoting_the_text() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i", "j"])
    {
        let list = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{list}]\n"));
    }
    // An ignored field takes anything, so only the budget stops the expansion.
    bomb.push_str("users:\n- name: u\n  user:\n    auth-provider: *j\n");
    let started = std::time::Instant::now();
    let e = plan(&text(bomb), &quick(), &[]).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{e}");
    assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput, "{e}");

    let huge = format!(
        "clusters: []\n#{}\n",
        "x".repeat(kubeconfig::MAX_KUBECONFIG_BYTES)
    );
    let e = plan(&text(huge), &quick(), &[]).await.unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");

    // A wrong type next to a secret: the message names the type, never the value.
    let e = plan(
        &text("users:\n- name: u\n  user:\n    token: [\"tok-very-secret\"]\n".into()),
        &quick(),
        &[],
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ImportError::Yaml { .. }), "{e:?}");
    assert!(!e.to_string().contains("tok-very-secret"), "{e}");
}
