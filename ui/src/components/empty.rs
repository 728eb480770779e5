//! An honest empty state: what will be here, and how to get there.

use super::icons::icon;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EmptyStateProps {
    pub icon: AttrValue,
    pub title: AttrValue,
    pub text: AttrValue,
}

#[function_component(EmptyState)]
pub fn empty_state(props: &EmptyStateProps) -> Html {
    html! {
        <div class="empty-state">
            <div class="empty-icon">{ icon(&props.icon) }</div>
            <h2>{ &props.title }</h2>
            <p>{ &props.text }</p>
        </div>
    }
}
