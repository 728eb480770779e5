//! `outpost snapshot serve`: bundles served read-only over the Kubernetes API, one
//! context per bundle, on loopback.

use anyhow::{Context as _, bail};
use outpost_core::bundle::{self, Bundle, SecretString};
use outpost_core::registry::Distro;
use outpost_sim::readonly::{ReadOnlyFleet, SnapshotSite};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokio::runtime::Runtime;

fn snapshot_site(b: Bundle) -> SnapshotSite {
    use outpost_sim::spec::Distro as SimDistro;
    let m = b.manifest;
    let k3s =
        m.distro == Some(Distro::K3s) || m.version.as_deref().is_some_and(|v| v.contains("+k3s"));
    SnapshotSite {
        name: m.site,
        display_name: m.display_name,
        distro: if k3s {
            SimDistro::K3s
        } else {
            SimDistro::MicroK8s
        },
        version: m.version.unwrap_or_else(|| "v0.0.0".into()),
        taken_at: m.taken_at.to_string(),
        objects: b.resources.into_iter().collect(),
        logs: b
            .logs
            .into_iter()
            .map(|l| ((l.namespace, l.pod, l.container), l.text))
            .collect(),
    }
}

pub fn serve(
    files: &[PathBuf],
    kubeconfig: Option<&Path>,
    bind: std::net::IpAddr,
    pass: Option<&SecretString>,
    rt: &Runtime,
) -> anyhow::Result<ExitCode> {
    if !bind.is_loopback() {
        bail!("--bind must be a loopback address (snapshots are served to this machine only)");
    }
    let mut sites = Vec::new();
    let mut times = Vec::new();
    for f in files {
        let b = bundle::read_file(f, pass).with_context(|| format!("reading {}", f.display()))?;
        times.push((b.manifest.site.clone(), b.manifest.taken_at));
        sites.push(snapshot_site(b));
    }
    rt.block_on(async {
        let fleet = ReadOnlyFleet::start(sites, bind).await?;
        match kubeconfig {
            Some(p) => fleet.write_kubeconfig(p)?,
            None => out!("{}", fleet.kubeconfig_yaml()?),
        }
        for ((name, url), (_, at)) in fleet.endpoints().iter().zip(&times) {
            errln!("serving {name} (read-only snapshot as of {at}) at {url}");
        }
        errln!("ready; Ctrl-C to stop");
        let _ = tokio::signal::ctrl_c().await;
        fleet.shutdown().await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
