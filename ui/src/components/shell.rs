//! The app shell: navigation, the active view, the status bar and keyboard shortcuts.

use super::help::Help;
use super::import::ImportWizard;
use super::logs::{LogsPreset, LogsView};
use super::map::MapView;
use super::site::SiteView;
use super::sites::SitesView;
use super::welcome::Welcome;
use super::{empty::EmptyState, nav::Nav, settings::SettingsView, statusbar::StatusBar};
use crate::api;
use crate::state::fleet::{Fleet, FleetAction, FleetStatus};
use crate::state::{Overlay, Shell, ShellAction, View};
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
                if let Ok(s) = api::get_settings().await {
                    crate::apply_theme(s.theme);
                }
            });
            wasm_bindgen_futures::spawn_local(async move {
                fleet.dispatch(FleetAction::Loaded(api::list_sites().await));
            });
        });
    }
    use_fleet_stream(fleet.dispatcher());
    use_shortcuts(shell.dispatcher());
    let actions = Actions::new(&shell);
    // A snapshot bundle was imported: the status bar's site count changed.
    let refresh_info = {
        let shell = shell.dispatcher();
        Callback::from(move |()| {
            let shell = shell.clone();
            wasm_bindgen_futures::spawn_local(async move {
                shell.dispatch(ShellAction::InfoLoaded(api::app_info().await));
            });
        })
    };
    let logs_preset = use_state(|| None::<LogsPreset>);
    let on_logs = {
        let (shell, preset) = (shell.dispatcher(), logs_preset.clone());
        Callback::from(move |p: LogsPreset| {
            preset.set(Some(p));
            shell.dispatch(ShellAction::Navigate(View::Logs));
        })
    };

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
            <SiteView name={name.clone()} summary={fleet.get(name).cloned()} on_close={on_close} on_logs={on_logs} />
        },
        None => view_body(&shell, &fleet, on_open, &actions, (*logs_preset).clone()),
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
                    <div class="header-actions">
                        <button id="header-import" onclick={actions.import.reform(|_: MouseEvent| ())}>{ "Import…" }</button>
                        <super::snapshot::SnapshotImport on_imported={refresh_info.clone()} />
                        <button id="header-help" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"
                            onclick={actions.help.reform(|_: MouseEvent| ())}>{ "?" }</button>
                    </div>
                </header>
                if shell.is_demo() {
                    <div class="banner banner-demo" id="demo-banner" role="status">
                        <span>{ "Demo fleet: twelve simulated sites running inside Outpost, apart from your own sites." }</span>
                        <button id="leave-demo" disabled={shell.switching} onclick={actions.leave_demo.reform(|_: MouseEvent| ())}>
                            { if shell.switching { "Leaving…" } else { "Leave the demo" } }</button>
                    </div>
                }
                if let Some(e) = &shell.switch_error {
                    <div class="banner banner-error" id="switch-error" role="alert">
                        { format!("Could not switch ({}): {}", e.kind.as_str(), e.message) }</div>
                }
                <section class="content-body">{ body }</section>
            </main>
            <StatusBar info={shell.info.clone()} counts={counts} />
            <super::snapshot::SnapshotNotices on_imported={refresh_info} />
            { match shell.overlay {
                Some(Overlay::Help) => html! { <Help on_close={actions.close.clone()} /> },
                Some(Overlay::Import) => html! { <ImportWizard on_close={actions.close.clone()} /> },
                None => html! {},
            } }
        </div>
    }
}

/// Callbacks the header, the welcome screen and the overlays share.
struct Actions {
    open_demo: Callback<()>,
    leave_demo: Callback<()>,
    import: Callback<()>,
    help: Callback<()>,
    close: Callback<()>,
}

impl Actions {
    fn new(shell: &UseReducerHandle<Shell>) -> Self {
        let switch = |demo: bool| {
            let shell = shell.dispatcher();
            Callback::from(move |()| {
                let shell = shell.clone();
                shell.dispatch(ShellAction::Switching);
                wasm_bindgen_futures::spawn_local(async move {
                    let r = if demo {
                        api::open_demo().await
                    } else {
                        api::leave_demo().await
                    };
                    shell.dispatch(ShellAction::Switched(r));
                });
            })
        };
        let show = |o: Overlay| {
            let shell = shell.dispatcher();
            Callback::from(move |()| shell.dispatch(ShellAction::Show(o)))
        };
        let close = {
            let shell = shell.clone();
            Callback::from(move |()| {
                // After an import the site count changed: refresh the status bar.
                let shell = shell.clone();
                shell.dispatch(ShellAction::CloseOverlay);
                wasm_bindgen_futures::spawn_local(async move {
                    shell.dispatch(ShellAction::InfoLoaded(api::app_info().await));
                });
            })
        };
        Actions {
            open_demo: switch(true),
            leave_demo: switch(false),
            import: show(Overlay::Import),
            help: show(Overlay::Help),
            close,
        }
    }
}

fn view_body(
    shell: &Shell,
    fleet: &Fleet,
    on_open: Callback<String>,
    actions: &Actions,
    logs_preset: Option<LogsPreset>,
) -> Html {
    let sites = Rc::new(fleet.sites.clone());
    match shell.view {
        View::Map | View::Sites
            if sites.is_empty() && fleet.status == FleetStatus::Ready && !shell.is_demo() =>
        {
            html! {
                <Welcome on_demo={actions.open_demo.clone()} on_import={actions.import.clone()} busy={shell.switching} />
            }
        }
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
        View::Logs => html! { <LogsView sites={sites} preset={logs_preset} /> },
        View::Rollouts => html! { <super::rollouts::RolloutsView sites={sites} /> },
        View::Upgrades => html! { <super::upgrades::UpgradesView sites={sites} /> },
        View::Settings => html! { <SettingsView /> },
    }
}

/// Why the site list could not be loaded (e.g. the backend has no `list_sites` yet).
fn fleet_error(status: &FleetStatus) -> Html {
    match status {
        FleetStatus::Failed(e) => html! {
            <div class="banner banner-error" id="fleet-error" role="alert">
                { super::health::error_view("Could not load the site list", e) }
            </div>
        },
        FleetStatus::Loading => {
            html! { <p class="muted" id="fleet-loading">{ "Loading sites…" }</p> }
        }
        FleetStatus::Ready => html! {},
    }
}

/// Subscribes to `watch_fleet` for the component's lifetime; the channel is kept in a
/// ref so it lives (and keeps delivering) until unmount.
#[hook]
fn use_fleet_stream(fleet: UseReducerDispatcher<Fleet>) {
    let channel = use_mut_ref(|| None::<api::Channel>);
    use_effect_with((), move |_| {
        let keep = channel.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let f = fleet.clone();
            match api::watch_fleet(move |u| f.dispatch(FleetAction::Update(u))).await {
                Ok(ch) => *keep.borrow_mut() = Some(ch),
                Err(e) => fleet.dispatch(FleetAction::Loaded(Err(e))),
            }
        });
        move || drop(channel.borrow_mut().take())
    });
}

/// Number keys switch views, unless the user is typing in a field; Escape closes
/// overlays.
#[hook]
fn use_shortcuts(dispatch: UseReducerDispatcher<Shell>) {
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                dispatch.dispatch(ShellAction::CloseOverlay);
                return;
            }
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
