//! The OS keyring through the `keyring` crate (v3).
//!
//! Linux: the Secret Service (GNOME Keyring, KWallet) when one answers on the session
//! bus; otherwise the kernel keyutils store, which does not survive a reboot (a warning
//! is logged). `OUTPOST_KEYRING=secret-service|keyutils` forces one. macOS: Keychain.
//! Windows: Credential Manager.

use super::{CredentialError, CredentialReader, CredentialStore, SERVICE};
use crate::secret::Secret;
use keyring::{Entry, Error as KError};

/// Environment variable forcing the Linux backend (`secret-service` or `keyutils`).
pub const KEYRING_ENV: &str = "OUTPOST_KEYRING";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    #[cfg(target_os = "linux")]
    SecretService,
    #[cfg(target_os = "linux")]
    Keyutils,
    #[cfg(not(target_os = "linux"))]
    Native,
}

/// The OS keyring.
#[derive(Debug)]
pub struct KeyringStore {
    backend: Backend,
}

pub(super) fn map_err(id: &str, e: KError) -> CredentialError {
    match e {
        KError::NoStorageAccess(d) => CredentialError::Denied {
            id: id.into(),
            detail: d.to_string(),
        },
        KError::PlatformFailure(d) => CredentialError::Keyring {
            id: id.into(),
            detail: d.to_string(),
        },
        // Never echo bytes back (BadEncoding carries the value).
        KError::BadEncoding(_) => CredentialError::Keyring {
            id: id.into(),
            detail: "value is not valid text".into(),
        },
        other => CredentialError::Keyring {
            id: id.into(),
            detail: match other {
                KError::TooLong(attr, max) => format!("{attr} longer than {max}"),
                KError::Invalid(attr, why) => format!("{attr}: {why}"),
                KError::Ambiguous(_) => "more than one entry matches".into(),
                KError::NoEntry => "no entry".into(),
                _ => "unexpected keyring error".into(),
            },
        },
    }
}

impl KeyringStore {
    /// Picks the backend (see the module doc).
    pub fn open() -> Result<Self, CredentialError> {
        #[cfg(target_os = "linux")]
        {
            let forced = std::env::var(KEYRING_ENV).unwrap_or_default();
            match forced.as_str() {
                "secret-service" => return Ok(Self::with(Backend::SecretService)),
                "keyutils" => return Ok(Self::with(Backend::Keyutils)),
                "" => {}
                other => {
                    return Err(CredentialError::Keyring {
                        id: String::new(),
                        detail: format!("{KEYRING_ENV}={other:?}: use secret-service or keyutils"),
                    });
                }
            }
            let ss = Self::with(Backend::SecretService);
            match ss.get("outpost-probe") {
                Ok(_) => Ok(ss),
                Err(CredentialError::Keyring { detail, .. }) => {
                    tracing::warn!(
                        %detail,
                        "no Secret Service on the session bus; using the kernel keyring \
                         (keyutils), whose entries do not survive a reboot"
                    );
                    // Fail now rather than at the first write if keyutils is unusable too.
                    super::kernel::get("outpost-probe")?;
                    Ok(Self::with(Backend::Keyutils))
                }
                Err(e) => Err(e),
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            Ok(Self::with(Backend::Native))
        }
    }

    /// The Secret Service backend, without probing (Linux).
    #[cfg(target_os = "linux")]
    pub fn secret_service() -> Self {
        Self::with(Backend::SecretService)
    }

    /// The kernel keyutils backend (Linux; entries do not survive a reboot).
    #[cfg(target_os = "linux")]
    pub fn keyutils() -> Self {
        Self::with(Backend::Keyutils)
    }

    fn with(backend: Backend) -> Self {
        Self { backend }
    }

    fn entry(&self, id: &str) -> Result<Entry, CredentialError> {
        match self.backend {
            #[cfg(target_os = "linux")]
            Backend::SecretService => {
                let c = keyring::secret_service::SsCredential::new_with_target(None, SERVICE, id)
                    .map_err(|e| map_err(id, e))?;
                Ok(Entry::new_with_credential(Box::new(c)))
            }
            #[cfg(target_os = "linux")]
            Backend::Keyutils => Err(CredentialError::Keyring {
                id: id.into(),
                detail: "internal: keyutils has no keyring entry".into(),
            }),
            #[cfg(not(target_os = "linux"))]
            Backend::Native => Entry::new(SERVICE, id).map_err(|e| map_err(id, e)),
        }
    }
}

impl CredentialStore for KeyringStore {
    fn backend(&self) -> &'static str {
        match self.backend {
            #[cfg(target_os = "linux")]
            Backend::SecretService => "secret-service",
            #[cfg(target_os = "linux")]
            Backend::Keyutils => "keyutils",
            #[cfg(not(target_os = "linux"))]
            Backend::Native => "native",
        }
    }

    fn set(&self, id: &str, value: &Secret) -> Result<(), CredentialError> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            return super::kernel::set(id, value);
        }
        self.entry(id)?
            .set_secret(value.expose())
            .map_err(|e| map_err(id, e))
    }

    fn get(&self, id: &str) -> Result<Option<Secret>, CredentialError> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            return super::kernel::get(id);
        }
        match self.entry(id)?.get_secret() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(KError::NoEntry) => Ok(None),
            Err(e) => Err(map_err(id, e)),
        }
    }

    /// The Secret Service reads a batch over one connection and session
    /// ([`super::ss_session`]); the other backends read entry by entry.
    fn reader(&self) -> Box<dyn CredentialReader + '_> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::SecretService {
            return Box::new(super::ss_session::SsReader::new());
        }
        Box::new(super::EachEntry(self))
    }

    fn delete(&self, id: &str) -> Result<(), CredentialError> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            return super::kernel::delete(id);
        }
        match self.entry(id)?.delete_credential() {
            Ok(()) | Err(KError::NoEntry) => Ok(()),
            Err(e) => Err(map_err(id, e)),
        }
    }
}
