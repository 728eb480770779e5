//! The Logs view: pick site(s), a workload or pod and a container; follow, previous
//! instance, timestamps; per-pod colours; a substring/regex filter answered by the
//! backend over its whole buffer with highlighted matches; pause/resume autoscroll;
//! save to a file. Lines are rendered by [`list::LogList`], virtualised.

mod list;
mod picker;

use crate::api;
use crate::api::channel::Channel;
use crate::state::logs::{FilterInput, Form, Logs, LogsAction, Status};
use list::LogList;
use outpost_ipc::{LogTarget, SiteSummary};
use picker::Picker;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Opens the view on a target (from a site's pod or workload).
#[derive(Debug, Clone, PartialEq)]
pub struct LogsPreset {
    pub site: String,
    pub namespace: String,
    pub target: LogTarget,
}

#[derive(Properties, PartialEq)]
pub struct LogsViewProps {
    pub sites: Rc<Vec<SiteSummary>>,
    #[prop_or_default]
    pub preset: Option<LogsPreset>,
}

type Dispatch = UseReducerDispatcher<Logs>;
type ChannelSlot = Rc<RefCell<Option<Channel>>>;

/// Closes the previous stream and opens `form`'s; events are tagged with `generation`
/// (the reducer's after `Open`) so late ones of an older stream are ignored.
fn start(form: Form, generation: u32, old: Option<u64>, d: Dispatch, slot: ChannelSlot) {
    let Some(req) = form.request() else { return };
    d.dispatch(LogsAction::Open);
    slot.borrow_mut().take();
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(old) = old {
            let _ = api::logs::close(old).await;
        }
        let events = d.clone();
        let r = api::logs::open(&req, move |events_| {
            events.dispatch(LogsAction::Events {
                generation,
                events: events_,
            })
        })
        .await;
        match r {
            Ok((opened, ch)) => {
                *slot.borrow_mut() = Some(ch);
                d.dispatch(LogsAction::Opened {
                    generation,
                    result: Ok(opened.stream),
                    buffer_lines: opened.buffer_lines,
                    snapshot_at_ms: opened.snapshot_at_ms,
                });
            }
            Err(e) => d.dispatch(LogsAction::Opened {
                generation,
                result: Err(e),
                buffer_lines: 0,
                snapshot_at_ms: None,
            }),
        }
    });
}

fn status_text(l: &Logs) -> String {
    let state = match &l.status {
        Status::Idle => "Not streaming".to_string(),
        Status::Opening => "Opening…".to_string(),
        Status::Live => if l.form.follow {
            "Following"
        } else {
            "Streaming"
        }
        .to_string(),
        Status::Ended(r) => format!("Ended ({r})"),
        Status::Failed(e) => format!("Failed ({}): {}", e.kind.as_str(), e.message),
    };
    let mut parts = vec![state, format!("{} lines received", l.received)];
    if l.dropped > 0 {
        parts.push(format!("{} dropped", l.dropped));
    }
    if l.filter.active() {
        match &l.page {
            Some(p) if p.filter == l.filter => {
                parts.push(format!("{} matches in {} buffered", p.total, p.buffered))
            }
            _ => parts.push("filtering…".into()),
        }
    }
    parts.join(" · ")
}

