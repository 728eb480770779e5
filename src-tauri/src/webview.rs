//! Tunes the platform webview for a long-running, mostly idle dashboard.
//!
//! On Linux (WebKitGTK) Outpost renders without GPU compositing and with the
//! document-viewer cache model. The map, lists and logs are flat SVG and HTML that the
//! CPU paints quickly, while accelerated compositing costs about 100 MB of resident
//! memory across the app and its web process (GL contexts and Mesa's buffers; measured
//! in docs/benchmarks.md) and is the usual cause of blank WebKitGTK windows on some GPU
//! drivers. `OUTPOST_GPU=1` keeps WebKit's defaults.

use tauri::{Manager, Runtime};

/// Whether the user asked to keep WebKit's GPU defaults.
fn gpu_requested() -> bool {
    std::env::var("OUTPOST_GPU").is_ok_and(|v| v == "1")
}

/// Applies the tuning to the main window's webview, if there is one.
pub fn tune<R: Runtime>(app: &tauri::App<R>) {
    if gpu_requested() {
        tracing::info!("OUTPOST_GPU=1: keeping the webview's GPU defaults");
        return;
    }
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    if let Err(e) = window.with_webview(apply) {
        tracing::warn!(error = %e, "webview not tuned");
    }
}

#[cfg(target_os = "linux")]
fn apply(webview: tauri::webview::PlatformWebview) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let view = webview.inner();
    if let Some(settings) = WebViewExt::settings(&view) {
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        settings.set_enable_page_cache(false);
    }
    if let Some(context) = view.context() {
        context.set_cache_model(CacheModel::DocumentViewer);
    }
    tracing::debug!("webview tuned: no GPU compositing, document-viewer cache model");
}

#[cfg(not(target_os = "linux"))]
fn apply(_webview: tauri::webview::PlatformWebview) {}
