//! An in-memory [`CredentialStore`] for unit tests only, with failure injection.

use super::{CredentialError, CredentialReader, CredentialStore, EachEntry};
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Shared in-memory entries; clones see the same map.
#[derive(Clone, Default)]
pub struct MemoryStore {
    pub entries: Arc<Mutex<BTreeMap<String, Secret>>>,
    /// `set` fails for ids containing this text.
    pub fail_set_on: Arc<Mutex<Option<String>>>,
    /// Entries read, and readers (sessions) opened.
    pub gets: Arc<AtomicUsize>,
    pub readers: Arc<AtomicUsize>,
}

impl MemoryStore {
    pub fn ids(&self) -> Vec<String> {
        self.entries.lock().unwrap().keys().cloned().collect()
    }

    /// (entries read, readers opened) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.gets.load(Ordering::SeqCst),
            self.readers.load(Ordering::SeqCst),
        )
    }
}

impl CredentialStore for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    fn set(&self, id: &str, value: &Secret) -> Result<(), CredentialError> {
        if let Some(f) = self.fail_set_on.lock().unwrap().as_deref()
            && id.contains(f)
        {
            return Err(CredentialError::Keyring {
                id: id.into(),
                detail: "injected failure".into(),
            });
        }
        self.entries
            .lock()
            .unwrap()
            .insert(id.to_string(), value.clone());
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Secret>, CredentialError> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        Ok(self.entries.lock().unwrap().get(id).cloned())
    }

    fn reader(&self) -> Box<dyn CredentialReader + '_> {
        self.readers.fetch_add(1, Ordering::SeqCst);
        Box::new(EachEntry(self))
    }

    fn delete(&self, id: &str) -> Result<(), CredentialError> {
        self.entries.lock().unwrap().remove(id);
        Ok(())
    }
}
