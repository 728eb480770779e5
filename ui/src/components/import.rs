//! The import wizard: pick a file or paste, set name, address, tags and the location
//! (typed or clicked on the map), preview the fixes the core will make, then import.
//! Nothing is saved before "Import", and an import writes every site or none.

use super::map::WorldLand;
use crate::api;
use crate::state::import::{Field, ImportAction, ImportForm, SourceKind, Stage};
use crate::state::viewport::{from_map, to_map};
use outpost_ipc::{FileRefInfo, ImportPreview, PlannedSiteInfo};
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ImportWizardProps {
    pub on_close: Callback<()>,
}

fn text_input(form: &UseReducerHandle<ImportForm>, field: Field) -> Callback<InputEvent> {
    let form = form.dispatcher();
    Callback::from(move |e: InputEvent| {
        if let Some(el) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            form.dispatch(ImportAction::Set(field, el.value()));
        }
    })
}

fn check(form: &UseReducerHandle<ImportForm>, f: fn(bool) -> ImportAction) -> Callback<Event> {
    let form = form.dispatcher();
    Callback::from(move |e: Event| {
        if let Some(el) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            form.dispatch(f(el.checked()));
        }
    })
}

#[function_component(ImportWizard)]
pub fn import_wizard(props: &ImportWizardProps) -> Html {
    let form = use_reducer(ImportForm::default);
    let request = form.request();
    let on_file = {
        let form = form.dispatcher();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            let form = form.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                    && let Some(text) = text.as_string()
                {
                    form.dispatch(ImportAction::FileLoaded { name, text });
                }
            });
        })
    };
    let on_paste = {
        let form = form.dispatcher();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                form.dispatch(ImportAction::Paste(el.value()));
            }
        })
    };
    let on_check = {
        let (form, req) = (form.dispatcher(), request.clone());
        Callback::from(move |_: MouseEvent| {
            let Ok(req) = req.clone() else { return };
            let form = form.clone();
            form.dispatch(ImportAction::Check);
            wasm_bindgen_futures::spawn_local(async move {
                form.dispatch(ImportAction::Checked(api::import_preview(&req).await));
            });
        })
    };
    let on_import = {
        let (form, req) = (form.dispatcher(), request.clone());
        Callback::from(move |_: MouseEvent| {
            let Ok(req) = req.clone() else { return };
            let form = form.clone();
            form.dispatch(ImportAction::Import);
            wasm_bindgen_futures::spawn_local(async move {
                form.dispatch(ImportAction::Imported(api::import_apply(&req).await));
            });
        })
    };
    let source = |k: SourceKind| {
        let form = form.dispatcher();
        Callback::from(move |_: MouseEvent| form.dispatch(ImportAction::Source(k)))
    };
    let on_pick = {
        let form = form.dispatcher();
        Callback::from(move |(lat, lon)| form.dispatch(ImportAction::Pick { lat, lon }))
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let busy = form.busy();

    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="import-title" id="import-wizard">
            <div class="dialog dialog-wide">
                <header class="dialog-head">
                    <h2 id="import-title">{ "Import a kubeconfig" }</h2>
                    <button class="icon-button" aria-label="Close" id="import-close" onclick={close.clone()}>{ "×" }</button>
                </header>
                if let Stage::Done(names) = &form.stage {
                    <div class="banner banner-ok" id="import-done" role="status">
                        { format!("Imported {}: {}", if names.len() == 1 { "1 site" } else { "sites" }, names.join(", ")) }
                    </div>
                    <div class="dialog-actions"><button class="primary" id="import-finish" onclick={close}>{ "Done" }</button></div>
                } else {
                    <div class="tabs" role="tablist">
                        <button role="tab" id="import-tab-file" aria-selected={(form.source == SourceKind::File).to_string()} onclick={source(SourceKind::File)}>{ "File" }</button>
                        <button role="tab" id="import-tab-paste" aria-selected={(form.source == SourceKind::Paste).to_string()} onclick={source(SourceKind::Paste)}>{ "Paste" }</button>
                        <button role="tab" id="import-tab-path" aria-selected={(form.source == SourceKind::Path).to_string()} onclick={source(SourceKind::Path)}>{ "Path" }</button>
                    </div>
                    if form.source == SourceKind::File {
                        <label class="field">{ "Kubeconfig file (K3s: /etc/rancher/k3s/k3s.yaml; MicroK8s: microk8s config)" }
                            <input type="file" id="import-file" onchange={on_file} disabled={busy} />
                        </label>
                        if let Some(n) = &form.file_name { <p class="muted" id="import-file-name">{ format!("{n}: {} bytes", form.text.len()) }</p> }
                    } else if form.source == SourceKind::Path {
                        <label class="field">{ "Kubeconfig path on this computer (it may name files in its folder; others only once you approve them)" }
                            <input id="import-path" value={form.path.clone()} oninput={text_input(&form, Field::Path)} disabled={busy}
                                spellcheck="false" placeholder="/etc/rancher/k3s/k3s.yaml" /></label>
                    } else {
                        <label class="field">{ "Kubeconfig" }
                            <textarea id="import-text" rows="8" spellcheck="false" value={form.text.clone()} oninput={on_paste} disabled={busy}
                                placeholder="apiVersion: v1\nkind: Config\nclusters: …" />
                        </label>
                    }
                    <div class="form-grid">
                        <label class="field">{ "Context (empty: the current one)" }
                            <input id="import-context" value={form.context.clone()} oninput={text_input(&form, Field::Context)} disabled={busy || form.all} /></label>
                        <label class="field check"><input type="checkbox" id="import-all" checked={form.all} onchange={check(&form, ImportAction::All)} disabled={busy} />{ "Import every context" }</label>
                        <label class="field">{ "Site name" }
                            <input id="import-name" value={form.name.clone()} oninput={text_input(&form, Field::Name)} disabled={busy || form.all} placeholder="e.g. store-munich-1" /></label>
                        <label class="field">{ "Address the site is reached at" }
                            <input id="import-address" value={form.address.clone()} oninput={text_input(&form, Field::Address)} disabled={busy || form.all} placeholder="HOST[:PORT], replaces 127.0.0.1" /></label>
                        <label class="field">{ "Tags (comma-separated)" }
                            <input id="import-tags" value={form.tags.clone()} oninput={text_input(&form, Field::Tags)} disabled={busy} /></label>
                        <label class="field">{ "Latitude" }
                            <input id="import-lat" inputmode="decimal" value={form.latitude.clone()} oninput={text_input(&form, Field::Latitude)} disabled={busy} /></label>
                        <label class="field">{ "Longitude" }
                            <input id="import-lon" inputmode="decimal" value={form.longitude.clone()} oninput={text_input(&form, Field::Longitude)} disabled={busy} /></label>
                        <label class="field check"><input type="checkbox" id="import-insecure" checked={form.insecure} onchange={check(&form, ImportAction::Insecure)} disabled={busy} />{ "Skip TLS verification (unsafe)" }</label>
                    </div>
                    <LocationPicker lat={form.latitude.parse::<f64>().ok()} lon={form.longitude.parse::<f64>().ok()}
                        on_pick={on_pick} />
                    if let Err(why) = &request { <p class="muted" id="import-hint">{ why.to_string() }</p> }
                    if let Some(e) = &form.error {
                        <div class="banner banner-error" id="import-error" role="alert">{ format!("{} ({})", e.message, e.kind.as_str()) }</div>
                    }
                    if let Stage::Previewed(p) = &form.stage { { preview(p, &form) } }
                    <div class="dialog-actions">
                        <button id="import-check" onclick={on_check} disabled={busy || request.is_err()}>
                            { if form.stage == Stage::Checking { "Checking…" } else { "Preview" } }</button>
                        <button class="primary" id="import-apply" onclick={on_import}
                            disabled={busy || !matches!(form.stage, Stage::Previewed(_))}>
                            { if form.stage == Stage::Importing { "Importing…" } else { "Import" } }</button>
                    </div>
                }
            </div>
        </div>
    }
}

