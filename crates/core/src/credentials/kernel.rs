//! The Linux kernel key store (keyutils), used when no Secret Service answers.
//!
//! Keys go straight into the user's persistent keyring (kept across logouts for
//! `/proc/sys/kernel/keys/persistent_keyring_expiry` seconds of inactivity, lost at
//! reboot), or the session keyring when the kernel has no persistent keyrings. The
//! `keyring` crate's keyutils store links session keys into the persistent keyring, which
//! containers often refuse (EACCES), hence this small implementation.

use super::{CredentialError, SERVICE};
use crate::secret::Secret;
use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};

fn ring(id: &str) -> Result<KeyRing, CredentialError> {
    KeyRing::get_persistent(KeyRingIdentifier::Session)
        .or_else(|_| KeyRing::from_special_id(KeyRingIdentifier::Session, true))
        .map_err(|e| fail(id, e))
}

fn description(id: &str) -> String {
    format!("{SERVICE}:{id}")
}

fn fail(id: &str, e: KeyError) -> CredentialError {
    match e {
        KeyError::AccessDenied => CredentialError::Denied {
            id: id.to_string(),
            detail: "the kernel keyring refused access".into(),
        },
        other => CredentialError::Keyring {
            id: id.to_string(),
            detail: format!("kernel keyring: {other}"),
        },
    }
}

fn missing(e: &KeyError) -> bool {
    matches!(
        e,
        KeyError::KeyDoesNotExist | KeyError::KeyRevoked | KeyError::KeyExpired
    )
}

/// Creates or replaces a key.
pub fn set(id: &str, value: &Secret) -> Result<(), CredentialError> {
    if value.is_empty() {
        return Err(CredentialError::Keyring {
            id: id.to_string(),
            detail: "kernel keys cannot be empty".into(),
        });
    }
    ring(id)?
        .add_key(&description(id), value.expose())
        .map(|_| ())
        .map_err(|e| fail(id, e))
}

/// Reads a key; `None` when it does not exist.
pub fn get(id: &str) -> Result<Option<Secret>, CredentialError> {
    match ring(id)?.search(&description(id)) {
        Ok(k) => k
            .read_to_vec()
            .map(|v| Some(Secret::new(v)))
            .map_err(|e| fail(id, e)),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(fail(id, e)),
    }
}

/// Deletes a key; a missing key is fine.
pub fn delete(id: &str) -> Result<(), CredentialError> {
    match ring(id)?.search(&description(id)) {
        Ok(k) => match k.invalidate() {
            Ok(()) => Ok(()),
            Err(e) if missing(&e) => Ok(()),
            Err(e) => Err(fail(id, e)),
        },
        Err(e) if missing(&e) => Ok(()),
        Err(e) => Err(fail(id, e)),
    }
}
