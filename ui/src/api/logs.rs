//! Typed calls of the log viewer (`outpost_ipc::logs`), and the raw channel its events
//! arrive on: each message is the JSON of a `Vec<LogEvent>` as an `ArrayBuffer`,
//! decoded with `serde_json` in one pass.

use super::channel::Channel;
use super::{call, call_with};
use outpost_ipc::{
    IpcError, LOGS_OPEN_CHANNEL_ARG, LogEvent, LogFilter, LogPod, LogTarget, LogsCloseCmd,
    LogsContainersCmd, LogsContainersRequest, LogsOpenCmd, LogsOpenRequest, LogsOpened, LogsPage,
    LogsQueryCmd, LogsQueryRequest, LogsSaveCmd, LogsSaveRequest, LogsSaved, LogsStreamRequest,
};
use wasm_bindgen::prelude::*;

/// The bytes of a raw channel message (an `ArrayBuffer`, or a typed array).
fn bytes_of(msg: &JsValue) -> Option<Vec<u8>> {
    if msg.is_instance_of::<js_sys::ArrayBuffer>() || msg.is_instance_of::<js_sys::Uint8Array>() {
        Some(js_sys::Uint8Array::new(msg).to_vec())
    } else {
        None
    }
}

/// Decodes one message: the JSON of a `Vec<LogEvent>`.
pub fn decode(bytes: &[u8]) -> Result<Vec<LogEvent>, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// The stream's channel (the shared [`Channel`], whose messages are raw bytes here);
/// messages stop (and the callback is removed) when dropped.
pub fn event_channel(on_events: impl Fn(Vec<LogEvent>) + 'static) -> Channel {
    Channel::raw(move |m| match bytes_of(&m).map(|b| decode(&b)) {
        Some(Ok(evs)) => on_events(evs),
        Some(Err(e)) => web_sys::console::warn_1(&format!("log events: {e}").into()),
        None => web_sys::console::warn_1(&"log events: not raw bytes".into()),
    })
}

/// Opens a stream; its events go to `on_events` for as long as the returned channel
/// lives (drop it, and call [`close`], to stop).
pub async fn open(
    req: &LogsOpenRequest,
    on_events: impl Fn(Vec<LogEvent>) + 'static,
) -> Result<(LogsOpened, Channel), IpcError> {
    let ch = event_channel(on_events);
    let opened = call_with::<LogsOpenCmd>(req, &[(LOGS_OPEN_CHANNEL_ARG, ch.arg())]).await?;
    Ok((opened, ch))
}

pub async fn close(stream: u64) -> Result<(), IpcError> {
    call::<LogsCloseCmd>(&LogsStreamRequest { stream }).await
}

/// A window of the backend buffer's lines matching a filter.
pub async fn query(req: &LogsQueryRequest) -> Result<LogsPage, IpcError> {
    call::<LogsQueryCmd>(req).await
}

/// Pods of a target on one site, with their containers.
pub async fn containers(
    site: &str,
    namespace: &str,
    target: &LogTarget,
) -> Result<Vec<LogPod>, IpcError> {
    call::<LogsContainersCmd>(&LogsContainersRequest {
        site: site.into(),
        namespace: namespace.into(),
        target: target.clone(),
    })
    .await
}

/// Saves the buffered lines matching `filter` to a file; answers its path.
pub async fn save(stream: u64, filter: LogFilter) -> Result<LogsSaved, IpcError> {
    call::<LogsSaveCmd>(&LogsSaveRequest { stream, filter }).await
}

#[cfg(test)]
mod tests {
    use super::decode;
    use outpost_ipc::LogEvent;

    #[test]
    fn a_message_is_a_json_array_of_events() {
        let evs = decode(
            br#"[{"type":"dropped","n":3},{"type":"batch","lines":[{"seq":0,"src":0,"text":"<b>x</b>"}]}]"#,
        )
        .expect("decodes");
        assert_eq!(evs[0], LogEvent::Dropped { n: 3 });
        assert!(matches!(&evs[1], LogEvent::Batch { lines, .. } if lines[0].text == "<b>x</b>"));
        assert!(decode(b"{\"type\":\"dropped\"}").is_err());
    }
}
