//! `outpost rollout`: fleet rollouts in waves (start, list, status, pause, resume, abort,
//! report). A thin layer over `outpost_core::rollout`; the live display is in `show`.
//!
//! Exit codes: 0 completed, 2 failed (rolled back), 3 pending (offline sites left),
//! 4 paused, 5 aborted, 6 completed with failures (every wave done, some sites failed
//! within the failure budget).

mod show;

use anyhow::{Context as _, bail};
use outpost_core::actions::{WorkloadRef, parse_images};
use outpost_core::client::{ClientCache, Timeouts};
use outpost_core::credentials::Vault;
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_core::rollout::{
    Control, EngineOptions, HealthGate, OnFailure, Plan, Report, RolloutStore, Status, Targets,
    default_waves, new_id, parse_waves, split_waves,
};
use outpost_core::session::{LiveRuns, Runner};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

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
    pub fn resolve(&self) -> anyhow::Result<Home> {
        crate::open_home(self.home.as_deref(), &self.profile)
    }
}

/// How the engine runs (start and resume).
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Sites updated at once within a wave.
    #[arg(long, default_value_t = 50)]
    parallel: usize,
    /// Time between two looks at a site's rollout.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    poll: Duration,
    /// After the last wave, keep retrying offline sites this long before stopping as pending.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    offline_wait: Duration,
    /// Print JSON lines (one view per change) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum RolloutCmd {
    /// Start a rollout: NS/DEPLOYMENT CONTAINER=IMAGE… to the chosen sites, in waves.
    Start(Box<StartArgs>),
    /// List rollouts, newest first.
    List {
        #[command(flatten)]
        home: HomeArgs,
        #[arg(long)]
        json: bool,
    },
    /// Show a rollout's waves and sites (--watch: keep showing until it stops).
    Status {
        id: String,
        #[command(flatten)]
        home: HomeArgs,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        watch: bool,
    },
    /// Ask a running rollout to pause after the sites in flight.
    Pause {
        id: String,
        #[command(flatten)]
        home: HomeArgs,
    },
    /// Carry on with a paused, pending or interrupted rollout (checks every site first).
    Resume {
        id: String,
        #[command(flatten)]
        home: HomeArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Stop a rollout for good (sites already updated stay updated).
    Abort {
        id: String,
        #[command(flatten)]
        home: HomeArgs,
    },
    /// Export the per-site report.
    Report {
        id: String,
        #[command(flatten)]
        home: HomeArgs,
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct StartArgs {
    /// NAMESPACE/DEPLOYMENT, matched by name on every site.
    workload: String,
    /// CONTAINER=IMAGE (repeatable).
    #[arg(required = true)]
    images: Vec<String>,
    /// Only these sites (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["tag", "all"])]
    sites: Vec<String>,
    /// Only sites with this tag.
    #[arg(long, conflicts_with = "all")]
    tag: Option<String>,
    /// Every registered site (the default).
    #[arg(long)]
    all: bool,
    /// Wave sizes: counts of sites or cumulative shares.
    #[arg(long, default_value = "1,25%,100%")]
    waves: String,
    /// After a site's rollout completes, watch its pods this long for crash loops.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    soak: Duration,
    /// A site's rollout must complete within this.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    deadline: Duration,
    /// Failed sites a wave may have and still go on.
    #[arg(long, default_value_t = 0)]
    max_failures: u32,
    /// On a failed wave: pause, or roll the failed sites back and stop.
    #[arg(long, default_value = "rollback")]
    on_failure: String,
    #[command(flatten)]
    home: HomeArgs,
    #[command(flatten)]
    run: RunArgs,
}

/// A `--soak`/`--deadline`/… value that is not a duration.
#[derive(Debug, thiserror::Error)]
pub enum DurationError {
    #[error("{0:?}: use e.g. 500ms, 60s, 10m")]
    Invalid(String),
    #[error("{0:?} is out of range")]
    OutOfRange(String),
}

/// `500ms`, `60s`, `10m`, `1h`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| DurationError::Invalid(s.to_string()))?;
    let secs = v * mult;
    if !(secs.is_finite() && (0.0..=86_400.0 * 7.0).contains(&secs)) {
        return Err(DurationError::OutOfRange(s.to_string()));
    }
    Ok(Duration::from_secs_f64(secs))
}

pub fn exit_code(status: Status) -> ExitCode {
    ExitCode::from(match status {
        Status::Completed => 0,
        Status::Failed => 2,
        Status::Pending => 3,
        Status::Paused | Status::Running => 4,
        Status::Aborted => 5,
        Status::CompletedWithFailures => 6,
    })
}

pub fn run(cmd: RolloutCmd, rt: &Runtime) -> anyhow::Result<ExitCode> {
    match cmd {
        RolloutCmd::Start(a) => start(*a, rt),
        RolloutCmd::List { home, json } => {
            let store = RolloutStore::new(&home.resolve()?);
            let list = store.list()?;
            if json {
                let reports: Vec<Report> = list.iter().map(Report::of).collect();
                jsonln!(serde_json::to_string(&reports)?);
            } else {
                out!("{}", show::list(&list, |id| store.is_running(id)));
            }
            Ok(ExitCode::SUCCESS)
        }
        RolloutCmd::Status {
            id,
            home,
            json,
            watch,
        } => {
            let store = RolloutStore::new(&home.resolve()?);
            show::status(&store, &id, json, watch)
        }
        RolloutCmd::Pause { id, home } => control(&home, &id, Control::Pause),
        RolloutCmd::Abort { id, home } => control(&home, &id, Control::Abort),
        RolloutCmd::Resume { id, home, run } => {
            let home = home.resolve()?;
            let store = RolloutStore::new(&home);
            let v = store.view(&id)?;
            if v.pause_requested {
                store.request(&id, Control::Resume)?;
            }
            execute(&home, &id, &run, None, rt)
        }
        RolloutCmd::Report {
            id,
            home,
            format,
            output,
        } => {
            let store = RolloutStore::new(&home.resolve()?);
            let r = Report::of(&store.view(&id)?);
            let text = if format == "csv" {
                r.to_csv()
            } else {
                crate::term::json(&r.to_json())
            };
            match output {
                Some(p) => {
                    std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?
                }
                None => out!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn control(home: &HomeArgs, id: &str, c: Control) -> anyhow::Result<ExitCode> {
    let store = RolloutStore::new(&home.resolve()?);
    store.request(id, c)?;
    let what = match c {
        Control::Pause => "pause",
        Control::Abort => "abort",
        Control::Resume => "resume",
    };
    if store.is_running(id) {
        outln!("{what} requested: rollout {id} stops after the sites in flight");
    } else {
        outln!("{what} recorded for rollout {id} (not running now)");
    }
    Ok(ExitCode::SUCCESS)
}

fn start(a: StartArgs, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let home = a.home.resolve()?;
    let workload = WorkloadRef::parse(&a.workload)?;
    let images = parse_images(&a.images)?;
    let targets = if !a.sites.is_empty() {
        Targets::Sites(a.sites.clone())
    } else if let Some(t) = &a.tag {
        Targets::Tag(t.clone())
    } else {
        Targets::All
    };
    let on_failure: OnFailure = a.on_failure.parse()?;
    let sizes = if a.waves.trim().is_empty() {
        default_waves()
    } else {
        parse_waves(&a.waves)?
    };
    let all = SiteStore::new(&home).list()?;
    let names = targets.resolve(&all)?;
    let plan = Plan {
        id: new_id(),
        workload,
        images,
        targets,
        waves: split_waves(&names, &sizes),
        gate: HealthGate {
            deadline: a.deadline,
            soak: a.soak,
        },
        max_failures: a.max_failures,
        on_failure,
        created_at: jiff::Timestamp::now(),
        created_by: outpost_core::actions::os_user(),
    };
    let id = plan.id.clone();
    let sizes: Vec<String> = plan.waves.iter().map(|w| w.len().to_string()).collect();
    RolloutStore::new(&home).create(plan)?;
    let created = format!(
        "rollout {id} created: {} site(s) in {} wave(s) ({})",
        names.len(),
        sizes.len(),
        sizes.join(", ")
    );
    execute(&home, &id, &a.run, Some(&created), rt)
}

/// Runs rollout `id`; `created` is said once the slow set-up (keyring) is done, right
/// before the run takes the rollout's lock, so a `rollout pause` sent on seeing it finds
/// the run.
fn execute(
    home: &Home,
    id: &str,
    args: &RunArgs,
    created: Option<&str>,
    rt: &Runtime,
) -> anyhow::Result<ExitCode> {
    let sites = SiteStore::new(home).list()?;
    let vault = Arc::new(Vault::open(home).context("opening the keyring")?);
    let opts = EngineOptions {
        poll: args.poll,
        parallel: args.parallel,
        offline_wait: args.offline_wait,
        offline_retry: (args.offline_wait / 6)
            .clamp(Duration::from_millis(200), Duration::from_secs(10)),
    };
    let json = args.json;
    let store = RolloutStore::new(home);
    if !store.view(id)?.status.resumable() {
        bail!(
            "rollout {id} is {} and cannot be resumed",
            store.view(id)?.status.as_str()
        );
    }
    if let (Some(line), false) = (created, args.json) {
        outln!("{line}");
    }
    rt.block_on(async move {
        // Through core's runner, as the app: a lock a watcher holds for an instant is
        // retried instead of failing the run.
        let clients = ClientCache::new(vault, Timeouts::default());
        let runner = Runner::new(home.clone(), clients, LiveRuns::default(), opts);
        let (tx, rx) = tokio::sync::watch::channel(store.view(id)?);
        let printer = tokio::spawn(show::live(rx, json));
        let v = runner.run(sites, id, tx).await;
        let _ = printer.await;
        let v = v?;
        if !json {
            out!("{}", show::summary(&v));
        }
        Ok(exit_code(v.status))
    })
}
