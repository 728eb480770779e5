//! Keyring entry ids: `<install>/<site>/<item>`, where `<install>` names the data
//! directory and profile, so the same site name in two profiles or two `--home`s never
//! shares an entry. Ids of the old layout (`<site>/<item>`) are still parsed, for the
//! migration ([`super::migrate`]).

use super::{CredentialError, Item};
use crate::paths::Home;
use sha2::{Digest, Sha256};

/// Hex characters of an install id.
const INSTALL_LEN: usize = 16;

/// The install id of a profile: the first 64 bits of SHA-256 over the canonical data
/// directory and the profile name. Stable across runs and processes (CLI and app),
/// different for every `--home` and profile.
pub fn install_id(home: &Home) -> String {
    let root = home.root();
    let canonical = std::fs::canonicalize(root)
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf());
    let mut h = Sha256::new();
    h.update(canonical.as_os_str().as_encoded_bytes());
    h.update([0]);
    h.update(home.profile().as_bytes());
    let digest = h.finalize();
    digest[..INSTALL_LEN / 2]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The keyring entry id (`<install>/<site>/<item>`) of a site's item.
pub fn entry_id(install: &str, site: &str, item: Item) -> String {
    format!("{install}/{site}/{}", item.as_str())
}

/// An entry id taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryId {
    /// `None` for an id of the old `<site>/<item>` layout.
    pub install: Option<String>,
    pub site: String,
    pub item: Item,
}

fn is_install_id(s: &str) -> bool {
    s.len() == INSTALL_LEN
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Parses an entry id of either layout.
pub fn parse_entry_id(id: &str) -> Result<EntryId, CredentialError> {
    let bad = || CredentialError::InvalidId(id.to_string());
    let parts: Vec<&str> = id.split('/').collect();
    let (install, site, item) = match parts.as_slice() {
        [install, site, item] if is_install_id(install) => {
            (Some(install.to_string()), *site, *item)
        }
        [site, item] => (None, *site, *item),
        _ => return Err(bad()),
    };
    let item = Item::parse(item).ok_or_else(bad)?;
    if !crate::registry::is_dns_label(site) {
        return Err(bad());
    }
    Ok(EntryId {
        install,
        site: site.to_string(),
        item,
    })
}
