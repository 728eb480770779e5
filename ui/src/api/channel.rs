//! A typed `tauri::ipc::Channel` receiver: the frontend half of the backend's streams.
//!
//! It registers a callback with `window.__TAURI_INTERNALS__.transformCallback` and is
//! passed to a command as `__CHANNEL__:<id>`. Tauri numbers every message; messages
//! that arrive out of order are held back and delivered in order.

use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI_INTERNALS__"], js_name = transformCallback)]
    fn transform_callback(cb: &js_sys::Function, once: bool) -> u32;
}

/// Reorders raw `{index, message}` envelopes.
#[derive(Debug, Default)]
pub struct Reorder<T> {
    next: u64,
    pending: BTreeMap<u64, T>,
}

impl<T> Reorder<T> {
    /// Accepts message `index`; answers every message now deliverable, in order.
    pub fn push(&mut self, index: u64, msg: T) -> Vec<T> {
        if index < self.next {
            return Vec::new();
        }
        self.pending.insert(index, msg);
        let mut out = Vec::new();
        while let Some(m) = self.pending.remove(&self.next) {
            out.push(m);
            self.next += 1;
        }
        out
    }
}

/// A live channel; messages stop (and the callback is removed) when it is dropped.
pub struct Channel {
    id: u32,
    _callback: Closure<dyn FnMut(JsValue)>,
}

impl Channel {
    /// Registers a channel delivering decoded `T`s to `on_message` (undecodable
    /// messages are reported to the console and skipped).
    pub fn new<T: DeserializeOwned + 'static>(on_message: impl Fn(T) + 'static) -> Self {
        Channel::raw(move |m| match serde_wasm_bindgen::from_value::<T>(m) {
            Ok(v) => on_message(v),
            Err(e) => web_sys::console::warn_1(&format!("channel message: {e}").into()),
        })
    }

    /// Registers a channel delivering each message as it came (a JS value, or the
    /// `ArrayBuffer` of a raw message), in order, to `on_message`.
    pub fn raw(on_message: impl Fn(JsValue) + 'static) -> Self {
        let order = Rc::new(RefCell::new(Reorder::<JsValue>::default()));
        let callback = Closure::<dyn FnMut(JsValue)>::new(move |raw: JsValue| {
            let get = |k: &str| js_sys::Reflect::get(&raw, &JsValue::from_str(k)).ok();
            let Some(index) = get("index").and_then(|v| v.as_f64()) else {
                return;
            };
            if get("end").is_some_and(|v| !v.is_undefined()) {
                return;
            }
            let msg = get("message").unwrap_or(JsValue::UNDEFINED);
            let ready = order.borrow_mut().push(index as u64, msg);
            for m in ready {
                on_message(m);
            }
        });
        let id = transform_callback(callback.as_ref().unchecked_ref(), false);
        Channel {
            id,
            _callback: callback,
        }
    }

    /// The value to pass as the command's channel argument.
    pub fn arg(&self) -> JsValue {
        JsValue::from_str(&format!("__CHANNEL__:{}", self.id))
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ =
                js_sys::Reflect::delete_property(&w, &JsValue::from_str(&format!("_{}", self.id)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Reorder;

    #[test]
    fn out_of_order_messages_are_delivered_in_order_once() {
        let mut r = Reorder::default();
        assert_eq!(r.push(1, "b"), Vec::<&str>::new());
        assert_eq!(r.push(0, "a"), vec!["a", "b"]);
        assert_eq!(r.push(0, "a again"), Vec::<&str>::new());
        assert_eq!(r.push(3, "d"), Vec::<&str>::new());
        assert_eq!(r.push(2, "c"), vec!["c", "d"]);
    }
}
