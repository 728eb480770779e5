//! Outpost's core: everything the desktop app and the `outpost` CLI do, with no UI
//! framework in it.
//!
//! Each module owns one `thiserror` error enum whose `kind()` is an [`error::ErrorKind`],
//! so callers (the Tauri shell, the CLI) map failures without matching on strings.

pub mod actions;
pub mod bundle;
pub mod client;
pub mod credentials;
pub mod detail;
pub mod discovery;
pub mod error;
pub mod fsutil;
pub mod health;
pub mod import;
pub mod logs;
pub mod model;
pub mod net;
pub mod paths;
pub mod registry;
pub mod rollout;
pub mod secret;
pub mod session;
pub mod snapshot;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod upgrade;

/// The application identifier; also the name of the data directory, shared with the
/// Tauri app (`identifier` in `tauri.conf.json`) so the CLI and the app see the same files.
pub const APP_ID: &str = "dev.outpost.desktop";

/// Outpost's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
