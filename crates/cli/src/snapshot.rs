//! `outpost snapshot`: export a site's state to a bundle file, import one (the site is
//! then shown offline from it), compare two states of a site, and serve bundles
//! read-only to kubectl.

use crate::session::CHECK;
mod serve;

use anyhow::{Context as _, bail};
use outpost_core::bundle::{self, CollectOptions, Diff, SecretString, View};
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::credentials::Vault;
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::snapshot::SnapshotStore;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

#[derive(clap::Args, Debug, Clone)]
pub struct Profile {
    /// Data directory (default: $OUTPOST_HOME, then the OS data directory).
    #[arg(long, value_name = "PATH")]
    home: Option<PathBuf>,
    /// Profile inside the data directory.
    #[arg(long, default_value = "default")]
    profile: String,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Pass {
    /// File holding the bundle passphrase (first line; encrypts on export).
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

impl Pass {
    fn read(&self) -> anyhow::Result<Option<SecretString>> {
        let Some(p) = &self.passphrase_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(p)
            .with_context(|| format!("reading the passphrase file {}", p.display()))?;
        let line = text.lines().next().unwrap_or("");
        if line.is_empty() {
            bail!("the passphrase file {} is empty", p.display());
        }
        Ok(Some(SecretString::from(line.to_string())))
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum SnapshotCmd {
    /// Write a site's state to a bundle file: read now, or, when the site does not
    /// answer, from the bundle stored for it (as the app does).
    Export {
        site: String,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Last lines kept per container log (0: none).
        #[arg(long, default_value_t = 200, value_name = "N")]
        log_lines: u32,
        /// Seconds for the whole read.
        #[arg(long, default_value_t = 60.0, value_name = "SECS")]
        timeout: f64,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        pass: Pass,
        #[command(flatten)]
        profile: Profile,
    },
    /// What changed since the state the site had before it last came back, else since
    /// the bundle stored for it (the app's "changes" panel).
    Changes {
        site: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        profile: Profile,
    },
    /// Forget the state the site had before it last came back (the app's "dismiss").
    Dismiss {
        site: String,
        #[command(flatten)]
        profile: Profile,
    },
    /// Import a bundle: the site is shown offline from it until it answers again. A
    /// bundle of a registered site taken from another endpoint is refused unless
    /// imported as a new site (`--as-new-site NAME`).
    Import {
        file: PathBuf,
        /// Replace a newer stored snapshot.
        #[arg(long)]
        force: bool,
        /// Import as a new site with this name (whatever site the bundle names).
        #[arg(long, value_name = "NAME")]
        as_new_site: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        pass: Pass,
        #[command(flatten)]
        profile: Profile,
    },
    /// Show a bundle's manifest (the whole file is checked).
    Show {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        pass: Pass,
    },
    /// What changed from A to B: bundle files, `live:SITE` (the site now),
    /// `snapshot:SITE` (its health snapshot) or `before-reconnect:SITE` (the state it had
    /// before it last came back, kept until dismissed in the app).
    Diff {
        a: String,
        b: String,
        #[arg(long)]
        json: bool,
        /// Seconds to read a live site.
        #[arg(long, default_value_t = 30.0, value_name = "SECS")]
        timeout: f64,
        #[command(flatten)]
        pass: Pass,
        #[command(flatten)]
        profile: Profile,
    },
    /// Serve bundles read-only over the Kubernetes API, one context per bundle.
    Serve {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the kubeconfig here (default: print it).
        #[arg(long, value_name = "PATH")]
        kubeconfig: Option<PathBuf>,
        /// Loopback address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        #[command(flatten)]
        pass: Pass,
    },
}

fn secs(s: f64) -> anyhow::Result<Duration> {
    if !(s.is_finite() && s > 0.0 && s <= 3600.0) {
        bail!("--timeout must be between 0 and 3600 seconds");
    }
    Ok(Duration::from_secs_f64(s))
}

fn home(p: &Profile) -> anyhow::Result<Home> {
    crate::open_home(p.home.as_deref(), &p.profile)
}

pub fn run(cmd: SnapshotCmd, rt: &Runtime) -> anyhow::Result<ExitCode> {
    match cmd {
        SnapshotCmd::Export {
            site,
            output,
            log_lines,
            timeout,
            json,
            pass,
            profile,
        } => {
            let (pass, deadline) = (pass.read()?, secs(timeout)?);
            let opts = CollectOptions {
                log_lines,
                deadline,
                ..CollectOptions::default()
            };
            let names = [site.clone()];
            let session =
                crate::session::open(rt, home(&profile)?, &names, deadline.min(CHECK), false)?;
            let e = rt.block_on(session.export(&site, &output, pass, &opts))?;
            if json {
                jsonln!(serde_json::to_string(&e)?);
            } else {
                let objects: u64 = e.summary.counts.values().sum();
                outln!(
                    "exported {site} to {} ({} bytes{}): {objects} objects, {} log tails, taken at {}{}",
                    e.path,
                    e.bytes,
                    if e.encrypted { ", encrypted" } else { "" },
                    e.summary.log_tails,
                    utc_ms(e.summary.taken_at_ms),
                    if e.from_snapshot {
                        " (the site did not answer: written from the bundle stored for it)"
                    } else {
                        ""
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCmd::Changes {
            site,
            json,
            profile,
        } => {
            let names = [site.clone()];
            let session = crate::session::open(rt, home(&profile)?, &names, CHECK, false)?;
            let d = rt.block_on(session.changes(&site))?;
            if json {
                jsonln!(serde_json::to_string(&d)?);
            } else {
                match d {
                    Some(d) => out!("{}", render(&d)),
                    None => outln!(
                        "no changes are kept for {site}: export or import a bundle of it first"
                    ),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCmd::Dismiss { site, profile } => {
            let names = [site.clone()];
            let session = crate::session::open(rt, home(&profile)?, &names, CHECK, false)?;
            if rt.block_on(session.dismiss(&site))? {
                outln!("dismissed the changes of {site} since it came back");
            } else {
                outln!("no changes since a reconnect are kept for {site}");
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCmd::Import {
            file,
            force,
            as_new_site,
            json,
            pass,
            profile,
        } => {
            let home = home(&profile)?;
            home.ensure()?;
            let pass = pass.read()?;
            let r = match as_new_site {
                Some(name) => bundle::import_as_new(&file, pass.as_ref(), &home, force, &name)?,
                None => bundle::import(&file, pass.as_ref(), &home, force)?,
            };
            if json {
                jsonln!(serde_json::to_string(&r.manifest)?);
            } else {
                outln!(
                    "imported {}: offline snapshot as of {}{}",
                    r.manifest.site,
                    r.manifest.taken_at,
                    if r.registered {
                        " (new site, registered without credentials)"
                    } else {
                        ""
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCmd::Show { file, json, pass } => {
            let s = bundle::scan_file(&file, pass.read()?.as_ref())?;
            let m = &s.manifest;
            if json {
                jsonln!(serde_json::to_string(m)?);
            } else {
                outln!("site      {} ({})", m.site, m.display_name);
                outln!("taken at  {}", m.taken_at);
                let distro = m.distro.map(|d| d.as_str()).unwrap_or("-");
                outln!("version   {distro} {}", m.version.as_deref().unwrap_or("-"));
                outln!("outpost   {} (format {})", m.outpost_version, m.format);
                for (k, n) in &m.counts {
                    outln!("{k:<12}{n}");
                }
                outln!("log tails {} ({} unreadable)", m.logs, m.logs_failed);
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCmd::Diff {
            a,
            b,
            json,
            timeout,
            pass,
            profile,
        } => {
            let pass = pass.read()?;
            let deadline = secs(timeout)?;
            let cached = |x: &str| x.starts_with("snapshot:") || x.starts_with("before-reconnect:");
            // Compared with a health snapshot, the live site is read the way the health
            // engine reads it, so both sides are pruned alike.
            let by_state = cached(&a) || cached(&b);
            let is_live = |x: &str| x.starts_with("live:");
            let home = if is_live(&a) || is_live(&b) || by_state {
                Some(home(&profile)?)
            } else {
                None
            };
            // The keyring only to read a live site.
            let live = match &home {
                Some(home) if is_live(&a) || is_live(&b) => {
                    let vault = Arc::new(Vault::open(home).context("opening the keyring")?);
                    Some(ClientCache::new(vault, Timeouts::default()))
                }
                _ => None,
            };
            let view = |x: &str| -> anyhow::Result<View> {
                match (x.split_once(':'), &home, &live) {
                    (Some(("live", site)), Some(home), Some(clients)) => {
                        let site = SiteStore::new(home).get(site)?;
                        if by_state {
                            let sweep = outpost_core::health::sweep(&site, clients, deadline);
                            let st = rt.block_on(sweep)?;
                            let now = Some(jiff::Timestamp::now());
                            return Ok(View::of_state(format!("live {}", site.name), now, &st));
                        }
                        Ok(rt.block_on(bundle::live_view(&site, clients, deadline))?)
                    }
                    (Some((which @ ("snapshot" | "before-reconnect"), site)), Some(home), _) => {
                        let store = SnapshotStore::new(home);
                        let v = if which == "snapshot" {
                            store.snapshot_view(site)?
                        } else {
                            store.baseline_view(site)?
                        };
                        v.with_context(|| format!("no {which} snapshot is kept for {site}"))
                    }
                    _ => {
                        let b = bundle::read_file(Path::new(x), pass.as_ref())?;
                        Ok(View::of_bundle(format!("bundle {x}"), &b))
                    }
                }
            };
            let d = Diff::between(&view(&a)?, &view(&b)?);
            if json {
                jsonln!(serde_json::to_string(&d)?);
            } else {
                out!("{}", d.render());
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCmd::Serve {
            files,
            kubeconfig,
            bind,
            pass,
        } => serve::serve(
            &files,
            kubeconfig.as_deref(),
            bind,
            pass.read()?.as_ref(),
            rt,
        ),
    }
}

/// A time on the IPC (Unix ms) as RFC 3339 UTC.
fn utc_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| format!("{ms} ms"), |t| t.to_string())
}

/// The changes as text, one line per entry (the app's changes panel, in words).
fn render(d: &outpost_ipc::snapshot::SnapshotDiff) -> String {
    let at = |t: &Option<i64>| t.map(|t| format!(" ({})", utc_ms(t))).unwrap_or_default();
    let mut o = format!(
        "from {}{}\nto   {}{}\n",
        d.from,
        at(&d.from_ms),
        d.to,
        at(&d.to_ms)
    );
    if d.entries.is_empty() {
        o.push_str("no changes\n");
    }
    for e in &d.entries {
        let kind = serde_json::to_value(e.kind).ok();
        let kind = kind.as_ref().and_then(|k| k.as_str()).unwrap_or("change");
        let (f, t) = (
            e.from.as_deref().unwrap_or("-"),
            e.to.as_deref().unwrap_or("-"),
        );
        o.push_str(&format!("{kind:<18} {}: {f} -> {t}\n", e.subject));
    }
    o
}
