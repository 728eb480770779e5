//! Snapshot bundles in the window: the site view's "Export snapshot…" form and its
//! "Changes since the snapshot" panel; the import dialog and the drop notices are in
//! [`import`].

mod import;

pub use import::{SnapshotImport, SnapshotNotices};

use crate::api::snapshot as snap;
use crate::state::snapshot::{
    Changes, Export, ExportAction, Step, change_class, change_text, exported_text,
};
use crate::state::time::format_utc_secs;
use yew::prelude::*;

pub(super) fn passphrase_input(
    id: &'static str,
    value: &str,
    on: Callback<String>,
    busy: bool,
) -> Html {
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

/// The "new site name" field of a confirmation whose endpoint differs.
pub(super) fn new_name_input(id: String, value: &str, on: Callback<String>, busy: bool) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(el) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            on.emit(el.value());
        }
    });
    html! {
        <label class="field">{ "Import as a new site named" }
            <input type="text" id={id} autocomplete="off" placeholder="new-site-name" value={value.to_string()} {oninput} disabled={busy} />
        </label>
    }
}

pub(super) fn error_banner(id: &'static str, what: &str, e: &outpost_ipc::IpcError) -> Html {
    html! {
        <div class="banner banner-error" id={id} role="alert">
            { super::health::error_view(what, e) }
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
        let t = d.from_ms.map_or_else(|| "?".to_string(), format_utc_secs);
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
