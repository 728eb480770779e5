//! The app shell: navigation, the active view, the status bar and keyboard shortcuts.

use super::{empty::EmptyState, nav::Nav, settings::SettingsView, statusbar::StatusBar};
use crate::api;
use crate::state::{Shell, ShellAction, View};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let shell = use_reducer(Shell::default);

    {
        let shell = shell.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                shell.dispatch(ShellAction::InfoLoaded(api::app_info().await));
            });
        });
    }
    use_shortcuts(shell.dispatcher());

    let on_nav = {
        let shell = shell.clone();
        Callback::from(move |v: View| shell.dispatch(ShellAction::Navigate(v)))
    };

    html! {
        <div class="shell">
            <Nav current={shell.view} on_select={on_nav} />
            <main class="content" id={format!("view-{}", shell.view.id())} aria-label={shell.view.title()}>
                <header class="content-header">
                    <h1>{ shell.view.title() }</h1>
                </header>
                <section class="content-body">{ view_body(shell.view) }</section>
            </main>
            <StatusBar info={shell.info.clone()} />
        </div>
    }
}

fn view_body(view: View) -> Html {
    match view {
        View::Map => html! {
            <EmptyState icon="map" title="No sites on the map yet"
                text="Every registered site appears here at its location, coloured by health. Register sites with `outpost site import` to fill the map." />
        },
        View::Sites => html! {
            <EmptyState icon="sites" title="No sites registered"
                text="Sites you import from a K3s or MicroK8s kubeconfig are listed here with their health, distro and version." />
        },
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
