//! Logs of sites that do not answer: the last lines of each container from the bundle
//! stored for the site (`bundle::imported_path`: imported, or kept by the last export).
//! The health engine's snapshot cache keeps no log lines, so without a stored bundle
//! there is nothing to show, and the error says so. The stream is already ended, and
//! filters, queries and saves like a live one.

use crate::error;
use crate::profiles::Profiles;
use outpost_core::bundle::{self, BundleError};
use outpost_core::logs::{self, BufferOptions, LogStream, OpenSpec, Recorded, Target};
use outpost_ipc::{ErrorKind, IpcError};

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

/// When every site of the request is offline (or `force`), a finished stream of the
/// stored tails and the time of the oldest snapshot used; `None` when a site answers
/// (stream it live).
pub async fn open(
    profiles: &Profiles,
    names: &[String],
    spec: &OpenSpec,
    opts: BufferOptions,
    force: bool,
) -> Result<Option<(LogStream, jiff::Timestamp)>, IpcError> {
    let active = profiles.ready().await?;
    let monitor = active.session.monitor();
    let down = |n: &String| crate::snapshots::known_down(monitor.site(n).map(|h| h.reach));
    if !force && !names.iter().all(down) {
        return Ok(None);
    }
    let home = active.session.home().clone();
    drop(active);
    let (names, spec2) = (names.to_vec(), spec.clone());
    let read = tokio::task::spawn_blocking(move || {
        let mut tails: Vec<Recorded> = Vec::new();
        let mut oldest: Option<jiff::Timestamp> = None;
        for n in &names {
            let kept = bundle::imported_path(&home, n);
            if !kept.exists() {
                return Err(IpcError::new(
                    ErrorKind::Unreachable,
                    format!(
                        "{n} is offline and no snapshot with log lines is kept for it: the \
                         health snapshot holds none; a bundle exported from the site view \
                         while the site answered, or imported, keeps the last lines of each \
                         container"
                    ),
                ));
            }
            let b = bundle::read_file(&kept, None).map_err(|e| match e {
                BundleError::PassphraseRequired => IpcError::new(
                    ErrorKind::Auth,
                    format!("{n} is offline and the bundle stored for it is encrypted"),
                ),
                e => crate::snapshots::fail(e),
            })?;
            let at = b.manifest.taken_at;
            let found = bundle::tails::recorded(&b, n, &spec2.target, spec2.container.as_deref());
            if found.is_empty() {
                return Err(IpcError::new(
                    ErrorKind::NotFound,
                    format!(
                        "{n} is offline, and its snapshot as of {} holds no log lines of {}",
                        at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                        what(&spec2.target, spec2.container.as_deref())
                    ),
                ));
            }
            tails.extend(found);
            oldest = Some(oldest.map_or(at, |o| o.min(at)));
        }
        Ok((tails, oldest))
    })
    .await
    .map_err(error::join)??;
    let (tails, Some(at)) = read else {
        return Err(IpcError::new(ErrorKind::InvalidInput, "no site"));
    };
    let why = format!(
        "from the snapshot as of {}",
        at.strftime("%Y-%m-%d %H:%M:%S UTC")
    );
    tracing::info!(
        lines_from = tails.len(),
        "offline logs served from stored bundles"
    );
    Ok(Some((
        logs::from_recorded(tails, spec.clone(), opts, &why),
        at,
    )))
}
