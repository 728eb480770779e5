//! Live progress of the watched K3s upgrades: per site a progress bar (nodes at the
//! target), the Plans' `status.applying`, and per node its version, state, cordon and
//! upgrade Job; stuck nodes with the reason and the next steps to take.

use crate::state::time::format_utc;
use crate::state::upgrades::{node_state, nodes_done};
use outpost_ipc::upgrade::SiteUpgradeInfo;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub progress: Rc<Vec<SiteUpgradeInfo>>,
    pub watched: Rc<Vec<String>>,
}

fn site(p: &SiteUpgradeInfo) -> Html {
    let (done, total) = nodes_done(p);
    let head = match (&p.error, p.controller, &p.target, p.done) {
        (Some(e), _, _, _) => format!("cannot read it now: {e}"),
        (None, false, _, _) => "no system-upgrade-controller".to_string(),
        (None, true, None, _) => "no upgrade planned".to_string(),
        (None, true, Some(t), true) => format!("done: every node at {t}"),
        (None, true, Some(t), false) => format!("upgrading to {t}: {done} of {total} nodes done"),
    };
    html! {
        <div class={classes!("upgrade-site-progress", (!p.stuck.is_empty()).then_some("stuck"))}
            data-site={p.site.clone()} data-done={p.done.to_string()}>
            <h3>{ &p.site }</h3>
            <div class="rollout-summary">
                <progress max={total.max(1).to_string()} value={done.to_string()} aria-label={format!("Nodes upgraded at {}", p.site)} />
                <span class="upgrade-head">{ head }</span>
            </div>
            if !p.applying.is_empty() {
                <p class="muted">{ format!("Applying (status.applying): {}", p.applying.join(", ")) }</p>
            }
            if !p.nodes.is_empty() {
                <table class="data upgrade-nodes">
                    <thead><tr><th>{ "Node" }</th><th>{ "Role" }</th><th>{ "Version" }</th><th>{ "State" }</th><th>{ "Job" }</th></tr></thead>
                    <tbody>
                        { for p.nodes.iter().map(|n| {
                            let (label, class) = node_state(n.state);
                            html! {
                                <tr class="upgrade-node" data-node={n.name.clone()} data-version={n.version.clone()}
                                    data-state={label}>
                                    <th scope="row">{ &n.name }</th>
                                    <td>{ n.role.as_str() }</td>
                                    <td><code>{ &n.version }</code></td>
                                    <td><span class={classes!("site-status", format!("site-status-{class}"))}>{ label }</span>
                                        if n.cordoned { <span class="muted">{ " · cordoned" }</span> }</td>
                                    <td><code class="upgrade-job">{ n.job.clone().unwrap_or_default() }</code></td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
            { for p.stuck.iter().map(|s| html! {
                <div class="upgrade-stuck" role="alert" data-node={s.node.clone()} data-kind={s.kind.as_str()}>
                    <p><strong>{ format!("Stuck: {}", s.node) }</strong>{ ": " }{ &s.reason }
                        if let Some(ms) = s.since_ms { <span class="muted">{ format!(" (unchanged since {})", format_utc(ms)) }</span> }</p>
                    <ol class="upgrade-next-steps">
                        { for s.next_steps.iter().map(|n| html! { <li><code>{ n }</code></li> }) }
                    </ol>
                </div>
            }) }
        </div>
    }
}

#[function_component(Progress)]
pub fn progress(props: &ProgressProps) -> Html {
    if props.watched.is_empty() {
        return html! {};
    }
    html! {
        <section class="upgrade-progress" id="upgrade-progress" aria-labelledby="upgrade-progress-title">
            <h2 id="upgrade-progress-title">{ "Progress" }</h2>
            if props.progress.is_empty() {
                <p class="muted">{ format!("Reading {}…", props.watched.join(", ")) }</p>
            }
            { for props.progress.iter().map(site) }
        </section>
    }
}
