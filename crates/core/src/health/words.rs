//! A site's reachability as it crosses the IPC: typed (state, kind, since), said in
//! words by the UI and the CLI; the cause chain travels only as the detail.

use crate::error::ErrorKind;
use crate::model::{Reach, SiteHealth};
use outpost_ipc as ipc;

impl From<Reach> for ipc::ReachabilityState {
    fn from(r: Reach) -> Self {
        match r {
            Reach::Reachable => ipc::ReachabilityState::Reachable,
            Reach::Unreachable => ipc::ReachabilityState::Unreachable,
            Reach::Timeout => ipc::ReachabilityState::Timeout,
            Reach::AuthFailed => ipc::ReachabilityState::AuthFailed,
            Reach::TlsFailed => ipc::ReachabilityState::TlsFailed,
            Reach::Unknown => ipc::ReachabilityState::Unknown,
        }
    }
}

/// The reachability of `h` for the IPC: "since" is the last answer while offline.
pub fn reachability(h: &SiteHealth) -> ipc::Reachability {
    let state = ipc::ReachabilityState::from(h.reach);
    ipc::Reachability {
        state,
        kind: h.reach_kind.map(Into::into),
        since_ms: h
            .last_seen
            .filter(|_| state.is_offline())
            .map(|t| t.as_millisecond()),
        detail: h.reach_reason.clone(),
    }
}

/// The one sentence for a site that does not answer as it should (no time: readers
/// that know their time zone add "since"), `None` when it answers well.
pub(super) fn sentence(reach: Reach, kind: Option<ErrorKind>) -> Option<String> {
    ipc::Reachability {
        state: reach.into(),
        kind: kind.map(Into::into),
        ..ipc::Reachability::default()
    }
    .words(None)
}
