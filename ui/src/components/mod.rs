//! Function components of the shell.

mod empty;
mod health;
mod icons;
pub mod map;
mod nav;
mod settings;
mod shell;
pub mod site;
pub mod sites;
mod statusbar;

pub use shell::App;
