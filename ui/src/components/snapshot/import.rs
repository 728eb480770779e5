//! The header's "Import snapshot…" dialog and the notices of bundles dropped on the
//! window. Nothing is imported before the user has seen what the bundle is (site,
//! endpoint, time) and confirmed; a bundle from another endpoint than the registered
//! site's is imported only as a new site, named here (the backend enforces it too).

use super::{error_banner, new_name_input, passphrase_input};
use crate::api;
use crate::api::snapshot as snap;
use crate::state::snapshot::{
    ImportAction, ImportForm, NoticeAction, Notices, Step, confirm_name, imported_text,
    notice_text, preview_text,
};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ImportedProps {
    /// A bundle was imported (the site list and the status bar change).
    pub on_imported: Callback<()>,
}

/// The header's "Import snapshot…" button and dialog: the picked file's bytes are read
/// here and sent (WebKit gives the page no path); larger files are dropped instead.
#[function_component(SnapshotImport)]
pub fn snapshot_import(props: &ImportedProps) -> Html {
    let form = use_reducer(ImportForm::default);
    let file = use_mut_ref(|| None::<web_sys::File>);
    let toggle = {
        let d = form.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(ImportAction::Toggle))
    };
    let on_file = {
        let (d, keep) = (form.dispatcher(), file.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            if let Some(f) = input.files().and_then(|l| l.get(0)) {
                d.dispatch(ImportAction::Picked(f.name(), f.size() as u64));
                *keep.borrow_mut() = Some(f);
            }
        })
    };
    // First the bundle is read for its preview, then imported once confirmed.
    let start = {
        let (form, file) = (form.clone(), file.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(f) = file.borrow().clone() else {
                return;
            };
            if !form.can_start() {
                return;
            }
            let (d, pass) = (form.dispatcher(), form.passphrase.clone());
            d.dispatch(ImportAction::Start);
            wasm_bindgen_futures::spawn_local(async move {
                let r = match snap::read_file(&f).await {
                    Ok(bytes) => snap::preview_bytes(&bytes, &pass).await,
                    Err(e) => Err(e),
                };
                d.dispatch(ImportAction::Previewed(r));
            });
        })
    };
    let confirm = {
        let (form, file, done) = (form.clone(), file.clone(), props.on_imported.clone());
        Callback::from(move |_: MouseEvent| {
            let (Some(f), Some(p)) = (file.borrow().clone(), form.preview.clone()) else {
                return;
            };
            let Ok(as_new) = confirm_name(&p, &form.new_name) else {
                return;
            };
            if !form.can_confirm() {
                return;
            }
            let (d, pass, done) = (form.dispatcher(), form.passphrase.clone(), done.clone());
            d.dispatch(ImportAction::Confirm);
            wasm_bindgen_futures::spawn_local(async move {
                let r = match snap::read_file(&f).await {
                    Ok(bytes) => snap::import_bytes(&bytes, &pass, as_new).await,
                    Err(e) => Err(e),
                };
                if r.is_ok() {
                    done.emit(());
                }
                d.dispatch(ImportAction::Finished(r));
            });
        })
    };
    let busy = form.step == Step::Busy;
    let on_pass = form.dispatcher();
    html! { <>
        <button id="header-import-snapshot" onclick={toggle.clone()}>{ "Import snapshot…" }</button>
        if form.open {
            <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="snapshot-import-title" id="snapshot-import">
                <div class="dialog">
                    <header class="dialog-head">
                        <h2 id="snapshot-import-title">{ "Import a snapshot bundle" }</h2>
                        <button class="icon-button" aria-label="Close" id="snapshot-import-close" onclick={toggle.clone()} disabled={busy}>{ "×" }</button>
                    </header>
                    <p class="muted">{ "The site becomes browsable from the bundle, marked as an offline snapshot. You can also drop a bundle file on the window." }</p>
                    <label class="field">{ "Bundle file (.opsnap)" }
                        <input type="file" id="snapshot-file" accept=".opsnap" onchange={on_file} disabled={busy} />
                    </label>
                    { passphrase_input("snapshot-import-pass", &form.passphrase,
                        Callback::from(move |p| on_pass.dispatch(ImportAction::Passphrase(p))), busy) }
                    if let Some(r) = form.refusal() { <p class="banner banner-error" id="snapshot-import-refused">{ r }</p> }
                    if let Some(p) = &form.preview {
                        <div class="banner" id="snapshot-import-preview" data-endpoint-differs={p.endpoint_differs.to_string()}>{ preview_text(p) }</div>
                        if p.endpoint_differs && !matches!(form.step, Step::Done(_)) {
                            { new_name_input("snapshot-import-name".into(), &form.new_name,
                                {
                                    let d = form.dispatcher();
                                    Callback::from(move |v| d.dispatch(ImportAction::NewName(v)))
                                }, busy) }
                        }
                    }
                    { match &form.step {
                        Step::Done(r) => html! { <div class="banner banner-ok" id="snapshot-import-done" role="status">{ imported_text(r) }</div> },
                        Step::Failed(e) => error_banner("snapshot-import-error", "Not imported", e),
                        _ => html! {},
                    } }
                    <div class="dialog-actions">
                        if form.preview.is_none() {
                            <button class="primary" id="snapshot-import-apply" onclick={start} disabled={!form.can_start()}>
                                { if busy { "Reading…" } else { "Read bundle" } }</button>
                        } else if !matches!(form.step, Step::Done(_)) {
                            <button class="primary" id="snapshot-import-confirm" onclick={confirm} disabled={!form.can_confirm()}>
                                { match (busy, form.preview.as_ref().is_some_and(|p| p.endpoint_differs)) {
                                    (true, _) => "Importing…",
                                    (false, true) => "Import as new site",
                                    (false, false) => "Import",
                                } }</button>
                        }
                    </div>
                </div>
            </div>
        }
    </> }
}

