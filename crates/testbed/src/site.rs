//! One real site: kine, kube-apiserver, kube-controller-manager, kube-scheduler and kwok,
//! all on the site's own loopback address, with a handle to start, stop, restart and kill
//! each program and to compact kine.

use crate::args::{self, Component, KINE_PORT, SiteLayout};
use crate::bins::Binaries;
use crate::pki::{self, SitePki};
use crate::process::{Proc, ProcSpec};
use crate::{TestbedError, kubeconfig, seed};
use outpost_sim::spec::{Distro, SiteSpec};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a program gets to exit after SIGTERM.
const GRACE: Duration = Duration::from_secs(5);

/// A running real site; every program is stopped on drop.
pub struct RealSite {
    pub spec: SiteSpec,
    pub ip: Ipv4Addr,
    pub port: u16,
    pub dir: PathBuf,
    pub pki: SitePki,
    procs: Mutex<BTreeMap<Component, Proc>>,
    logs_task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for RealSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealSite")
            .field("name", &self.spec.name)
            .field("endpoint", &self.endpoint())
            .finish()
    }
}

/// Waits until something accepts TCP connections on `addr`.
pub(crate) async fn wait_port(addr: SocketAddr, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

impl RealSite {
    /// Starts every program of a site described by `spec` (its version and distro decide
    /// the binary) on `ip`, with its files under `dir`, and seeds it.
    pub async fn start(
        spec: SiteSpec,
        ip: Ipv4Addr,
        dir: &Path,
        bins: &Binaries,
    ) -> Result<RealSite, TestbedError> {
        if !ip.is_loopback() {
            return Err(TestbedError::Config(format!(
                "{ip} is not a loopback address"
            )));
        }
        let port = spec.distro.default_port();
        let pki = SitePki::generate(&dir.join("pki"), &spec.name, spec.distro, ip)?;
        for sub in ["db", "logs"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|source| TestbedError::Io {
                what: format!("creating {}", dir.join(sub).display()),
                source,
            })?;
        }
        let endpoint = format!("https://{ip}:{port}");
        let components = kubeconfig::admin_cert_kubeconfig(&endpoint, &pki);
        pki::write(&dir.join("components.kubeconfig"), &components)?;
        pki::write(
            &dir.join("kwok.yaml"),
            &crate::kwok::config(&dir.join("logs")),
        )?;
        let logs_task = crate::logs::start(&dir.join("logs"), &spec.name)?;
        let layout = SiteLayout {
            ip,
            port,
            distro: spec.distro,
            dir,
            pki: &pki,
        };
        let bin = bins.path(spec.distro);
        let procs = Component::ALL
            .iter()
            .map(|&c| {
                let p = Proc::new(ProcSpec {
                    name: format!("{}/{}", spec.name, c.program()),
                    bin: bin.clone(),
                    args: std::iter::once(c.program().to_string())
                        .chain(args::args(c, &layout))
                        .collect(),
                    log: dir.join(format!("{}.log", c.program())),
                });
                (c, p)
            })
            .collect();
        let site = RealSite {
            spec,
            ip,
            port,
            dir: dir.to_path_buf(),
            pki,
            procs: Mutex::new(procs),
            logs_task,
        };
        let started = Instant::now();
        for c in Component::ALL {
            site.start_component(c).await?;
        }
        // A bad flag makes a program exit within a moment of starting.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        site.check_running()?;
        seed::seed(&site).await?;
        tracing::info!(site = %site.spec.name, secs = started.elapsed().as_secs_f64(), "site ready");
        Ok(site)
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn distro(&self) -> Distro {
        self.spec.distro
    }

    /// `https://<ip>:<port>`.
    pub fn endpoint(&self) -> String {
        format!("https://{}:{}", self.ip, self.port)
    }

    fn with_proc<T>(&self, c: Component, f: impl FnOnce(&mut Proc) -> T) -> T {
        let mut procs = self.procs.lock().unwrap_or_else(|p| p.into_inner());
        match procs.get_mut(&c) {
            Some(p) => f(p),
            None => unreachable!("every component has a process"),
        }
    }

    /// The pid of a running component.
    pub fn pid(&self, c: Component) -> Option<u32> {
        self.with_proc(c, |p| if p.running() { p.pid() } else { None })
    }

    /// Starts a component and waits until it serves (kine: its port; apiserver: `/readyz`).
    pub async fn start_component(&self, c: Component) -> Result<(), TestbedError> {
        self.with_proc(c, Proc::start)?;
        let ok = match c {
            Component::Kine => {
                wait_port(
                    SocketAddr::new(self.ip.into(), KINE_PORT),
                    Duration::from_secs(30),
                )
                .await
            }
            Component::ApiServer => self.wait_ready(Duration::from_secs(90)).await,
            _ => true,
        };
        if !ok || !self.with_proc(c, Proc::running) {
            let tail = self.with_proc(c, |p| p.log_tail(15));
            return Err(TestbedError::Start {
                site: self.spec.name.clone(),
                program: c.program(),
                log: tail,
            });
        }
        Ok(())
    }

    /// An error naming the first component that is not running, with its log's end.
    pub fn check_running(&self) -> Result<(), TestbedError> {
        for c in Component::ALL {
            if !self.with_proc(c, Proc::running) {
                return Err(TestbedError::Start {
                    site: self.spec.name.clone(),
                    program: c.program(),
                    log: self.with_proc(c, |p| p.log_tail(15)),
                });
            }
        }
        Ok(())
    }

    /// SIGTERM, then SIGKILL after a grace period.
    pub fn stop_component(&self, c: Component) {
        self.with_proc(c, |p| p.stop(GRACE));
    }

    /// SIGKILL, no grace.
    pub fn kill_component(&self, c: Component) {
        self.with_proc(c, Proc::kill);
    }

    pub async fn restart_component(&self, c: Component) -> Result<(), TestbedError> {
        self.stop_component(c);
        self.start_component(c).await
    }

    /// Compacts kine's history up to its current revision; returns that revision.
    pub async fn compact_kine(&self) -> Result<i64, TestbedError> {
        let bin = self.with_proc(Component::Kine, |p| p.spec.bin.clone());
        let out = tokio::process::Command::new(bin)
            .args([
                "compact".to_string(),
                format!("--endpoint=http://{}:{KINE_PORT}", self.ip),
            ])
            .output()
            .await
            .map_err(|source| TestbedError::Io {
                what: "running compact".into(),
                source,
            })?;
        let text = String::from_utf8_lossy(&out.stdout);
        match (out.status.success(), text.trim().parse::<i64>()) {
            (true, Ok(rev)) => Ok(rev),
            _ => Err(TestbedError::Compact(
                String::from_utf8_lossy(&out.stderr).trim().to_string(),
            )),
        }
    }

    /// A client with the admin credentials (client certificate or bearer token).
    pub async fn client(&self) -> Result<kube::Client, TestbedError> {
        let kc = kubeconfig::site_kubeconfig(std::slice::from_ref(&self.entry()));
        kubeconfig::client(&kc, &self.spec.name).await
    }

    /// This site's kubeconfig entry.
    pub fn entry(&self) -> kubeconfig::Entry {
        kubeconfig::Entry {
            name: self.spec.name.clone(),
            endpoint: self.endpoint(),
            ca_pem: self.pki.ca_pem.clone(),
            cert_pem: (self.spec.distro == Distro::K3s).then(|| self.pki.admin_cert_pem.clone()),
            key_pem: (self.spec.distro == Distro::K3s).then(|| self.pki.admin_key_pem.clone()),
            token: self.pki.token.clone(),
        }
    }

    /// Whether `/readyz` answers `ok` within `timeout`.
    pub async fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(c) = self.client().await {
                let req = http_get("/readyz");
                if let Ok(body) = c.request_text(req).await
                    && body.trim() == "ok"
                {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        false
    }

    /// The resident set size of every running program, in KiB.
    pub fn rss_kib(&self) -> u64 {
        Component::ALL
            .iter()
            .filter_map(|&c| self.pid(c))
            .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
            .filter_map(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            })
            .sum()
    }

    /// Stops every program (reverse start order).
    pub fn shutdown(&self) {
        self.logs_task.abort();
        for c in Component::ALL.iter().rev() {
            self.stop_component(*c);
        }
    }
}

pub(crate) fn http_get(path: &str) -> http::Request<Vec<u8>> {
    let mut req = http::Request::new(Vec::new());
    *req.uri_mut() = path.parse::<http::Uri>().unwrap_or_default();
    req
}

impl Drop for RealSite {
    fn drop(&mut self) {
        self.logs_task.abort();
        let procs = self.procs.get_mut().unwrap_or_else(|p| p.into_inner());
        // Kill in reverse order without grace: drop must not block for long.
        while let Some((_, mut p)) = procs.pop_last() {
            p.kill();
        }
    }
}
