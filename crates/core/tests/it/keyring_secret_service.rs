//! Credentials against the REAL Secret Service (gnome-keyring) on a session bus.
//!
//! Run with `scripts/with-keyring.sh cargo test -p outpost-core --test it keyring_secret_service::`.
//! Without a session bus and a Secret Service this test fails on purpose and says how.
#![cfg(target_os = "linux")]

use outpost_core::credentials::{CredentialStore, INLINE_MAX, Item, KeyringStore, Vault};
use outpost_core::paths::Home;
use outpost_core::secret::Secret;

const HOW: &str = "run it under a session bus with an unlocked keyring: \
    scripts/with-keyring.sh cargo test -p outpost-core --test it keyring_secret_service:: \
    (or: dbus-run-session -- sh -c 'echo -n test | gnome-keyring-daemon --unlock \
    --components=secrets; cargo test -p outpost-core --test it keyring_secret_service::')";

fn secret_service() -> KeyringStore {
    let addr = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    assert!(
        !addr.is_empty(),
        "DBUS_SESSION_BUS_ADDRESS is not set: {HOW}"
    );
    let ss = KeyringStore::secret_service();
    if let Err(e) = ss.get("outpost-probe") {
        panic!("no Secret Service answers on {addr} ({e}): {HOW}");
    }
    ss
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{:08x}", rand_suffix())
}

fn rand_suffix() -> u32 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    t.subsec_nanos() ^ std::process::id()
}

#[test]
fn secret_service_round_trip_small_and_large_items() {
    let ss = secret_service();
    assert_eq!(ss.backend(), "secret-service");
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let vault = Vault::new(Box::new(ss), &home);
    let site = unique("kr-test");

    let token = Secret::from("s3cr3t-token-value");
    let big = Secret::new(
        std::iter::repeat_n(b"-----KEY-----\n".as_slice(), INLINE_MAX / 10)
            .flatten()
            .copied()
            .collect(),
    );
    assert!(big.len() > INLINE_MAX);
    assert_eq!(
        vault.put(&site, Item::Token, &token).unwrap(),
        format!("{}/{site}/token", vault.install())
    );
    vault.put(&site, Item::ClientKey, &big).unwrap();

    // A second handle (as another process would open) reads the same entries.
    let other = Vault::new(Box::new(KeyringStore::secret_service()), &home);
    assert_eq!(other.get(&site, Item::Token).unwrap(), token);
    assert_eq!(other.get(&site, Item::ClientKey).unwrap(), big);
    let blob = home.secrets_dir().join(format!("{site}-client-key.enc"));
    assert!(blob.is_file());

    // What is in the keyring for the large item is the data key, not the material.
    let raw = KeyringStore::secret_service()
        .get(&vault.entry_id(&site, Item::ClientKey))
        .unwrap()
        .unwrap();
    assert!(raw.len() < 100);

    // Replacing a value works.
    let token2 = Secret::from("rotated-token");
    vault.put(&site, Item::Token, &token2).unwrap();
    assert_eq!(other.get(&site, Item::Token).unwrap(), token2);

    vault.delete_site(&site).unwrap();
    assert_eq!(
        other.get(&site, Item::Token).unwrap_err().kind(),
        outpost_core::error::ErrorKind::Auth
    );
    assert_eq!(
        other.get(&site, Item::ClientKey).unwrap_err().kind(),
        outpost_core::error::ErrorKind::Auth
    );
    assert!(!blob.exists());
    // Deleting again is fine.
    vault.delete_site(&site).unwrap();
}

#[test]
fn open_prefers_the_secret_service_when_it_answers() {
    let _ = secret_service();
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let vault = Vault::open(&home).unwrap();
    assert_eq!(vault.backend(), "secret-service");
}
