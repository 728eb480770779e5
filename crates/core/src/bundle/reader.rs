//! Reading the bundle format (see [`super::format`]) as a stream: header, chunk layer,
//! a zstd decoder with a bounded window, then records whose every length is checked
//! before anything is allocated.

use super::crypt::{self, CryptReader, KdfParams, Seal};
use super::error::BundleError;
use super::format::{
    FLAG_ENCRYPTED, KDF_ARGON2ID, MAGIC, MAX_NAME, MAX_RECORDS, MAX_TOTAL, Tag, VERSION,
    WINDOW_LOG_MAX, check_name,
};
use secrecy::SecretString;
use std::io::{self, BufRead, BufReader, Read};

type Source = zstd::stream::read::Decoder<'static, BufReader<Box<dyn Read + Send + 'static>>>;

/// One record's header; its data is read with [`RecordReader::data`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub tag: Tag,
    pub name: String,
    pub len: u64,
}

/// Reads records one at a time. Memory is bounded by the zstd window, one encrypted
/// chunk and whatever the caller keeps.
pub struct RecordReader {
    z: Source,
    /// Unread data bytes of the current record.
    left: u64,
    count: u64,
    bytes: u64,
    ended: bool,
}

/// Reads the header; `Ok(true)` when the body is encrypted.
fn read_header(r: &mut impl Read) -> Result<(bool, Vec<u8>), BundleError> {
    let mut h = [0u8; 12];
    let mut got = 0;
    while got < h.len() {
        match r.read(&mut h[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(BundleError::decode(e)),
        }
    }
    if got < MAGIC.len() {
        return Err(if MAGIC.starts_with(&h[..got]) && got > 0 {
            BundleError::Truncated
        } else {
            BundleError::NotABundle
        });
    }
    if &h[..8] != MAGIC {
        return Err(BundleError::NotABundle);
    }
    if got < h.len() {
        return Err(BundleError::Truncated);
    }
    let version = u32::from(u16::from_le_bytes([h[8], h[9]]));
    if version != VERSION {
        return Err(BundleError::UnsupportedVersion {
            found: version,
            supported: VERSION,
        });
    }
    match (h[10], h[11]) {
        (0, 0) => Ok((false, h.to_vec())),
        (FLAG_ENCRYPTED, 0) => Ok((true, h.to_vec())),
        (f, z) => Err(BundleError::Corrupt(format!(
            "unknown header flags {f:#x}/{z:#x}"
        ))),
    }
}

impl RecordReader {
    /// Reads the header and sets up decryption and decompression.
    pub fn open<R: Read + Send + 'static>(
        mut input: R,
        pass: Option<&SecretString>,
    ) -> Result<Self, BundleError> {
        let (encrypted, mut aad) = read_header(&mut input)?;
        let body: Box<dyn Read + Send> = if encrypted {
            let mut k = [0u8; 33];
            crypt_read_exact(&mut input, &mut k)?;
            aad.extend_from_slice(&k);
            if k[0] != KDF_ARGON2ID {
                return Err(BundleError::Corrupt(format!(
                    "unknown key derivation {}",
                    k[0]
                )));
            }
            let p = KdfParams {
                m_cost: u32::from_le_bytes([k[1], k[2], k[3], k[4]]),
                t_cost: u32::from_le_bytes([k[5], k[6], k[7], k[8]]),
                p_cost: k[9],
            }
            .check()?;
            let mut salt = [0u8; 16];
            salt.copy_from_slice(&k[10..26]);
            let mut prefix = [0u8; 7];
            prefix.copy_from_slice(&k[26..33]);
            let Some(pass) = pass else {
                return Err(BundleError::PassphraseRequired);
            };
            let key = crypt::derive_key(pass, &salt, p)?;
            Box::new(CryptReader::new(input, Seal::aead(&key), prefix, aad))
        } else {
            Box::new(CryptReader::new(input, Seal::Crc, [0; 7], aad))
        };
        let mut z = zstd::stream::read::Decoder::with_buffer(BufReader::new(body))
            .map_err(BundleError::decode)?;
        z.window_log_max(WINDOW_LOG_MAX)
            .map_err(BundleError::decode)?;
        Ok(RecordReader {
            z,
            left: 0,
            count: 0,
            bytes: 0,
            ended: false,
        })
    }

    fn exact(&mut self, buf: &mut [u8]) -> Result<(), BundleError> {
        self.z.read_exact(buf).map_err(BundleError::decode)?;
        self.bytes += buf.len() as u64;
        if self.bytes > MAX_TOTAL {
            return Err(BundleError::TooLarge {
                what: "the decompressed bundle".into(),
                limit: MAX_TOTAL,
            });
        }
        Ok(())
    }

    /// The next record (skipping what is left of the current one), or `None` after
    /// the end record, once the stream is checked to end there.
    pub fn next_record(&mut self) -> Result<Option<Record>, BundleError> {
        if self.ended {
            return Ok(None);
        }
        self.skip_rest()?;
        let mut head = [0u8; 3];
        self.exact(&mut head)?;
        let tag = Tag::from_byte(head[0])?;
        let nlen = usize::from(u16::from_le_bytes([head[1], head[2]]));
        if nlen > MAX_NAME {
            return Err(BundleError::HostileName(format!("<{nlen}-byte name>")));
        }
        let mut name = vec![0u8; nlen];
        self.exact(&mut name)?;
        let name = String::from_utf8(name)
            .map_err(|_| BundleError::HostileName("<name not UTF-8>".into()))?;
        let mut len = [0u8; 8];
        self.exact(&mut len)?;
        let len = u64::from_le_bytes(len);
        if tag == Tag::End {
            return self.end(&name, len).map(|()| None);
        }
        check_name(&name)?;
        if len > tag.max_len() {
            return Err(BundleError::TooLarge {
                what: name,
                limit: tag.max_len(),
            });
        }
        if self.count == 0 && tag != Tag::Manifest {
            return Err(BundleError::Invalid(
                "the manifest is not the first record".into(),
            ));
        }
        self.count += 1;
        if self.count > MAX_RECORDS {
            return Err(BundleError::TooLarge {
                what: "the record count".into(),
                limit: MAX_RECORDS,
            });
        }
        self.left = len;
        Ok(Some(Record { tag, name, len }))
    }

    fn end(&mut self, name: &str, len: u64) -> Result<(), BundleError> {
        if !name.is_empty() || len != 16 {
            return Err(BundleError::Corrupt("malformed end record".into()));
        }
        let before = self.bytes - 11;
        let mut d = [0u8; 16];
        self.exact(&mut d)?;
        let count = u64::from_le_bytes(d[..8].try_into().unwrap_or_default());
        let bytes = u64::from_le_bytes(d[8..].try_into().unwrap_or_default());
        if count != self.count || bytes != before {
            return Err(BundleError::Corrupt(format!(
                "end record says {count} records / {bytes} bytes, read {} / {before}",
                self.count
            )));
        }
        // Reading on finishes the zstd frame (verifying its checksum) and proves that
        // nothing follows.
        let mut extra = [0u8; 1];
        loop {
            match self.z.read(&mut extra) {
                Ok(0) => break,
                Ok(_) => return Err(BundleError::Corrupt("data after the end record".into())),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(BundleError::decode(e)),
            }
        }
        if self
            .z
            .get_mut()
            .fill_buf()
            .map_err(BundleError::decode)?
            .is_empty()
        {
            self.ended = true;
            Ok(())
        } else {
            Err(BundleError::Corrupt(
                "data after the end of the stream".into(),
            ))
        }
    }

    /// Unread data bytes of the current record.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Reads the current record's data (bounded by the record's declared length).
    pub fn data(&mut self) -> RecordData<'_> {
        RecordData { r: self }
    }

    /// Reads the current record's data into memory.
    pub fn data_vec(&mut self) -> Result<Vec<u8>, BundleError> {
        // The length was checked against the tag's bound, so this allocation is bounded.
        let mut v = Vec::with_capacity(usize::try_from(self.left.min(1 << 20)).unwrap_or(0));
        self.data()
            .read_to_end(&mut v)
            .map_err(BundleError::decode)?;
        if self.left != 0 {
            return Err(BundleError::Truncated);
        }
        Ok(v)
    }

    fn skip_rest(&mut self) -> Result<(), BundleError> {
        if self.left > 0 {
            io::copy(&mut self.data(), &mut io::sink()).map_err(BundleError::decode)?;
            if self.left != 0 {
                return Err(BundleError::Truncated);
            }
        }
        Ok(())
    }
}

fn crypt_read_exact(r: &mut impl Read, buf: &mut [u8]) -> Result<(), BundleError> {
    r.read_exact(buf).map_err(BundleError::decode)
}

/// The data of the current record.
pub struct RecordData<'a> {
    r: &'a mut RecordReader,
}

impl Read for RecordData<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.r.left == 0 {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.r.left).unwrap_or(usize::MAX));
        let n = self.r.z.read(&mut buf[..max])?;
        if n == 0 {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        }
        self.r.left -= n as u64;
        self.r.bytes += n as u64;
        if self.r.bytes > MAX_TOTAL {
            return Err(BundleError::TooLarge {
                what: "the decompressed bundle".into(),
                limit: MAX_TOTAL,
            }
            .into_io());
        }
        Ok(n)
    }
}
