//! The store file: `outpost.json` in the tauri-plugin-store 2.x format (a pretty-printed
//! JSON object of key → value), with `schemaVersion` and `sites`. Other keys (the app's
//! `settings`) are preserved.
//!
//! Every change takes an exclusive lock on `outpost.json.lock`, re-reads the file under
//! it, and writes atomically, so the CLI and the app never lose each other's writes. A
//! file that cannot be read is moved aside to `outpost.json.corrupt-<timestamp>` and
//! reported, never silently reset.

use super::{RegistryError, Site};
use crate::fsutil;
use crate::net::endpoint::parse_https;
use crate::paths::Home;
use serde_json::{Map, Value};
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

/// The `schemaVersion` this build reads and writes.
pub const SCHEMA_VERSION: u64 = 1;

const KEY_VERSION: &str = "schemaVersion";
const KEY_SITES: &str = "sites";

/// Handle on one profile's store file.
#[derive(Debug, Clone)]
pub struct SiteStore {
    path: PathBuf,
}

struct Doc {
    map: Map<String, Value>,
    sites: Vec<Site>,
}

struct LockGuard(File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl SiteStore {
    /// The store of a profile (`Home::store_file()`).
    pub fn new(home: &Home) -> Self {
        Self::at(home.store_file())
    }

    /// A store at an explicit path.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The store file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> Result<LockGuard, RegistryError> {
        let lock_path = lock_path(&self.path);
        let io = |source| RegistryError::Io {
            path: lock_path.clone(),
            source,
        };
        if let Some(dir) = lock_path.parent() {
            fsutil::private_dir_all(dir).map_err(io)?;
        }
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io)?;
        f.lock().map_err(io)?;
        Ok(LockGuard(f))
    }

    /// All sites, in insertion order.
    pub fn list(&self) -> Result<Vec<Site>, RegistryError> {
        let _g = self.lock()?;
        Ok(self.read()?.sites)
    }

    /// All sites, read under the lock but never moving the file: one that cannot be
    /// read is reported as [`RegistryError::Invalid`] and left as it is. For watchers,
    /// which must not move aside a file someone is in the middle of editing.
    pub fn peek(&self) -> Result<Vec<Site>, RegistryError> {
        let _g = self.lock()?;
        match fs::read(&self.path) {
            Ok(bytes) => parse(&bytes).map(|d| d.sites).map_err(|reason| {
                RegistryError::Invalid(format!("{}: {reason}", self.path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(RegistryError::Io {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// One site by name.
    pub fn get(&self, name: &str) -> Result<Site, RegistryError> {
        self.list()?
            .into_iter()
            .find(|s| s.name == name)
            .ok_or_else(|| RegistryError::NotFound(name.to_string()))
    }

    /// Runs `f` on the current sites under the lock and writes the result if `f`
    /// succeeds and every site is valid and unique.
    pub fn modify<T>(
        &self,
        f: impl FnOnce(&mut Vec<Site>) -> Result<T, RegistryError>,
    ) -> Result<T, RegistryError> {
        let _g = self.lock()?;
        let mut doc = self.read()?;
        let out = f(&mut doc.sites)?;
        check_all(&doc.sites)?;
        self.write(doc)?;
        Ok(out)
    }

    /// Adds a site; refuses a duplicate name or endpoint.
    pub fn add(&self, site: Site) -> Result<(), RegistryError> {
        self.modify(|sites| {
            check_new(sites, &site)?;
            sites.push(site);
            Ok(())
        })
    }

    /// Changes one site and returns the new record.
    pub fn update(&self, name: &str, f: impl FnOnce(&mut Site)) -> Result<Site, RegistryError> {
        self.modify(|sites| {
            let s = sites
                .iter_mut()
                .find(|s| s.name == name)
                .ok_or_else(|| RegistryError::NotFound(name.to_string()))?;
            f(s);
            if s.name != name {
                return Err(RegistryError::Invalid("a site cannot be renamed".into()));
            }
            Ok(s.clone())
        })
    }

    /// Removes a site and returns its record.
    pub fn remove(&self, name: &str) -> Result<Site, RegistryError> {
        self.modify(|sites| {
            let i = sites
                .iter()
                .position(|s| s.name == name)
                .ok_or_else(|| RegistryError::NotFound(name.to_string()))?;
            Ok(sites.remove(i))
        })
    }

    /// Reads another top-level key (e.g. the app's `settings`).
    pub fn get_key(&self, key: &str) -> Result<Option<Value>, RegistryError> {
        let _g = self.lock()?;
        Ok(self.read()?.map.get(key).cloned())
    }

    /// Sets another top-level key under the lock, keeping the sites.
    pub fn set_key(&self, key: &str, value: Value) -> Result<(), RegistryError> {
        if key == KEY_VERSION || key == KEY_SITES {
            return Err(RegistryError::Invalid(format!(
                "{key:?} is managed by the registry"
            )));
        }
        let _g = self.lock()?;
        let mut doc = self.read()?;
        doc.map.insert(key.to_string(), value);
        self.write(doc)
    }

    fn read(&self) -> Result<Doc, RegistryError> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Doc {
                    map: Map::new(),
                    sites: Vec::new(),
                });
            }
            Err(source) => {
                return Err(RegistryError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        match parse(&bytes) {
            Ok(doc) => Ok(doc),
            Err(reason) => Err(self.move_aside(reason.to_string())),
        }
    }

    fn move_aside(&self, reason: String) -> RegistryError {
        let ts = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%S%.fZ")
            .to_string();
        let mut moved_to = suffixed(&self.path, &format!(".corrupt-{ts}"));
        let mut n = 1;
        while moved_to.exists() {
            moved_to = suffixed(&self.path, &format!(".corrupt-{ts}-{n}"));
            n += 1;
        }
        if let Err(source) = fs::rename(&self.path, &moved_to) {
            return RegistryError::Io {
                path: self.path.clone(),
                source,
            };
        }
        fsutil::sync_dir(&self.path);
        tracing::error!(path = %self.path.display(), moved_to = %moved_to.display(), %reason, "store file moved aside");
        RegistryError::Corrupt {
            path: self.path.clone(),
            moved_to,
            reason,
        }
    }

    fn write(&self, doc: Doc) -> Result<(), RegistryError> {
        let mut map = doc.map;
        map.insert(KEY_VERSION.into(), Value::from(SCHEMA_VERSION));
        let sites = serde_json::to_value(&doc.sites)
            .map_err(|e| RegistryError::Invalid(format!("cannot serialize sites: {e}")))?;
        map.insert(KEY_SITES.into(), sites);
        let bytes = serde_json::to_vec_pretty(&Value::Object(map))
            .map_err(|e| RegistryError::Invalid(format!("cannot serialize the store: {e}")))?;
        fsutil::write_atomic(&self.path, &bytes)?;
        Ok(())
    }
}

/// Why a store file's bytes are not a store document.
#[derive(Debug, thiserror::Error)]
enum DocError {
    #[error("bad JSON: {0}")]
    Json(#[source] serde_json::Error),
    #[error("the top level is not a JSON object")]
    NotAnObject,
    #[error("schemaVersion is {found}, this build reads {SCHEMA_VERSION}")]
    Schema { found: String },
    #[error("invalid site list: {0}")]
    Sites(#[source] serde_json::Error),
    #[error(transparent)]
    Site(#[from] RegistryError),
}

fn parse(bytes: &[u8]) -> Result<Doc, DocError> {
    let v: Value = serde_json::from_slice(bytes).map_err(DocError::Json)?;
    let Value::Object(mut map) = v else {
        return Err(DocError::NotAnObject);
    };
    match map.get(KEY_VERSION) {
        None if !map.contains_key(KEY_SITES) => {}
        Some(Value::Number(n)) if n.as_u64() == Some(SCHEMA_VERSION) => {}
        other => {
            return Err(DocError::Schema {
                found: other
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "missing".into()),
            });
        }
    }
    let sites: Vec<Site> = match map.remove(KEY_SITES) {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v).map_err(DocError::Sites)?,
    };
    for s in &sites {
        s.validate()?;
    }
    check_all(&sites)?;
    Ok(Doc { map, sites })
}

fn endpoint_key(url: &str) -> String {
    parse_https(url)
        .map(|e| e.authority().to_ascii_lowercase())
        .unwrap_or_else(|_| url.to_string())
}

/// Refuses a site whose name or endpoint is already registered.
pub fn check_new(sites: &[Site], site: &Site) -> Result<(), RegistryError> {
    site.validate()?;
    if sites.iter().any(|s| s.name == site.name) {
        return Err(RegistryError::AlreadyExists(format!(
            "a site named {:?} already exists",
            site.name
        )));
    }
    let key = endpoint_key(&site.endpoint);
    if let Some(other) = sites.iter().find(|s| endpoint_key(&s.endpoint) == key) {
        return Err(RegistryError::AlreadyExists(format!(
            "site {:?} already uses endpoint {}",
            other.name, site.endpoint
        )));
    }
    Ok(())
}

fn check_all(sites: &[Site]) -> Result<(), RegistryError> {
    for (i, s) in sites.iter().enumerate() {
        check_new(&sites[..i], s)?;
    }
    Ok(())
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn lock_path(path: &Path) -> PathBuf {
    suffixed(path, ".lock")
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
