//! The hover card of a site and the map legend.

use crate::components::health::{level_badge, level_label, now_ms, site_flags};
use crate::state::fleet::LevelCounts;
use crate::state::time::format_age;
use outpost_ipc::{HealthLevel, SiteSummary};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SiteCardProps {
    pub site: SiteSummary,
}

/// Name, city, distro/version, level with the top reasons, last contact.
#[function_component(SiteCard)]
pub fn site_card(props: &SiteCardProps) -> Html {
    let s = &props.site;
    let reasons = crate::components::health::reasons(s);
    let seen = match s.last_seen_ms {
        Some(t) => format!("Last seen {}", format_age(t, now_ms())),
        None => "Never reached".to_string(),
    };
    let version = if s.version.is_empty() {
        "version unknown"
    } else {
        &s.version
    };
    html! {
        <aside class="site-card" id="site-card" data-site={s.name.clone()} aria-live="polite">
            <header>
                <strong>{ &s.display_name }</strong>
                { level_badge(s.level) }
            </header>
            <div class="muted">{ format!("{} · {}", s.name, s.city) }</div>
            <div>{ format!("{} {version}", s.distro.label()) }</div>
            <div class="flags">{ site_flags(s) }</div>
            if !reasons.is_empty() {
                <ul class="reasons">
                    { for reasons.iter().take(3).map(|r| html! { <li>{ r }</li> }) }
                </ul>
            }
            <div class="muted">{ seen }</div>
            <div class="muted hint">{ "Click to open" }</div>
        </aside>
    }
}

#[derive(Properties, PartialEq)]
pub struct LegendProps {
    pub counts: LevelCounts,
}

/// Sites per level (and offline/snapshot counts), each with its marker colour.
#[function_component(Legend)]
pub fn legend(props: &LegendProps) -> Html {
    let c = props.counts;
    html! {
        <ul class="legend" id="map-legend" aria-label="Sites by health">
            { for HealthLevel::ALL.into_iter().map(|l| html! {
                <li id={format!("legend-{}", l.as_str())} data-level={l.as_str()} data-count={c.get(l).to_string()}>
                    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
                        <circle cx="6" cy="6" r="5" class={classes!("marker-dot", format!("level-{}", l.as_str()))} />
                    </svg>
                    { format!("{} {}", level_label(l), c.get(l)) }
                </li>
            }) }
            <li id="legend-offline" data-count={c.offline.to_string()}>
                <span class="flag flag-offline">{ "Offline" }</span>{ c.offline }
            </li>
            <li id="legend-stale" data-count={c.stale.to_string()}>
                <span class="flag flag-stale">{ "Snapshot" }</span>{ c.stale }
            </li>
        </ul>
    }
}
