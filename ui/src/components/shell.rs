//! The app shell: navigation, the active view, the status bar and keyboard shortcuts.

use super::map::MapView;
use super::site::SiteView;
use super::sites::SitesView;
use super::{empty::EmptyState, nav::Nav, settings::SettingsView, statusbar::StatusBar};
use crate::api;
use crate::state::fleet::{Fleet, FleetAction, FleetStatus};
use crate::state::{Shell, ShellAction, View};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let shell = use_reducer(Shell::default);
    let fleet = use_reducer(Fleet::default);

    {
        let shell = shell.clone();
        let fleet = fleet.dispatcher();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                shell.dispatch(ShellAction::InfoLoaded(api::app_info().await));
            });
            wasm_bindgen_futures::spawn_local(async move {
                fleet.dispatch(FleetAction::Loaded(api::list_sites().await));
            });
        });
    }
    use_shortcuts(shell.dispatcher());

    let on_nav = {
        let shell = shell.clone();
        Callback::from(move |v: View| shell.dispatch(ShellAction::Navigate(v)))
    };
    let on_open = {
        let shell = shell.clone();
        Callback::from(move |name: String| shell.dispatch(ShellAction::OpenSite(name)))
    };
    let on_close = {
        let shell = shell.clone();
        Callback::from(move |()| shell.dispatch(ShellAction::CloseSite))
    };
    let body = match &shell.site {
        Some(name) => html! {
            <SiteView name={name.clone()} summary={fleet.get(name).cloned()} on_close={on_close} />
        },
        None => view_body(&shell, &fleet, on_open),
    };
    let counts = (!fleet.sites.is_empty()).then(|| fleet.counts());
    let title = match &shell.site {
        Some(name) => {
            let shown = fleet
                .get(name)
                .map_or(name.as_str(), |s| s.display_name.as_str());
            format!("{} › {shown}", shell.view.title())
        }
        None => shell.view.title().to_string(),
    };

    html! {
        <div class="shell">
            <Nav current={shell.view} on_select={on_nav} />
            <main class="content" id={format!("view-{}", shell.view.id())} aria-label={shell.view.title()}>
                <header class="content-header">
                    <h1>{ title }</h1>
                </header>
                <section class="content-body">{ body }</section>
            </main>
            <StatusBar info={shell.info.clone()} counts={counts} />
        </div>
    }
}

fn view_body(shell: &Shell, fleet: &Fleet, on_open: Callback<String>) -> Html {
    let sites = Rc::new(fleet.sites.clone());
    match shell.view {
        View::Map | View::Sites if sites.is_empty() => html! { <>
            { fleet_error(&fleet.status) }
            if shell.view == View::Map {
                <EmptyState icon="map" title="No sites on the map yet"
                    text="Every registered site appears here at its location, coloured by health. Register sites with `outpost site import` to fill the map." />
            } else {
                <EmptyState icon="sites" title="No sites registered"
                    text="Sites you import from a K3s or MicroK8s kubeconfig are listed here with their health, distro and version." />
            }
        </> },
        View::Map => html! { <>
            { fleet_error(&fleet.status) }
            <MapView sites={sites} on_open={on_open} />
        </> },
        View::Sites => html! { <>
            { fleet_error(&fleet.status) }
            <SitesView sites={sites} on_open={on_open} focus_search={shell.search_focus} />
        </> },
        View::Logs => html! {
            <EmptyState icon="logs" title="No log stream open"
                text="Open a pod or a workload from a site to follow its logs here." />
        },
        View::Rollouts => html! {
            <EmptyState icon="rollouts" title="No rollouts"
                text="Fleet rollouts in waves, with health gates and rollback, are listed here once started." />
        },
        View::Settings => html! { <SettingsView /> },
    }
}

/// Why the site list could not be loaded (e.g. the backend has no `list_sites` yet).
fn fleet_error(status: &FleetStatus) -> Html {
    match status {
        FleetStatus::Failed(e) => html! {
            <div class="banner banner-error" id="fleet-error" role="alert">
                { format!("Could not load the site list ({}): {}", e.kind.as_str(), e.message) }
            </div>
        },
        FleetStatus::Loading => {
            html! { <p class="muted" id="fleet-loading">{ "Loading sites…" }</p> }
        }
        FleetStatus::Ready => html! {},
    }
}

/// Number keys switch views, unless the user is typing in a field.
#[hook]
fn use_shortcuts(dispatch: UseReducerDispatcher<Shell>) {
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
                .unwrap_or(false);
            if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            if e.key() == "/" {
                // Focus the search field instead of typing the slash anywhere.
                e.prevent_default();
            }
            if let Some(c) = e
                .key()
                .chars()
                .next()
                .filter(|_| e.key().chars().count() == 1)
            {
                dispatch.dispatch(ShellAction::Key(c));
            }
        });
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(doc) = &doc {
            let _ =
                doc.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(doc) = doc {
                let _ = doc.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
