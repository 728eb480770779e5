//! The test bed: real Kubernetes sites on loopback, built from the Go programs in
//! `testbed/` (kube-apiserver, kube-controller-manager and kube-scheduler from
//! `k8s.io/kubernetes`, kine on sqlite, kwok as the nodes' kubelets), so Outpost's claims can
//! be checked against the real API server's semantics.
//!
//! - [`bins`]: finding the cached binaries (`scripts/testbed-build.sh`).
//! - [`pki`]: each site's CAs, certificates and token; [`kubeconfig`]: kubeconfig shapes.
//! - [`args`]: the programs' command lines; [`process`]: child processes.
//! - [`kwok`]: kwok's stages and logs; [`logs`]: the log files behind `kubectl logs`.
//! - [`crd`]: the system-upgrade-controller `Plan` CRD.
//! - [`site`]: one real site and its handle; [`seed`]: what it starts with.
//! - [`fleet`]: N sites, the kubeconfig and sites file (`outpost-testbed up`).

pub mod args;
pub mod bins;
pub mod crd;
pub mod fleet;
pub mod kubeconfig;
pub mod kwok;
pub mod logs;
pub mod pki;
pub mod process;
pub mod seed;
pub mod site;

pub use args::Component;
pub use bins::Binaries;
pub use fleet::{Testbed, TestbedConfig};
pub use site::RealSite;

#[derive(Debug, thiserror::Error)]
pub enum TestbedError {
    #[error("test bed binaries not built: {0} is missing (run scripts/testbed-build.sh)")]
    MissingBinaries(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("certificate generation failed: {0}")]
    Pki(#[from] rcgen::Error),
    #[error("{0}")]
    Config(String),
    #[error("site {site}: {program} did not start; its log ends with:\n{log}")]
    Start {
        site: String,
        program: &'static str,
        log: String,
    },
    #[error("site {site}: seeding {object}: {message}")]
    Seed {
        site: String,
        object: String,
        message: String,
    },
    #[error("kube client: {0}")]
    Kube(String),
    #[error("kine compaction failed: {0}")]
    Compact(String),
}

/// What went wrong bringing up a test site, by meaning.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The Go-built control planes are not installed (`scripts/setup.sh test`).
    MissingBinaries,
    /// Writing the site's files failed.
    Io,
    /// Certificates or keys could not be made.
    Pki,
    /// The site's settings are inconsistent.
    Config,
    /// A control-plane process did not start or become ready.
    Start,
    /// Seeding the site's objects failed.
    Seed,
    /// The site's API refused a request (seeding, compaction).
    Api,
}

impl TestbedError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            TestbedError::MissingBinaries(_) => ErrorKind::MissingBinaries,
            TestbedError::Io { .. } => ErrorKind::Io,
            TestbedError::Pki(_) => ErrorKind::Pki,
            TestbedError::Config(_) => ErrorKind::Config,
            TestbedError::Start { .. } => ErrorKind::Start,
            TestbedError::Seed { .. } => ErrorKind::Seed,
            TestbedError::Kube(_) | TestbedError::Compact(_) => ErrorKind::Api,
        }
    }
}
