//! What changed at a site since its reconnect baseline (the state it had before it
//! answered again), by the bundles' [`diff`](crate::model::diff).

use super::{SnapshotError, SnapshotStore};
use crate::model::{Diff, SiteState, View};

/// Label of the baseline side of the diff.
pub const BASELINE_LABEL: &str = "snapshot before reconnect";

impl SnapshotStore {
    /// The baseline's diff view, if one is kept.
    pub fn baseline_view(&self, site: &str) -> Result<Option<View>, SnapshotError> {
        Ok(self.read_baseline(site)?.map(|b| {
            View::of_state(
                format!("{BASELINE_LABEL} {site}"),
                Some(b.taken_at),
                &b.state,
            )
        }))
    }

    /// The site's cached snapshot as a diff view, if there is one.
    pub fn snapshot_view(&self, site: &str) -> Result<Option<View>, SnapshotError> {
        Ok(self
            .read(site)?
            .map(|b| View::of_state(format!("snapshot {site}"), Some(b.taken_at), &b.state)))
    }

    /// What changed from the baseline to `now` (the site's current state as the health
    /// engine keeps it, read at `at`); `None` when no baseline is kept.
    pub fn since_baseline(
        &self,
        site: &str,
        now: &SiteState,
        at: Option<jiff::Timestamp>,
    ) -> Result<Option<Diff>, SnapshotError> {
        let Some(base) = self.baseline_view(site)? else {
            return Ok(None);
        };
        let live = View::of_state(format!("live {site}"), at, now);
        Ok(Some(Diff::between(&base, &live)))
    }
}
