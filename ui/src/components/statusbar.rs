//! Bottom status bar: the backend's `app_info` answer, or why it failed.

use crate::state::Load;
use crate::state::fleet::LevelCounts;
use outpost_ipc::AppInfo;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    pub info: Load<AppInfo>,
    /// Sites per health level, once the fleet is known.
    #[prop_or_default]
    pub counts: Option<LevelCounts>,
}

#[function_component(StatusBar)]
pub fn status_bar(props: &StatusBarProps) -> Html {
    let body = match &props.info {
        Load::Loading => {
            html! { <span class="status-item muted">{ "Connecting to the backend…" }</span> }
        }
        Load::Failed(e) => html! {
            <span class="status-item error" role="alert" id="status-error">
                { super::health::error_view("Backend error", e) }
            </span>
        },
        Load::Ready(info) => {
            // The live fleet's count once it is known (imports and leaving the demo
            // change it); the backend's count at start until then.
            let count = props.counts.map_or(info.site_count, |c| c.total());
            let sites = match count {
                1 => "1 site".to_string(),
                n => format!("{n} sites"),
            };
            html! { <>
                <span class="status-item" id="status-sites">{ sites }</span>
                <span class="status-item" id="status-profile">{ format!("Profile: {}", info.profile) }</span>
                <span class="status-item grow muted" id="status-data-dir" title="Data directory">{ &info.data_dir }</span>
                <span class="status-item muted" id="status-platform">{ &info.platform }</span>
                <span class="status-item" id="status-version">{ format!("Outpost {}", info.version) }</span>
            </> }
        }
    };
    let health = props.counts.map(|c| {
        html! {
            <span class="status-item" id="status-health">
                <span class="ok" id="status-ok">{ format!("{} ok", c.ok) }</span>{ " · " }
                <span class="warn" id="status-warning">{ format!("{} warning", c.warning) }</span>{ " · " }
                <span class="error" id="status-critical">{ format!("{} critical", c.critical) }</span>{ " · " }
                <span class="muted" id="status-unknown">{ format!("{} unknown", c.unknown) }</span>
            </span>
        }
    });
    html! { <footer class="statusbar" role="status" aria-label="Status">{ for health }{ body }</footer> }
}
