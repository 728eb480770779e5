//! Reading many secrets in a row: [`CredentialReader`] (raw entries, one keyring
//! session where the backend has sessions) and [`VaultReader`] (site items, with
//! large items decrypted from their blobs, as [`Vault::get`] does).

use super::{CredentialError, CredentialStore, Item, Vault};
use crate::secret::Secret;

/// Reads raw entries one after the other, reusing whatever session the backend needs.
pub trait CredentialReader {
    /// Reads an entry; `None` when it does not exist (as [`CredentialStore::get`]).
    fn get(&mut self, id: &str) -> Result<Option<Secret>, CredentialError>;
}

/// The default reader: [`CredentialStore::get`] for each entry.
pub struct EachEntry<'a, S: ?Sized>(pub &'a S);

impl<S: CredentialStore + ?Sized> CredentialReader for EachEntry<'_, S> {
    fn get(&mut self, id: &str) -> Result<Option<Secret>, CredentialError> {
        self.0.get(id)
    }
}

/// Site secrets read over one reader; see [`Vault::reader`].
pub struct VaultReader<'a> {
    vault: &'a Vault,
    raw: Box<dyn CredentialReader + 'a>,
}

impl<'a> VaultReader<'a> {
    pub(super) fn new(vault: &'a Vault, raw: Box<dyn CredentialReader + 'a>) -> Self {
        VaultReader { vault, raw }
    }

    /// Reads a secret; `Missing` when there is none (as [`Vault::get`]).
    pub fn get(&mut self, site: &str, item: Item) -> Result<Secret, CredentialError> {
        let id = self.vault.entry_id(site, item);
        let v = self.raw.get(&id)?;
        self.vault.resolve(site, item, &id, v)
    }

    /// Reads a site's item if its record lists it (as [`Vault::get_listed`]).
    pub fn get_listed(
        &mut self,
        site: &crate::registry::Site,
        item: Item,
    ) -> Result<Secret, CredentialError> {
        let id = self.vault.listed_id(site, item)?;
        let v = self.raw.get(&id)?;
        self.vault.resolve(&site.name, item, &id, v)
    }
}
