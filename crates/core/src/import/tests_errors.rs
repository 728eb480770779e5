//! Import error cases: expired certificates, insecure opt-in, bad YAML, missing files.

use super::tests::*;
use super::*;
use crate::testing::Pki;

#[tokio::test]
async fn expired_client_certificate_is_named_with_its_date() {
    let pki = Pki::new("ca");
    let client = pki.client("admin", Some((2021, 3, 4)));
    let port = closed_port("127.77.1.6");
    let e = plan(
        &text(k3s(&pki, &client)),
        &opts("edge", &format!("127.77.1.6:{port}")),
        &[],
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Auth);
    assert!(e.to_string().contains("2021-03-04"), "{e}");
}

#[tokio::test]
async fn insecure_skip_tls_verify_needs_the_opt_in() {
    let pki = Pki::new("ca");
    let client = pki.client("admin", None);
    let cfg = k3s(&pki, &client).replace(
        "    server:",
        "    insecure-skip-tls-verify: true\n    server:",
    );
    let mut o = opts("edge", &format!("127.77.1.7:{}", closed_port("127.77.1.7")));
    let e = plan(&text(cfg.clone()), &o, &[]).await.unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Denied);
    assert!(e.to_string().contains("--insecure-skip-tls-verify"));
    o.insecure_skip_tls_verify = true;
    let p = plan(&text(cfg), &o, &[]).await.unwrap();
    assert!(p.sites[0].site.insecure_skip_tls_verify);
    assert!(matches!(p.sites[0].san_check, SanCheck::Skipped { .. }));
    assert!(
        p.sites[0]
            .warnings
            .iter()
            .any(|w| w.contains("TLS verification is OFF"))
    );
}

#[tokio::test]
async fn bad_input_gives_clear_typed_errors() {
    let e = plan(
        &text("clusters: [\n".into()),
        &ImportOptions::default(),
        &[],
    )
    .await
    .unwrap_err();
    // Where the unclosed bracket opens.
    assert!(
        matches!(e, ImportError::Yaml { line: 1, column: 11, ref message, .. } if message.contains("unclosed")),
        "{e:?}"
    );
    let pki = Pki::new("ca");
    let client = pki.client("admin", None);
    let o = ImportOptions {
        selection: Selection::Context("nope".into()),
        ..Default::default()
    };
    let e = plan(&text(k3s(&pki, &client)), &o, &[]).await.unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::NotFound);
    assert!(e.to_string().contains("available: default"), "{e}");
    // A generic K3s name on loopback needs --name.
    let e = plan(&text(k3s(&pki, &client)), &ImportOptions::default(), &[])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("--name"), "{e}");
    let e = plan(
        &Input::Path("/nonexistent/k.yaml".into()),
        &ImportOptions::default(),
        &[],
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/k.yaml"));
}

#[tokio::test]
async fn same_endpoint_under_another_name_is_refused() {
    let pki = Pki::new("ca");
    let client = pki.client("admin", None);
    let addr = format!("127.77.1.10:{}", closed_port("127.77.1.10"));
    let first = plan(&text(k3s(&pki, &client)), &opts("a", &addr), &[])
        .await
        .unwrap();
    let existing = vec![first.sites[0].site.clone()];
    let e = plan(&text(k3s(&pki, &client)), &opts("b", &addr), &existing)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::AlreadyExists);
    assert!(e.to_string().contains("endpoint"), "{e}");
}
