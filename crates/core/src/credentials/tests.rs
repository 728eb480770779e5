//! Vault tests against the in-memory store.

use super::mock::MemoryStore;
use super::*;

fn vault() -> (tempfile::TempDir, MemoryStore, Vault) {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let mem = MemoryStore::default();
    let v = Vault::new(Box::new(mem.clone()), &home);
    (tmp, mem, v)
}

#[test]
fn small_secrets_go_straight_to_the_store() {
    let (tmp, mem, v) = vault();
    let id = v
        .put("edge-1", Item::Token, &Secret::from("tok-123"))
        .unwrap();
    assert_eq!(id, format!("{}/edge-1/token", v.install()));
    assert_eq!(mem.ids(), std::slice::from_ref(&id));
    assert_eq!(v.get("edge-1", Item::Token).unwrap().expose(), b"tok-123");
    assert!(!tmp.path().join("secrets").exists());
    v.delete("edge-1", Item::Token).unwrap();
    let e = v.get("edge-1", Item::Token).unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Auth);
    assert!(e.to_string().contains(&id));
}

#[test]
fn large_secrets_are_encrypted_in_a_file_with_the_key_in_the_store() {
    let (tmp, mem, v) = vault();
    let big: String = "K".repeat(INLINE_MAX + 1000);
    v.put("edge-1", Item::ClientKey, &Secret::from(big.as_str()))
        .unwrap();
    let path = tmp.path().join("secrets/edge-1-client-key.enc");
    let file = std::fs::read(&path).unwrap();
    assert!(!file.windows(64).any(|w| w == &big.as_bytes()[..64]));
    let key_id = v.entry_id("edge-1", Item::ClientKey);
    let stored = mem.entries.lock().unwrap()[&key_id].clone();
    assert!(stored.len() < 100, "only the data key is in the keyring");
    assert!(stored.expose().starts_with(b"outpost-blob-v1:"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(
        v.get("edge-1", Item::ClientKey).unwrap().expose(),
        big.as_bytes()
    );
    // A tampered file is refused.
    let mut bad = file.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    std::fs::write(&path, &bad).unwrap();
    let e = v.get("edge-1", Item::ClientKey).unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Storage);
    // A blob moved to another item does not decrypt (the entry id is bound in).
    std::fs::write(&path, &file).unwrap();
    std::fs::copy(&path, tmp.path().join("secrets/edge-1-client-cert.enc")).unwrap();
    let key = mem.entries.lock().unwrap()[&key_id].clone();
    mem.set(&v.entry_id("edge-1", Item::ClientCert), &key)
        .unwrap();
    assert!(v.get("edge-1", Item::ClientCert).is_err());
    v.delete_site("edge-1").unwrap();
    assert!(!path.exists());
    assert!(mem.ids().is_empty());
}

#[test]
fn failed_store_write_leaves_no_blob() {
    let (tmp, mem, v) = vault();
    *mem.fail_set_on.lock().unwrap() = Some("client-key".into());
    let big = Secret::new(vec![b'x'; INLINE_MAX * 2]);
    assert!(v.put("edge-1", Item::ClientKey, &big).is_err());
    assert!(!tmp.path().join("secrets/edge-1-client-key.enc").exists());
}

#[test]
fn entry_ids_round_trip_and_reject_garbage() {
    let id = entry_id("0123456789abcdef", "edge-1", Item::ClientCert);
    assert_eq!(
        parse_entry_id(&id).unwrap(),
        EntryId {
            install: Some("0123456789abcdef".into()),
            site: "edge-1".into(),
            item: Item::ClientCert
        }
    );
    assert_eq!(
        parse_entry_id("edge-1/token").unwrap().install,
        None,
        "the old layout still parses, for the migration"
    );
    for bad in [
        "edge-1",
        "edge-1/secret",
        "../x/token",
        "A/token",
        "0123456789ABCDEF/edge-1/token",
        "nothex/edge-1/token",
        "0123456789abcdef/edge-1/token/x",
    ] {
        assert_eq!(
            parse_entry_id(bad).unwrap_err().kind(),
            crate::error::ErrorKind::InvalidInput
        );
    }
}

#[test]
fn a_reader_reads_what_get_reads_over_one_session() {
    let (_tmp, mem, v) = vault();
    v.put("edge-1", Item::Token, &Secret::from("tok-1"))
        .unwrap();
    let big: String = "K".repeat(INLINE_MAX + 10);
    v.put("edge-1", Item::ClientKey, &Secret::from(big.as_str()))
        .unwrap();
    let mut r = v.reader();
    assert_eq!(r.get("edge-1", Item::Token).unwrap().expose(), b"tok-1");
    assert_eq!(
        r.get("edge-1", Item::ClientKey).unwrap().expose(),
        big.as_bytes(),
        "large items come back decrypted from their blob"
    );
    let missing = r.get("edge-2", Item::Token).unwrap_err();
    let by_get = v.get("edge-2", Item::Token).unwrap_err();
    assert_eq!(missing.kind(), crate::error::ErrorKind::Auth);
    assert_eq!(missing.to_string(), by_get.to_string());
    drop(r);
    assert_eq!(
        mem.counts(),
        (4, 1),
        "three reads in one session, one by get"
    );
}

#[test]
fn the_same_site_in_two_profiles_or_homes_has_separate_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let mem = MemoryStore::default();
    let a = Vault::new(
        Box::new(mem.clone()),
        &Home::at(tmp.path(), "default").unwrap(),
    );
    let b = Vault::new(
        Box::new(mem.clone()),
        &Home::at(tmp.path(), "work").unwrap(),
    );
    let other = tmp.path().join("other-home");
    let c = Vault::new(Box::new(mem.clone()), &Home::at(&other, "default").unwrap());
    assert_ne!(a.install(), b.install());
    assert_ne!(a.install(), c.install());
    assert_eq!(
        a.install(),
        Vault::new(
            Box::new(mem.clone()),
            &Home::at(tmp.path(), "default").unwrap()
        )
        .install(),
        "stable for the same data directory and profile"
    );
    a.put("edge", Item::Token, &Secret::from("a-token"))
        .unwrap();
    b.put("edge", Item::Token, &Secret::from("b-token"))
        .unwrap();
    c.put("edge", Item::Token, &Secret::from("c-token"))
        .unwrap();
    assert_eq!(mem.ids().len(), 3);
    a.delete_site("edge").unwrap();
    assert_eq!(b.get("edge", Item::Token).unwrap().expose(), b"b-token");
    assert_eq!(c.get("edge", Item::Token).unwrap().expose(), b"c-token");
    assert_eq!(
        a.get("edge", Item::Token).unwrap_err().kind(),
        crate::error::ErrorKind::Auth
    );
}

#[test]
fn a_site_reads_only_the_entries_its_record_lists() {
    let (_tmp, _mem, v) = vault();
    let id = v.put("edge", Item::Token, &Secret::from("stray")).unwrap();
    let mut site = crate::registry::sample_site("edge", "https://10.0.0.5:6443");
    site.credentials.entries.clear();
    let e = v.get_listed(&site, Item::Token).unwrap_err();
    assert!(matches!(e, CredentialError::NotListed { .. }), "{e:?}");
    assert_eq!(e.kind(), crate::error::ErrorKind::Auth);
    assert!(v.reader().get_listed(&site, Item::Token).is_err());
    // Listing another profile's id does not read this profile's entry either.
    site.credentials.entries = vec![format!("fedcba9876543210/edge/token")];
    assert!(v.get_listed(&site, Item::Token).is_err());
    site.credentials.entries = vec![id];
    assert_eq!(v.get_listed(&site, Item::Token).unwrap().expose(), b"stray");
    assert_eq!(
        v.reader().get_listed(&site, Item::Token).unwrap().expose(),
        b"stray"
    );
}
