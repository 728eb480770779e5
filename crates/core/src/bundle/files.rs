//! Bundles on disk: atomic writes (temp file, fsync, rename), reading, and import into
//! a profile, which validates the whole file as a stream while copying it to a temp
//! file, then commits: the site's snapshot in the snapshot cache (so the health engine
//! and `outpost status` show it, stale, with its age), the bundle kept next to it for
//! browsing and diffs, and the site registered if it was unknown. Any failure before
//! the commit leaves the profile untouched.

use super::content::{self, Bundle, Manifest, Scanned};
use super::error::BundleError;
use crate::paths::Home;
use crate::registry::{CredentialKind, CredentialRef, Location, Site, SiteStore};
use crate::snapshot::{Snapshot, SnapshotStore};
use secrecy::SecretString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// File extension of bundles.
pub const EXTENSION: &str = "opsnap";

/// A temp file next to its target, removed unless committed.
struct Temp {
    path: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Temp {
    fn create(target: &Path) -> Result<(Temp, File), BundleError> {
        let dir = target.parent().unwrap_or_else(|| Path::new("."));
        let io = |source| BundleError::Io {
            path: target.to_path_buf(),
            source,
        };
        crate::fsutil::private_dir_all(dir).map_err(io)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bundle".into());
        let path = dir.join(format!(".{name}.tmp-{:016x}", rand::random::<u64>()));
        let mut o = OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let f = o.open(&path).map_err(io)?;
        Ok((
            Temp {
                path,
                target: target.to_path_buf(),
                done: false,
            },
            f,
        ))
    }

    fn commit(mut self) -> Result<(), BundleError> {
        File::open(&self.path)
            .and_then(|f| f.sync_all())
            .and_then(|()| fs::rename(&self.path, &self.target))
            .map_err(|source| BundleError::Io {
                path: self.target.clone(),
                source,
            })?;
        self.done = true;
        crate::fsutil::sync_dir(&self.target);
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes a bundle file atomically; returns its size.
pub fn write_file(
    b: &Bundle,
    path: &Path,
    pass: Option<&SecretString>,
) -> Result<u64, BundleError> {
    let (tmp, f) = Temp::create(path)?;
    let w = content::write(b, BufWriter::new(f), pass)?;
    let f = w.into_inner().map_err(|e| BundleError::Io {
        path: path.to_path_buf(),
        source: e.into_error(),
    })?;
    let len = f
        .metadata()
        .map_err(|source| BundleError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    drop(f);
    tmp.commit()?;
    Ok(len)
}

/// After an export: keeps a plain copy of the bundle as the site's stored bundle (the
/// diff baseline, and what an offline export is written from), unless the export was
/// encrypted: a passphrase-protected export leaves no plain copy of itself anywhere
/// (the stored bundle, if any, stays the one kept before). Returns where it was kept.
pub fn keep_stored(
    b: &Bundle,
    home: &Home,
    encrypted: bool,
) -> Result<Option<PathBuf>, BundleError> {
    if encrypted {
        return Ok(None);
    }
    let kept = imported_path(home, &b.manifest.site);
    write_file(b, &kept, None)?;
    Ok(Some(kept))
}

fn open(path: &Path) -> Result<File, BundleError> {
    File::open(path).map_err(|source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a bundle file into memory.
pub fn read_file(path: &Path, pass: Option<&SecretString>) -> Result<Bundle, BundleError> {
    content::read(open(path)?, pass)
}

/// Validates a bundle file as a stream (bounded memory) and returns its small parts.
pub fn scan_file(path: &Path, pass: Option<&SecretString>) -> Result<Scanned, BundleError> {
    content::scan(open(path)?, pass)
}

/// Whether a bundle file is passphrase-encrypted (from its header alone).
pub fn is_encrypted(path: &Path) -> Result<bool, BundleError> {
    let mut h = [0u8; 12];
    open(path)?
        .read_exact(&mut h)
        .map_err(|_| BundleError::Truncated)?;
    if &h[..8] != super::format::MAGIC {
        return Err(BundleError::NotABundle);
    }
    Ok(h[10] & 1 == 1)
}

/// Where an imported bundle of `site` is kept.
pub fn imported_path(home: &Home, site: &str) -> PathBuf {
    home.snapshot_dir()
        .join("bundles")
        .join(format!("{site}.{EXTENSION}"))
}

/// Copies every byte read from `inner` to `copy`.
struct Tee<R> {
    inner: R,
    copy: BufWriter<File>,
    path: PathBuf,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n]).map_err(|source| {
            BundleError::Io {
                path: self.path.clone(),
                source,
            }
            .into_io()
        })?;
        if n == 0 {
            self.copy.flush()?;
        }
        Ok(n)
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub manifest: Manifest,
    /// The site was not registered and has been added (without credentials).
    pub registered: bool,
    /// Where the bundle is kept.
    pub bundle_path: PathBuf,
}

/// The registry record of a site known only from its bundle: no credentials, so it
/// stays offline (served from its snapshot) until the user adds them.
fn site_from(m: &Manifest) -> Site {
    Site {
        name: m.site.clone(),
        display_name: m.display_name.clone(),
        location: Location::default(),
        tags: m.tags.clone(),
        contact: None,
        notes: Some(format!(
            "imported from a snapshot bundle taken at {}",
            m.taken_at
        )),
        maintenance_window: None,
        distro: m.distro,
        version: m.version.clone(),
        endpoint: m.endpoint.clone(),
        ca_pem: None,
        insecure_skip_tls_verify: false,
        tls_server_name: None,
        credentials: CredentialRef {
            kind: CredentialKind::Token,
            entries: Vec::new(),
            username: None,
            exec: None,
            exec_approved: false,
        },
        added_at: Some(jiff::Timestamp::now()),
    }
}

/// Imports a bundle into a profile as the site it names. Nothing changes unless the
/// whole bundle is valid; a bundle older than the stored snapshot is refused unless
/// `force`, and a bundle of a registered site taken from another endpoint is refused
/// ([`BundleError::EndpointMismatch`]: see [`import_as_new`]).
pub fn import(
    path: &Path,
    pass: Option<&SecretString>,
    home: &Home,
    force: bool,
) -> Result<ImportReport, BundleError> {
    import_with(path, pass, home, force, None)
}

/// Imports a bundle as a new site named `name` (registered without credentials),
/// whatever site and endpoint it names; `name` must be free.
pub fn import_as_new(
    path: &Path,
    pass: Option<&SecretString>,
    home: &Home,
    force: bool,
    name: &str,
) -> Result<ImportReport, BundleError> {
    import_with(path, pass, home, force, Some(name))
}

fn import_with(
    path: &Path,
    pass: Option<&SecretString>,
    home: &Home,
    force: bool,
    new_name: Option<&str>,
) -> Result<ImportReport, BundleError> {
    let staging = home.snapshot_dir().join("bundles").join(".import");
    let (tmp, f) = Temp::create(&staging)?;
    let tee = Tee {
        inner: open(path)?,
        copy: BufWriter::new(f),
        path: tmp.path.clone(),
    };
    let mut scanned = content::scan(tee, pass)?;
    let registry = SiteStore::new(home);
    let sites = registry.list()?;
    super::admit::check(&mut scanned, &sites, new_name)?;
    let m = &scanned.manifest;
    let snapshots = SnapshotStore::new(home);
    if let Ok(Some(old)) = snapshots.read(&m.site)
        && old.taken_at > m.taken_at
        && !force
    {
        return Err(BundleError::Older {
            site: m.site.clone(),
            bundle: m.taken_at,
            stored: old.taken_at,
        });
    }
    let known = sites.iter().any(|s| s.name == m.site);
    let new_site = if known {
        None
    } else {
        let s = site_from(m);
        s.validate()?;
        Some(s)
    };
    let bundle_path = imported_path(home, &m.site);
    let mut kept = tmp;
    kept.target = bundle_path.clone();
    let mut health = scanned.health.clone();
    health.stale = true;
    health.snapshot_at = Some(m.taken_at);
    snapshots.write(&Snapshot {
        format: crate::snapshot::FORMAT,
        site: m.site.clone(),
        taken_at: m.taken_at,
        state: scanned.state.clone(),
        health,
    })?;
    kept.commit()?;
    let registered = new_site.is_some();
    if let Some(s) = new_site {
        registry.add(s)?;
    }
    tracing::info!(site = %m.site, taken_at = %m.taken_at, "snapshot bundle imported");
    Ok(ImportReport {
        manifest: scanned.manifest,
        registered,
        bundle_path,
    })
}
