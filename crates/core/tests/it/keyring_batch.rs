//! Batch reads ([`Vault::reader`]: one Secret Service connection and session for many
//! entries) against the REAL Secret Service (gnome-keyring): they must find exactly what
//! the `keyring` crate's per-entry reads find.
//!
//! Also the migration of old-layout entries (`<site>/<item>`) to per-profile ids
//! (`<install>/<site>/<item>`), read back over one batch session.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it keyring_batch::`.
#![cfg(target_os = "linux")]

use dbus_secret_service::{EncryptionType, SecretService};
use outpost_core::credentials::{
    CredentialStore, INLINE_MAX, Item, KeyringStore, SERVICE, Vault, migrate,
};
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::secret::Secret;
use std::collections::HashMap;
use std::time::Duration;

/// The lock test locks the shared collection: the tests here run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

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

fn unique(prefix: &str) -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    format!("{prefix}-{:08x}", t.subsec_nanos() ^ std::process::id())
}

#[test]
fn a_batch_reads_what_keyring_wrote_like_per_entry_reads() {
    let _serial = serial();
    let store = secret_service();
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let vault = Vault::new(Box::new(store), &home);
    let sites: Vec<String> = (0..3).map(|i| unique(&format!("kb{i}"))).collect();
    let big = Secret::new(vec![b'k'; INLINE_MAX + 100]);
    for (i, s) in sites.iter().enumerate() {
        vault
            .put(s, Item::Token, &Secret::from(format!("token-{i}").as_str()))
            .unwrap();
        vault.put(s, Item::ClientKey, &big).unwrap();
    }
    // An item keyring v1 (or another tool) wrote without a `target` attribute, in the
    // default collection: keyring's per-entry read finds it through its legacy search.
    let legacy = unique("kblegacy");
    let legacy_id = vault.entry_id(&legacy, Item::Token);
    let ss = SecretService::connect(EncryptionType::Dh).unwrap();
    let attrs = HashMap::from([
        ("service", SERVICE),
        ("username", legacy_id.as_str()),
        ("application", "rust-keyring"),
    ]);
    ss.get_default_collection()
        .unwrap()
        .create_item("legacy", attrs, b"legacy-token", true, "text/plain")
        .unwrap();

    let mut r = vault.reader();
    for (i, s) in sites.iter().enumerate() {
        let want = format!("token-{i}");
        assert_eq!(r.get(s, Item::Token).unwrap().expose(), want.as_bytes());
        assert_eq!(vault.get(s, Item::Token).unwrap().expose(), want.as_bytes());
        assert_eq!(r.get(s, Item::ClientKey).unwrap(), big);
    }
    assert_eq!(
        r.get(&legacy, Item::Token).unwrap().expose(),
        b"legacy-token"
    );
    assert_eq!(
        vault.get(&legacy, Item::Token).unwrap().expose(),
        b"legacy-token"
    );
    // Missing: the same error either way.
    let by_batch = r.get(&sites[0], Item::Password).unwrap_err();
    let by_entry = vault.get(&sites[0], Item::Password).unwrap_err();
    assert_eq!(by_batch.kind(), outpost_core::error::ErrorKind::Auth);
    assert_eq!(by_batch.to_string(), by_entry.to_string());
    drop(r);

    for s in &sites {
        vault.delete_site(s).unwrap();
    }
    vault.delete_site(&legacy).unwrap();
    let mut r = vault.reader();
    assert_eq!(
        r.get(&sites[1], Item::Token).unwrap_err().kind(),
        outpost_core::error::ErrorKind::Auth
    );
    assert_eq!(
        r.get(&legacy, Item::Token).unwrap_err().kind(),
        outpost_core::error::ErrorKind::Auth
    );
}

