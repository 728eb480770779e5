//! The keyutils fallback (used when no Secret Service answers) against the real kernel
//! keyring: entries written by one handle are read by another and deleted cleanly.
#![cfg(target_os = "linux")]

use outpost_core::credentials::{CredentialStore, INLINE_MAX, Item, KeyringStore, Vault};
use outpost_core::paths::Home;
use outpost_core::secret::Secret;

#[test]
fn keyutils_round_trip_through_the_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "default").unwrap();
    let site = format!("ku-test-{}", std::process::id());
    let vault = Vault::new(Box::new(KeyringStore::keyutils()), &home);
    assert_eq!(vault.backend(), "keyutils");
    let token = Secret::from("keyutils-token");
    let big = Secret::new(vec![b'z'; INLINE_MAX + 1]);
    vault.put(&site, Item::Token, &token).unwrap();
    vault.put(&site, Item::ClientCert, &big).unwrap();

    let other = Vault::new(Box::new(KeyringStore::keyutils()), &home);
    assert_eq!(other.get(&site, Item::Token).unwrap(), token);
    assert_eq!(other.get(&site, Item::ClientCert).unwrap(), big);
    let raw = KeyringStore::keyutils()
        .get(&vault.entry_id(&site, Item::ClientCert))
        .unwrap()
        .unwrap();
    assert!(
        raw.len() < 100,
        "only the data key is in the kernel keyring"
    );

    vault.delete_site(&site).unwrap();
    assert_eq!(
        other.get(&site, Item::Token).unwrap_err().kind(),
        outpost_core::error::ErrorKind::Auth
    );
    assert!(
        !home
            .secrets_dir()
            .join(format!("{site}-client-cert.enc"))
            .exists()
    );
}
