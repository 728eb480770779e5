//! The K3s upgrade form: the picked sites, the pinned version (prefilled with the newest
//! K3s in the fleet, validated while typing), an optional window and "force"; then a
//! confirmation, and what starting did at each site (refusals with their reason).

use crate::api;
use crate::state::upgrades::{Action, Upgrades, version_error};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct UpgradeFormProps {
    pub state: Rc<Upgrades>,
    pub dispatch: UseReducerDispatcher<Upgrades>,
}

#[function_component(UpgradeForm)]
pub fn upgrade_form(props: &UpgradeFormProps) -> Html {
    let s = &props.state;
    let d = props.dispatch.clone();
    let text = |f: fn(String) -> Action| {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            d.dispatch(f(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };
    let on_force = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            d.dispatch(Action::Force(
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        })
    };
    let click = |a: Action| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(a.clone()))
    };
    let on_start = {
        let (d, req) = (d.clone(), s.request());
        Callback::from(move |_: MouseEvent| {
            let Some(req) = req.clone() else { return };
            let d = d.clone();
            d.dispatch(Action::Starting);
            wasm_bindgen_futures::spawn_local(async move {
                d.dispatch(Action::Started(api::upgrades::start(&req).await));
            });
        })
    };
    let verr = version_error(&s.version);
    let unhealthy = s.picked_unhealthy();
    let confirm = match (s.confirming, s.request()) {
        (true, Some(req)) => html! {
            <div class="overlay">
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="upgrade-confirm-title" id="upgrade-confirm-dialog">
                    <h2 id="upgrade-confirm-title">{ "Start this K3s upgrade?" }</h2>
                    <p>{ format!("{} → {}", req.sites.join(", "), req.version) }</p>
                    <p>{ "system-upgrade-controller upgrades the servers, then the agents, one node at a time per Plan; each node is cordoned while it upgrades. It never rolls back." }</p>
                    if let Some(w) = &req.window { <p>{ format!("Only inside the window {w}.") }</p> }
                    if req.force && !unhealthy.is_empty() {
                        <p class="error">{ format!("Forced: {} failed their last health check.", unhealthy.join(", ")) }</p>
                    }
                    <div class="dialog-actions">
                        <button id="upgrade-cancel" onclick={click(Action::Cancel)}>{ "Cancel" }</button>
                        <button id="upgrade-start" class="primary" disabled={s.starting} onclick={on_start}>
                            { if s.starting { "Starting…" } else { "Start upgrade" } }</button>
                    </div>
                </div>
            </div>
        },
        _ => html! {},
    };
    html! {
        <section class="upgrade-form" aria-labelledby="upgrade-form-title">
            <h2 id="upgrade-form-title">{ "Upgrade K3s" }</h2>
            <p class="muted" id="upgrade-picked">{
                if s.picked.is_empty() { "Pick K3s sites in the table.".to_string() }
                else { format!("Picked: {}", s.picked.join(", ")) }
            }</p>
            <div class="rollout-grid">
                <label class="field">{ "Target version (pinned)" }
                    <input id="upgrade-version" placeholder="v1.31.4+k3s1" value={s.version.clone()}
                        aria-invalid={verr.is_some().to_string()} oninput={text(Action::Version)} /></label>
                <label class="field wide">{ "Window (optional)" }
                    <input id="upgrade-window" placeholder="sat,sun 02:00-05:00 Europe/Paris" value={s.window.clone()}
                        oninput={text(Action::Window)} /></label>
            </div>
            if let Some(e) = verr { <p class="error" id="upgrade-version-error">{ e }</p> }
            if !unhealthy.is_empty() {
                <p class={if s.force { "muted" } else { "error" }} id="upgrade-unhealthy">{
                    format!("{} failed {} last health check: {}", unhealthy.join(", "),
                        if unhealthy.len() == 1 { "its" } else { "their" },
                        if s.force { "forced, it will be upgraded anyway." } else { "it will be refused unless you tick Force." })
                }</p>
            }
            <label class="check">
                <input type="checkbox" id="upgrade-force" checked={s.force} onchange={on_force} />
                { " Force: upgrade even sites whose last health check failed" }</label>
            <div class="rollout-actions">
                <button id="upgrade-pick-behind" onclick={click(Action::PickBehind)}>{ "Pick the sites behind" }</button>
                <button id="upgrade-watch-picked" disabled={s.picked.is_empty()} onclick={click(Action::WatchPicked)}>{ "Show progress" }</button>
                <span class="spacer" />
                <button id="upgrade-confirm-open" class="primary" disabled={s.request().is_none() || s.starting}
                    onclick={click(Action::Confirm)}>
                    { format!("Upgrade {} site{}…", s.picked.len(), if s.picked.len() == 1 { "" } else { "s" }) }</button>
            </div>
            if !s.results.is_empty() {
                <ul class="upgrade-results" id="upgrade-results">
                    { for s.results.iter().map(|r| html! {
                        <li class={classes!("upgrade-result", if r.ok { "ok" } else { "refused" })} data-site={r.site.clone()}
                            data-kind={r.error_kind.map(|k| k.as_str()).unwrap_or_default()}>
                            <strong>{ &r.site }</strong>{ ": " }{ &r.message }
                        </li>
                    }) }
                </ul>
            }
            { confirm }
        </section>
    }
}
