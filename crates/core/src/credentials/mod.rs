//! Site credentials: client keys and certificates, tokens, passwords and exec env values
//! live in the OS keyring (service [`SERVICE`], one entry per profile, site and item:
//! `<install>/<site>/<item>`, see [`ids`]), never in the store file. A site reads only the
//! entries its record lists.
//!
//! Material larger than [`INLINE_MAX`] bytes (the Windows Credential Manager cap) is
//! encrypted with ChaCha20-Poly1305 under a random 256-bit data key; the key goes to the
//! keyring and the ciphertext to `<profile>/secrets/<site>-<item>.enc`.

use crate::error::ErrorKind;

mod blob;
mod ephemeral;
mod ids;
#[cfg(target_os = "linux")]
mod kernel;
mod keyring_store;
mod migrate;
#[cfg(test)]
pub(crate) mod mock;
mod reader;
#[cfg(target_os = "linux")]
mod ss_session;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_migrate;

pub use ephemeral::EphemeralStore;
pub use ids::{EntryId, entry_id, install_id, parse_entry_id};
pub use keyring_store::KeyringStore;
pub use migrate::{MigrateError, migrate};
pub use reader::{CredentialReader, EachEntry, VaultReader};

use crate::paths::Home;
use crate::secret::Secret;
use std::path::PathBuf;

/// Keyring service name shared by the CLI and the app.
pub const SERVICE: &str = crate::APP_ID;

/// Largest secret stored directly in a keyring entry (Windows caps entries at 2,560 bytes).
pub const INLINE_MAX: usize = 2560;

/// Errors from the credential store.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("no keyring entry {0:?}: re-import the site's kubeconfig")]
    Missing(String),
    #[error("the keyring is locked or refused access to {id:?}: unlock it and retry ({detail})")]
    Denied { id: String, detail: String },
    #[error("keyring error for {id:?}: {detail}")]
    Keyring { id: String, detail: String },
    #[error("encrypted secret file {path}: {detail}")]
    Blob { path: PathBuf, detail: String },
    #[error("invalid keyring entry name {0:?}")]
    InvalidId(String),
    #[error(
        "site {site:?} has no {item} credential in this profile (its record lists none): \
         re-import the site's kubeconfig"
    )]
    NotListed { site: String, item: &'static str },
}

impl CredentialError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CredentialError::Missing(_) | CredentialError::NotListed { .. } => ErrorKind::Auth,
            CredentialError::Denied { .. } => ErrorKind::Denied,
            CredentialError::Keyring { .. } | CredentialError::Blob { .. } => ErrorKind::Storage,
            CredentialError::InvalidId(_) => ErrorKind::InvalidInput,
        }
    }
}

/// One kind of secret a site can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    ClientCert,
    ClientKey,
    Token,
    Password,
    /// JSON object of the exec plugin's environment values.
    ExecEnv,
}

impl Item {
    /// All items, for cleanup.
    pub const ALL: [Item; 5] = [
        Item::ClientCert,
        Item::ClientKey,
        Item::Token,
        Item::Password,
        Item::ExecEnv,
    ];

    /// The item's name in entry ids and blob file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Item::ClientCert => "client-cert",
            Item::ClientKey => "client-key",
            Item::Token => "token",
            Item::Password => "password",
            Item::ExecEnv => "exec-env",
        }
    }

    /// Parses an item name.
    pub fn parse(s: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

/// A raw secret store addressed by entry id (the OS keyring, or a mock in unit tests).
pub trait CredentialStore: Send + Sync {
    /// A short name of the backend (`secret-service`, `keyutils`, …) for diagnostics.
    fn backend(&self) -> &'static str;
    /// Creates or replaces an entry.
    fn set(&self, id: &str, value: &Secret) -> Result<(), CredentialError>;
    /// Reads an entry; `None` when it does not exist.
    fn get(&self, id: &str) -> Result<Option<Secret>, CredentialError>;
    /// Deletes an entry; deleting a missing entry succeeds.
    fn delete(&self, id: &str) -> Result<(), CredentialError>;
    /// A reader for many entries in a row (one thread). Backends that pay a setup per
    /// read (a D-Bus connection and session for the Secret Service) set it up once
    /// here; the default reads entry by entry with [`get`](Self::get).
    fn reader(&self) -> Box<dyn CredentialReader + '_> {
        Box::new(EachEntry(self))
    }
}

/// Site secrets on top of a [`CredentialStore`], with large items in encrypted files.
pub struct Vault {
    store: Box<dyn CredentialStore>,
    secrets_dir: PathBuf,
    /// This profile's install id, the first part of its entry ids.
    install: String,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("backend", &self.store.backend())
            .field("secrets_dir", &self.secrets_dir)
            .field("install", &self.install)
            .finish()
    }
}

