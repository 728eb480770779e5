//! Fuzzes the snapshot bundle reader (`outpost_core::bundle`).
//!
//! The first byte picks what the rest is:
//! - `0`: a whole bundle file, read into memory and scanned as a stream;
//! - `1`: the record stream, which the harness compresses and seals (valid CRCs), so
//!   the fuzzer reaches the record, name, size and JSON checks past the integrity layer;
//! - `2`: a zstd stream, which the harness seals, to reach the decompressor's limits.
//!
//! Every input must give `Ok` or a typed `BundleError`, never a panic, a hang or an
//! allocation beyond the reader's bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use outpost_core::bundle::{content, crypt, format};
use std::io::{Cursor, Write};

fn sealed(body: &[u8]) -> Vec<u8> {
    let mut header = format::MAGIC.to_vec();
    header.extend_from_slice(&[1, 0, 0, 0]);
    let mut w = crypt::CryptWriter::new(Vec::new(), crypt::Seal::Crc, [0; 7], header.clone());
    if w.write_all(body).is_err() {
        return header;
    }
    match w.finish() {
        Ok(b) => {
            header.extend(b);
            header
        }
        Err(_) => header,
    }
}

fn check(file: Vec<u8>) {
    let read = content::read(Cursor::new(file.clone()), None);
    let scan = content::scan(Cursor::new(file), None);
    // Both readers must agree on whether the bundle is valid.
    assert_eq!(read.is_ok(), scan.is_ok(), "read: {read:?}, scan: {scan:?}");
    if let Err(e) = read {
        let _ = (e.kind(), e.to_string());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => check(rest.to_vec()),
        1 => {
            let Ok(z) = zstd::bulk::compress(rest, 1) else {
                return;
            };
            check(sealed(&z));
        }
        _ => check(sealed(rest)),
    }
});
