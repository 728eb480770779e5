//! Build script: generates the Tauri context and the app's ACL manifest.
//!
//! Every IPC command is listed in `outpost_ipc::COMMANDS` (the one place commands are
//! named), so each gets an `allow-<command>` permission and is refused unless the
//! capability file in `src-tauri/capabilities/` grants it.

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=ui/dist");
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(outpost_ipc::COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        // Build scripts report failures by panicking; print the cause clearly first.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
