//! Finding the test bed's Go programs: the multi-call binaries `scripts/testbed-build.sh`
//! builds into `${OUTPOST_TESTBED_CACHE:-$HOME/.cache/outpost/testbed}/<key>/`, where
//! `<key>` is the sha256 of `testbed/go.sum`, `go.mod` and the `*.go` files (sorted by
//! name), the same key the script computes. `OUTPOST_TESTBED_BIN_DIR` overrides the lookup.

use crate::TestbedError;
use outpost_sim::spec::Distro;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Set (to anything) to turn a missing test bed into a test failure instead of a skip.
pub const REQUIRE_ENV: &str = "OUTPOST_REQUIRE_TESTBED";

/// The Go module directory (`testbed/`) in this clone.
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testbed")
}

/// The cache root the build script writes to.
pub fn cache_root() -> PathBuf {
    if let Some(p) = std::env::var_os("OUTPOST_TESTBED_CACHE") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    home.join(".cache/outpost/testbed")
}

/// The cache key of the Go sources in `src`: sha256 over go.sum, go.mod and `*.go`.
pub fn cache_key(src: &Path) -> Result<String, TestbedError> {
    let read = |p: PathBuf| {
        std::fs::read(&p).map_err(|source| TestbedError::Io {
            what: format!("reading {}", p.display()),
            source,
        })
    };
    let mut go_files: Vec<String> = std::fs::read_dir(src)
        .map_err(|source| TestbedError::Io {
            what: format!("listing {}", src.display()),
            source,
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".go"))
        .collect();
    go_files.sort();
    let mut h = Sha256::new();
    h.update(read(src.join("go.sum"))?);
    h.update(read(src.join("go.mod"))?);
    for f in go_files {
        h.update(read(src.join(f))?);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The two links of the multi-call binary.
#[derive(Debug, Clone)]
pub struct Binaries {
    pub dir: PathBuf,
}

impl Binaries {
    /// The binaries for the current sources, if built.
    pub fn find() -> Result<Binaries, TestbedError> {
        let dir = match std::env::var_os("OUTPOST_TESTBED_BIN_DIR") {
            Some(d) => PathBuf::from(d),
            None => cache_root().join(cache_key(&source_dir())?),
        };
        let b = Binaries { dir };
        for d in [Distro::K3s, Distro::MicroK8s] {
            let p = b.path(d);
            if !p.is_file() {
                return Err(TestbedError::MissingBinaries(p.display().to_string()));
            }
        }
        Ok(b)
    }

    /// For tests: the binaries, or `None` (with a message on stderr) when they are missing
    /// and [`REQUIRE_ENV`] is unset. Panics when they are missing and it is set.
    pub fn for_tests(test: &str) -> Option<Binaries> {
        match Binaries::find() {
            Ok(b) => Some(b),
            Err(e) if std::env::var_os(REQUIRE_ENV).is_none() => {
                eprintln!(
                    "SKIPPED {test}: test bed binaries missing ({e}); build them with \
                     scripts/testbed-build.sh (set {REQUIRE_ENV}=1 to fail instead)"
                );
                None
            }
            Err(e) => panic!("{test}: {REQUIRE_ENV} is set and the test bed is missing: {e}"),
        }
    }

    /// The binary whose apiserver reports this distro's version shape.
    pub fn path(&self, distro: Distro) -> PathBuf {
        self.dir.join(match distro {
            Distro::K3s => "outpost-testbed-bin-k3s",
            Distro::MicroK8s => "outpost-testbed-bin-microk8s",
        })
    }
}

/// The `k8s.io/kubernetes` release the Go module pins (from `testbed/go.mod`).
pub fn kubernetes_version() -> Result<String, TestbedError> {
    let p = source_dir().join("go.mod");
    let text = std::fs::read_to_string(&p).map_err(|source| TestbedError::Io {
        what: format!("reading {}", p.display()),
        source,
    })?;
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("k8s.io/kubernetes v"))
        .and_then(|rest| rest.split_whitespace().next())
        .map(|v| format!("v{v}"))
        .ok_or_else(|| TestbedError::Config("no k8s.io/kubernetes in testbed/go.mod".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_changes_with_sources_and_version_is_pinned() {
        let d = tempfile::tempdir().expect("tmp");
        std::fs::write(d.path().join("go.sum"), "a").expect("w");
        std::fs::write(d.path().join("go.mod"), "b").expect("w");
        std::fs::write(d.path().join("main.go"), "c").expect("w");
        let k1 = cache_key(d.path()).expect("key");
        assert_eq!(k1.len(), 64);
        std::fs::write(d.path().join("main.go"), "d").expect("w");
        assert_ne!(k1, cache_key(d.path()).expect("key"));
        let v = kubernetes_version().expect("version");
        assert!(v.starts_with("v1.") && v.split('.').count() == 3, "{v}");
    }
}
