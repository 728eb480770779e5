//! The Rollouts view: the profile's rollouts on the left; on the right either the
//! new-rollout form (with its wave preview and a confirmation) or the selected rollout,
//! live: its waves, a progress bar and status per site, pause/resume/abort and the
//! report. Rollouts run in the backend: leaving the view only drops the watch.

mod detail;
mod form;
mod overlay;

use crate::api;
use crate::api::Channel;
use crate::state::Load;
use crate::state::rollouts::{Action, Rollouts, status_text};
use detail::Detail;
use form::NewRollout;
use outpost_ipc::SiteSummary;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RolloutsViewProps {
    pub sites: Rc<Vec<SiteSummary>>,
}

type Dispatch = UseReducerDispatcher<Rollouts>;

fn load_list(d: Dispatch) {
    wasm_bindgen_futures::spawn_local(async move {
        d.dispatch(Action::Listed(api::rollouts::list().await));
    });
}

#[function_component(RolloutsView)]
pub fn rollouts_view(props: &RolloutsViewProps) -> Html {
    let state = use_reducer(Rollouts::default);
    let dispatch = state.dispatcher();
    {
        let d = dispatch.clone();
        use_effect_with((), move |_| load_list(d));
    }
    {
        // One watch at a time, on the shown rollout; dropped on change and on unmount.
        let slot = use_mut_ref(|| None::<Channel>);
        let d = dispatch.clone();
        use_effect_with(
            (state.selected.clone(), state.watch_gen),
            move |(selected, _)| {
                slot.borrow_mut().take();
                if let Some(id) = selected.clone() {
                    let keep = slot.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let u = d.clone();
                        match api::rollouts::watch(&id, move |i| u.dispatch(Action::Update(i)))
                            .await
                        {
                            Ok(ch) => *keep.borrow_mut() = Some(ch),
                            Err(e) => d.dispatch(Action::ControlDone(Err(e), false)),
                        }
                    });
                }
                move || drop(slot.borrow_mut().take())
            },
        );
    }
    let on_new = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::NewRollout))
    };
    let list = match &state.list {
        Load::Loading => html! { <p class="muted">{ "Loading rollouts…" }</p> },
        Load::Failed(e) => html! {
            <p class="error" role="alert" id="rollouts-error">
                { format!("Could not list rollouts ({}): {}", e.kind.as_str(), e.message) }</p>
        },
        Load::Ready(l) if l.is_empty() => html! { <p class="muted">{ "No rollouts yet." }</p> },
        Load::Ready(l) => html! {
            <ul class="rollout-list" id="rollout-list">
                { for l.iter().map(|r| {
                    let d = dispatch.clone();
                    let id = r.id.clone();
                    let active = !state.creating && state.selected.as_ref() == Some(&r.id);
                    let status = format!("{:?}", r.status).to_lowercase();
                    html! {
                        <li key={r.id.clone()}>
                            <button class={classes!("rollout-item", active.then_some("active"))}
                                data-rollout={r.id.clone()} data-status={status.clone()}
                                onclick={Callback::from(move |_: MouseEvent| d.dispatch(Action::Select(id.clone())))}>
                                <span class="rollout-item-workload">{ &r.workload }</span>
                                <span class={classes!("rollout-status", format!("rollout-status-{status}"))}>
                                    { status_text(r.status) }</span>
                                <span class="muted rollout-item-meta">
                                    { format!("{}/{} sites · {}", r.counts.updated, r.counts.total, r.id) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    let body = match (state.creating, state.shown()) {
        (false, Some(r)) => html! {
            <Detail info={r.clone()} sites={props.sites.clone()} busy={state.busy} report={state.report.clone()} dispatch={dispatch.clone()} />
        },
        _ => html! {
            <NewRollout state={Rc::new((*state).clone())} sites={props.sites.clone()} dispatch={dispatch.clone()} />
        },
    };
    html! {
        <div class="rollouts" id="rollouts">
            <aside class="rollouts-side">
                <button id="rollout-new" class="primary" onclick={on_new}>{ "New rollout" }</button>
                { list }
            </aside>
            <div class="rollouts-main">
                if let Some(e) = &state.error {
                    <div class="banner banner-error" role="alert" id="rollout-error">
                        <span>{ format!("{} ({})", e.message, e.kind.as_str()) }</span>
                        <button class="small" onclick={{ let d = dispatch.clone(); Callback::from(move |_: MouseEvent| d.dispatch(Action::DismissError)) }}>{ "Dismiss" }</button>
                    </div>
                }
                { body }
            </div>
        </div>
    }
}
