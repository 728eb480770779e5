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

/// Budget for the first check of the sites a command is about.
pub const CHECK: Duration = Duration::from_secs(8);

/// A runtime and a session on `home` watching `sites` (checked once, within `deadline`;
/// kept watched when `watch`).
pub fn open(
    home: Home,
    sites: &[String],
    deadline: Duration,
    watch: bool,
) -> anyhow::Result<(tokio::runtime::Runtime, Session)> {
    let vault = Arc::new(Vault::open(&home).context("opening the keyring")?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
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
    Ok((rt, session))
}
