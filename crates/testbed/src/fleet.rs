//! N real sites at once: K3s-style and MicroK8s-style, each on its own loopback address
//! (`127.<a>.<b>.1`, picked free), started in parallel, with the kubeconfig and sites file
//! `outpost sim` writes. Everything stops when the [`Testbed`] is dropped.

use crate::bins::{self, Binaries};
use crate::site::RealSite;
use crate::{TestbedError, kubeconfig};
use outpost_sim::spec::{Distro, SiteSpec};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct TestbedConfig {
    /// K3s-style sites (client certificates, port 6443, `vX.Y.Z+k3s1`).
    pub k3s: usize,
    /// MicroK8s-style sites (bearer token, port 16443, plain `vX.Y.Z`).
    pub microk8s: usize,
    /// Seed of the generated fleet (names, cities, workloads), as for `outpost sim`.
    pub seed: u64,
    /// Where the sites' files go; a temporary directory when `None`.
    pub dir: Option<PathBuf>,
}

impl Default for TestbedConfig {
    fn default() -> Self {
        TestbedConfig {
            k3s: 1,
            microk8s: 0,
            seed: 1,
            dir: None,
        }
    }
}

pub struct Testbed {
    pub sites: Vec<RealSite>,
    _tmp: Option<tempfile::TempDir>,
    pub dir: PathBuf,
}

/// Whether every port a site uses is free on `ip`.
fn free(ip: Ipv4Addr) -> bool {
    [2379, 2381, 6443, 16443, 10250, 10257, 10259]
        .iter()
        .all(|&p| TcpListener::bind(SocketAddr::new(ip.into(), p)).is_ok())
}

/// `n` free site addresses `127.<a>.<b>.1`, from a random start.
fn pick_addresses(n: usize) -> Result<Vec<Ipv4Addr>, TestbedError> {
    use rand::Rng;
    let mut rng = rand::rng();
    for _ in 0..50 {
        let a: u8 = rng.random_range(20..=250);
        let start: u8 = rng.random_range(1..=200);
        let ips: Vec<Ipv4Addr> = (0..n)
            .map(|i| Ipv4Addr::new(127, a, start.wrapping_add(i as u8), 1))
            .collect();
        if n <= 50 && ips.iter().all(|ip| free(*ip)) {
            return Ok(ips);
        }
    }
    Err(TestbedError::Config(format!(
        "no {n} free loopback addresses found"
    )))
}

/// The generated fleet's specs, made to match what the real binaries report.
pub fn specs(cfg: &TestbedConfig) -> Result<Vec<SiteSpec>, TestbedError> {
    let version = bins::kubernetes_version()?;
    let n = cfg.k3s + cfg.microk8s;
    let mut specs = outpost_sim::demo::generated_fleet(n, cfg.seed);
    for (i, s) in specs.iter_mut().enumerate() {
        s.distro = if i < cfg.k3s {
            Distro::K3s
        } else {
            Distro::MicroK8s
        };
        s.version = match s.distro {
            Distro::K3s => format!("{version}+k3s1"),
            Distro::MicroK8s => version.clone(),
        };
        s.nodes.truncate(3);
        s.offline = false;
    }
    Ok(specs)
}

impl Testbed {
    /// Starts every site in parallel; fails (stopping what started) if one does not.
    pub async fn start(cfg: TestbedConfig, bins: &Binaries) -> Result<Testbed, TestbedError> {
        let specs = specs(&cfg)?;
        let (tmp, dir) = match &cfg.dir {
            Some(d) => (None, d.clone()),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("outpost-testbed-")
                    .tempdir()
                    .map_err(|source| TestbedError::Io {
                        what: "creating a temporary directory".into(),
                        source,
                    })?;
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let ips = pick_addresses(specs.len())?;
        let started = Instant::now();
        let futures = specs.into_iter().zip(ips).map(|(spec, ip)| {
            let d = dir.join(&spec.name);
            let bins = bins.clone();
            async move { RealSite::start(spec, ip, &d, &bins).await }
        });
        let results = futures::future::join_all(futures).await;
        let mut sites = Vec::new();
        let mut first_err = None;
        for r in results {
            match r {
                Ok(s) => sites.push(s),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_err {
            drop(sites);
            return Err(e);
        }
        tracing::info!(
            sites = sites.len(),
            secs = started.elapsed().as_secs_f64(),
            "test bed ready"
        );
        Ok(Testbed {
            sites,
            _tmp: tmp,
            dir,
        })
    }

    pub fn site(&self, name: &str) -> Option<&RealSite> {
        self.sites.iter().find(|s| s.name() == name)
    }

    /// The kubeconfig `outpost sim --kubeconfig` would write for these sites.
    pub fn kubeconfig(&self) -> serde_json::Value {
        let entries: Vec<_> = self.sites.iter().map(RealSite::entry).collect();
        kubeconfig::site_kubeconfig(&entries)
    }

    /// The sites file `outpost sim --sites-file` would write.
    pub fn sites_file(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.sites
                .iter()
                .map(|s| outpost_sim::kubeconfig::site_record(&s.spec, &s.endpoint()))
                .collect(),
        )
    }

    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), TestbedError> {
        // Written as JSON, which is YAML: kubectl and Outpost read it as a kubeconfig.
        let text = serde_json::to_string_pretty(&self.kubeconfig())
            .map_err(|e| TestbedError::Config(format!("encoding the kubeconfig: {e}")))?;
        crate::pki::write(path, &text)
    }

    pub fn write_sites_file(&self, path: &Path) -> Result<(), TestbedError> {
        let text = serde_json::to_string_pretty(&self.sites_file())
            .map_err(|e| TestbedError::Config(format!("encoding the sites file: {e}")))?;
        crate::pki::write(path, &text)
    }

    /// Stops every site's programs gracefully.
    pub fn shutdown(&self) {
        for s in &self.sites {
            s.shutdown();
        }
    }
}
