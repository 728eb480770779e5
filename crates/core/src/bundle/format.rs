//! The bundle file format, written and read as a stream with bounded memory.
//!
//! ```text
//! header   "OPSNAP\r\n" | version u16 LE | flags u8 (1 = encrypted) | 0 u8
//!          encrypted only: kdf u8 (1 = Argon2id) | m_cost u32 LE | t_cost u32 LE
//!                          | p_cost u8 | salt [16] | nonce prefix [7]
//! body     one zstd frame with a content checksum, inside sealed chunks (see
//!          `crypt`: encrypted, or CRC-checked), holding records:
//! record   tag u8 | name length u16 LE | name | data length u64 LE | data
//! ```
//! The first record is the manifest, the last an end record (`count u64 | bytes u64`
//! of the records before it); nothing may follow. Names are relative paths of plain
//! segments (no `..`, no absolute paths); every length is bounded before anything is
//! allocated, and the decompressed total is bounded too (zip bombs).

use super::crypt::{self, CryptWriter, KdfParams, Seal};
use super::error::BundleError;
use secrecy::SecretString;
use std::io::{self, Write};

pub use super::reader::{Record, RecordData, RecordReader};

/// The file magic.
pub const MAGIC: &[u8; 8] = b"OPSNAP\r\n";
/// The format version this code writes and reads.
pub const VERSION: u32 = 1;
pub(crate) const FLAG_ENCRYPTED: u8 = 1;
pub(crate) const KDF_ARGON2ID: u8 = 1;

/// Longest entry name.
pub const MAX_NAME: usize = 512;
/// Most records in one bundle.
pub const MAX_RECORDS: u64 = 200_000;
/// Largest decompressed bundle.
pub const MAX_TOTAL: u64 = 2 * 1024 * 1024 * 1024;
/// Largest zstd window accepted (log2): bounds the decoder's memory.
pub(crate) const WINDOW_LOG_MAX: u32 = 24;

/// What a record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Manifest,
    Json,
    Log,
    End,
}

impl Tag {
    pub(crate) fn byte(self) -> u8 {
        match self {
            Tag::Manifest => 1,
            Tag::Json => 2,
            Tag::Log => 3,
            Tag::End => 0xff,
        }
    }

    pub(crate) fn from_byte(b: u8) -> Result<Tag, BundleError> {
        Ok(match b {
            1 => Tag::Manifest,
            2 => Tag::Json,
            3 => Tag::Log,
            0xff => Tag::End,
            other => return Err(BundleError::Corrupt(format!("unknown record tag {other}"))),
        })
    }

    /// Largest data of a record of this kind.
    pub fn max_len(self) -> u64 {
        match self {
            Tag::Manifest => 64 * 1024,
            Tag::Json => 256 * 1024 * 1024,
            Tag::Log => 4 * 1024 * 1024,
            Tag::End => 16,
        }
    }
}

/// Whether `name` is a safe relative path: plain segments of `[A-Za-z0-9._-]`,
/// no `.`/`..`/empty segment, no leading `/`, at most [`MAX_NAME`] bytes.
pub fn check_name(name: &str) -> Result<(), BundleError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && s.chars().all(ok_char));
    if ok {
        Ok(())
    } else {
        Err(BundleError::HostileName(name.chars().take(80).collect()))
    }
}

/// The plain header, and the key material when encrypted.
fn header(encrypted: Option<(&KdfParams, &[u8; 16], &[u8; 7])>) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&(VERSION as u16).to_le_bytes());
    h.push(if encrypted.is_some() {
        FLAG_ENCRYPTED
    } else {
        0
    });
    h.push(0);
    if let Some((p, salt, prefix)) = encrypted {
        h.push(KDF_ARGON2ID);
        h.extend_from_slice(&p.m_cost.to_le_bytes());
        h.extend_from_slice(&p.t_cost.to_le_bytes());
        h.push(p.p_cost);
        h.extend_from_slice(salt);
        h.extend_from_slice(prefix);
    }
    h
}

/// Writes records; call [`RecordWriter::finish`] to write the end record.
pub struct RecordWriter<W: Write> {
    z: zstd::stream::write::Encoder<'static, CryptWriter<W>>,
    count: u64,
    bytes: u64,
}

impl<W: Write> RecordWriter<W> {
    /// Writes the header; with a passphrase the body is encrypted.
    pub fn new(out: W, pass: Option<&SecretString>) -> Result<Self, BundleError> {
        Self::with_kdf(out, pass, KdfParams::DEFAULT)
    }

    /// Like [`RecordWriter::new`] with explicit key derivation costs.
    pub fn with_kdf(
        mut out: W,
        pass: Option<&SecretString>,
        p: KdfParams,
    ) -> Result<Self, BundleError> {
        let io = |e: io::Error| BundleError::Corrupt(format!("writing: {e}"));
        let sink = match pass {
            None => {
                let h = header(None);
                out.write_all(&h).map_err(io)?;
                CryptWriter::new(out, Seal::Crc, [0; 7], h)
            }
            Some(pass) => {
                let salt: [u8; 16] = rand::random();
                let prefix: [u8; 7] = rand::random();
                let h = header(Some((&p.check()?, &salt, &prefix)));
                out.write_all(&h).map_err(io)?;
                let key = crypt::derive_key(pass, &salt, p)?;
                CryptWriter::new(out, Seal::aead(&key), prefix, h)
            }
        };
        let mut z = zstd::stream::write::Encoder::new(sink, 3).map_err(io)?;
        z.include_checksum(true).map_err(io)?;
        z.window_log(WINDOW_LOG_MAX.min(22)).map_err(io)?;
        Ok(RecordWriter {
            z,
            count: 0,
            bytes: 0,
        })
    }

    /// Writes one record.
    pub fn record(&mut self, tag: Tag, name: &str, data: &[u8]) -> Result<(), BundleError> {
        check_name(name)?;
        if data.len() as u64 > tag.max_len() {
            return Err(BundleError::TooLarge {
                what: name.to_string(),
                limit: tag.max_len(),
            });
        }
        let mut head = vec![tag.byte()];
        head.extend_from_slice(&(name.len() as u16).to_le_bytes());
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(&(data.len() as u64).to_le_bytes());
        let io = |e: io::Error| BundleError::Corrupt(format!("writing: {e}"));
        self.z.write_all(&head).map_err(io)?;
        self.z.write_all(data).map_err(io)?;
        self.count += 1;
        self.bytes += (head.len() + data.len()) as u64;
        Ok(())
    }

    /// Writes the end record and flushes everything; returns the output.
    pub fn finish(mut self) -> Result<W, BundleError> {
        let mut end = self.count.to_le_bytes().to_vec();
        end.extend_from_slice(&self.bytes.to_le_bytes());
        let io = |e: io::Error| BundleError::Corrupt(format!("writing: {e}"));
        self.z.write_all(&[Tag::End.byte(), 0, 0]).map_err(io)?;
        self.z.write_all(&16u64.to_le_bytes()).map_err(io)?;
        self.z.write_all(&end).map_err(io)?;
        self.z.finish().map_err(io)?.finish().map_err(io)
    }
}