#[test]
fn a_batch_is_faster_than_per_entry_reads() {
    let _serial = serial();
    let store = secret_service();
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let vault = Vault::new(Box::new(store), &home);
    let sites: Vec<String> = (0..20).map(|i| unique(&format!("kf{i}"))).collect();
    for s in &sites {
        vault.put(s, Item::Token, &Secret::from("t")).unwrap();
    }
    let t = std::time::Instant::now();
    for s in &sites {
        vault.get(s, Item::Token).unwrap();
    }
    let each = t.elapsed();
    let t = std::time::Instant::now();
    let mut r = vault.reader();
    for s in &sites {
        r.get(s, Item::Token).unwrap();
    }
    drop(r);
    let batch = t.elapsed();
    for s in &sites {
        vault.delete_site(s).unwrap();
    }
    eprintln!("20 reads: {each:?} entry by entry, {batch:?} in one session");
    assert!(batch < each, "batch {batch:?} vs entry by entry {each:?}");
}

/// A locked collection: the batch asks the Secret Service to unlock the item, as
/// keyring does, and ends the same way as a per-entry read (here, with no prompter on
/// the private bus, the prompt is dismissed: "denied"). The collection is unlocked
/// again with the test keyring's password afterwards.
#[test]
fn a_locked_collection_is_handled_like_per_entry_reads() {
    let _serial = serial();
    let store = secret_service();
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let vault = Vault::new(Box::new(store), &home);
    let site = unique("kblock");
    vault.put(&site, Item::Token, &Secret::from("t")).unwrap();
    let ss = SecretService::connect(EncryptionType::Dh).unwrap();
    let coll = ss.get_default_collection().unwrap();
    coll.lock().unwrap();
    assert!(coll.is_locked().unwrap());

    let run = |batch: bool| {
        let (tx, rx) = std::sync::mpsc::channel();
        let home = home.clone();
        let site = site.clone();
        std::thread::spawn(move || {
            let vault = Vault::new(Box::new(KeyringStore::secret_service()), &home);
            let r = if batch {
                vault.reader().get(&site, Item::Token)
            } else {
                vault.get(&site, Item::Token)
            };
            let _ = tx.send(r.map(|s| s.expose().to_vec()).map_err(|e| e.kind()));
        });
        rx.recv_timeout(Duration::from_secs(20))
    };
    let by_entry = run(false);
    let by_batch = run(true);
    // Unlock for the other tests whatever happened.
    let unlock = unlock_with_password(&coll.path);
    eprintln!("locked collection: per entry {by_entry:?}, batch {by_batch:?}; unlock {unlock:?}");
    assert!(
        !coll.is_locked().unwrap(),
        "the test keyring unlocked again"
    );
    assert_eq!(
        by_batch.is_ok(),
        by_entry.is_ok(),
        "both finish or both hang on the prompt"
    );
    if let (Ok(a), Ok(b)) = (&by_entry, &by_batch) {
        assert_eq!(a, b);
    }
    vault.delete_site(&site).unwrap();
}

/// Unlocks a gnome-keyring collection with the test keyring's password ("test", see
/// scripts/with-keyring.sh), as `gnome-keyring-daemon --unlock` does at start.
fn unlock_with_password(collection: &dbus::Path<'static>) -> Result<(), dbus::Error> {
    use dbus::arg::{RefArg, Variant};
    let conn = dbus::blocking::Connection::new_session()?;
    let p = conn.with_proxy(
        "org.freedesktop.secrets",
        "/org/freedesktop/secrets",
        Duration::from_secs(10),
    );
    let (_, session): (Variant<Box<dyn RefArg>>, dbus::Path<'static>) = p.method_call(
        "org.freedesktop.Secret.Service",
        "OpenSession",
        ("plain", Variant(String::new())),
    )?;
    let secret = (session, Vec::<u8>::new(), b"test".to_vec(), "text/plain");
    p.method_call(
        "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
        "UnlockWithMasterPassword",
        (collection.clone(), secret),
    )
}

#[test]
fn old_layout_entries_move_to_each_profiles_own_ids_and_read_in_one_batch() {
    let _serial = serial();
    let ss = secret_service();
    let site = unique("kmig");
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