fn preview(p: &ImportPreview, form: &UseReducerHandle<ImportForm>) -> Html {
    let plugins = p.sites.iter().filter(|s| s.exec.is_some()).count();
    let outside = p
        .sites
        .iter()
        .flat_map(|s| &s.file_refs)
        .filter(|f| f.outside)
        .count();
    html! {
        <div class="import-preview" id="import-preview" aria-label="What the import will do">
            <p class="muted">{ format!("From {}:", p.source) }</p>
            if plugins > 0 {
                <p class="warn" id="import-exec-summary">{ format!(
                    "{plugins} site(s) get credentials by running a program on this computer. \
                     Each runs only if you approve its exact command line below.") }</p>
            }
            if outside > 0 {
                <p class="warn" id="import-files-summary">{ format!(
                    "The kubeconfig names {outside} file(s) outside its own folder. \
                     Each is read only if you approve its exact path below.") }</p>
            }
            { for p.sites.iter().map(|s| planned(s, form)) }
        </div>
    }
}

/// The exec plugin of a planned site: its command line, environment names, and the
/// approval checkbox bound to its hash.
fn exec_plugin(s: &PlannedSiteInfo, form: &UseReducerHandle<ImportForm>) -> Html {
    let Some(e) = &s.exec else {
        return html! {};
    };
    let approved = form.approved_exec.contains(&e.hash);
    let onchange = {
        let form = form.dispatcher();
        let hash = e.hash.clone();
        Callback::from(move |ev: Event| {
            if let Some(el) = ev.target_dyn_into::<web_sys::HtmlInputElement>() {
                form.dispatch(ImportAction::ApproveExec {
                    hash: hash.clone(),
                    approved: el.checked(),
                });
            }
        })
    };
    html! {
        <li class="planned-exec warn">
            { "runs: " }<code class="exec-command">{ e.command_line.clone() }</code>
            if !e.env_names.is_empty() {
                <span class="muted">{ format!(" (environment: {})", e.env_names.join(", ")) }</span>
            }
            <label class="field check">
                <input type="checkbox" class="import-exec-approve" data-hash={e.hash.clone()}
                    checked={approved} onchange={onchange} disabled={form.busy()} />
                { "Approve running exactly this command" }
            </label>
        </li>
    }
}

