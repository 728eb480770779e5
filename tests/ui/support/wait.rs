//! The one polling wait of the UI tests: a probe retried every 250 ms until it succeeds
//! or the time is up.

use std::future::Future;
use std::time::{Duration, Instant};

/// Retries `probe` until it returns `Ok`; after `timeout`, panics with `what` and the
/// probe's last error (anything that says what was seen instead).
pub async fn wait_for<F, Fut, E>(what: &str, timeout: Duration, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let t0 = Instant::now();
    loop {
        match probe().await {
            Ok(()) => return,
            Err(last) if t0.elapsed() > timeout => panic!("{what} within {timeout:?}: {last}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}
