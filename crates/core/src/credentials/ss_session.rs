//! Many Secret Service reads over one D-Bus connection and one encrypted session.
//!
//! The `keyring` crate opens a new D-Bus connection and negotiates a new
//! Diffie–Hellman session for every entry it reads (about 7 ms each with
//! gnome-keyring). [`SsReader`] opens them once, on the first read, and then looks each
//! entry up exactly as `keyring` 3.6's `SsCredential::get_secret` does, so entries
//! written through `keyring` read back identically:
//!
//! - a service-wide search on the attributes `keyring` sets (`target` = `default`,
//!   `service`, `username` = the entry id), every collection included;
//! - if that finds nothing, the legacy search in the default collection without
//!   `target` (keyring's `map_matching_legacy_items`);
//! - no match is "no entry", more than one is an error;
//! - a locked item is unlocked through the Secret Service (which prompts the way it
//!   does for `keyring`: gnome-keyring unlocks the whole collection, so a run prompts
//!   once), then read.
//!
//! Errors map through `keyring`'s own `decode_error`, so a locked or refused keyring is
//! still [`CredentialError::Denied`] and anything else [`CredentialError::Keyring`].

use super::keyring_store::map_err;
use super::{CredentialError, CredentialReader, SERVICE};
use crate::secret::Secret;
use dbus_secret_service::{EncryptionType, SecretService};
use keyring::Error as KError;
use keyring::secret_service::{SsCredential, decode_error, get_item_secret};
use std::collections::HashMap;

/// A reader holding one Secret Service connection (opened on first use; a failed
/// connect is retried on the next read, as a per-entry read would).
#[derive(Default)]
pub struct SsReader {
    ss: Option<SecretService>,
}

impl SsReader {
    pub fn new() -> Self {
        Self::default()
    }

    fn connect(&mut self, id: &str) -> Result<&SecretService, CredentialError> {
        if self.ss.is_none() {
            // keyring 3.6 with `crypto-rust` uses a Diffie–Hellman (encrypted) session.
            let ss = SecretService::connect(EncryptionType::Dh)
                .map_err(|e| map_err(id, KError::PlatformFailure(Box::new(e))))?;
            tracing::debug!("opened one Secret Service session for a batch of reads");
            self.ss = Some(ss);
        }
        self.ss.as_ref().ok_or_else(|| CredentialError::Keyring {
            id: id.into(),
            detail: "no Secret Service session".into(),
        })
    }

    fn read(&mut self, id: &str) -> Result<Option<Secret>, CredentialError> {
        let fail = |e: KError| map_err(id, e);
        let cred = SsCredential::new_with_target(None, SERVICE, id).map_err(fail)?;
        let ss = self.connect(id)?;
        let attr = |k: &str| cred.attributes.get(k).map_or("", String::as_str);
        let search: HashMap<&str, &str> = ["target", "service", "username"]
            .into_iter()
            .map(|k| (k, attr(k)))
            .collect();
        let found = ss.search_items(search).map_err(|e| fail(decode_error(e)))?;
        let count = found.locked.len() + found.unlocked.len();
        if count == 0 {
            // Items written without a `target` attribute (keyring v1, other tools).
            return match cred.map_matching_legacy_items(ss, get_item_secret, true) {
                Ok(mut v) => Ok(v.pop().map(Secret::new)),
                Err(KError::NoEntry) => Ok(None),
                Err(e) => Err(fail(e)),
            };
        }
        if count > 1 {
            return Err(fail(KError::Ambiguous(Vec::new())));
        }
        let item = match (found.unlocked.first(), found.locked.first()) {
            (Some(item), _) => item,
            (None, Some(item)) => {
                item.unlock().map_err(|e| fail(decode_error(e)))?;
                item
            }
            (None, None) => return Ok(None),
        };
        match get_item_secret(item) {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(KError::NoEntry) => Ok(None),
            Err(e) => Err(fail(e)),
        }
    }
}

impl CredentialReader for SsReader {
    fn get(&mut self, id: &str) -> Result<Option<Secret>, CredentialError> {
        self.read(id)
    }
}
