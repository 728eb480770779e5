//! Snapshot bundles in the window: the site view's "Export snapshot…" form and its
//! "Changes since the snapshot" panel, the header's "Import snapshot…" dialog, and the
//! notices of bundles dropped on the window (imported by the backend).

use crate::api;
use crate::api::snapshot as snap;
use crate::state::snapshot::{
    Changes, Export, ExportAction, ImportAction, ImportForm, NoticeAction, Notices, Step,
    change_class, change_text, exported_text, imported_text, notice_text, short_time,
};
use yew::prelude::*;

fn passphrase_input(id: &'static str, value: &str, on: Callback<String>, busy: bool) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(el) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            on.emit(el.value());
        }
    });
    html! {
        <label class="field">{ "Passphrase (optional)" }
            <input type="password" id={id} autocomplete="off" value={value.to_string()} {oninput} disabled={busy} />
        </label>
    }
}

fn error_banner(id: &'static str, what: &str, e: &outpost_ipc::IpcError) -> Html {
    html! {
        <div class="banner banner-error" id={id} role="alert">
            { format!("{what} ({}): {}", e.kind.as_str(), e.message) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SiteProps {
    pub site: AttrValue,
}

/// The site view's "Export snapshot…" button and its form.
#[function_component(SnapshotExport)]
pub fn snapshot_export(props: &SiteProps) -> Html {
    let s = use_reducer(Export::default);
    let toggle = {
        let d = s.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(ExportAction::Toggle))
    };
    let start = {
        let (s, site) = (s.clone(), props.site.to_string());
        Callback::from(move |_: MouseEvent| {
            if s.step == Step::Busy {
                return;
            }
            let (d, site, pass) = (s.dispatcher(), site.clone(), s.passphrase.clone());
            d.dispatch(ExportAction::Start);
            wasm_bindgen_futures::spawn_local(async move {
                d.dispatch(ExportAction::Finished(Box::new(
                    snap::export(&site, &pass).await,
                )));
            });
        })
    };
    let busy = s.step == Step::Busy;
    let on_pass = s.dispatcher();
    html! {
        <div class="snapshot-export">
            <button id="snapshot-export-open" onclick={toggle} aria-expanded={s.open.to_string()}>{ "Export snapshot…" }</button>
            if s.open {
                <div class="snapshot-export-form" id="snapshot-export-form">
                    <p class="muted">{ "Writes the site's resources, events, log tails and health to one file, saved where you choose. Secret values are never included." }</p>
                    { passphrase_input("snapshot-export-pass", &s.passphrase,
                        Callback::from(move |p| on_pass.dispatch(ExportAction::Passphrase(p))), busy) }
                    <button class="primary" id="snapshot-export" onclick={start} disabled={busy}>
                        { if busy { "Exporting…" } else { "Export" } }</button>
                    { match &s.step {
                        Step::Done(b) => html! { <div class="banner banner-ok" id="snapshot-export-done" role="status">{ exported_text(b) }</div> },
                        Step::Failed(e) => error_banner("snapshot-export-error", "Export failed", e),
                        _ => html! {},
                    } }
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChangesProps {
    pub site: AttrValue,
    /// The site answers live (not served from its snapshot).
    pub live: bool,
    /// The site's summary from the live stream: a change re-reads the changes since the
    /// state kept before it came back (computed from memory, nothing is read from the
    /// site), so they appear once the site has caught up and then follow it.
    #[prop_or_default]
    pub summary: Option<outpost_ipc::SiteSummary>,
}

/// What changed since the state the site had before it last came back (kept by the
/// health engine until dismissed), else since the bundle stored for it, read when the
/// site is live (again); hidden when there is neither.
#[function_component(SnapshotChanges)]
pub fn snapshot_changes(props: &ChangesProps) -> Html {
    let changes = use_state(|| Changes::Waiting);
    // The site whose reconnect changes were dismissed here: a comparison with its stored
    // bundle is not put in their place (only a later reconnect shows again).
    let dismissed = use_state(|| None::<AttrValue>);
    let generation = use_mut_ref(|| 0u64);
    // (site, quiet): a quiet read keeps the current list on screen meanwhile.
    let load = {
        let (changes, generation) = (changes.clone(), generation.clone());
        Callback::from(move |(site, quiet): (String, bool)| {
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            if !quiet {
                changes.set(Changes::Loading);
            }
            let (changes, generation) = (changes.clone(), generation.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let r = snap::site_changes(&site).await;
                // A newer read (another site, or a refresh) wins.
                if *generation.borrow() == mine {
                    changes.set(Changes::loaded(r));
                }
            });
        })
    };
    {
        let (load, changes) = (load.clone(), changes.clone());
        use_effect_with((props.site.clone(), props.live), move |(site, live)| {
            if *live {
                load.emit((site.to_string(), false));
            } else {
                changes.set(Changes::Waiting);
            }
        });
    }
    {
        // The baseline is written once the site has caught up, a moment after it is
        // live again: look again (quietly) on each change of its summary, which the
        // health engine's pings refresh every few seconds.
        let follow = changes.is_reconnect() || *changes == Changes::NoSnapshot;
        let (load, site, live) = (load.clone(), props.site.to_string(), props.live);
        use_effect_with(props.summary.clone(), move |_| {
            if live && follow {
                load.emit((site, true));
            }
        });
    }
    let refresh = {
        let site = props.site.to_string();
        load.reform(move |_: MouseEvent| (site.clone(), false))
    };
    let dismiss = {
        let (site, changes, dismissed) = (props.site.clone(), changes.clone(), dismissed.clone());
        Callback::from(move |_: MouseEvent| {
            let (site, changes, dismissed) = (site.clone(), changes.clone(), dismissed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match snap::site_changes_dismiss(&site).await {
                    Ok(_) => {
                        dismissed.set(Some(site));
                        changes.set(Changes::NoSnapshot);
                    }
                    Err(e) => changes.set(Changes::Failed(e)),
                }
            });
        })
    };
    if dismissed.as_ref() == Some(&props.site) && !changes.is_reconnect() {
        return html! {};
    }
    let since = |d: &outpost_ipc::snapshot::SnapshotDiff| {
        let t = d
            .from_time
            .as_deref()
            .map_or_else(|| "?".to_string(), short_time);
        if d.reconnect {
            format!("the snapshot as of {t}, before the site came back")
        } else {
            format!("the snapshot as of {t}")
        }
    };
    let body = match &*changes {
        Changes::Waiting | Changes::NoSnapshot => return html! {},
        Changes::Loading => {
            html! { <p class="muted" id="changes-loading">{ "Comparing the live site with its snapshot…" }</p> }
        }
        Changes::Failed(e) => {
            error_banner("changes-error", "Could not compare with the snapshot", e)
        }
        Changes::Ready(d) if d.entries.is_empty() => html! {
            <p id="changes-none">{ format!("Nothing changed since {}.", since(d)) }</p>
        },
        Changes::Ready(d) => html! { <>
            <p class="muted" id="changes-since">{ format!("Since {}:", since(d)) }</p>
            <ul class="changes" id="changes-list">
                { for d.entries.iter().map(|e| html! {
                    <li class={change_class(e.kind)} data-kind={serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string))}>{ change_text(e) }</li>
                }) }
            </ul>
        </> },
    };
    let dismissable = changes.is_reconnect();
    html! {
        <section class="snapshot-changes" id="snapshot-changes" aria-labelledby="h-changes" data-reconnect={dismissable.to_string()}>
            <div class="section-head">
                <h3 id="h-changes">{ "Changes since the snapshot" }</h3>
                <button id="changes-refresh" onclick={refresh} disabled={*changes == Changes::Loading}>{ "Compare again" }</button>
                if dismissable {
                    <button id="changes-dismiss" onclick={dismiss} title="Forget the state from before the site came back">{ "Dismiss" }</button>
                }
            </div>
            { body }
        </section>
    }
}

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
    let start = {
        let (form, file, done) = (form.clone(), file.clone(), props.on_imported.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(f) = file.borrow().clone() else {
                return;
            };
            if !form.can_start() {
                return;
            }
            let (d, pass, done) = (form.dispatcher(), form.passphrase.clone(), done.clone());
            d.dispatch(ImportAction::Start);
            wasm_bindgen_futures::spawn_local(async move {
                let r = match snap::read_file(&f).await {
                    Ok(bytes) => snap::import_bytes(&bytes, &pass).await,
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
                    { match &form.step {
                        Step::Done(r) => html! { <div class="banner banner-ok" id="snapshot-import-done" role="status">{ imported_text(r) }</div> },
                        Step::Failed(e) => error_banner("snapshot-import-error", "Not imported", e),
                        _ => html! {},
                    } }
                    <div class="dialog-actions">
                        <button class="primary" id="snapshot-import-apply" onclick={start} disabled={!form.can_start()}>
                            { if busy { "Importing…" } else { "Import" } }</button>
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
        let (d, done) = (notices.dispatcher(), props.on_imported.clone());
        use_effect_with((), move |_| {
            let keep = channel.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match snap::watch_notices(move |n: outpost_ipc::snapshot::Notice| {
                    if n.imported.is_some() {
                        done.emit(());
                    }
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
                html! {
                    <div class={class}>
                        <span>{ notice_text(n) }</span>
                        <button class="icon-button" aria-label="Dismiss" onclick={Callback::from(move |_: MouseEvent| d.dispatch(NoticeAction::Dismiss(id)))}>{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
