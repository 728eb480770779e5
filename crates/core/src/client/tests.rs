//! Clients against a server that speaks HTTP/1.1 only (no ALPN): the sweep expects
//! HTTP/2 first, sees the handshake, and reads the site again offering both.

use super::*;
use crate::credentials::mock::MemoryStore;
use crate::credentials::{Item, Vault};
use crate::paths::Home;
use crate::registry::Site;
use crate::secret::Secret;
use crate::testing::{Pki, VersionServer};
use std::sync::Arc;
use std::time::Duration;

fn site(name: &str, endpoint: String, ca_pem: String) -> Site {
    Site {
        display_name: name.into(),
        ca_pem: Some(ca_pem),
        ..crate::registry::sample_site(name, &endpoint)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http1_only_server_is_read_again_offering_both_protocols() {
    let pki = Pki::new("h1-ca");
    let leaf = pki.serving(&["127.0.0.1"]);
    let server = VersionServer::start(
        "127.0.0.1:0".parse().unwrap(),
        &leaf.cert_pem,
        &leaf.key_pem,
        "v1.31.4+k3s1",
    )
    .unwrap();
    let mut s = site(
        "h1-site",
        format!("https://{}", server.addr),
        pki.ca_pem.clone(),
    );
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let vault = Vault::new(Box::new(MemoryStore::default()), &home);
    let id = vault
        .put(&s.name, Item::Token, &Secret::from("tok"))
        .unwrap();
    s.credentials.entries = vec![id];
    let cache = ClientCache::new(Arc::new(vault), Timeouts::default());

    // HTTP/2 only: the connection is refused once the server chose no `h2`.
    assert!(cache.expect_h2(&s.name));
    let c = cache.get_async_for(&s, true).await.unwrap();
    let e = c.requests.apiserver_version().await.unwrap_err();
    assert!(format!("{e:?}").contains("NotHttp2"), "{e:?}");
    let h = cache.handshake(&s.name).expect("the handshake was noted");
    assert!(!h.h2);
    let leaf_der = h.leaf.expect("the serving certificate");
    assert!(crate::import::certs::not_after(&leaf_der).is_ok());
    assert!(!cache.expect_h2(&s.name), "remembered as HTTP/1.1");

    // Offering both: the same client stack speaks HTTP/1.1 to it.
    let c = cache.get_async_for(&s, false).await.unwrap();
    let v = c.requests.apiserver_version().await.unwrap();
    assert_eq!(v.git_version, "v1.31.4+k3s1");

    // The sweep does both steps itself: a fresh cache expects HTTP/2, falls back, and
    // gets as far as the lists (which this server refuses).
    let vault = Vault::new(Box::new(MemoryStore::default()), &home);
    vault
        .put(&s.name, Item::Token, &Secret::from("tok"))
        .unwrap();
    let cache = ClientCache::new(Arc::new(vault), Timeouts::default());
    let e = crate::health::sweep(&s, &cache, Duration::from_secs(5))
        .await
        .unwrap_err();
    // An HTTP answer (this server has no lists), not a connection failure.
    assert!(!e.kind().is_offline(), "{e}");
    assert!(!cache.expect_h2(&s.name));
}