impl Vault {
    /// A vault over `store` for `home`'s profile, with blobs in its `secrets/` directory.
    pub fn new(store: Box<dyn CredentialStore>, home: &Home) -> Self {
        Self {
            store,
            secrets_dir: home.secrets_dir(),
            install: install_id(home),
        }
    }

    /// The OS keyring vault for a profile, with the profile's entries of an older layout
    /// moved to this one ([`migrate`]; a failure there is logged, not fatal).
    pub fn open(home: &Home) -> Result<Self, CredentialError> {
        let vault = Self::new(Box::new(KeyringStore::open()?), home);
        if let Err(e) = migrate(&crate::registry::SiteStore::new(home), &vault) {
            tracing::error!(error = %e, "keyring entries of an older layout were not migrated");
        }
        Ok(vault)
    }

    /// This profile's install id (see [`install_id`]).
    pub fn install(&self) -> &str {
        &self.install
    }

    /// The id of a site's item in this profile.
    pub fn entry_id(&self, site: &str, item: Item) -> String {
        entry_id(&self.install, site, item)
    }

    /// The id of `site`'s item if its record lists it; `NotListed` otherwise (a site
    /// with an empty list has no credentials at all).
    pub fn listed_id(
        &self,
        site: &crate::registry::Site,
        item: Item,
    ) -> Result<String, CredentialError> {
        let id = self.entry_id(&site.name, item);
        if site.credentials.entries.contains(&id) {
            Ok(id)
        } else {
            Err(CredentialError::NotListed {
                site: site.name.clone(),
                item: item.as_str(),
            })
        }
    }

    /// Reads a site's item if its record lists it (see [`listed_id`](Self::listed_id)).
    pub fn get_listed(
        &self,
        site: &crate::registry::Site,
        item: Item,
    ) -> Result<Secret, CredentialError> {
        let id = self.listed_id(site, item)?;
        let v = self.store.get(&id)?;
        self.resolve(&site.name, item, &id, v)
    }

    /// The backend's name.
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    fn blob_path(&self, site: &str, item: Item) -> PathBuf {
        self.secrets_dir
            .join(format!("{site}-{}.enc", item.as_str()))
    }

    /// Stores a secret and returns its entry id.
    pub fn put(&self, site: &str, item: Item, secret: &Secret) -> Result<String, CredentialError> {
        let id = self.entry_id(site, item);
        parse_entry_id(&id)?;
        let path = self.blob_path(site, item);
        if secret.len() <= INLINE_MAX {
            self.store.set(&id, secret)?;
            let _ = std::fs::remove_file(&path);
        } else {
            let key = blob::write(&path, &id, secret)?;
            if let Err(e) = self.store.set(&id, &key) {
                let _ = std::fs::remove_file(&path);
                return Err(e);
            }
        }
        tracing::debug!(entry = %id, bytes = secret.len(), "stored credential");
        Ok(id)
    }

    /// Reads a secret; `Missing` when there is none.
    pub fn get(&self, site: &str, item: Item) -> Result<Secret, CredentialError> {
        let id = self.entry_id(site, item);
        let v = self.store.get(&id)?;
        self.resolve(site, item, &id, v)
    }

    /// A reader for many secrets in a row, over one keyring session where the backend
    /// has sessions (see [`CredentialStore::reader`]). Same results as [`get`](Self::get).
    pub fn reader(&self) -> VaultReader<'_> {
        VaultReader::new(self, self.store.reader())
    }

    /// A raw keyring value to the secret: `Missing`, the value, or its decrypted blob.
    fn resolve(
        &self,
        site: &str,
        item: Item,
        id: &str,
        v: Option<Secret>,
    ) -> Result<Secret, CredentialError> {
        let v = v.ok_or_else(|| CredentialError::Missing(id.to_string()))?;
        if blob::is_key(&v) {
            blob::read(&self.blob_path(site, item), id, &v)
        } else {
            Ok(v)
        }
    }

    /// Deletes a secret and its blob, if any.
    pub fn delete(&self, site: &str, item: Item) -> Result<(), CredentialError> {
        let id = self.entry_id(site, item);
        self.store.delete(&id)?;
        let path = self.blob_path(site, item);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CredentialError::Blob {
                path,
                detail: e.to_string(),
            }),
        }
    }

    /// Deletes every item a site of this profile may have (never another profile's);
    /// reports the first failure after trying all.
    pub fn delete_site(&self, site: &str) -> Result<(), CredentialError> {
        let mut first = None;
        for item in Item::ALL {
            if let Err(e) = self.delete(site, item) {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }
}