/// A file the kubeconfig names: what it is, its path and size; one outside the
/// kubeconfig's folder gets an approval checkbox bound to its hash.
fn file_ref(f: &FileRefInfo, form: &UseReducerHandle<ImportForm>) -> Html {
    let what = format!("{} {} ({} bytes)", f.kind.label(), f.path, f.size);
    let Some(hash) = f.approval.clone().filter(|_| f.outside) else {
        return html! { <li class="planned-file">{ format!("reads {what}") }</li> };
    };
    let approved = form.approved_files.contains(&hash);
    let onchange = {
        let form = form.dispatcher();
        let hash = hash.clone();
        Callback::from(move |ev: Event| {
            if let Some(el) = ev.target_dyn_into::<web_sys::HtmlInputElement>() {
                form.dispatch(ImportAction::ApproveFile {
                    hash: hash.clone(),
                    approved: el.checked(),
                });
            }
        })
    };
    html! {
        <li class="planned-file planned-file-outside warn">
            { "outside the kubeconfig's folder: " }<code class="file-path">{ what }</code>
            <label class="field check">
                <input type="checkbox" class="import-file-approve" data-hash={hash}
                    checked={approved} onchange={onchange} disabled={form.busy()} />
                { "Approve reading exactly this file" }
            </label>
        </li>
    }
}

fn planned(s: &PlannedSiteInfo, form: &UseReducerHandle<ImportForm>) -> Html {
    let san_class = match s.san_ok {
        Some(true) => "ok",
        Some(false) => "error",
        None => "warn",
    };
    html! {
        <div class="planned" data-site={s.name.clone()}>
            <h3>{ format!("{} ← context {}", s.name, s.context) }</h3>
            <ul>
                { for s.renames.iter().map(|r| html! { <li>{ format!("rename {} {:?} → {:?}", r.entry, r.from, r.to) }</li> }) }
                if s.server_before != s.server_after {
                    <li class="planned-server">{ format!("server {} → {}", s.server_before, s.server_after) }</li>
                } else {
                    <li class="planned-server">{ format!("server {}", s.server_after) }</li>
                }
                <li class={classes!("planned-san", san_class)}>{ format!("certificate: {}", s.san_detail) }</li>
                <li>{ format!("credentials: {} (stored in the OS keyring)", s.credential_kind) }</li>
                { exec_plugin(s, form) }
                { for s.file_refs.iter().map(|f| file_ref(f, form)) }
                { for s.warnings.iter().map(|w| html! { <li class="warn">{ w }</li> }) }
            </ul>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LocationPickerProps {
    lat: Option<f64>,
    lon: Option<f64>,
    on_pick: Callback<(f64, f64)>,
}

/// A small world map: a click sets the location.
#[function_component(LocationPicker)]
fn location_picker(props: &LocationPickerProps) -> Html {
    let onclick = {
        let pick = props.on_pick.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(el) = e
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let r = el.get_bounding_client_rect();
            if r.width() <= 0.0 || r.height() <= 0.0 {
                return;
            }
            let x = (f64::from(e.client_x()) - r.left()) / r.width() * 360.0;
            let y = (f64::from(e.client_y()) - r.top()) / r.height() * 180.0;
            pick.emit(from_map(x, y));
        })
    };
    let pin = props.lat.zip(props.lon).map(|(a, o)| to_map(a, o));
    html! {
        <div class="location-picker">
            <span class="muted">{ "Click the map to set the location" }</span>
            <svg id="import-map" viewBox="0 0 360 180" preserveAspectRatio="none" role="img"
                aria-label="Pick the site's location" {onclick}>
                <rect class="map-sea" x="0" y="0" width="360" height="180" />
                <WorldLand />
                if let Some((x, y)) = pin {
                    <circle id="import-pin" class="pin" cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="2.5" />
                }
            </svg>
        </div>
    }
}
