//! The chunk layer of a bundle body: chunks of at most [`CHUNK`] bytes, each sealed.
//!
//! - With a passphrase: an Argon2id key and ChaCha20-Poly1305 (the STREAM
//!   construction: the nonce is a random prefix, a chunk counter and a "last chunk"
//!   flag, so chunks cannot be dropped, reordered or cut off unnoticed).
//! - Without: a CRC-32 over the same nonce and the data, so any flipped byte or
//!   truncation is caught before a byte reaches the decompressor.
//!
//! The plain file header is covered too (AAD / CRC input). Chunk on disk: `u32 LE`
//! (payload length, high bit set on the last chunk), then the payload (ciphertext and
//! 16-byte tag, or data and 4-byte CRC).

use super::error::BundleError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use secrecy::{ExposeSecret, SecretString};
use std::io::{self, Read, Write};
use zeroize::Zeroizing;

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const CRC: usize = 4;

/// How chunks are sealed.
pub enum Seal {
    Aead(Box<ChaCha20Poly1305>),
    Crc,
}

impl Seal {
    /// Encryption with a derived key.
    pub fn aead(key: &[u8; 32]) -> Seal {
        Seal::Aead(Box::new(ChaCha20Poly1305::new(Key::from_slice(key))))
    }

    fn overhead(&self) -> usize {
        match self {
            Seal::Aead(_) => TAG,
            Seal::Crc => CRC,
        }
    }

    fn crc(n: &Nonce, aad: &[u8], data: &[u8]) -> [u8; 4] {
        let mut h = crc32fast::Hasher::new();
        h.update(aad);
        h.update(n.as_slice());
        h.update(data);
        h.finalize().to_le_bytes()
    }

    fn seal(&self, n: &Nonce, aad: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        match self {
            Seal::Aead(c) => c.encrypt(n, Payload { msg: data, aad }).ok(),
            Seal::Crc => {
                let mut v = Vec::with_capacity(data.len() + CRC);
                v.extend_from_slice(data);
                v.extend_from_slice(&Self::crc(n, aad, data));
                Some(v)
            }
        }
    }

    fn open(&self, n: &Nonce, aad: &[u8], payload: &[u8]) -> Option<Vec<u8>> {
        match self {
            Seal::Aead(c) => c.decrypt(n, Payload { msg: payload, aad }).ok(),
            Seal::Crc => {
                let (data, crc) = payload.split_at(payload.len().checked_sub(CRC)?);
                (Self::crc(n, aad, data) == crc).then(|| data.to_vec())
            }
        }
    }
}
const LAST: u32 = 0x8000_0000;

/// Argon2id cost parameters, as stored in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u8,
}

impl KdfParams {
    /// What export uses (OWASP's Argon2id baseline: 19 MiB, 2 passes).
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };

    /// Bounds a reader accepts, so a hostile header cannot ask for gigabytes or hours.
    pub fn check(self) -> Result<Self, BundleError> {
        let p_ok = (1..=4).contains(&self.p_cost);
        let m_ok = self.m_cost >= 8 * u32::from(self.p_cost) && self.m_cost <= 64 * 1024;
        let t_ok = (1..=8).contains(&self.t_cost);
        if p_ok && m_ok && t_ok {
            Ok(self)
        } else {
            Err(BundleError::Corrupt(format!(
                "key derivation parameters out of bounds ({self:?})"
            )))
        }
    }
}

