//! Before a bundle goes into a profile: what the user is shown to confirm it
//! ([`preview`]: site, endpoint, time, whether that site is registered and at which
//! endpoint) and the rule every import enforces ([`check`]): a bundle naming a
//! registered site but taken from another endpoint may be another cluster wearing the
//! same name, so it goes in only as a new site, under a name the user picks.

use super::content::{Manifest, Scanned};
use super::error::BundleError;
use super::files::{is_encrypted, scan_file};
use crate::paths::Home;
use crate::registry::{Site, SiteStore, is_dns_label};
use secrecy::SecretString;
use std::path::Path;

/// What the confirmation shows about a bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub manifest: Manifest,
    pub encrypted: bool,
    /// The endpoint of the registered site of the same name, if there is one.
    pub registered_endpoint: Option<String>,
}

impl Preview {
    /// A site of that name is registered.
    pub fn known(&self) -> bool {
        self.registered_endpoint.is_some()
    }

    /// The registered site of that name has another endpoint: importing needs a new
    /// site name.
    pub fn endpoint_differs(&self) -> bool {
        self.registered_endpoint
            .as_deref()
            .is_some_and(|r| !same_endpoint(r, &self.manifest.endpoint))
    }
}

/// Reads a bundle whole (validating it, bounded memory) without importing anything.
pub fn preview(
    path: &Path,
    pass: Option<&SecretString>,
    home: &Home,
) -> Result<Preview, BundleError> {
    let encrypted = is_encrypted(path)?;
    let manifest = scan_file(path, pass)?.manifest;
    let registered_endpoint = SiteStore::new(home)
        .list()?
        .into_iter()
        .find(|s| s.name == manifest.site)
        .map(|s| s.endpoint);
    Ok(Preview {
        manifest,
        encrypted,
        registered_endpoint,
    })
}

/// Endpoints compared as URLs are: scheme and host case-insensitively, a trailing `/`
/// ignored.
pub fn same_endpoint(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().trim_end_matches('/').to_ascii_lowercase();
    norm(a) == norm(b)
}

/// Applies the import rule to a scanned bundle: as the site it names (refused when
/// that site is registered at another endpoint), or renamed to `new_name` (which must
/// be a free, valid site name).
pub(crate) fn check(
    scanned: &mut Scanned,
    sites: &[Site],
    new_name: Option<&str>,
) -> Result<(), BundleError> {
    let m = &mut scanned.manifest;
    let Some(name) = new_name else {
        return match sites.iter().find(|s| s.name == m.site) {
            Some(s) if !same_endpoint(&s.endpoint, &m.endpoint) => {
                Err(BundleError::EndpointMismatch {
                    site: m.site.clone(),
                    bundle: m.endpoint.clone(),
                    registered: s.endpoint.clone(),
                })
            }
            _ => Ok(()),
        };
    };
    if !is_dns_label(name) {
        return Err(BundleError::Invalid(format!(
            "{name:?} is not a site name: use lowercase letters, digits and '-'"
        )));
    }
    if sites.iter().any(|s| s.name == name) {
        return Err(BundleError::NameTaken(name.to_string()));
    }
    if m.site != name {
        m.display_name = format!("{} ({name})", m.display_name);
    }
    m.site = name.to_string();
    scanned.health.name = name.to_string();
    scanned.health.display_name = m.display_name.clone();
    Ok(())
}
