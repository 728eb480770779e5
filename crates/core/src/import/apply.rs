//! Applying an [`ImportPlan`], all under the store file's lock: duplicates are checked
//! first (so a refused import never touches another site's keyring entries), then the
//! keyring is written, then the registry; any failure deletes the keyring entries
//! written so far.

use super::{ImportError, ImportPlan};
use crate::credentials::{Item, Vault};
use crate::registry::{RegistryError, SiteStore};

/// Writes the plan. Returns the names of the sites added.
pub fn apply(
    plan: ImportPlan,
    store: &SiteStore,
    vault: &Vault,
) -> Result<Vec<String>, ImportError> {
    // A file outside the kubeconfig's folder that nobody approved was never read.
    plan.require_files_approved()?;
    let mut written: Vec<(String, Item)> = Vec::new();
    let mut keyring_err = None;
    let result = store.modify(|sites| {
        // Against the sites as they are now, under the lock: the plan may be stale.
        let mut seen = sites.clone();
        for p in &plan.sites {
            crate::registry::check_new(&seen, &p.site)?;
            seen.push(p.site.clone());
        }
        for p in &plan.sites {
            let _e = tracing::info_span!("site", site = %p.site.name).entered();
            let mut site = p.site.clone();
            site.credentials.entries.clear();
            for (item, secret) in &p.secrets {
                match vault.put(&p.site.name, *item, secret) {
                    Ok(id) => {
                        written.push((p.site.name.clone(), *item));
                        site.credentials.entries.push(id);
                    }
                    Err(e) => {
                        tracing::warn!(item = item.as_str(), "keyring write failed; rolling back");
                        keyring_err = Some(e);
                        return Err(RegistryError::Invalid("keyring write failed".into()));
                    }
                }
            }
            sites.push(site);
        }
        Ok(())
    });
    if let Err(e) = result {
        for (site, item) in &written {
            if let Err(e) = vault.delete(site, *item) {
                tracing::error!(site = %site, item = item.as_str(), error = %e, "rollback could not delete a keyring entry");
            }
        }
        return Err(match keyring_err {
            Some(k) => k.into(),
            None => {
                tracing::warn!("registry write failed; rolled back keyring entries");
                e.into()
            }
        });
    }
    let names: Vec<String> = plan.sites.iter().map(|p| p.site.name.clone()).collect();
    for n in &names {
        tracing::info!(site = %n, "site imported");
    }
    Ok(names)
}
