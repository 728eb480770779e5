//! Moving a profile's keyring entries to its own `<install>/<site>/<item>` ids.
//!
//! Two cases, both found through the site records (a site reads only what it lists):
//! - the old layout `<site>/<item>`, shared by every profile and data directory: the
//!   value is copied to this profile's id and the old entry deleted once the store
//!   file lists the new id;
//! - another install's id (the data directory was moved or copied): the value is
//!   copied and the other entry left alone, since it may still be that copy's.
//!
//! Nothing changes when the keyring refuses a read or write: the next open retries.

use crate::error::ErrorKind;

use super::{CredentialError, Vault, parse_entry_id};
use crate::registry::{RegistryError, Site, SiteStore};

/// Errors from [`migrate`].
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl MigrateError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            MigrateError::Credentials(e) => e.kind(),
            MigrateError::Registry(e) => e.kind(),
        }
    }
}

fn is_own(vault: &Vault, site: &Site, id: &str) -> bool {
    parse_entry_id(id)
        .map(|p| p.install.as_deref() == Some(vault.install()) && p.site == site.name)
        .unwrap_or(false)
}

fn needs_migration(vault: &Vault, site: &Site) -> bool {
    site.credentials
        .entries
        .iter()
        .any(|e| !is_own(vault, site, e))
}

/// Copies one site's listed entries to this profile's ids; returns the new list and
/// the old-layout ids to delete once the store lists the new ones.
fn migrate_site(vault: &Vault, site: &Site) -> Result<(Vec<String>, Vec<String>), CredentialError> {
    let mut entries = Vec::new();
    let mut legacy = Vec::new();
    for e in &site.credentials.entries {
        if is_own(vault, site, e) {
            if !entries.contains(e) {
                entries.push(e.clone());
            }
            continue;
        }
        let p = match parse_entry_id(e) {
            Ok(p) if p.site == site.name => p,
            _ => {
                tracing::warn!(site = %site.name, entry = %e, "dropping a keyring entry name that is not this site's");
                continue;
            }
        };
        match vault.store.get(e)? {
            Some(raw) => {
                let secret = vault.resolve(&site.name, p.item, e, Some(raw))?;
                vault.put(&site.name, p.item, &secret)?;
            }
            None => {
                tracing::warn!(site = %site.name, entry = %e, "listed keyring entry is missing; the site needs its kubeconfig re-imported");
            }
        }
        if p.install.is_none() {
            legacy.push(e.clone());
        }
        let own = vault.entry_id(&site.name, p.item);
        if !entries.contains(&own) {
            entries.push(own);
        }
    }
    Ok((entries, legacy))
}

/// Moves the entries the profile's sites list to this profile's ids (see the module
/// doc). Returns how many sites changed; writes the store file only when one did.
pub fn migrate(store: &SiteStore, vault: &Vault) -> Result<usize, MigrateError> {
    if !store.list()?.iter().any(|s| needs_migration(vault, s)) {
        return Ok(0);
    }
    let mut failed = None;
    let mut to_delete = Vec::new();
    let changed = store.modify(|sites| {
        let mut n = 0;
        for s in sites.iter_mut().filter(|s| needs_migration(vault, s)) {
            let _span = tracing::info_span!("site", site = %s.name).entered();
            match migrate_site(vault, s) {
                Ok((entries, legacy)) => {
                    s.credentials.entries = entries;
                    to_delete.extend(legacy);
                    n += 1;
                }
                Err(e) => {
                    failed = Some(e);
                    return Err(RegistryError::Invalid("keyring migration failed".into()));
                }
            }
        }
        Ok(n)
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    let changed = changed?;
    for id in &to_delete {
        if let Err(e) = vault.store.delete(id) {
            tracing::warn!(entry = %id, error = %e, "old keyring entry not deleted");
        }
    }
    tracing::info!(
        sites = changed,
        "keyring entries moved to this profile's ids"
    );
    Ok(changed)
}
