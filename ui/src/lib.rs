//! Outpost's desktop UI: Yew function components over typed IPC.
//!
//! - [`api`]: typed wrappers over Tauri's `invoke`, one per `outpost_ipc::Command`.
//! - [`state`]: pure reducers, unit-tested natively.
//! - [`components`]: the shell (navigation, views, status bar).

pub mod api;
pub mod components;
pub mod state;

/// Applies a theme choice: `data-theme` on `<html>` (absent: follow the OS).
pub fn apply_theme(theme: outpost_ipc::Theme) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme {
        outpost_ipc::Theme::System => root.remove_attribute("data-theme"),
        outpost_ipc::Theme::Light => root.set_attribute("data-theme", "light"),
        outpost_ipc::Theme::Dark => root.set_attribute("data-theme", "dark"),
    };
}

/// Mounts the app on `<body>`.
pub fn start() {
    std::panic::set_hook(Box::new(show_panic));
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-outpost", "started");
    }
    yew::Renderer::<components::App>::new().render();
}

/// A panic is a bug: log it and replace the page with a plain message instead of
/// leaving a silently frozen window.
fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    let msg = info.to_string();
    web_sys::console::error_1(&msg.clone().into());
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    if let Ok(div) = doc.create_element("div") {
        div.set_id("fatal-error");
        div.set_class_name("fatal-error");
        // Text, not HTML: the message may contain anything.
        div.set_text_content(Some(&format!(
            "Outpost's interface stopped because of a bug. Restart the app; the details are \
             in the log.\n\n{msg}"
        )));
        let _ = body.append_child(&div);
    }
}
