//! The Upgrades view: the fleet's version drift (sites grouped by distro and version,
//! which are behind the newest), the K3s upgrade form with its confirmation, and the
//! started sites' live per-node progress with stuck reports. MicroK8s sites show their
//! version and the exact `snap refresh` command: Outpost does not run it.

mod form;
mod progress;

use crate::api;
use crate::api::Channel;
use crate::state::Load;
use crate::state::upgrades::{Action, Upgrades, distro_name, groups};
use outpost_ipc::upgrade::UpgradesOverview;
use outpost_ipc::{Distro, SiteSummary};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

type Dispatch = UseReducerDispatcher<Upgrades>;

fn load(d: Dispatch) {
    wasm_bindgen_futures::spawn_local(async move {
        d.dispatch(Action::Loaded(api::upgrades::overview().await));
    });
}

fn drift(o: &UpgradesOverview, state: &Upgrades, d: &Dispatch) -> Html {
    let gs = groups(o);
    html! {
        <table class="data upgrades-drift-table" id="upgrades-drift">
            <thead><tr><th></th><th>{ "Site" }</th><th>{ "Version" }</th><th>{ "Health" }</th><th>{ "Upgrade" }</th></tr></thead>
            { for gs.iter().map(|g| {
                let label = if g.version.is_empty() { "version unknown".to_string() } else { g.version.clone() };
                let status = if g.newest { "newest in the fleet" } else if g.version.is_empty() { "never reached" } else { "behind" };
                html! {
                    <tbody class={classes!("upgrade-group", (!g.newest).then_some("behind"))}
                        data-distro={distro_name(g.distro)} data-version={g.version.clone()}>
                        <tr class="upgrade-group-head"><th colspan="5">
                            { format!("{} {label} · {} site{} · {status}", distro_name(g.distro), g.sites.len(),
                                if g.sites.len() == 1 { "" } else { "s" }) }
                        </th></tr>
                        { for g.sites.iter().map(|s| {
                            let picked = state.picked.contains(&s.name);
                            let on_pick = {
                                let (d, name) = (d.clone(), s.name.clone());
                                Callback::from(move |e: Event| {
                                    let on = e.target_unchecked_into::<HtmlInputElement>().checked();
                                    d.dispatch(Action::Pick(name.clone(), on));
                                })
                            };
                            let action = match (s.distro, &s.snap_command) {
                                (Distro::K3s, _) => html! {
                                    <span class="muted">{ if s.behind { "behind the newest K3s" } else { "up to date" } }</span>
                                },
                                (Distro::Microk8s, Some(_)) => html! {
                                    <span class="muted">{ "manual: Outpost cannot upgrade MicroK8s" }</span>
                                },
                                _ => html! { <span class="muted">{ "not a K3s site: upgrade it with its own tools" }</span> },
                            };
                            html! { <>
                                <tr class="upgrade-site" data-site={s.name.clone()} data-behind={s.behind.to_string()}>
                                    <td>
                                        if s.distro == Distro::K3s {
                                            <input type="checkbox" id={format!("upgrade-pick-{}", s.name)} checked={picked}
                                                aria-label={format!("Pick {}", s.name)} onchange={on_pick} />
                                        }
                                    </td>
                                    <th scope="row" title={s.name.clone()}>{ &s.display_name }</th>
                                    <td><code>{ if s.version.is_empty() { "?" } else { s.version.as_str() } }</code></td>
                                    <td>
                                        if s.healthy {
                                            <span class="site-status site-status-done">{ "ok" }</span>
                                        } else {
                                            <span class="site-status site-status-failed" title={s.health_reason.clone().unwrap_or_default()}>
                                                { "last check failed" }</span>
                                        }
                                    </td>
                                    <td>{ action }</td>
                                </tr>
                                if let (Distro::Microk8s, Some(cmd)) = (s.distro, &s.snap_command) {
                                    <tr class="snap-row" data-site={s.name.clone()}>
                                        <td></td>
                                        <td colspan="4" class="snap-command">{ "On each node: " }
                                            <code id={format!("upgrade-snap-{}", s.name)}>{ cmd }</code></td>
                                    </tr>
                                }
                            </> }
                        }) }
                    </tbody>
                }
            }) }
        </table>
    }
}

