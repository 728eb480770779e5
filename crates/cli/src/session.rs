//! The CLI's [`Session`]: opened on `--home` like the app's, with the health engine on
//! the sites a command is about only (no sweep of the whole fleet), after their first
//! check, so "down" means what it means in the app.

use anyhow::Context as _;
use outpost_core::credentials::Vault;
use outpost_core::health::MonitorOptions;
use outpost_core::paths::Home;
use outpost_core::session::Session;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

/// Budget for the first check of the sites a command is about.
pub const CHECK: Duration = Duration::from_secs(8);

/// A session on `home` (on the CLI's one runtime) watching `sites` (checked once,
/// within `deadline`; kept watched when `watch`).
pub fn open(
    rt: &Runtime,
    home: Home,
    sites: &[String],
    deadline: Duration,
    watch: bool,
) -> anyhow::Result<Session> {
    let vault = Arc::new(Vault::open(&home).context("opening the keyring")?);
    let opts = MonitorOptions {
        watch,
        // Leave a little of the budget for reporting.
        sweep_deadline: deadline.mul_f64(0.9),
        ..MonitorOptions::default()
    };
    let session = {
        let _g = rt.enter();
        Session::open_scoped(home, vault, opts, Some(sites))?
    };
    rt.block_on(session.first_sweep(deadline));
    Ok(session)
}
