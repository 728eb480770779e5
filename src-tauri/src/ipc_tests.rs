//! The app on Tauri's mock runtime, built by the same [`app_builder`] `run()` uses:
//! every `outpost_ipc::COMMANDS` entry called with a malformed request, and the
//! commands that take site names called with names that cannot be sites, each answering
//! a typed `IpcError` of the expected kind (not a panic, not a bare string).

use crate::{app_builder, state::AppState};
use outpost_core::paths::Home;
use outpost_ipc::{COMMANDS, ErrorKind, IpcError};
use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

/// The app over a throwaway data directory, and its main window.
fn app(
    root: &std::path::Path,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    WebviewWindow<tauri::test::MockRuntime>,
) {
    let home = Home::resolve(Some(root), "default").expect("home");
    let mut app = app_builder(mock_builder(), AppState::new(home), false)
        .build(mock_context(noop_assets()))
        .expect("the app builds on the mock runtime");
    // Runs the app's setup (managed state, the profile opening) as `run()` would. Once,
    // not in a loop (the busy-loop the deprecation warns of); `run` would never return.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    (app, window)
}

/// Calls `cmd` with `args`; the typed error it answers, or why it is not one.
fn call_err(w: &WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: Value) -> IpcError {
    let res = get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args.clone()),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    );
    let Err(v) = res else {
        panic!("{cmd} accepted {args}");
    };
    serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{cmd} answered {v}, not a typed IpcError: {e}"))
}

#[test]
fn every_command_refuses_a_bad_request_with_a_typed_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_app, w) = app(dir.path());
    let channel = "__CHANNEL__:7";
    for name in COMMANDS {
        for bad in [json!({"req": 42}), json!({"req": "?"}), json!({})] {
            let mut args = bad.clone();
            args["on_update"] = json!(channel);
            args["on_event"] = json!(channel);
            let e = call_err(&w, name, args);
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{name} with {bad}: {e:?}");
            assert!(e.message.starts_with(name), "{name}: {}", e.message);
        }
    }
    let not_a_site = "Not A Site!";
    let cases = [
        ("site_detail", json!({"req": {"name": not_a_site}})),
        ("change_journal", json!({"req": {"name": not_a_site}})),
        (
            "upgrade_start",
            json!({"req": {"sites": [not_a_site], "version": "v1.31.4+k3s1"}}),
        ),
        (
            "upgrade_watch",
            json!({"req": {"sites": ["../etc"]}, "on_update": channel}),
        ),
    ];
    for (cmd, args) in cases {
        let e = call_err(&w, cmd, args);
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{cmd}: {e:?}");
        assert!(
            e.message.contains("is not a site name"),
            "{cmd}: {}",
            e.message
        );
    }
}
