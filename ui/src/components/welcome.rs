//! First run: no sites yet. Offers the demo fleet and the import wizard.

use super::icons::icon;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    pub on_demo: Callback<()>,
    pub on_import: Callback<()>,
    /// Opening the demo is under way.
    pub busy: bool,
}

#[function_component(Welcome)]
pub fn welcome(props: &WelcomeProps) -> Html {
    html! {
        <div class="welcome" id="welcome">
            <div class="empty-icon">{ icon("map") }</div>
            <h2>{ "Welcome to Outpost" }</h2>
            <p>{ "See every edge site on one map, spot the unhealthy ones, drill in and read their logs. \
                  Nothing is configured yet." }</p>
            <div class="welcome-actions">
                <button class="primary" id="open-demo" disabled={props.busy}
                    onclick={props.on_demo.reform(|_: MouseEvent| ())}>
                    { if props.busy { "Starting the demo fleet…" } else { "Open the demo fleet" } }
                </button>
                <button id="open-import" onclick={props.on_import.reform(|_: MouseEvent| ())}>
                    { "Import a kubeconfig" }
                </button>
            </div>
            <p class="muted">{ "The demo runs twelve simulated K3s and MicroK8s sites inside the app, \
                kept apart from your own sites. Leave it with one click." }</p>
        </div>
    }
}
