//! [`EphemeralStore`]: credentials kept in process memory only, for the built-in demo
//! profile. The demo's simulated sites get a new CA and new keys every time they start,
//! so writing them to the OS keyring would only leave stale entries behind; in memory
//! they disappear with the process, and nothing about them reaches the disk.

use super::{CredentialError, CredentialStore};
use crate::secret::Secret;
use std::collections::HashMap;
use std::sync::Mutex;

/// Process-memory credentials (zeroized on drop through [`Secret`]).
#[derive(Default)]
pub struct EphemeralStore {
    entries: Mutex<HashMap<String, Secret>>,
}

impl EphemeralStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CredentialStore for EphemeralStore {
    fn backend(&self) -> &'static str {
        "ephemeral"
    }

    fn set(&self, id: &str, value: &Secret) -> Result<(), CredentialError> {
        self.lock().insert(id.to_string(), value.clone());
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Secret>, CredentialError> {
        Ok(self.lock().get(id).cloned())
    }

    fn delete(&self, id: &str) -> Result<(), CredentialError> {
        self.lock().remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_delete_round_trip() {
        let s = EphemeralStore::new();
        assert_eq!(s.backend(), "ephemeral");
        assert!(s.get("a").unwrap().is_none());
        s.set("a", &Secret::new(b"k1".to_vec())).unwrap();
        assert_eq!(s.get("a").unwrap().unwrap().expose(), b"k1");
        s.set("a", &Secret::new(b"k2".to_vec())).unwrap();
        assert_eq!(s.get("a").unwrap().unwrap().expose(), b"k2");
        s.delete("a").unwrap();
        s.delete("a").unwrap();
        assert!(s.get("a").unwrap().is_none());
    }
}
