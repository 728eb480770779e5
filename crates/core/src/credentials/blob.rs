//! Encrypted files for secrets too large for a keyring entry.
//!
//! File layout: 12-byte nonce, then ChaCha20-Poly1305 ciphertext, with the entry id as
//! associated data (so a file cannot be swapped for another item's). The keyring entry
//! holds `outpost-blob-v1:` + base64 of the 256-bit key.

use super::CredentialError;
use crate::secret::Secret;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::path::Path;
use zeroize::Zeroizing;

const PREFIX: &[u8] = b"outpost-blob-v1:";

/// Whether a keyring value is a blob key rather than the secret itself.
pub fn is_key(v: &Secret) -> bool {
    v.expose().starts_with(PREFIX)
}

fn err(path: &Path, detail: impl Into<String>) -> CredentialError {
    CredentialError::Blob {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// Encrypts `secret` into `path` and returns the keyring value holding the key.
pub fn write(path: &Path, id: &str, secret: &Secret) -> Result<Secret, CredentialError> {
    let key = Zeroizing::new(rand::random::<[u8; 32]>());
    let nonce = rand::random::<[u8; 12]>();
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret.expose(),
                aad: id.as_bytes(),
            },
        )
        .map_err(|_| err(path, "encryption failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| err(path, e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    crate::fsutil::write_atomic(path, &out).map_err(|e| err(path, e.to_string()))?;
    let mut v = PREFIX.to_vec();
    v.extend_from_slice(STANDARD.encode(key.as_slice()).as_bytes());
    Ok(Secret::new(v))
}

/// Decrypts the blob at `path` with the key from the keyring value `v`.
pub fn read(path: &Path, id: &str, v: &Secret) -> Result<Secret, CredentialError> {
    let b64 = &v.expose()[PREFIX.len()..];
    let key = Zeroizing::new(
        STANDARD
            .decode(b64)
            .map_err(|_| err(path, "the keyring holds a malformed data key"))?,
    );
    if key.len() != 32 {
        return Err(err(path, "the keyring holds a data key of the wrong size"));
    }
    let data = std::fs::read(path).map_err(|e| err(path, e.to_string()))?;
    if data.len() < 12 {
        return Err(err(path, "file is truncated"));
    }
    let (nonce, ct) = data.split_at(12);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    let pt = cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: id.as_bytes(),
            },
        )
        .map_err(|_| err(path, "decryption failed (file altered or key mismatch)"))?;
    Ok(Secret::new(pt))
}