/// Notices of bundles dropped on the window, for as long as the shell lives.
#[function_component(SnapshotNotices)]
pub fn snapshot_notices(props: &ImportedProps) -> Html {
    let notices = use_reducer(Notices::default);
    let channel = use_mut_ref(|| None::<api::Channel>);
    {
        let d = notices.dispatcher();
        use_effect_with((), move |_| {
            let keep = channel.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match snap::watch_notices(move |n: outpost_ipc::snapshot::Notice| {
                    d.dispatch(NoticeAction::Add(Box::new(n)))
                })
                .await
                {
                    Ok(ch) => *keep.borrow_mut() = Some(ch),
                    Err(e) => web_sys::console::warn_1(&format!("watch_notices: {e}").into()),
                }
            });
            move || drop(channel.borrow_mut().take())
        });
    }
    if notices.items.is_empty() {
        return html! {};
    }
    html! {
        <div class="snapshot-notices" id="snapshot-notices" role="status" aria-live="polite">
            { for notices.items.iter().map(|(id, n)| {
                let d = notices.dispatcher();
                let id = *id;
                let class = if n.error.is_some() { "notice notice-error" } else { "notice notice-ok" };
                let pending = n.imported.is_none() && n.preview.is_some();
                let busy = notices.busy.contains(&id);
                let typed = notices.names.get(&id).cloned().unwrap_or_default();
                let confirm = {
                    let (d, done, path, p) = (d.clone(), props.on_imported.clone(), n.path.clone(), n.preview.clone());
                    let typed = typed.clone();
                    Callback::from(move |_: MouseEvent| {
                        let Some(Ok(as_new)) = p.as_ref().map(|p| confirm_name(p, &typed)) else {
                            return;
                        };
                        let (d, done, path) = (d.clone(), done.clone(), path.clone());
                        d.dispatch(NoticeAction::Confirming(id));
                        wasm_bindgen_futures::spawn_local(async move {
                            let r = snap::import_path(&path, as_new).await;
                            if r.is_ok() {
                                done.emit(());
                            }
                            d.dispatch(NoticeAction::Resolved(id, Box::new(r)));
                        });
                    })
                };
                let differs = n.preview.as_ref().is_some_and(|p| p.endpoint_differs);
                let ready = n.preview.as_ref().is_some_and(|p| confirm_name(p, &typed).is_ok());
                html! {
                    <div class={class} data-pending={pending.to_string()}>
                        <span>{ notice_text(n) }</span>
                        if pending {
                            if differs {
                                { new_name_input(format!("notice-name-{id}"), &typed,
                                    {
                                    let d = d.clone();
                                    Callback::from(move |v| d.dispatch(NoticeAction::NewName(id, v)))
                                }, busy) }
                            }
                            <button class="primary notice-confirm" onclick={confirm} disabled={busy || !ready}>
                                { match (busy, differs) {
                                    (true, _) => "Importing…",
                                    (false, true) => "Import as new site",
                                    (false, false) => "Import",
                                } }</button>
                        }
                        <button class="icon-button" aria-label="Dismiss" onclick={Callback::from(move |_: MouseEvent| d.dispatch(NoticeAction::Dismiss(id)))}>{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
