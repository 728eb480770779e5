//! The site view's changes since the state a site had before it last came back: the
//! health engine keeps that state as the site's reconnect baseline (no bundle needed),
//! and the diff is against the state it keeps live, so showing it reads nothing from
//! the site. Dismissing forgets the baseline.

use crate::error;
use outpost_core::session::Session;
use outpost_core::snapshot::{SnapshotError, SnapshotStore};
use outpost_ipc::snapshot::SnapshotDiff;
use outpost_ipc::{ErrorKind, IpcError};

fn fail(e: SnapshotError) -> IpcError {
    error::core(e.kind(), e)
}

/// The changes since the site's reconnect baseline; `None` when none is kept.
pub async fn since_reconnect(
    session: &Session,
    site: &str,
) -> Result<Option<SnapshotDiff>, IpcError> {
    let store = SnapshotStore::new(session.home());
    let monitor = session.monitor().clone();
    let health = monitor.site(site);
    let down = super::known_down(health.as_ref().map(|h| h.reach));
    let at = health.and_then(|h| h.last_seen);
    let name = site.to_string();
    let d = tokio::task::spawn_blocking(move || {
        let now = monitor.with_state(&name, Clone::clone).unwrap_or_default();
        store.since_baseline(&name, &now, at)
    })
    .await
    .map_err(error::join)?
    .map_err(fail)?;
    match d {
        Some(d) if down => Err(IpcError::new(
            ErrorKind::Unreachable,
            format!(
                "{site} is offline again: the changes since the snapshot as of {} show once \
                 it answers",
                d.from_time.map_or_else(|| "?".into(), |t| t.to_string())
            ),
        )),
        Some(d) => Ok(Some(outpost_core::bundle::ipc::diff(&d))),
        None => Ok(None),
    }
}

/// Forgets the site's reconnect baseline; true when there was one.
pub async fn dismiss(session: &Session, site: &str) -> Result<bool, IpcError> {
    let store = SnapshotStore::new(session.home());
    let name = site.to_string();
    let r = tokio::task::spawn_blocking(move || store.dismiss_baseline(&name))
        .await
        .map_err(error::join)?
        .map_err(fail)?;
    tracing::info!(site = %site, dismissed = r, "reconnect changes dismissed");
    Ok(r)
}
