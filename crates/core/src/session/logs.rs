//! Logs through the [`Session`]: a live stream of one pod or a workload's pods on one
//! or more sites, or, when every site is down (known, or found so when asked), the
//! last lines of each container from the bundle stored for each site
//! ([`bundle::imported_path`]: imported, or kept by the last export). The health
//! engine's snapshot cache keeps no log lines, so without a stored bundle there is
//! nothing to show, and the error says so. An offline stream is already ended, and
//! filters, queries and saves like a live one. The app forwards the stream through its
//! channel; the CLI prints it.

use super::Session;
use super::offline_error::OfflineError;
use super::resolver::{Kept, Source, Wants, order, unanswered};
use crate::bundle::{self, BundleError};
use crate::logs::{
    self, BufferOptions, FilterSpec, LogError, LogStream, OpenSpec, Recorded, Target,
};
use outpost_ipc::{LogContainer, LogPod};
use std::path::{Path, PathBuf};

/// An opened log stream.
pub struct OpenedLogs {
    pub stream: LogStream,
    /// The sites, sorted, without repeats.
    pub sites: Vec<String>,
    /// Served from stored bundles: the time of the oldest one used.
    pub snapshot_at: Option<jiff::Timestamp>,
}

fn what(t: &Target, container: Option<&str>) -> String {
    let w = match t {
        Target::Pod { namespace, name } => format!("pod {namespace}/{name}"),
        Target::Workload {
            namespace,
            kind,
            name,
        } => format!("{} {namespace}/{name}", kind.as_str()),
    };
    match container {
        Some(c) => format!("container {c} of {w}"),
        None => w,
    }
}

impl Session {
    /// Opens a stream of `spec` on the sites `names` (live, else from their stored
    /// bundles; see the module doc).
    pub async fn open_logs(
        &self,
        names: &[String],
        spec: OpenSpec,
        opts: BufferOptions,
    ) -> Result<OpenedLogs, OfflineError> {
        if names.is_empty() || names.len() > logs::MAX_SITES {
            return Err(OfflineError::Invalid(format!(
                "pick between 1 and {} sites",
                logs::MAX_SITES
            )));
        }
        let mut names = names.to_vec();
        names.sort();
        names.dedup();
        let sites = names
            .iter()
            .map(|n| self.site(n))
            .collect::<Result<Vec<_>, _>>()?;
        let all_down = names.iter().all(|n| self.standing(n).down);
        if !all_down {
            match logs::open(&self.clients, sites, spec.clone(), opts).await {
                Ok(stream) => {
                    return Ok(OpenedLogs {
                        stream,
                        sites: names,
                        snapshot_at: None,
                    });
                }
                // The site could not be asked (down, or no usable credentials, as for
                // a site known only from an imported bundle).
                Err(LogError::Client(c)) if unanswered(&c) => {
                    tracing::info!(error = %c, "logs: site not read; trying its stored snapshot");
                    for n in &names {
                        self.clients.forget(n);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        let (stream, at) = self.stored_logs(&names, &spec, opts).await?;
        Ok(OpenedLogs {
            stream,
            sites: names,
            snapshot_at: Some(at),
        })
    }

    /// A finished stream of the tails kept in the sites' stored bundles, and the time of
    /// the oldest bundle used.
    async fn stored_logs(
        &self,
        names: &[String],
        spec: &OpenSpec,
        opts: BufferOptions,
    ) -> Result<(LogStream, jiff::Timestamp), OfflineError> {
        let kept: Vec<(String, Option<PathBuf>)> = names
            .iter()
            .map(|n| {
                let path = self.standing(n).bundle_path;
                let k = Kept {
                    bundle: path.exists(),
                    ..Kept::default()
                };
                let src = order(true, &k, Wants::LOGS).contains(&Source::Bundle);
                (n.clone(), src.then_some(path))
            })
            .collect();
        let spec2 = spec.clone();
        let (tails, oldest) = super::blocking::unblock(move || read_tails(&kept, &spec2)).await?;
        let at = oldest.ok_or_else(|| OfflineError::Invalid("no site".into()))?;
        let why = format!(
            "from the snapshot as of {}",
            at.strftime("%Y-%m-%d %H:%M:%S UTC")
        );
        tracing::info!(
            lines_from = tails.len(),
            "offline logs served from stored bundles"
        );
        Ok((logs::from_recorded(tails, spec.clone(), opts, &why), at))
    }

    /// The pods of a target on one site and their containers (live).
    pub async fn log_containers(
        &self,
        name: &str,
        target: &Target,
    ) -> Result<Vec<LogPod>, OfflineError> {
        let site = self.site(name)?;
        let pods = logs::containers(&self.clients, &site, target).await?;
        Ok(pods
            .into_iter()
            .map(|p| LogPod {
                name: p.pod,
                phase: outpost_ipc::PodPhase::parse(&p.phase),
                containers: p
                    .containers
                    .into_iter()
                    .map(|c| LogContainer {
                        name: c.name,
                        init: c.init,
                        state: c.state,
                        restarts: c.restarts,
                        has_previous: c.has_previous,
                    })
                    .collect(),
            })
            .collect())
    }
}

type Tails = (Vec<Recorded>, Option<jiff::Timestamp>);

/// Reads the tails of `spec` from each site's stored bundle (blocking).
fn read_tails(kept: &[(String, Option<PathBuf>)], spec: &OpenSpec) -> Result<Tails, OfflineError> {
    let mut tails: Vec<Recorded> = Vec::new();
    let mut oldest: Option<jiff::Timestamp> = None;
    for (n, path) in kept {
        let Some(path) = path else {
            return Err(OfflineError::Offline(format!(
                "{n} is offline and no snapshot with log lines is kept for it: the \
                 health snapshot holds none; a bundle exported from the site view \
                 while the site answered, or imported, keeps the last lines of each \
                 container"
            )));
        };
        let b = bundle::read_file(path, None).map_err(|e| match e {
            BundleError::PassphraseRequired => OfflineError::Encrypted(format!(
                "{n} is offline and the bundle stored for it is encrypted"
            )),
            e => e.into(),
        })?;
        let at = b.manifest.taken_at;
        let found = bundle::tails::recorded(&b, n, &spec.target, spec.container.as_deref());
        if found.is_empty() {
            return Err(OfflineError::Missing(format!(
                "{n} is offline, and its snapshot as of {} holds no log lines of {}",
                at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                what(&spec.target, spec.container.as_deref())
            )));
        }
        tails.extend(found);
        oldest = Some(oldest.map_or(at, |o| o.min(at)));
    }
    Ok((tails, oldest))
}

/// Writes the buffered lines of `stream` matching `filter` to a new private file at
/// `path` (off the async workers); returns how many.
pub async fn save_logs(
    stream: LogStream,
    filter: FilterSpec,
    path: PathBuf,
) -> Result<u64, OfflineError> {
    super::blocking::unblock(move || write_lines(&stream, &filter, &path)).await
}

fn write_lines(stream: &LogStream, filter: &FilterSpec, path: &Path) -> Result<u64, OfflineError> {
    let storage =
        |e: std::io::Error| OfflineError::Storage(format!("cannot write the log file: {e}"));
    let file = crate::fsutil::create_private(path).map_err(storage)?;
    let mut out = std::io::BufWriter::new(file);
    let lines = stream.export(filter, &mut out)?;
    out.into_inner()
        .map_err(|e| storage(e.into_error()))?
        .sync_all()
        .map_err(storage)?;
    tracing::info!(path = %path.display(), lines, "log lines saved");
    Ok(lines)
}
