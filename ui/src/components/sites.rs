//! The sites table: sort, filter, search (`/`), and version drift at a glance.

use super::health::{level_badge, level_label, now_ms, site_flags};
use crate::state::sites::{SiteQuery, SortKey, VersionDrift};
use crate::state::time::format_age;
use outpost_ipc::{Distro, HealthLevel, SiteSummary};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SitesViewProps {
    pub sites: Rc<Vec<SiteSummary>>,
    pub on_open: Callback<String>,
    /// Focus the search field whenever this changes (the `/` shortcut).
    #[prop_or_default]
    pub focus_search: u32,
}

#[function_component(SitesView)]
pub fn sites_view(props: &SitesViewProps) -> Html {
    let query = use_state(SiteQuery::default);
    let search_ref = use_node_ref();
    {
        let search_ref = search_ref.clone();
        use_effect_with(props.focus_search, move |n| {
            if *n > 0
                && let Some(input) = search_ref.cast::<web_sys::HtmlInputElement>()
            {
                let _ = input.focus();
                input.select();
            }
        });
    }

    let drift = VersionDrift::of(&props.sites);
    let rows = query.apply(&props.sites);
    let now = now_ms();

    let on_search = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            query.set(SiteQuery {
                search: input.value(),
                ..(*query).clone()
            });
        })
    };
    let on_level = {
        let query = query.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let level = HealthLevel::ALL
                .into_iter()
                .find(|l| l.as_str() == sel.value());
            query.set(SiteQuery {
                level,
                ..(*query).clone()
            });
        })
    };
    let on_distro = {
        let query = query.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let distro = Distro::ALL.into_iter().find(|d| d.as_str() == sel.value());
            query.set(SiteQuery {
                distro,
                ..(*query).clone()
            });
        })
    };
    let header = |key: SortKey| {
        let q = query.clone();
        let sorted = query.sort == key;
        let aria_sort = match (sorted, query.ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        };
        let arrow = match (sorted, query.ascending) {
            (false, _) => "",
            (true, true) => " ▲",
            (true, false) => " ▼",
        };
        html! {
            <th scope="col" aria-sort={aria_sort}>
                <button class="sort" id={format!("sort-{}", key.id())}
                    onclick={Callback::from(move |_: MouseEvent| q.set(q.toggle_sort(key)))}>
                    { key.title() }{ arrow }
                </button>
            </th>
        }
    };

    html! {
        <div class="sites-view">
            <div class="toolbar">
                <input ref={search_ref} id="site-search" type="search" aria-label="Search sites by name, tag or city"
                    placeholder="Search name, tag or city   ( / )" value={query.search.clone()} oninput={on_search} />
                <label>{ "Health " }
                    <select id="filter-level" onchange={on_level}>
                        <option value="" selected={query.level.is_none()}>{ "All" }</option>
                        { for HealthLevel::ALL.into_iter().map(|l| html! {
                            <option value={l.as_str()} selected={query.level == Some(l)}>{ level_label(l) }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Distro " }
                    <select id="filter-distro" onchange={on_distro}>
                        <option value="" selected={query.distro.is_none()}>{ "All" }</option>
                        { for Distro::ALL.into_iter().map(|d| html! {
                            <option value={d.as_str()} selected={query.distro == Some(d)}>{ d.label() }</option>
                        }) }
                    </select>
                </label>
                <span class="muted" id="sites-shown">{ format!("{} of {} sites", rows.len(), props.sites.len()) }</span>
            </div>
            { drift_panel(&drift) }
            <table class="data sites-table" id="sites-table">
                <thead><tr>
                    { header(SortKey::Name) }
                    <th scope="col">{ "City" }</th>
                    { header(SortKey::Health) }
                    { header(SortKey::Distro) }
                    { header(SortKey::Version) }
                    <th scope="col">{ "Nodes" }</th>
                    <th scope="col">{ "Workloads" }</th>
                    { header(SortKey::LastSeen) }
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|s| row(s, &drift, now, &props.on_open)) }
                </tbody>
            </table>
            if rows.is_empty() {
                <p class="muted no-match" id="sites-no-match">{ "No site matches these filters." }</p>
            }
        </div>
    }
}

fn drift_panel(drift: &VersionDrift) -> Html {
    if drift.groups.is_empty() {
        return html! {};
    }
    html! {
        <div class="drift" id="version-drift" aria-label="Versions across the fleet">
            { for drift.groups.iter().map(|g| html! {
                <div class="drift-group" data-distro={g.distro.as_str()}>
                    <span class="muted">{ format!("{} versions:", g.distro.label()) }</span>
                    { for g.versions.iter().map(|(v, n)| {
                        let majority = g.majority.as_deref() == Some(v.as_str());
                        let outlier = drift.is_outlier(g.distro, v);
                        html! {
                            <span class={classes!("chip", majority.then_some("majority"), outlier.then_some("outlier"))}
                                data-version={v.clone()} data-count={n.to_string()} data-majority={majority.then_some("true")}
                                title={if majority { "Most sites of this distro run this version" } else { "Differs from the majority version" }}>
                                <code>{ v }</code>{ format!(" × {n}") }
                                if majority { <span class="chip-note">{ " majority" }</span> }
                            </span>
                        }
                    }) }
                </div>
            }) }
        </div>
    }
}

fn row(s: &SiteSummary, drift: &VersionDrift, now: i64, on_open: &Callback<String>) -> Html {
    let open = {
        let (on_open, name) = (on_open.clone(), s.name.clone());
        Callback::from(move |_: MouseEvent| on_open.emit(name.clone()))
    };
    let outlier = drift.is_outlier(s.distro, &s.version);
    let seen = s
        .last_seen_ms
        .map(|t| format_age(t, now))
        .unwrap_or_else(|| "never".into());
    html! {
        <tr data-site={s.name.clone()} data-level={s.level.as_str()}
            class={classes!(format!("row-{}", s.level.as_str()))} onclick={open.clone()}>
            <th scope="row">
                <button class="link" onclick={open}>{ &s.display_name }</button>
                <div class="muted small">{ &s.name }</div>
            </th>
            <td>{ &s.city }</td>
            <td>
                { level_badge(s.level) }{ site_flags(s) }
                if let Some(r) = super::health::reasons(s).first() { <div class="muted small reason">{ r }</div> }
            </td>
            <td>{ s.distro.label() }</td>
            <td class={classes!(outlier.then_some("outlier"))} data-outlier={outlier.then_some("true")}>
                <code>{ if s.version.is_empty() { "—" } else { s.version.as_str() } }</code>
            </td>
            <td>{ format!("{}/{}", s.nodes_ready, s.nodes_total) }</td>
            <td>{ format!("{}/{}", s.workloads_available, s.workloads_desired) }</td>
            <td>{ seen }</td>
        </tr>
    }
}
