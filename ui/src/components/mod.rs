//! Function components of the shell.

mod empty;
mod health;
mod help;
mod icons;
mod import;
pub mod logs;
pub mod map;
mod nav;
pub mod rollouts;
mod settings;
mod shell;
pub mod site;
pub mod sites;
pub mod snapshot;
mod statusbar;
pub mod upgrades;
mod welcome;

pub use shell::App;