#[function_component(LogsView)]
pub fn logs_view(props: &LogsViewProps) -> Html {
    let logs = use_reducer(Logs::default);
    let slot: ChannelSlot = use_mut_ref(|| None);
    let current = use_mut_ref(|| None::<u64>);
    *current.borrow_mut() = logs.stream;
    let dispatch = logs.dispatcher();
    let emit = {
        let d = dispatch.clone();
        Callback::from(move |a: LogsAction| d.dispatch(a))
    };
    {
        // Leaving the view closes the stream and drops the channel.
        let (current, slot) = (current.clone(), slot.clone());
        use_effect_with((), move |_| {
            move || {
                slot.borrow_mut().take();
                if let Some(id) = current.borrow_mut().take() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = api::logs::close(id).await;
                    });
                }
            }
        });
    }
    {
        let (d, slot, l) = (dispatch.clone(), slot.clone(), logs.clone());
        use_effect_with(props.preset.clone(), move |p| {
            if let Some(p) = p {
                let form = Form {
                    sites: vec![p.site.clone()],
                    namespace: p.namespace.clone(),
                    target: Some(p.target.clone()),
                    ..Form::default()
                };
                d.dispatch(LogsAction::Form(form.clone()));
                start(form, l.generation.wrapping_add(1), l.stream, d, slot);
            }
        });
    }
    {
        // One filter query in flight at a time, re-sent when lines arrive or the view moves.
        let q = logs.next_query();
        let (d, generation, filter) = (dispatch.clone(), logs.generation, logs.filter.clone());
        use_effect_with(
            (q, logs.query_pending, logs.received, logs.query_dirty),
            move |(q, ..)| {
                if let Some(q) = q.clone() {
                    d.dispatch(LogsAction::QueryStarted);
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = api::logs::query(&q).await;
                        d.dispatch(LogsAction::QueryDone {
                            generation,
                            filter,
                            result,
                        });
                    });
                }
            },
        );
    }
    let on_form = emit.reform(LogsAction::Form);
    let on_open = {
        let (d, slot, l) = (dispatch.clone(), slot.clone(), logs.clone());
        Callback::from(move |_: MouseEvent| {
            start(
                l.form.clone(),
                l.generation.wrapping_add(1),
                l.stream,
                d.clone(),
                slot.clone(),
            )
        })
    };
    let on_close = {
        let (d, slot, id) = (dispatch.clone(), slot.clone(), logs.stream);
        Callback::from(move |_: MouseEvent| {
            slot.borrow_mut().take();
            d.dispatch(LogsAction::Closed);
            if let Some(id) = id {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = api::logs::close(id).await;
                });
            }
        })
    };
    let filter_change = |f: fn(&mut FilterInput, &HtmlInputElement)| {
        let (d, cur) = (dispatch.clone(), logs.filter.clone());
        Callback::from(move |e: Event| {
            let mut next = cur.clone();
            f(&mut next, &e.target_unchecked_into::<HtmlInputElement>());
            d.dispatch(LogsAction::Filter(next));
        })
    };
    let on_filter_text = {
        let (d, cur) = (dispatch.clone(), logs.filter.clone());
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            d.dispatch(LogsAction::Filter(FilterInput {
                text,
                ..cur.clone()
            }));
        })
    };
    let on_regex = filter_change(|f, el| f.regex = el.checked());
    let on_case = filter_change(|f, el| f.case_sensitive = el.checked());
    let on_ts = {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            d.dispatch(LogsAction::SetTimestamps(
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        })
    };
    let on_pause = {
        let (d, auto) = (dispatch.clone(), logs.autoscroll);
        Callback::from(move |_: MouseEvent| d.dispatch(LogsAction::SetAutoscroll(!auto)))
    };
    let on_save = {
        let (d, id, filter) = (dispatch.clone(), logs.stream, logs.filter.to_ipc());
        Callback::from(move |_: MouseEvent| {
            if let Some(id) = id {
                let (d, filter) = (d.clone(), filter.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    d.dispatch(LogsAction::Saved(api::logs::save(id, filter).await));
                });
            }
        })
    };
    let can_open = logs.form.request().is_some() && logs.status != Status::Opening;
    let open = logs.stream.is_some();
    html! {
        <div class="logs-view" id="logs-view">
            <div class="logs-form">
                <Picker sites={props.sites.clone()} form={logs.form.clone()} on_change={on_form} />
                <div class="logs-actions">
                    <button id="logs-open" class="primary" disabled={!can_open} onclick={on_open}>
                        { if open { "Reopen" } else { "Open" } }
                    </button>
                    <button id="logs-close" disabled={!open} onclick={on_close}>{ "Close" }</button>
                </div>
            </div>
            <div class="logs-toolbar" role="toolbar" aria-label="Log view">
                <input type="search" id="logs-filter" placeholder="Filter (substring)" aria-label="Filter lines"
                       value={logs.filter.text.clone()} oninput={on_filter_text} />
                <label class="field check"><input type="checkbox" id="logs-regex" checked={logs.filter.regex} onchange={on_regex} />{ "Regex" }</label>
                <label class="field check"><input type="checkbox" id="logs-case" checked={logs.filter.case_sensitive} onchange={on_case} />{ "Match case" }</label>
                <label class="field check"><input type="checkbox" id="logs-timestamps" checked={logs.timestamps} onchange={on_ts} />{ "Timestamps" }</label>
                <button id="logs-pause" onclick={on_pause} aria-pressed={(!logs.autoscroll).to_string()}>
                    { if logs.autoscroll { "Pause autoscroll" } else { "Resume autoscroll" } }
                </button>
                <button id="logs-save" disabled={!open} onclick={on_save}>{ "Save…" }</button>
            </div>
            if let Some(err) = &logs.filter_error {
                <div class="banner banner-error" id="logs-filter-error" role="alert">{ format!("Filter: {err}") }</div>
            }
            { match &logs.saved {
                Some(Ok(s)) => html! { <div class="banner banner-ok" id="logs-saved" role="status">{ format!("Saved {} lines to {}", s.lines, s.path) }</div> },
                Some(Err(e)) => html! { <div class="banner banner-error" id="logs-saved" role="alert">{ format!("Could not save ({}): {}", e.kind.as_str(), e.message) }</div> },
                None => html! {},
            } }
            if !logs.notices.is_empty() {
                <details class="logs-notices" id="logs-notices">
                    <summary>{ format!("{} problem(s) while streaming", logs.notices.len()) }</summary>
                    <ul>{ for logs.notices.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
                </details>
            }
            if let Some(at) = logs.snapshot_at_ms {
                <div class="banner banner-stale" id="logs-snapshot" role="status">
                    { format!("Offline: the last lines from the snapshot as of {} (nothing new arrives until the site answers; open again then)", crate::state::time::format_utc_secs(at)) }
                </div>
            }
            if let Status::Failed(e) = &logs.status {
                <div class="banner banner-error" id="logs-error" role="alert">{ format!("Could not open the logs ({}): {}", e.kind.as_str(), e.message) }</div>
            }
            <p class="logs-status muted" id="logs-status" role="status">{ status_text(&logs) }</p>
            <LogList logs={logs.clone()} dispatch={emit} />
        </div>
    }
}
