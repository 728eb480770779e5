//! Applying an [`ImportPlan`]: keyring writes first, then one registry write; any
//! failure deletes the keyring entries written so far.

use super::{ImportError, ImportPlan};
use crate::credentials::{Item, Vault};
use crate::registry::SiteStore;

/// Writes the plan. Returns the names of the sites added.
pub fn apply(
    plan: ImportPlan,
    store: &SiteStore,
    vault: &Vault,
) -> Result<Vec<String>, ImportError> {
    let mut written: Vec<(String, Item)> = Vec::new();
    let rollback = |written: &[(String, Item)]| {
        for (site, item) in written {
            if let Err(e) = vault.delete(site, *item) {
                tracing::error!(site = %site, item = item.as_str(), error = %e, "rollback could not delete a keyring entry");
            }
        }
    };
    for p in &plan.sites {
        let span = tracing::info_span!("site", site = %p.site.name);
        let _e = span.enter();
        for (item, secret) in &p.secrets {
            match vault.put(&p.site.name, *item, secret) {
                Ok(_) => written.push((p.site.name.clone(), *item)),
                Err(e) => {
                    tracing::warn!(item = item.as_str(), "keyring write failed; rolling back");
                    rollback(&written);
                    return Err(e.into());
                }
            }
        }
    }
    let names: Vec<String> = plan.sites.iter().map(|p| p.site.name.clone()).collect();
    let result = store.modify(|sites| {
        for p in &plan.sites {
            crate::registry::check_new(sites, &p.site)?;
            sites.push(p.site.clone());
        }
        Ok(())
    });
    if let Err(e) = result {
        tracing::warn!("registry write failed; rolling back keyring entries");
        rollback(&written);
        return Err(e.into());
    }
    for n in &names {
        tracing::info!(site = %n, "site imported");
    }
    Ok(names)
}
