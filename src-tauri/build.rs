//! Build script: generates the Tauri context and the app's ACL manifest.
//!
//! Every IPC command is listed in `outpost_ipc::COMMANDS` (the one place commands are
//! named), so each gets an `allow-<command>` permission and is refused unless the
//! capability file in `src-tauri/capabilities/` grants it.
//!
//! The build runs in `src-tauri/`; `tauri.conf.json` and `ui/dist` stay at the repository's
//! top level (the design card fixes it), hence the `../` paths here and in `lib.rs`'s
//! `generate_context!`.

fn main() {
    println!("cargo:rerun-if-changed=capabilities");
    println!("cargo:rerun-if-changed=../ui/dist");
    let attrs = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .capabilities_path_pattern("capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(outpost_ipc::COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        // Build scripts report failures by panicking; print the cause clearly first.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
