//! Bottom status bar: the backend's `app_info` answer, or why it failed.

use crate::state::Load;
use outpost_ipc::AppInfo;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    pub info: Load<AppInfo>,
}

#[function_component(StatusBar)]
pub fn status_bar(props: &StatusBarProps) -> Html {
    let body = match &props.info {
        Load::Loading => {
            html! { <span class="status-item muted">{ "Connecting to the backend…" }</span> }
        }
        Load::Failed(e) => html! {
            <span class="status-item error" role="alert" id="status-error">
                { format!("Backend error ({}): {}", e.kind.as_str(), e.message) }
            </span>
        },
        Load::Ready(info) => {
            let sites = match info.site_count {
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
    html! { <footer class="statusbar" role="status" aria-label="Status">{ body }</footer> }
}
