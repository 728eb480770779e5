//! The keyboard shortcuts overlay (`?`).

use crate::state::View;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

#[function_component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let keys: Vec<(String, &str)> = View::ALL
        .iter()
        .map(|v| (v.shortcut().to_string(), v.title()))
        .chain([
            ("/".to_string(), "Search sites"),
            ("?".to_string(), "Show or hide this help"),
            ("Esc".to_string(), "Close a dialog or this help"),
        ])
        .collect();
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" id="help-overlay"
            onclick={props.on_close.reform(|_: MouseEvent| ())}>
            <div class="dialog">
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <dl class="keys">
                    { for keys.iter().map(|(k, what)| html! { <><dt><kbd>{ k }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
            </div>
        </div>
    }
}
