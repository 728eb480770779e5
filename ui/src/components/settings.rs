//! The Settings view: typed load and save through `get_settings` / `set_settings`.

use crate::api;
use crate::state::settings::{Field, FormAction, FormStatus, SettingsForm};
use outpost_ipc::Theme;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, PartialEq, Default)]
struct Form(SettingsForm);

impl Reducible for Form {
    type Action = FormAction;
    fn reduce(self: Rc<Self>, a: FormAction) -> Rc<Self> {
        Rc::new(Form(self.0.apply(a)))
    }
}

#[function_component(SettingsView)]
pub fn settings_view() -> Html {
    let form = use_reducer(Form::default);
    {
        let form = form.dispatcher();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let r = api::get_settings().await;
                if let Ok(s) = &r {
                    crate::apply_theme(s.theme);
                }
                form.dispatch(FormAction::Loaded(r));
            });
        });
    }
    let f = &form.0;
    let edit = |field: Field| {
        let form = form.dispatcher();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            form.dispatch(FormAction::Edit(field, v));
        })
    };
    let on_theme = {
        let form = form.dispatcher();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            let t = match v.as_str() {
                "light" => Theme::Light,
                "dark" => Theme::Dark,
                _ => Theme::System,
            };
            form.dispatch(FormAction::SetTheme(t));
        })
    };
    let on_submit = {
        let form = form.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match form.0.parse() {
                Err(err) => form.dispatch(FormAction::Saved(Err(err))),
                Ok(s) => {
                    let d = form.dispatcher();
                    d.dispatch(FormAction::Saving);
                    wasm_bindgen_futures::spawn_local(async move {
                        let r = api::set_settings(&s).await;
                        if let Ok(s) = &r {
                            crate::apply_theme(s.theme);
                        }
                        d.dispatch(FormAction::Saved(r));
                    });
                }
            }
        })
    };
    let status = match &f.status {
        FormStatus::Loading => html! { <span class="muted">{ "Loading…" }</span> },
        FormStatus::Clean => html! {},
        FormStatus::Dirty => html! { <span class="muted">{ "Unsaved changes" }</span> },
        FormStatus::Saving => html! { <span class="muted">{ "Saving…" }</span> },
        FormStatus::Saved => html! { <span class="ok" id="settings-saved">{ "Saved" }</span> },
        FormStatus::Error(e) => {
            html! { <span class="error" role="alert" id="settings-error">{ &e.message }</span> }
        }
    };
    let theme_value = match f.theme {
        Theme::System => "system",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    html! { <>
        <form class="settings" onsubmit={on_submit} aria-label="Settings">
            <label for="set-theme">{ "Theme" }</label>
            <select id="set-theme" onchange={on_theme} value={theme_value}>
                <option value="system" selected={f.theme == Theme::System}>{ "Follow the system" }</option>
                <option value="light" selected={f.theme == Theme::Light}>{ "Light" }</option>
                <option value="dark" selected={f.theme == Theme::Dark}>{ "Dark" }</option>
            </select>
            <label for="set-req-timeout">{ "Request timeout (ms)" }</label>
            <input id="set-req-timeout" inputmode="numeric" value={f.request_timeout.clone()} oninput={edit(Field::RequestTimeout)} />
            <label for="set-conn-timeout">{ "Connect timeout (ms)" }</label>
            <input id="set-conn-timeout" inputmode="numeric" value={f.connect_timeout.clone()} oninput={edit(Field::ConnectTimeout)} />
            <label for="set-log-lines">{ "Log buffer (lines)" }</label>
            <input id="set-log-lines" inputmode="numeric" value={f.log_buffer_lines.clone()} oninput={edit(Field::LogBufferLines)} />
            <div class="form-actions">
                <button type="submit" id="settings-save" disabled={matches!(f.status, FormStatus::Loading | FormStatus::Saving)}>{ "Save" }</button>
                { status }
            </div>
        </form>
        <AppFiles />
    </> }
}

/// Where the data lives, and the app's own log for support requests.
#[function_component(AppFiles)]
fn app_files() -> Html {
    let info = use_state(|| None::<outpost_ipc::AppInfo>);
    let exported = use_state(|| None::<Result<outpost_ipc::ExportedFile, outpost_ipc::IpcError>>);
    {
        let info = info.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                info.set(api::app_info().await.ok());
            });
        });
    }
    let on_export = {
        let exported = exported.clone();
        Callback::from(move |_: MouseEvent| {
            let exported = exported.clone();
            wasm_bindgen_futures::spawn_local(async move {
                exported.set(Some(api::export_app_log().await));
            });
        })
    };
    html! {
        <section class="settings-files" aria-labelledby="h-files">
            <h2 id="h-files">{ "Data and logs" }</h2>
            <p>{ "Data directory: " }<code id="settings-data-dir">{ info.as_ref().map(|i| i.data_dir.clone()).unwrap_or_default() }</code></p>
            <p class="muted">{ "Start Outpost with --home PATH (or OUTPOST_HOME) to use another data directory." }</p>
            <button id="export-log" onclick={on_export}>{ "Export the app's log…" }</button>
            { match &*exported {
                Some(Ok(f)) => html! { <p class="ok" id="export-log-done">{ format!("Saved {} ({} bytes)", f.path, f.bytes) }</p> },
                Some(Err(e)) => html! { <p class="error" role="alert">{ &e.message }</p> },
                None => html! {},
            } }
        </section>
    }
}
