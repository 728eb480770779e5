//! One site: overview, nodes, workloads, pods and events, from `site_detail`.

mod journal;
mod tables;

use super::health::{level_badge, now_ms, site_flags};
use super::logs::LogsPreset;
use super::snapshot::{SnapshotChanges, SnapshotExport};
use crate::api;
use crate::state::Load;
use crate::state::time::{CertUrgency, cert_text, cert_urgency, format_age, stale_banner};
use journal::ChangeJournal;
use outpost_ipc::{SiteDetail, SiteSummary};
use tables::{events_table, nodes_table, pods_table, workloads_table};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SiteViewProps {
    pub name: AttrValue,
    /// The summary from the fleet list, shown while the detail loads or if it fails.
    pub summary: Option<SiteSummary>,
    pub on_close: Callback<()>,
    /// Open the log viewer on one of this site's pods or workloads.
    pub on_logs: Callback<LogsPreset>,
}

#[function_component(SiteView)]
pub fn site_view(props: &SiteViewProps) -> Html {
    let detail = use_state(|| Load::<SiteDetail>::Loading);
    {
        let detail = detail.clone();
        use_effect_with(props.name.clone(), move |_| detail.set(Load::Loading));
    }
    {
        // Read again whenever the live stream reports a change of this site; the
        // previous detail stays on screen meanwhile, and a dead site answers from its
        // snapshot at once (the backend never waits on it).
        let detail = detail.clone();
        use_effect_with(
            (props.name.clone(), props.summary.clone()),
            move |(name, _)| {
                let name = name.to_string();
                wasm_bindgen_futures::spawn_local(async move {
                    match api::site_detail(&name).await {
                        Ok(d) => detail.set(Load::Ready(d)),
                        Err(e) if !matches!(*detail, Load::Ready(_)) => detail.set(Load::Failed(e)),
                        Err(_) => {}
                    }
                });
            },
        );
    }
    // The live summary from the fleet stream is the freshest; the detail's is a fallback.
    let summary = match &*detail {
        Load::Ready(d) => props.summary.as_ref().or(Some(&d.summary)),
        _ => props.summary.as_ref(),
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let on_logs = {
        let site = props.name.to_string();
        props.on_logs.reform(move |(namespace, target)| LogsPreset {
            site: site.clone(),
            namespace,
            target,
        })
    };
    let now = now_ms();
    let live = summary.is_some_and(|s| {
        s.stale.is_none() && s.reachability.state == outpost_ipc::ReachabilityState::Reachable
    });

    html! {
        <div class="site-view" id="site-view" data-site={props.name.clone()}>
            <div class="site-head">
                <button id="site-back" class="back" aria-label="Back" onclick={close}>{ "← Back" }</button>
                <h2>{ summary.map(|s| s.display_name.clone()).unwrap_or_else(|| props.name.to_string()) }</h2>
                if let Some(s) = summary { { level_badge(s.level) }{ site_flags(s) } }
                <SnapshotExport site={props.name.clone()} />
            </div>
            if let Some(snap) = summary.and_then(|s| s.stale).or(match &*detail {
                Load::Ready(d) => d.summary.stale,
                _ => None,
            }) {
                <div class="banner banner-stale" id="stale-banner" role="status">{ stale_banner(snap, now) }</div>
            }
            if let Some(s) = summary { { overview(s, now) } }
            <SnapshotChanges site={props.name.clone()} live={live} summary={props.summary.clone()} />
            { match &*detail {
                Load::Loading => html! { <p class="muted" id="site-loading">{ "Loading site details…" }</p> },
                Load::Failed(e) => html! {
                    <div class="banner banner-error" id="site-error" role="alert">
                        { crate::components::health::error_view("Could not load the site's details", e) }
                    </div>
                },
                Load::Ready(d) => html! { <>
                    <section aria-labelledby="h-nodes"><h3 id="h-nodes">{ "Nodes" }</h3>{ nodes_table(&d.nodes) }</section>
                    <section aria-labelledby="h-workloads"><h3 id="h-workloads">{ "Workloads" }</h3>{ workloads_table(&d.workloads, &on_logs) }</section>
                    <section aria-labelledby="h-pods"><h3 id="h-pods">{ "Pods" }</h3>{ pods_table(&d.pods, now, &on_logs) }</section>
                    <section aria-labelledby="h-events"><h3 id="h-events">{ "Events" }</h3>{ events_table(&d.events, now) }</section>
                    <ChangeJournal site={props.name.clone()} summary={props.summary.clone()} now={now} />
                </> },
            } }
        </div>
    }
}

fn overview(s: &SiteSummary, now: i64) -> Html {
    let cert = s.cert_expires_ms.map(|t| {
        let class = match cert_urgency(t, now) {
            CertUrgency::Fine => "",
            CertUrgency::Soon => "warn",
            CertUrgency::Expired => "error",
        };
        html! { <dd id="site-cert" class={class}>{ cert_text(t, now) }</dd> }
    });
    let seen = s
        .last_seen_ms
        .map(|t| format_age(t, now))
        .unwrap_or_else(|| "never".into());
    let reasons = crate::components::health::reasons(s);
    let reach = html! {
        <>
            { s.reachability.words(None).unwrap_or_else(|| s.reachability.state.as_str().replace('_', " ")) }
            if let Some(d) = &s.reachability.detail {
                <details class="error-details" id="site-reach-details">
                    <summary>{ "Details" }</summary><code>{ d }</code>
                </details>
            }
        </>
    };
    html! {
        <div class="overview">
            <dl>
                <dt>{ "Site" }</dt><dd>{ &s.name }</dd>
                <dt>{ "City" }</dt><dd>{ &s.city }</dd>
                <dt>{ "Distro" }</dt><dd id="site-version">{ format!("{} {}", s.distro.label(), s.version) }</dd>
                <dt>{ "Certificate" }</dt>
                { cert.unwrap_or_else(|| html! { <dd class="muted">{ "unknown" }</dd> }) }
                <dt>{ "API server" }</dt><dd>{ reach }</dd>
                <dt>{ "Last seen" }</dt><dd>{ seen }</dd>
                <dt>{ "Nodes ready" }</dt><dd>{ format!("{}/{}", s.nodes_ready, s.nodes_total) }</dd>
                <dt>{ "Workloads" }</dt><dd>{ format!("{}/{} available", s.workloads_available, s.workloads_desired) }</dd>
                <dt>{ "Problem pods" }</dt><dd>{ s.problem_pods }</dd>
                if !s.tags.is_empty() { <dt>{ "Tags" }</dt><dd>{ s.tags.join(", ") }</dd> }
            </dl>
            if !reasons.is_empty() {
                <ul class="reasons" id="site-reasons">{ for reasons.iter().map(|r| html! { <li>{ r }</li> }) }</ul>
            }
        </div>
    }
}
