//! The virtualised line list: only the rows in view (plus a few) are in the DOM, between
//! two spacers sized by SVG `height` attributes (the CSP forbids inline styles). Every
//! string is a text node: log text, pod and site names are never parsed as markup.

use crate::state::logs::{Logs, LogsAction, ROW_HEIGHT, Row, segments};
use outpost_ipc::LogLine;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ListProps {
    pub logs: UseReducerHandle<Logs>,
    pub dispatch: Callback<LogsAction>,
}

fn spacer(px: f64) -> Html {
    html! { <svg class="logs-spacer" width="1" height={format!("{:.0}", px.max(0.0))} aria-hidden="true"></svg> }
}

fn line_row(logs: &Logs, l: &LogLine) -> Html {
    let src = logs.source(l.src);
    let colour = src.map_or(0, |s| s.colour);
    let text = l.text.as_str();
    let parts = segments(l).into_iter().map(|s| {
        let t = text.get(s.start..s.end).unwrap_or("").to_string();
        if s.class.is_empty() {
            html! { <span>{ t }</span> }
        } else {
            html! { <span class={s.class}>{ t }</span> }
        }
    });
    html! {
        <div class={classes!("log-row", format!("pod-c{colour}"))} key={l.seq.to_string()} data-seq={l.seq.to_string()}>
            if logs.timestamps {
                <span class="log-ts">{ l.ts.clone().unwrap_or_default() }</span>
            }
            if logs.aggregated() {
                if let Some(s) = src {
                    <span class="log-src" title={format!("{}/{}/{}", s.site, s.pod, s.container)}>
                        { format!("{}/{}", s.site, s.pod) }
                    </span>
                }
            }
            <span class="log-text">{ for parts }</span>
            if l.cut > 0 {
                <span class="log-cut">{ format!(" … {} bytes cut", l.cut) }</span>
            }
        </div>
    }
}

fn row(logs: &Logs, i: u64) -> Html {
    match logs.row(i) {
        Some(Row::Line(l)) => line_row(logs, &l),
        Some(Row::Dropped(n)) => html! {
            <div class="log-row log-dropped" key={format!("d{i}")} role="note">
                { format!("⋯ {n} lines dropped: the view fell behind (they stay searchable with the filter while buffered)") }
            </div>
        },
        None => html! { <div class="log-row log-pending" key={format!("p{i}")}>{ "…" }</div> },
    }
}

#[function_component(LogList)]
pub fn log_list(props: &ListProps) -> Html {
    let node = use_node_ref();
    let logs: &Logs = &props.logs;
    {
        // After each render: stay pinned to the bottom, or keep the same lines in view
        // when the live window slid while paused.
        let node = node.clone();
        let (auto, shift) = (logs.autoscroll, logs.shift_rows);
        let dispatch = props.dispatch.clone();
        use_effect(move || {
            if let Some(el) = node.cast::<web_sys::Element>() {
                if auto {
                    el.set_scroll_top(el.scroll_height());
                } else if shift > 0 {
                    let by = (shift as f64 * ROW_HEIGHT) as i32;
                    el.set_scroll_top((el.scroll_top() - by).max(0));
                    dispatch.emit(LogsAction::Shifted);
                }
            }
        });
    }
    {
        let node = node.clone();
        let dispatch = props.dispatch.clone();
        use_effect_with((), move |_| {
            if let Some(el) = node.cast::<web_sys::Element>() {
                dispatch.emit(LogsAction::Scrolled {
                    top: f64::from(el.scroll_top()),
                    viewport: f64::from(el.client_height()),
                });
            }
        });
    }
    let onscroll = {
        let node = node.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = node.cast::<web_sys::Element>() {
                dispatch.emit(LogsAction::Scrolled {
                    top: f64::from(el.scroll_top()),
                    viewport: f64::from(el.client_height()),
                });
            }
        })
    };
    let r = logs.range();
    html! {
        <div class="logs-viewport" id="logs-viewport" ref={node} {onscroll} tabindex="0"
             role="log" aria-label="Log lines" aria-live="off">
            { spacer(r.top_px) }
            { for (r.start..r.end).map(|i| row(logs, i)) }
            { spacer(r.bottom_px) }
        </div>
    }
}
