//! Function components of the shell.

mod empty;
mod icons;
mod nav;
mod settings;
mod shell;
mod statusbar;

pub use shell::App;
