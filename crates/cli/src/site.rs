//! `outpost site`: import, list, show, edit and remove sites; list local clusters; scan
//! the LAN for API servers. A thin layer over `outpost_core`.

mod render;

use anyhow::{Context as _, bail};
use outpost_core::credentials::Vault;
use outpost_core::discovery::{local, scan};
use outpost_core::import::{self, ImportOptions, Input, Selection};
use outpost_core::paths::Home;
use outpost_core::registry::{MaintenanceWindow, SiteStore, parse_lat_lon};
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::runtime::Runtime;

/// Where the data lives (every `site` subcommand takes these).
#[derive(clap::Args, Debug, Clone)]
pub struct HomeArgs {
    /// Data directory (default: $OUTPOST_HOME, then the OS data directory).
    #[arg(long, global = true, value_name = "PATH")]
    home: Option<PathBuf>,
    /// Profile inside the data directory.
    #[arg(long, global = true, default_value = "default")]
    profile: String,
}

impl HomeArgs {
    fn resolve(&self) -> anyhow::Result<Home> {
        crate::open_home(self.home.as_deref(), &self.profile)
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum SiteCmd {
    /// Import sites from a kubeconfig (a path, or - for stdin).
    Import(Box<ImportArgs>),
    /// List registered sites.
    List {
        #[command(flatten)]
        home: HomeArgs,
        #[arg(long)]
        json: bool,
    },
    /// Show one site.
    Show {
        name: String,
        #[command(flatten)]
        home: HomeArgs,
        #[arg(long)]
        json: bool,
    },
    /// Change a site's metadata.
    Edit(Box<EditArgs>),
    /// Remove a site and delete its keyring entries.
    Remove {
        name: String,
        #[command(flatten)]
        home: HomeArgs,
    },
    /// List clusters in kubeconfigs on this machine ($KUBECONFIG, k3s, microk8s).
    Local {
        #[arg(long)]
        json: bool,
    },
    /// Look for Kubernetes API servers on a network (GET /version, unauthenticated).
    Scan {
        /// IPv4 network, at most a /16 (e.g. 192.168.1.0/24).
        cidr: String,
        #[arg(long, default_value = "6443,16443")]
        ports: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Kubeconfig path, or - to read it from stdin.
    kubeconfig: String,
    #[command(flatten)]
    home: HomeArgs,
    /// Import this context (default: current-context).
    #[arg(long, conflicts_with = "all")]
    context: Option<String>,
    /// Import every context.
    #[arg(long)]
    all: bool,
    /// Site name (DNS-1123 label).
    #[arg(long)]
    name: Option<String>,
    /// HOST[:PORT] the site is reached at (replaces 127.0.0.1/localhost).
    #[arg(long, value_name = "HOST[:PORT]")]
    address: Option<String>,
    /// LAT,LON in degrees.
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    location: Option<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// JSON list of site metadata (as written by `outpost sim --sites-file`).
    #[arg(long, value_name = "PATH")]
    sites_file: Option<PathBuf>,
    /// Approve the exec credential plugins this kubeconfig runs (each command line is
    /// printed as it is approved).
    #[arg(long)]
    allow_exec: bool,
    /// Read this file although it is outside the kubeconfig's folder (repeatable; the
    /// exact path as the refusal shows it).
    #[arg(long = "allow-file", value_name = "PATH")]
    allow_files: Vec<PathBuf>,
    /// Accept insecure-skip-tls-verify for these sites.
    #[arg(long)]
    insecure_skip_tls_verify: bool,
    /// Print the plan, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the plan as JSON.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for the serving certificate.
    #[arg(long, default_value_t = 3.0)]
    tls_timeout: f64,
}

#[derive(clap::Args, Debug)]
pub struct EditArgs {
    name: String,
    #[command(flatten)]
    home: HomeArgs,
    #[arg(long)]
    display_name: Option<String>,
    /// LAT,LON in degrees.
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    location: Option<String>,
    /// Street address or city.
    #[arg(long)]
    address_text: Option<String>,
    #[arg(long)]
    add_tag: Vec<String>,
    #[arg(long)]
    remove_tag: Vec<String>,
    /// Notes ("" clears them).
    #[arg(long)]
    notes: Option<String>,
    /// Contact ("" clears it).
    #[arg(long)]
    contact: Option<String>,
    /// `DAYS HH:MM-HH:MM TZ` (e.g. "sat,sun 02:00-05:00 Europe/Paris"), `text:...`, or `none`.
    #[arg(long)]
    window: Option<String>,
    /// Approve running the site's exec credential plugin.
    #[arg(long)]
    allow_exec: bool,
}

pub fn run(cmd: SiteCmd, rt: &Runtime) -> anyhow::Result<ExitCode> {
    match cmd {
        SiteCmd::Import(a) => import_cmd(*a, rt),
        SiteCmd::List { home, json } => {
            let sites = SiteStore::new(&home.resolve()?).list()?;
            if json {
                jsonln!(serde_json::to_string_pretty(&sites)?);
            } else {
                out!("{}", render::site_table(&sites));
            }
            Ok(ExitCode::SUCCESS)
        }
        SiteCmd::Show { name, home, json } => {
            let site = SiteStore::new(&home.resolve()?).get(&name)?;
            if json {
                jsonln!(serde_json::to_string_pretty(&site)?);
            } else {
                out!("{}", render::site_detail(&site));
            }
            Ok(ExitCode::SUCCESS)
        }
        SiteCmd::Edit(a) => edit_cmd(*a),
        SiteCmd::Remove { name, home } => {
            let home = home.resolve()?;
            let store = SiteStore::new(&home);
            let site = store.get(&name)?;
            let _span = tracing::info_span!("site", site = %site.name).entered();
            let vault = Vault::open(&home)?;
            vault
                .delete_site(&site.name)
                .with_context(|| format!("site {name:?} was kept"))?;
            store.remove(&name)?;
            outln!("removed site {name} and its keyring entries");
            Ok(ExitCode::SUCCESS)
        }
        SiteCmd::Local { json } => {
            let (found, skipped) = local::list(&local::default_sources());
            for s in &skipped {
                errln!("skipped {}: {}", s.source.display(), s.reason);
            }
            if json {
                jsonln!(serde_json::to_string_pretty(&found)?);
            } else {
                out!("{}", render::local_table(&found));
            }
            Ok(ExitCode::SUCCESS)
        }
        SiteCmd::Scan { cidr, ports, json } => {
            let opts = scan::ScanOptions {
                ports: scan::parse_ports(&ports)?,
                ..Default::default()
            };
            scan::hosts(&cidr)?;
            let found = rt.block_on(scan::scan(&cidr, &opts))?;
            if json {
                jsonln!(serde_json::to_string_pretty(&found)?);
            } else {
                out!("{}", render::scan_table(&found));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn import_cmd(a: ImportArgs, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let home = a.home.resolve()?;
    let input = if a.kubeconfig == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the kubeconfig from stdin")?;
        Input::Text { text }
    } else {
        Input::Path(PathBuf::from(&a.kubeconfig))
    };
    if !(a.tls_timeout > 0.0 && a.tls_timeout <= 60.0) {
        bail!("--tls-timeout must be between 0 and 60 seconds");
    }
    let opts = ImportOptions {
        selection: match (a.all, a.context) {
            (true, _) => Selection::All,
            (false, Some(c)) => Selection::Context(c),
            (false, None) => Selection::Current,
        },
        name: a.name,
        address: a.address,
        location: a.location.as_deref().map(parse_lat_lon).transpose()?,
        tags: a.tags,
        sites_file: a.sites_file,
        allowed_files: a.allow_files,
        // The CLI approves by exact path (--allow-file), never by preview hash.
        approved_files: Vec::new(),
        insecure_skip_tls_verify: a.insecure_skip_tls_verify,
        tls_timeout: Duration::from_secs_f64(a.tls_timeout),
    };
    let store = SiteStore::new(&home);
    let existing = store.list()?;
    let mut plan = rt.block_on(import::plan(&input, &opts, &existing))?;
    // A file outside the kubeconfig's folder is read only when named by --allow-file.
    plan.require_files_approved()?;
    if a.allow_exec {
        let hashes: Vec<String> = plan
            .exec_plugins()
            .iter()
            .map(|(site, e)| {
                eprintln!("approving the exec plugin of {site}: {}", e.command_line());
                e.hash.clone()
            })
            .collect();
        plan.approve_exec(&hashes)?;
    }
    if a.json {
        jsonln!(serde_json::to_string_pretty(&plan)?);
    } else {
        out!("{}", render::plan(&plan));
    }
    if a.dry_run {
        if !a.json {
            outln!("dry run: nothing was written");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let vault = Vault::open(&home)?;
    let names = import::apply(plan, &store, &vault)?;
    if !a.json {
        outln!(
            "imported {} site(s): {} (credentials in the {} keyring)",
            names.len(),
            names.join(", "),
            vault.backend()
        );
        if vault.backend() == "keyutils" {
            outln!(
                "note: no Secret Service is running, so the credentials are in the kernel \
                 keyring and do not survive a reboot"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn edit_cmd(a: EditArgs) -> anyhow::Result<ExitCode> {
    let store = SiteStore::new(&a.home.resolve()?);
    let location = a.location.as_deref().map(parse_lat_lon).transpose()?;
    let window = match a.window.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(w) => Some(Some(MaintenanceWindow::parse(w)?)),
    };
    let current = store.get(&a.name)?;
    if a.allow_exec {
        let Some(e) = &current.credentials.exec else {
            bail!("site {:?} has no exec credential plugin to approve", a.name);
        };
        println!(
            "approving the exec plugin of {}: {}",
            a.name,
            e.command_line()
        );
    }
    let opt = |s: String| if s.is_empty() { None } else { Some(s) };
    let site = store.update(&a.name, |s| {
        if let Some(d) = a.display_name {
            s.display_name = d;
        }
        if let Some((lat, lon)) = location {
            s.location.latitude = Some(lat);
            s.location.longitude = Some(lon);
        }
        if let Some(t) = a.address_text {
            s.location.address = opt(t);
        }
        for t in a.add_tag {
            if !s.tags.contains(&t) {
                s.tags.push(t);
            }
        }
        s.tags.retain(|t| !a.remove_tag.contains(t));
        if let Some(n) = a.notes {
            s.notes = opt(n);
        }
        if let Some(c) = a.contact {
            s.contact = opt(c);
        }
        if let Some(w) = window {
            s.maintenance_window = w;
        }
        if a.allow_exec {
            s.credentials.exec_approved = true;
        }
    })?;
    out!("{}", render::site_detail(&site));
    Ok(ExitCode::SUCCESS)
}
