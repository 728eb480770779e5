//! The site view's tables. Every name is rendered as text: hostile pod names stay inert.

use crate::state::detail::{
    is_crash_looping, pod_has_problem, pod_status, sort_events, sort_pods, workload_ok,
};
use crate::state::time::{format_age, format_duration};
use outpost_ipc::{ConditionStatus, LogTarget};
use outpost_ipc::{EventInfo, EventType, NodeInfo, PodInfo, WorkloadInfo};
use yew::prelude::*;

fn empty(text: &str) -> Html {
    html! { <p class="muted">{ text.to_string() }</p> }
}

fn percent(p: Option<f32>) -> String {
    p.map(|v| format!("{v:.0} %")).unwrap_or_else(|| "—".into())
}

pub fn nodes_table(nodes: &[NodeInfo]) -> Html {
    if nodes.is_empty() {
        return empty("No nodes reported.");
    }
    html! {
        <table class="data" id="nodes-table">
            <thead><tr>
                <th scope="col">{ "Node" }</th><th scope="col">{ "Ready" }</th><th scope="col">{ "Roles" }</th>
                <th scope="col">{ "Kubelet" }</th><th scope="col">{ "Conditions" }</th>
                <th scope="col">{ "CPU" }</th><th scope="col">{ "Memory" }</th>
            </tr></thead>
            <tbody>{ for nodes.iter().map(|n| {
                // Ready=True is good; any other condition being True is a problem.
                let bad: Vec<_> = n.conditions.iter()
                    .filter(|c| (c.type_ == "Ready") != (c.status == ConditionStatus::True))
                    .collect();
                html! {
                    <tr data-node={n.name.clone()} class={classes!((!n.ready).then_some("row-critical"))}>
                        <th scope="row">{ &n.name }</th>
                        <td>{ if n.ready { "Ready" } else { "NotReady" } }</td>
                        <td>{ n.roles.join(", ") }</td>
                        <td><code>{ &n.kubelet_version }</code></td>
                        <td>
                            if bad.is_empty() { <span class="muted">{ "all fine" }</span> }
                            { for bad.iter().map(|c| html! {
                                <span class="flag flag-warn" title={c.message.clone().unwrap_or_default()}>
                                    { format!("{}={}", c.type_, c.status) }
                                </span>
                            }) }
                        </td>
                        <td>{ percent(n.cpu_percent) }</td>
                        <td>{ percent(n.memory_percent) }</td>
                    </tr>
                }
            }) }</tbody>
        </table>
    }
}

/// A "Logs" button opening the log viewer on a pod or a workload.
fn logs_button(on_logs: &Callback<(String, LogTarget)>, ns: &str, target: LogTarget) -> Html {
    let (cb, ns, t) = (on_logs.clone(), ns.to_string(), target);
    html! {
        <td><button class="small logs-open" aria-label="Open logs"
            onclick={Callback::from(move |_: MouseEvent| cb.emit((ns.clone(), t.clone())))}>{ "Logs" }</button></td>
    }
}

pub fn workloads_table(ws: &[WorkloadInfo], on_logs: &Callback<(String, LogTarget)>) -> Html {
    if ws.is_empty() {
        return empty("No workloads.");
    }
    html! {
        <table class="data" id="workloads-table">
            <thead><tr>
                <th scope="col">{ "Workload" }</th><th scope="col">{ "Kind" }</th>
                <th scope="col">{ "Ready" }</th><th scope="col">{ "Images" }</th><th scope="col"><span class="sr-only">{ "Logs" }</span></th>
            </tr></thead>
            <tbody>{ for ws.iter().map(|w| html! {
                <tr data-workload={format!("{}/{}", w.namespace, w.name)}
                    class={classes!((!workload_ok(w)).then_some("row-warning"))}>
                    <th scope="row">{ format!("{}/{}", w.namespace, w.name) }</th>
                    <td>{ w.kind.as_str() }</td>
                    <td>{ format!("{}/{}", w.ready, w.desired) }</td>
                    <td>{ for w.images.iter().map(|i| html! { <code class="image">{ i }</code> }) }</td>
                    { logs_button(on_logs, &w.namespace, LogTarget::Workload { kind: w.kind, name: w.name.clone() }) }
                </tr>
            }) }</tbody>
        </table>
    }
}

pub fn pods_table(pods: &[PodInfo], now: i64, on_logs: &Callback<(String, LogTarget)>) -> Html {
    if pods.is_empty() {
        return empty("No pods.");
    }
    html! {
        <table class="data" id="pods-table">
            <thead><tr>
                <th scope="col">{ "Pod" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Ready" }</th>
                <th scope="col">{ "Restarts" }</th><th scope="col">{ "Age" }</th>
                <th scope="col">{ "Node" }</th><th scope="col">{ "Owner" }</th><th scope="col"><span class="sr-only">{ "Logs" }</span></th>
            </tr></thead>
            <tbody>{ for sort_pods(pods).into_iter().map(|p| {
                let crash = is_crash_looping(p);
                let class = if crash { Some("row-critical") } else if pod_has_problem(p) { Some("row-warning") } else { None };
                html! {
                    <tr data-pod={format!("{}/{}", p.namespace, p.name)} data-crashloop={crash.then_some("true")} class={classes!(class)}>
                        <th scope="row">{ format!("{}/{}", p.namespace, p.name) }</th>
                        <td>{ pod_status(p) }</td>
                        <td>{ if p.ready { "yes" } else { "no" } }</td>
                        <td>{ p.restarts }</td>
                        <td>{ p.started_ms.map(|t| format_duration(now - t)).unwrap_or_else(|| "—".into()) }</td>
                        <td>{ p.node.clone().unwrap_or_default() }</td>
                        <td>{ p.owner.clone().unwrap_or_default() }</td>
                        { logs_button(on_logs, &p.namespace, LogTarget::Pod { name: p.name.clone() }) }
                    </tr>
                }
            }) }</tbody>
        </table>
    }
}

pub fn events_table(events: &[EventInfo], now: i64) -> Html {
    if events.is_empty() {
        return empty("No recent events.");
    }
    html! {
        <table class="data" id="events-table">
            <thead><tr>
                <th scope="col">{ "Type" }</th><th scope="col">{ "Reason" }</th><th scope="col">{ "Object" }</th>
                <th scope="col">{ "Message" }</th><th scope="col">{ "Count" }</th><th scope="col">{ "Last" }</th>
            </tr></thead>
            <tbody>{ for sort_events(events).into_iter().map(|e| {
                let warn = e.type_ == EventType::Warning;
                html! {
                    <tr data-event-type={if warn { "Warning" } else { "Normal" }} class={classes!(warn.then_some("row-warning"))}>
                        <td>{ if warn { "Warning" } else { "Normal" } }</td>
                        <td>{ &e.reason }</td>
                        <td>{ &e.object }</td>
                        <td class="message">{ &e.message }</td>
                        <td>{ e.count }</td>
                        <td>{ e.last_ms.map(|t| format_age(t, now)).unwrap_or_else(|| "—".into()) }</td>
                    </tr>
                }
            }) }</tbody>
        </table>
    }
}
