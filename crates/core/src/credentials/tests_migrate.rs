//! Migration of keyring entries to per-profile ids, over an old-layout store file.

use super::mock::MemoryStore;
use super::*;
use crate::registry::SiteStore;

fn old_layout_store(home: &Home, sites: &[(&str, &[&str])]) {
    let sites: Vec<serde_json::Value> = sites
        .iter()
        .enumerate()
        .map(|(i, (name, entries))| {
            serde_json::json!({
                "name": name,
                "displayName": name,
                "endpoint": format!("https://10.0.0.{}:6443", i + 1),
                "credentials": {"kind": "client-cert", "entries": entries},
            })
        })
        .collect();
    let doc = serde_json::json!({"schemaVersion": 1, "sites": sites});
    std::fs::create_dir_all(home.dir()).unwrap();
    std::fs::write(home.store_file(), serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn old_layout_entries_move_to_the_profiles_ids_once() {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let mem = MemoryStore::default();
    // What an older build wrote: `<site>/<item>` entries, a large key in a blob whose
    // associated data is the old id.
    old_layout_store(
        &home,
        &[("edge-1", &["edge-1/client-cert", "edge-1/client-key"])],
    );
    mem.set("edge-1/client-cert", &Secret::from("CERT"))
        .unwrap();
    let big = Secret::new(vec![b'K'; INLINE_MAX + 100]);
    let key = blob::write(
        &home.secrets_dir().join("edge-1-client-key.enc"),
        "edge-1/client-key",
        &big,
    )
    .unwrap();
    mem.set("edge-1/client-key", &key).unwrap();

    let vault = Vault::new(Box::new(mem.clone()), &home);
    let store = SiteStore::new(&home);
    assert_eq!(migrate(&store, &vault).unwrap(), 1);
    let site = store.get("edge-1").unwrap();
    let cert_id = vault.entry_id("edge-1", Item::ClientCert);
    let key_id = vault.entry_id("edge-1", Item::ClientKey);
    assert_eq!(site.credentials.entries, [cert_id.clone(), key_id.clone()]);
    let mut ids = mem.ids();
    ids.sort();
    let mut want = vec![cert_id, key_id];
    want.sort();
    assert_eq!(ids, want, "the old entries are deleted");
    assert_eq!(
        vault.get_listed(&site, Item::ClientCert).unwrap().expose(),
        b"CERT"
    );
    assert_eq!(vault.get_listed(&site, Item::ClientKey).unwrap(), big);

    // A second open changes nothing and does not rewrite the store file.
    let before = std::fs::metadata(home.store_file())
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(migrate(&store, &vault).unwrap(), 0);
    let after = std::fs::metadata(home.store_file())
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn a_copied_data_directory_gets_its_own_entries_and_leaves_the_originals() {
    let tmp = tempfile::tempdir().unwrap();
    let mem = MemoryStore::default();
    let home_a = Home::at(tmp.path().join("a"), "default").unwrap();
    old_layout_store(&home_a, &[("edge", &["edge/token"])]);
    mem.set("edge/token", &Secret::from("tok")).unwrap();
    let a = Vault::new(Box::new(mem.clone()), &home_a);
    migrate(&SiteStore::new(&home_a), &a).unwrap();

    // `cp -r a b`: b's record lists a's ids.
    let home_b = Home::at(tmp.path().join("b"), "default").unwrap();
    std::fs::create_dir_all(home_b.dir()).unwrap();
    std::fs::copy(home_a.store_file(), home_b.store_file()).unwrap();
    let b = Vault::new(Box::new(mem.clone()), &home_b);
    let store_b = SiteStore::new(&home_b);
    let site_b = store_b.get("edge").unwrap();
    assert!(
        b.get_listed(&site_b, Item::Token).is_err(),
        "not b's id yet"
    );
    assert_eq!(migrate(&store_b, &b).unwrap(), 1);
    let site_b = store_b.get("edge").unwrap();
    assert_eq!(b.get_listed(&site_b, Item::Token).unwrap().expose(), b"tok");
    // Removing the site from the copy leaves the original's credentials.
    b.delete_site("edge").unwrap();
    let site_a = SiteStore::new(&home_a).get("edge").unwrap();
    assert_eq!(a.get_listed(&site_a, Item::Token).unwrap().expose(), b"tok");
}

#[test]
fn a_refusing_keyring_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let mem = MemoryStore::default();
    old_layout_store(&home, &[("edge", &["edge/token"])]);
    mem.set("edge/token", &Secret::from("tok")).unwrap();
    *mem.fail_set_on.lock().unwrap() = Some("/edge/token".into());
    let vault = Vault::new(Box::new(mem.clone()), &home);
    let store = SiteStore::new(&home);
    assert_eq!(
        migrate(&store, &vault).unwrap_err().kind(),
        crate::error::ErrorKind::Storage
    );
    assert_eq!(
        store.get("edge").unwrap().credentials.entries,
        ["edge/token"]
    );
    assert_eq!(
        mem.ids(),
        ["edge/token"],
        "the old entry is kept for the next try"
    );
}
