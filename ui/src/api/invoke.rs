//! The one place that talks to `window.__TAURI_INTERNALS__.invoke`.

use outpost_ipc::{Command, ErrorKind, IpcError, REQUEST_ARG};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI_INTERNALS__"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// Calls command `C` with its typed request and decodes its typed response or error.
pub async fn call<C: Command>(req: &C::Request) -> Result<C::Response, IpcError> {
    call_with::<C>(req, &[]).await
}

/// Like [`call`], with extra arguments (a channel for streaming commands).
pub async fn call_with<C: Command>(
    req: &C::Request,
    extra: &[(&str, JsValue)],
) -> Result<C::Response, IpcError> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let args = js_sys::Object::new();
    let req = req
        .serialize(&ser)
        .map_err(|e| IpcError::new(ErrorKind::Internal, format!("encode {}: {e}", C::NAME)))?;
    js_sys::Reflect::set(&args, &JsValue::from_str(REQUEST_ARG), &req)
        .map_err(|_| IpcError::new(ErrorKind::Internal, "cannot build the request"))?;
    for (k, v) in extra {
        js_sys::Reflect::set(&args, &JsValue::from_str(k), v)
            .map_err(|_| IpcError::new(ErrorKind::Internal, "cannot build the request"))?;
    }
    match tauri_invoke(C::NAME, args.into()).await {
        Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| {
            IpcError::new(
                ErrorKind::Internal,
                format!("decode {} response: {e}", C::NAME),
            )
        }),
        Err(e) => Err(decode_error(C::NAME, e)),
    }
}

/// Commands reject with an `IpcError`; Tauri itself rejects with a plain string (for
/// example when the ACL refuses a command).
fn decode_error(cmd: &str, e: JsValue) -> IpcError {
    if let Ok(err) = serde_wasm_bindgen::from_value::<IpcError>(e.clone()) {
        return err;
    }
    let text = e.as_string().unwrap_or_else(|| format!("{e:?}"));
    crate::state::classify_rejection(cmd, &text)
}
