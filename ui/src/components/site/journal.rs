//! The site's change journal: what was changed there from Outpost (image updates,
//! restarts, rollbacks, rollouts, upgrades), by whom and with what result.

use crate::api;
use crate::state::time::format_age;
use outpost_ipc::SiteSummary;
use outpost_ipc::rollout::ChangeEntry;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ChangeJournalProps {
    pub site: AttrValue,
    /// The live summary: a change re-reads the journal.
    pub summary: Option<SiteSummary>,
    pub now: i64,
}

#[function_component(ChangeJournal)]
pub fn change_journal(props: &ChangeJournalProps) -> Html {
    let entries = use_state(|| None::<Result<Vec<ChangeEntry>, outpost_ipc::IpcError>>);
    {
        let entries = entries.clone();
        use_effect_with(
            (props.site.clone(), props.summary.clone()),
            move |(site, _)| {
                let site = site.to_string();
                wasm_bindgen_futures::spawn_local(async move {
                    entries.set(Some(api::change_journal(&site).await));
                });
            },
        );
    }
    let body = match &*entries {
        None => html! { <p class="muted">{ "Loading…" }</p> },
        Some(Err(e)) => html! { <p class="error" role="alert">{ &e.message }</p> },
        Some(Ok(list)) if list.is_empty() => {
            html! { <p class="muted">{ "Nothing was changed at this site from Outpost yet." }</p> }
        }
        Some(Ok(list)) => html! {
            <table class="data" id="change-journal">
                <thead><tr>
                    <th scope="col">{ "When" }</th><th scope="col">{ "Who" }</th>
                    <th scope="col">{ "Object" }</th><th scope="col">{ "What" }</th>
                    <th scope="col">{ "Result" }</th>
                </tr></thead>
                <tbody>{ for list.iter().take(200).map(|c| html! {
                    <tr>
                        <td title={c.at_ms.to_string()}>{ format_age(c.at_ms, props.now) }</td>
                        <td>{ &c.user }</td>
                        <td><code>{ &c.object }</code></td>
                        <td>{ &c.what }{ c.rollout.as_ref().map(|r| format!(" (rollout {r})")).unwrap_or_default() }</td>
                        <td>{ &c.result }</td>
                    </tr>
                }) }</tbody>
            </table>
        },
    };
    html! {
        <section aria-labelledby="h-changes"><h3 id="h-changes">{ "Changes made from Outpost" }</h3>{ body }</section>
    }
}
