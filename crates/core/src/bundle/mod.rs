//! Snapshot bundles: a site's state carried on a file.
//!
//! A bundle is one file ([`format`]): a manifest (site, time, distro and version,
//! Outpost version, format version), the health summary, the pruned health state,
//! pruned and redacted resources ([`redact`]: Secret values never, sensitive env values
//! blanked) and log tails, zstd-compressed and optionally passphrase-encrypted
//! ([`crypt`]). [`collect`] reads a live site into one; [`files`] writes, reads and
//! imports them (streaming, bounded memory, all-or-nothing); [`diff`] compares two
//! states of a site.

mod admit;
pub mod bounded;
pub mod collect;
pub mod content;
pub mod crypt;
mod error;
pub mod files;
pub mod format;
pub mod ipc;
mod reader;
pub mod redact;
pub mod tails;

use crate::client::ClientCache;
/// The diff lives in [`crate::model`]; re-exported for the app and the CLI.
pub use crate::model::{Change, ChangeKind, Diff, View, diff};
use crate::registry::Site;
pub use admit::{Preview, preview, same_endpoint};
pub use collect::{CollectOptions, Live};
pub use content::{Bundle, LogTail, Manifest, Redactions, Scanned};
pub use error::BundleError;
pub use files::{
    ImportReport, import, import_as_new, imported_path, is_encrypted, keep_stored, read_file,
    scan_file, write_file,
};
/// Passphrases are handled as secrets (zeroized, never printed).
pub use secrecy::SecretString;
use std::path::Path;

/// Reads a live site and writes its bundle to `out`; returns the bundle and its size.
pub async fn export(
    site: &Site,
    clients: &ClientCache,
    opts: &CollectOptions,
    out: &Path,
    pass: Option<&SecretString>,
) -> Result<(Bundle, u64), BundleError> {
    let span = tracing::info_span!("site", site = %site.name);
    let b =
        tracing::Instrument::instrument(collect::bundle(site, clients, opts), span.clone()).await?;
    let (out, pass) = (out.to_path_buf(), pass.cloned());
    let r = tokio::task::spawn_blocking(move || {
        let n = write_file(&b, &out, pass.as_ref())?;
        Ok::<_, BundleError>((b, n))
    })
    .await
    .map_err(|e| BundleError::Invalid(format!("export task failed: {e}")))??;
    let _g = span.enter();
    tracing::info!(bytes = r.1, "snapshot bundle written");
    Ok(r)
}

/// The diff view of the live site, read now.
pub async fn live_view(
    site: &Site,
    clients: &ClientCache,
    deadline: std::time::Duration,
) -> Result<View, BundleError> {
    let live = collect::live(site, clients, deadline)
        .await
        .map_err(|source| BundleError::Site {
            site: site.name.clone(),
            source,
        })?;
    Ok(View::of(
        format!("live {}", site.name),
        Some(live.version),
        Some(jiff::Timestamp::now()),
        &live.resources,
    ))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
#[path = "admit_tests.rs"]
mod admit_tests;
