//! Left navigation rail.

use super::icons::icon;
use crate::state::View;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NavProps {
    pub current: View,
    pub on_select: Callback<View>,
}

#[function_component(Nav)]
pub fn nav(props: &NavProps) -> Html {
    html! {
        <nav class="nav" aria-label="Main">
            <div class="brand">
                <img src="32x32.png" alt="" width="28" height="28" />
                <span>{ "Outpost" }</span>
            </div>
            <ul>
                { for View::ALL.into_iter().map(|v| {
                    let on_select = props.on_select.clone();
                    let active = v == props.current;
                    html! {
                        <li>
                            <button id={format!("nav-{}", v.id())}
                                class={classes!("nav-item", active.then_some("active"))}
                                aria-current={active.then_some("page")}
                                title={format!("{} ({})", v.title(), v.shortcut())}
                                onclick={Callback::from(move |_| on_select.emit(v))}>
                                { icon(v.id()) }
                                <span class="nav-label">{ v.title() }</span>
                                <kbd>{ v.shortcut() }</kbd>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}
