//! The migration of old-layout keyring entries (`<site>/<item>`) to per-profile ids
//! (`<install>/<site>/<item>`) against the REAL Secret Service (gnome-keyring), read
//! back over one batch session.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test keyring_migrate`.
#![cfg(target_os = "linux")]

use outpost_core::credentials::{CredentialStore, Item, KeyringStore, Vault, migrate};
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::secret::Secret;

fn secret_service() -> KeyringStore {
    let addr = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    assert!(
        !addr.is_empty(),
        "no session bus: run under scripts/with-keyring.sh"
    );
    let ss = KeyringStore::secret_service();
    if let Err(e) = ss.get("outpost-probe") {
        panic!("no Secret Service answers on {addr} ({e}): run under scripts/with-keyring.sh");
    }
    ss
}

#[test]
fn old_layout_entries_move_to_each_profiles_own_ids() {
    let ss = secret_service();
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    let site = format!("kmig-{:08x}", t.subsec_nanos() ^ std::process::id());
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    std::fs::create_dir_all(home.dir()).unwrap();
    // What an older build left: the store lists `<site>/<item>` entries.
    let legacy = [format!("{site}/client-cert"), format!("{site}/client-key")];
    let doc = serde_json::json!({
        "schemaVersion": 1,
        "sites": [{
            "name": site, "displayName": site, "endpoint": "https://10.1.2.3:6443",
            "credentials": {"kind": "client-cert", "entries": legacy},
        }],
    });
    std::fs::write(home.store_file(), doc.to_string()).unwrap();
    ss.set(&legacy[0], &Secret::from("CERT-PEM")).unwrap();
    ss.set(&legacy[1], &Secret::from("KEY-PEM")).unwrap();

    let vault = Vault::new(Box::new(secret_service()), &home);
    let store = SiteStore::new(&home);
    assert_eq!(migrate(&store, &vault).unwrap(), 1);
    let rec = store.get(&site).unwrap();
    assert_eq!(
        rec.credentials.entries,
        [
            vault.entry_id(&site, Item::ClientCert),
            vault.entry_id(&site, Item::ClientKey)
        ]
    );
    for id in &legacy {
        assert!(ss.get(id).unwrap().is_none(), "{id} deleted");
    }
    // Another profile's vault on the same keyring does not see them.
    let work = Vault::new(
        Box::new(secret_service()),
        &Home::at(tmp.path(), "work").unwrap(),
    );
    assert!(work.get(&site, Item::ClientKey).is_err());
    // Read back over one session, as the health engine does.
    {
        let mut r = vault.reader();
        assert_eq!(
            r.get_listed(&rec, Item::ClientCert).unwrap().expose(),
            b"CERT-PEM"
        );
        assert_eq!(
            r.get_listed(&rec, Item::ClientKey).unwrap().expose(),
            b"KEY-PEM"
        );
    }
    assert_eq!(migrate(&store, &vault).unwrap(), 0, "once only");
    vault.delete_site(&site).unwrap();
    assert!(vault.get(&site, Item::ClientCert).is_err());
}