/// Derives the 32-byte key from the passphrase.
pub fn derive_key(
    pass: &SecretString,
    salt: &[u8; 16],
    p: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, BundleError> {
    let params = argon2::Params::new(p.m_cost, p.t_cost, u32::from(p.p_cost), Some(32))
        .map_err(|e| BundleError::Corrupt(format!("key derivation parameters: {e}")))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    a.hash_password_into(pass.expose_secret().as_bytes(), salt, key.as_mut())
        .map_err(|e| BundleError::Corrupt(format!("key derivation: {e}")))?;
    Ok(key)
}

fn nonce(prefix: &[u8; 7], counter: u32, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[..7].copy_from_slice(prefix);
    n[7..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::from(n)
}

/// Encrypts everything written to it; [`CryptWriter::finish`] writes the last chunk.
pub struct CryptWriter<W: Write> {
    inner: W,
    seal: Seal,
    prefix: [u8; 7],
    aad: Vec<u8>,
    counter: u32,
    buf: Zeroizing<Vec<u8>>,
}

impl<W: Write> CryptWriter<W> {
    pub fn new(inner: W, seal: Seal, prefix: [u8; 7], aad: Vec<u8>) -> Self {
        CryptWriter {
            inner,
            seal,
            prefix,
            aad,
            counter: 0,
            buf: Zeroizing::new(Vec::with_capacity(CHUNK)),
        }
    }

    fn emit(&mut self, last: bool) -> io::Result<()> {
        let n = nonce(&self.prefix, self.counter, last);
        let ct = self
            .seal
            .seal(&n, &self.aad, &self.buf)
            .ok_or_else(|| BundleError::Crypto.into_io())?;
        let len = u32::try_from(ct.len()).map_err(|_| BundleError::Crypto.into_io())?;
        let head = if last { len | LAST } else { len };
        self.inner.write_all(&head.to_le_bytes())?;
        self.inner.write_all(&ct)?;
        self.buf.clear();
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| BundleError::Crypto.into_io())?;
        Ok(())
    }

    /// Writes the last chunk and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for CryptWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() == CHUNK {
            self.emit(false)?;
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts and authenticates chunk by chunk; memory is one chunk whatever the size.
pub struct CryptReader<R: Read> {
    inner: R,
    seal: Seal,
    prefix: [u8; 7],
    aad: Vec<u8>,
    counter: u32,
    buf: Zeroizing<Vec<u8>>,
    pos: usize,
    done: bool,
}

impl<R: Read> CryptReader<R> {
    pub fn new(inner: R, seal: Seal, prefix: [u8; 7], aad: Vec<u8>) -> Self {
        CryptReader {
            inner,
            seal,
            prefix,
            aad,
            counter: 0,
            buf: Zeroizing::new(Vec::new()),
            pos: 0,
            done: false,
        }
    }

    fn next_chunk(&mut self) -> Result<(), BundleError> {
        let mut head = [0u8; 4];
        read_exact(&mut self.inner, &mut head)?;
        let head = u32::from_le_bytes(head);
        let last = head & LAST != 0;
        let len = (head & !LAST) as usize;
        let over = self.seal.overhead();
        if !(over..=CHUNK + over).contains(&len) {
            return Err(BundleError::Corrupt(format!("chunk of {len} bytes")));
        }
        let mut ct = vec![0u8; len];
        read_exact(&mut self.inner, &mut ct)?;
        let n = nonce(&self.prefix, self.counter, last);
        let pt = self.seal.open(&n, &self.aad, &ct).ok_or_else(|| {
            if self.counter == 0 && matches!(self.seal, Seal::Aead(_)) {
                BundleError::WrongPassphrase
            } else {
                BundleError::Corrupt(format!("chunk {} fails its integrity check", self.counter))
            }
        })?;
        self.buf = Zeroizing::new(pt);
        self.pos = 0;
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| BundleError::Corrupt("too many chunks".into()))?;
        if last {
            self.done = true;
            let mut extra = [0u8; 1];
            if read_some(&mut self.inner, &mut extra)? != 0 {
                return Err(BundleError::Corrupt("data after the last chunk".into()));
            }
        }
        Ok(())
    }
}

/// `read_exact` with an early end reported as truncation.
fn read_exact(r: &mut impl Read, buf: &mut [u8]) -> Result<(), BundleError> {
    r.read_exact(buf).map_err(BundleError::decode)
}

fn read_some(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, BundleError> {
    loop {
        match r.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(BundleError::decode(e)),
        }
    }
}

impl<R: Read> Read for CryptReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk().map_err(BundleError::into_io)?;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
