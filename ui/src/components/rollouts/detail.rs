//! One rollout, live: its status and counts, each wave with a progress bar and status
//! per site (pending, pending (offline), updating, soaking, done, failed with its
//! reason, rolled back), a map of the targeted sites coloured by that status,
//! pause/resume/abort, and the report as JSON or CSV.

use super::overlay::RolloutMap;
use crate::api;
use crate::api::rollouts::Control;
use crate::state::rollouts::{
    Action, Rollouts, controls, site_percent, site_status, soaking, status_text,
};
use crate::state::time::{format_duration, format_utc};
use outpost_ipc::SiteSummary;
use outpost_ipc::rollout::{
    ReportFormat, RolloutInfo, RolloutReportText, SiteProgress, SiteRolloutStatus,
};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub info: RolloutInfo,
    pub sites: Rc<Vec<SiteSummary>>,
    pub busy: bool,
    pub report: Option<RolloutReportText>,
    pub dispatch: UseReducerDispatcher<Rollouts>,
}

fn site_row(s: &SiteProgress) -> Html {
    let (label, class) = site_status(s);
    let pct = site_percent(s);
    let detail = match (&s.reason, &s.message, &s.progress) {
        (Some(r), Some(m), _) => format!("{r}: {m}"),
        (Some(r), None, _) => r.clone(),
        (None, Some(m), _) => m.clone(),
        (None, None, Some(_)) if soaking(s) => "rolled out; watching the pods for crashes".into(),
        (None, None, Some(p)) => p.message.clone(),
        (None, None, None) => match (s.status, s.started_ms, s.finished_ms) {
            (SiteRolloutStatus::Updated, Some(a), Some(b)) => {
                format!("updated in {}", format_duration(b - a))
            }
            _ => String::new(),
        },
    };
    let revisions = match (s.revision_before, s.revision_after) {
        (Some(b), Some(a)) => format!("rev {b} → {a}"),
        (Some(b), None) => format!("rev {b}"),
        _ => String::new(),
    };
    html! {
        <tr data-site={s.site.clone()} data-status={class} class={format!("site-{class}")}>
            <th scope="row">{ &s.site }</th>
            <td class="rollout-bar">
                <progress max="100" value={pct.to_string()} aria-label={format!("{}: {pct}%", s.site)} />
                <span class="muted">{ format!("{pct}%") }</span>
            </td>
            <td><span class={classes!("site-status", format!("site-status-{class}"))}>{ label }</span></td>
            <td class="message">{ detail }</td>
            <td class="muted">{ revisions }</td>
        </tr>
    }
}

#[function_component(Detail)]
pub fn detail(props: &DetailProps) -> Html {
    let r = &props.info;
    let d = props.dispatch.clone();
    let (can_pause, can_resume, can_abort) = controls(r.status);
    let control = |c: Control| {
        let (d, id) = (d.clone(), r.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (d, id) = (d.clone(), id.clone());
            d.dispatch(Action::ControlSent);
            wasm_bindgen_futures::spawn_local(async move {
                let res = api::rollouts::control(&id, c).await;
                d.dispatch(Action::ControlDone(res, c != Control::Pause));
            });
        })
    };
    let report = |f: ReportFormat| {
        let (d, id) = (d.clone(), r.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (d, id) = (d.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                d.dispatch(Action::Report(api::rollouts::report(&id, f).await));
            });
        })
    };
    let close_report = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::CloseReport))
    };
    let status = format!("{:?}", r.status).to_lowercase();
    let c = &r.counts;
    let done = c.updated + c.rolled_back;
    html! {
        <section class="rollout-detail" id="rollout-detail" data-rollout={r.id.clone()} data-status={status.clone()}>
            <div class="rollout-head">
                <div>
                    <h2>{ &r.workload }</h2>
                    <p class="muted"><code>{ r.images.iter().map(|(c, i)| format!("{c}={i}")).collect::<Vec<_>>().join(" ") }</code></p>
                    <p class="muted">{ format!("{} · started {} by {}", r.id, format_utc(r.created_ms), r.created_by) }</p>
                </div>
                <span class={classes!("rollout-status", "big", format!("rollout-status-{status}"))} id="rollout-status">
                    { status_text(r.status) }</span>
            </div>
            if let Some(reason) = &r.reason {
                <p class="rollout-reason" id="rollout-reason">{ reason }</p>
            }
            <div class="rollout-summary">
                <progress max={c.total.max(1).to_string()} value={done.to_string()} aria-label="Sites done" />
                <span id="rollout-counts">{ format!("{} of {} sites done · {} updating · {} pending · {} offline · {} failed · {} rolled back",
                    c.updated, c.total, c.updating, c.waiting, c.pending, c.failed, c.rolled_back) }</span>
            </div>
            <RolloutMap info={r.clone()} sites={props.sites.clone()} />
            <div class="rollout-actions">
                <button id="rollout-pause" disabled={!can_pause || props.busy} onclick={control(Control::Pause)}>{ "Pause" }</button>
                <button id="rollout-resume" disabled={!can_resume || props.busy} onclick={control(Control::Resume)}>{ "Resume" }</button>
                <button id="rollout-abort" disabled={!can_abort || props.busy} onclick={control(Control::Abort)}>{ "Abort" }</button>
                <span class="spacer" />
                <button id="rollout-report-json" onclick={report(ReportFormat::Json)}>{ "Report (JSON)" }</button>
                <button id="rollout-report-csv" onclick={report(ReportFormat::Csv)}>{ "Report (CSV)" }</button>
            </div>
            if let Some(rep) = &props.report {
                <div class="rollout-report" id="rollout-report">
                    <div class="dialog-head">
                        <h3>{ format!("Report: {}", rep.file_name) }</h3>
                        <button class="small" id="rollout-report-close" onclick={close_report}>{ "Close" }</button>
                    </div>
                    <textarea id="rollout-report-text" readonly=true rows="12" wrap="off" value={rep.text.clone()} />
                </div>
            }
            { for r.waves.iter().map(|w| {
                let state = if w.done { "done" } else if w.current { "current" } else { "waiting" };
                html! {
                    <div class={classes!("rollout-wave", format!("wave-{state}"))} data-wave={(w.index + 1).to_string()}>
                        <h3>{ format!("Wave {} · {} site{} · {}", w.index + 1, w.sites.len(),
                            if w.sites.len() == 1 { "" } else { "s" }, state) }</h3>
                        <table class="data rollout-sites-table">
                            <thead><tr><th>{ "Site" }</th><th>{ "Progress" }</th><th>{ "Status" }</th><th>{ "Details" }</th><th>{ "Revision" }</th></tr></thead>
                            <tbody>{ for w.sites.iter().map(site_row) }</tbody>
                        </table>
                    </div>
                }
            }) }
        </section>
    }
}
