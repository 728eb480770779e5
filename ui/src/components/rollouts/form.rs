//! The new-rollout form: the workload (namespace/deployment, matched by name on every
//! site), one container's new image, the targets (all, a tag, picked sites), the waves,
//! the health gate and the failure budget; then the wave preview, and one click plus a
//! confirmation to start.

use crate::api;
use crate::state::rollouts::{Action, Edit, Rollouts, TargetKind};
use outpost_ipc::SiteSummary;
use outpost_ipc::rollout::OnFailure;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NewRolloutProps {
    pub state: Rc<Rollouts>,
    pub sites: Rc<Vec<SiteSummary>>,
    pub dispatch: UseReducerDispatcher<Rollouts>,
}

fn input(d: &UseReducerDispatcher<Rollouts>, f: fn(String) -> Edit) -> Callback<InputEvent> {
    let d = d.clone();
    Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        d.dispatch(Action::Edit(f(v)));
    })
}

/// Every tag of the fleet, sorted, for the tag picker.
fn tags(sites: &[SiteSummary]) -> Vec<String> {
    let mut t: Vec<String> = sites.iter().flat_map(|s| s.tags.iter().cloned()).collect();
    t.sort();
    t.dedup();
    t
}

#[function_component(NewRollout)]
pub fn new_rollout(props: &NewRolloutProps) -> Html {
    let s = &props.state;
    let f = &s.form;
    let d = props.dispatch.clone();
    let request = f.request();
    let on_target = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            let t = match v.as_str() {
                "tag" => TargetKind::Tag,
                "sites" => TargetKind::Sites,
                _ => TargetKind::All,
            };
            d.dispatch(Action::Edit(Edit::Target(t)));
        })
    };
    let on_failure = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            let o = if v == "pause" {
                OnFailure::Pause
            } else {
                OnFailure::Rollback
            };
            d.dispatch(Action::Edit(Edit::OnFailure(o)));
        })
    };
    let on_preview = {
        let (d, req) = (d.clone(), request.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Ok(req) = req.clone() else { return };
            let d = d.clone();
            d.dispatch(Action::Previewing);
            wasm_bindgen_futures::spawn_local(async move {
                let r = api::rollouts::preview(&req).await;
                d.dispatch(Action::Previewed(req, r));
            });
        })
    };
    let on_start = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Confirm))
    };
    let on_cancel = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::CancelConfirm))
    };
    let on_confirm = {
        let (d, req) = (d.clone(), request.clone());
        Callback::from(move |_: MouseEvent| {
            let Ok(req) = req.clone() else { return };
            let d = d.clone();
            d.dispatch(Action::Starting);
            wasm_bindgen_futures::spawn_local(async move {
                d.dispatch(Action::Started(api::rollouts::start(&req).await));
            });
        })
    };
    let tag_list = tags(&props.sites);
    let picker = html! {
        <fieldset class="rollout-sites" id="rollout-sites">
            <legend>{ "Sites" }</legend>
            { for props.sites.iter().map(|site| {
                let d = d.clone();
                let name = site.name.clone();
                let checked = f.sites.contains(&site.name);
                html! {
                    <label class="field check" key={site.name.clone()}>
                        <input type="checkbox" data-site={site.name.clone()} checked={checked}
                            onchange={Callback::from(move |e: Event| {
                                let on = e.target_unchecked_into::<HtmlInputElement>().checked();
                                d.dispatch(Action::Edit(Edit::Site(name.clone(), on)));
                            })} />
                        { &site.display_name }
                    </label>
                }
            }) }
        </fieldset>
    };
    let radio = |value: &'static str, label: &'static str, kind: TargetKind| {
        html! {
            <label class="field check">
                <input type="radio" name="rollout-target" id={format!("rollout-target-{value}")}
                    value={value} checked={f.target == kind} onchange={on_target.clone()} />
                { label }
            </label>
        }
    };
    let preview = match (s.previewing, s.current_preview()) {
        (true, _) => html! { <p class="muted">{ "Planning…" }</p> },
        (false, Some(Ok(p))) => html! {
            <div class="rollout-plan" id="rollout-plan">
                <h3>{ format!("{}: {} site(s) in {} wave(s)", p.workload,
                    p.waves.iter().map(Vec::len).sum::<usize>(), p.waves.len()) }</h3>
                <ol class="plan-waves">
                    { for p.waves.iter().enumerate().map(|(i, w)| html! {
                        <li class="plan-wave" data-wave={(i + 1).to_string()}>
                            <strong>{ format!("Wave {} ({} site{})", i + 1, w.len(), if w.len() == 1 { "" } else { "s" }) }</strong>
                            <span class="plan-sites">
                                { for w.iter().map(|n| {
                                    let off = p.offline.contains(n);
                                    html! { <span class={classes!("chip", off.then_some("outlier"))} data-site={n.clone()}>
                                        { if off { format!("{n} (offline now)") } else { n.clone() } }</span> }
                                }) }
                            </span>
                        </li>
                    }) }
                </ol>
                if !p.offline.is_empty() {
                    <p class="muted">{ "Offline sites are marked \"pending (offline)\" at their wave and retried when they return; the rollout never reports success while one is pending." }</p>
                }
                <button id="rollout-start" class="primary" disabled={s.starting} onclick={on_start}>{ "Start rollout…" }</button>
            </div>
        },
        (false, Some(Err(e))) => html! {
            <p class="error" role="alert" id="rollout-plan-error">{ format!("Cannot plan ({}): {}", e.kind.as_str(), e.message) }</p>
        },
        (false, None) => html! {},
    };
    let confirm = match (s.confirming, s.current_preview(), &request) {
        (true, Some(Ok(p)), Ok(req)) => html! {
            <div class="overlay">
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="rollout-confirm-title" id="rollout-confirm-dialog">
                    <h2 id="rollout-confirm-title">{ "Start this rollout?" }</h2>
                    <p>{ format!("{} → {}", req.workload,
                        req.images.iter().map(|(c, i)| format!("{c}={i}")).collect::<Vec<_>>().join(" ")) }</p>
                    <p>{ format!("{} site(s) in {} wave(s); each must complete within {} s and run {} s without a crash; {} failed site(s) allowed per wave; on failure: {}.",
                        p.waves.iter().map(Vec::len).sum::<usize>(), p.waves.len(),
                        req.deadline_ms / 1000, req.soak_ms as f64 / 1000.0, req.max_failures,
                        match req.on_failure { OnFailure::Pause => "pause", OnFailure::Rollback => "roll the failed sites back and stop" }) }</p>
                    <div class="dialog-actions">
                        <button id="rollout-cancel" onclick={on_cancel}>{ "Cancel" }</button>
                        <button id="rollout-confirm" class="primary" disabled={s.starting} onclick={on_confirm}>
                            { if s.starting { "Starting…" } else { "Start" } }</button>
                    </div>
                </div>
            </div>
        },
        _ => html! {},
    };
    html! {
        <section class="rollout-form" aria-labelledby="rollout-form-title">
            <h2 id="rollout-form-title">{ "New rollout" }</h2>
            <form onsubmit={on_preview} class="rollout-grid">
                <label class="field">{ "Workload (namespace/deployment)" }
                    <input id="rollout-workload" placeholder="retail/pos-terminal" value={f.workload.clone()} oninput={input(&d, Edit::Workload)} /></label>
                <label class="field">{ "Container" }
                    <input id="rollout-container" placeholder="pos" value={f.container.clone()} oninput={input(&d, Edit::Container)} /></label>
                <label class="field wide">{ "New image" }
                    <input id="rollout-image" placeholder="registry.local:5000/retail/pos-terminal:2.5.0" value={f.image.clone()} oninput={input(&d, Edit::Image)} /></label>
                <div class="field wide rollout-targets" role="radiogroup" aria-label="Targets">
                    { radio("all", "All sites", TargetKind::All) }
                    { radio("tag", "Sites with a tag", TargetKind::Tag) }
                    { radio("sites", "Picked sites", TargetKind::Sites) }
                </div>
                if f.target == TargetKind::Tag {
                    <label class="field">{ "Tag" }
                        <input id="rollout-tag" list="rollout-tags" value={f.tag.clone()} oninput={input(&d, Edit::Tag)} />
                        <datalist id="rollout-tags">{ for tag_list.iter().map(|t| html! { <option value={t.clone()} /> }) }</datalist>
                    </label>
                }
                if f.target == TargetKind::Sites { <div class="wide">{ picker }</div> }
                <label class="field">{ "Waves (sites or cumulative %)" }
                    <input id="rollout-waves" value={f.waves.clone()} oninput={input(&d, Edit::Waves)} /></label>
                <label class="field">{ "Soak (s without a crash)" }
                    <input id="rollout-soak" inputmode="decimal" value={f.soak.clone()} oninput={input(&d, Edit::Soak)} /></label>
                <label class="field">{ "Deadline per site (s)" }
                    <input id="rollout-deadline" inputmode="numeric" value={f.deadline.clone()} oninput={input(&d, Edit::Deadline)} /></label>
                <label class="field">{ "Failed sites allowed per wave" }
                    <input id="rollout-max-failures" inputmode="numeric" value={f.max_failures.clone()} oninput={input(&d, Edit::MaxFailures)} /></label>
                <label class="field">{ "On failure" }
                    <select id="rollout-on-failure" onchange={on_failure}>
                        <option value="rollback" selected={f.on_failure == OnFailure::Rollback}>{ "Roll the failed sites back and stop" }</option>
                        <option value="pause" selected={f.on_failure == OnFailure::Pause}>{ "Pause" }</option>
                    </select></label>
                <div class="wide form-row">
                    <button type="submit" id="rollout-preview" disabled={request.is_err() || s.previewing}>{ "Preview the waves" }</button>
                    if let Err(why) = &request { <span class="muted" id="rollout-form-hint">{ why.to_string() }</span> }
                </div>
            </form>
            { preview }
            { confirm }
        </section>
    }
}
