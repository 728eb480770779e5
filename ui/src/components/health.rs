//! Small shared pieces: health badges and labels.

use outpost_ipc::{HealthLevel, SiteSummary};
use yew::prelude::*;

pub fn level_label(l: HealthLevel) -> &'static str {
    match l {
        HealthLevel::Ok => "OK",
        HealthLevel::Warning => "Warning",
        HealthLevel::Critical => "Critical",
        HealthLevel::Unknown => "Unknown",
    }
}

/// A coloured pill with the level's name (colour is never the only cue).
pub fn level_badge(l: HealthLevel) -> Html {
    html! {
        <span class={classes!("level-badge", format!("level-{}", l.as_str()))} data-level={l.as_str()}>
            { level_label(l) }
        </span>
    }
}

/// "Offline (connection refused)" / "Snapshot" badges of a site, if any.
pub fn site_flags(s: &SiteSummary) -> Html {
    let offline = s.reachability.state.is_offline().then(|| {
        let title = s
            .reachability
            .words(None)
            .unwrap_or_else(|| s.reachability.state.as_str().replace('_', " "));
        html! { <span class="flag flag-offline" title={title}>{ "Offline" }</span> }
    });
    let stale = s
        .stale
        .map(|_| html! { <span class="flag flag-stale" title="Data from an offline snapshot">{ "Snapshot" }</span> });
    html! { <>{ for offline }{ for stale }</> }
}

/// The reasons of `s` as shown: its reachability in words, "since" on the local clock.
pub fn reasons(s: &SiteSummary) -> Vec<String> {
    let now = now_ms();
    let offset = -(js_sys::Date::new_0().get_timezone_offset() as i64);
    let since = s
        .reachability
        .since_ms
        .map(|t| crate::state::reasons::format_clock(t, now, offset));
    crate::state::reasons::reasons_shown(s, since.as_deref())
}

/// An error in words ([`crate::state::reasons::error_line`]), its kind and message
/// behind a "Details" disclosure.
pub fn error_view(what: &str, e: &outpost_ipc::IpcError) -> Html {
    html! {
        <>
            <span class="error-words">{ crate::state::reasons::error_line(what, e) }</span>
            <details class="error-details">
                <summary>{ "Details" }</summary>
                <code>{ format!("{}: {}", e.kind.as_str(), e.message) }</code>
            </details>
        </>
    }
}

/// Milliseconds since the epoch, from the browser clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