#[derive(Properties, PartialEq)]
pub struct UpgradesViewProps {
    /// The fleet as the health engine publishes it: versions and health change with it.
    pub sites: Rc<Vec<SiteSummary>>,
}

#[function_component(UpgradesView)]
pub fn upgrades_view(props: &UpgradesViewProps) -> Html {
    let state = use_reducer(Upgrades::default);
    let dispatch = state.dispatcher();
    {
        // Reloaded when the fleet's health or versions change, and on request.
        let d = dispatch.clone();
        use_effect_with((state.reload_gen, props.sites.clone()), move |_| load(d));
    }
    {
        // One watch at a time, on the watched sites; the backend's watch ends when a new
        // one starts, and on unmount (an empty watch).
        let slot = use_mut_ref(|| None::<Channel>);
        let d = dispatch.clone();
        let watched = state.watched.clone();
        use_effect_with(state.watch_gen, move |_| {
            slot.borrow_mut().take();
            if !watched.is_empty() {
                let keep = slot.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let u = d.clone();
                    match api::upgrades::watch(watched, move |p| u.dispatch(Action::Progress(p)))
                        .await
                    {
                        Ok(ch) => *keep.borrow_mut() = Some(ch),
                        Err(e) => d.dispatch(Action::WatchFailed(e)),
                    }
                });
            }
            move || drop(slot.borrow_mut().take())
        });
        // Leaving the view ends the backend's watch too.
        use_effect_with((), |_| {
            || {
                wasm_bindgen_futures::spawn_local(async {
                    let _ = api::upgrades::stop_watch().await;
                });
            }
        });
    }
    let reload = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Reload))
    };
    let body = match &state.overview {
        Load::Loading => html! { <p class="muted">{ "Reading the fleet's versions…" }</p> },
        Load::Failed(e) => html! {
            <p class="error" role="alert" id="upgrades-load-error">
                { format!("Could not read the fleet ({}): {}", e.kind.as_str(), e.message) }</p>
        },
        Load::Ready(o) => drift(o, &state, &dispatch),
    };
    let newest = match &state.overview {
        Load::Ready(o) => format!(
            "Newest K3s in the fleet: {} · newest MicroK8s: {}",
            o.newest_k3s.as_deref().unwrap_or("none"),
            o.newest_microk8s.as_deref().unwrap_or("none")
        ),
        _ => String::new(),
    };
    html! {
        <div class="upgrades" id="upgrades">
            <section class="upgrades-fleet" aria-labelledby="upgrades-title">
                <div class="dialog-head">
                    <h2 id="upgrades-title">{ "Version drift" }</h2>
                    <button class="small" id="upgrades-reload" onclick={reload}>{ "Refresh" }</button>
                </div>
                <p class="muted" id="upgrades-newest">{ newest }</p>
                { body }
            </section>
            <div class="upgrades-main">
                if let Some(e) = &state.error {
                    <div class="banner banner-error" role="alert" id="upgrade-error">
                        <span>{ format!("{} ({})", e.message, e.kind.as_str()) }</span>
                        <button class="small" onclick={{ let d = dispatch.clone(); Callback::from(move |_: MouseEvent| d.dispatch(Action::DismissError)) }}>{ "Dismiss" }</button>
                    </div>
                }
                <form::UpgradeForm state={Rc::new((*state).clone())} dispatch={dispatch.clone()} />
                <progress::Progress progress={Rc::new(state.progress.clone())} watched={Rc::new(state.watched.clone())} />
            </div>
        </div>
    }
}
