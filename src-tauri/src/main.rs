//! `outpost-desktop`: the Outpost desktop app. All the work is in the library.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    outpost_desktop::run()
}
