//! A site's change journal through the session, newest first, in the IPC's terms; the
//! journal is read on the blocking pool.

use super::Session;
use super::blocking::unblock;
use crate::actions::{ActionError, ChangeLog};
use outpost_ipc::rollout::ChangeEntry;

impl Session {
    /// Every change Outpost made to site `name` (rollouts, upgrades, actions), newest
    /// first.
    pub async fn change_journal(&self, name: &str) -> Result<Vec<ChangeEntry>, ActionError> {
        let (log, name) = (ChangeLog::new(&self.home), name.to_string());
        let mut entries = unblock(move || log.list(&name)).await?;
        entries.reverse();
        Ok(entries.iter().map(crate::rollout::ipc::change).collect())
    }
}
