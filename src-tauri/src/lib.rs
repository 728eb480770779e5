//! The Tauri shell around `outpost-core`: thin commands that validate, make one core
//! call and map the error; streams go to the UI through `tauri::ipc::Channel`.
//!
//! `run()` is what `main` calls; `run_app()` takes any runtime, and [`app_builder`] is
//! the one place the app's plugins, state and commands are put together, so the
//! mock-runtime test (`ipc_tests`) builds exactly the app that runs.

mod args;
mod commands;
mod demo;
mod error;
mod logging;
mod logs;
mod options;
mod profiles;
mod rollouts;
mod save;
mod settings;
mod snapshots;
mod state;
mod stream;
mod upgrades;
mod webview;

#[cfg(test)]
mod ipc_tests;
#[cfg(test)]
mod shape_tests;

pub use options::Options;

use std::process::ExitCode;
use tauri::{Manager, Runtime};

/// Parses the command line, sets up logging and runs the app until its window closes.
pub fn run() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("outpost-desktop: {e}\n\n{}", Options::USAGE);
            return ExitCode::from(2);
        }
    };
    if opts.help {
        println!("{}", Options::USAGE);
        return ExitCode::SUCCESS;
    }
    let home = match opts.home() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("outpost-desktop: {e}");
            return ExitCode::from(1);
        }
    };
    let _log_guard = logging::init(&home.log_dir());
    tracing::info!(version = outpost_core::VERSION, profile = home.profile(), dir = %home.dir().display(), "starting");
    match run_app(
        tauri::Builder::default(),
        state::AppState::new(home),
        opts.demo,
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the app failed");
            eprintln!("outpost-desktop: {e}");
            ExitCode::from(1)
        }
    }
}

/// Builds and runs the app on any runtime.
pub fn run_app<R: Runtime>(
    builder: tauri::Builder<R>,
    state: state::AppState,
    demo: bool,
) -> tauri::Result<()> {
    app_builder(builder, state, demo).run(tauri::generate_context!("../tauri.conf.json"))
}

/// The app on `builder`: plugins, managed state, the profile opening at start, and
/// every command behind the request check ([`args::check`]).
fn app_builder<R: Runtime>(
    builder: tauri::Builder<R>,
    state: state::AppState,
    demo: bool,
) -> tauri::Builder<R> {
    let handler = handler::<R>();
    builder
        // Used by the backend only (save dialogs); the webview is granted nothing of it.
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            state
                .home
                .ensure()
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)?;
            let profiles = state.profiles.clone();
            app.manage(state);
            app.manage(logs::LogsState::default());
            app.manage(snapshots::SnapshotsState::default());
            app.manage(upgrades::UpgradesState::default());
            webview::tune(app);
            tauri::async_runtime::spawn(async move { profiles.start(demo).await });
            Ok(())
        })
        .on_window_event(snapshots::on_window_event)
        .invoke_handler(move |invoke: tauri::ipc::Invoke<R>| {
            let command = invoke.message.command();
            match args::check(command, invoke.message.payload()) {
                Ok(()) => handler(invoke),
                Err(e) => {
                    invoke.resolver.reject(e);
                    true
                }
            }
        })
}

/// Every command of the app.
fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::app_info,
        commands::get_settings,
        commands::set_settings,
        commands::export_app_log,
        commands::fleet::list_sites,
        commands::fleet::site_detail,
        commands::fleet::watch_fleet,
        commands::fleet::change_journal,
        commands::fleet::open_demo,
        commands::fleet::leave_demo,
        commands::import::import_preview,
        commands::import::import_apply,
        logs::logs_open,
        logs::logs_close,
        logs::logs_query,
        logs::logs_containers,
        logs::logs_save,
        rollouts::rollouts_list,
        rollouts::rollout_plan_preview,
        rollouts::rollout_start,
        rollouts::rollout_watch,
        rollouts::rollout_pause,
        rollouts::rollout_resume,
        rollouts::rollout_abort,
        rollouts::rollout_report,
        snapshots::snapshot_export,
        snapshots::snapshot_import,
        snapshots::snapshot_preview,
        snapshots::site_changes,
        snapshots::site_changes_dismiss,
        snapshots::watch_notices,
        upgrades::upgrades_overview,
        upgrades::upgrade_start,
        upgrades::upgrade_watch,
    ]
}
