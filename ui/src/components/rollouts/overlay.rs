//! The rollout's map overlay: the world map around the targeted sites, each site's
//! marker coloured by its rollout status (pending, updating, soaking, done, failed,
//! rolled back, offline).

use crate::components::map::WorldLand;
use crate::state::rollouts::map::{dots, frame};
use outpost_ipc::SiteSummary;
use outpost_ipc::rollout::RolloutInfo;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OverlayProps {
    pub info: RolloutInfo,
    pub sites: std::rc::Rc<Vec<SiteSummary>>,
}

#[function_component(RolloutMap)]
pub fn rollout_map(props: &OverlayProps) -> Html {
    let ds = dots(&props.info, &props.sites);
    if ds.is_empty() {
        return html! {};
    }
    let (x, y, w, h) = frame(&ds);
    let r = (w / 70.0).max(0.25);
    html! {
        <figure class="rollout-map" id="rollout-map">
            <svg viewBox={format!("{x:.2} {y:.2} {w:.2} {h:.2}")} role="img"
                aria-label="Rollout state of each targeted site on the map">
                <rect class="map-sea" x={format!("{x:.2}")} y={format!("{y:.2}")} width={format!("{w:.2}")} height={format!("{h:.2}")} />
                <WorldLand />
                { for ds.iter().map(|d| html! {
                    <circle cx={format!("{:.2}", d.x)} cy={format!("{:.2}", d.y)} r={format!("{r:.2}")}
                        class={classes!("rollout-dot", format!("dot-{}", d.class))}
                        data-site={d.site.clone()} data-status={d.class}>
                        <title>{ format!("{}: {}", d.site, d.label) }</title>
                    </circle>
                }) }
            </svg>
            <figcaption class="rollout-map-legend">
                { for [("waiting", "pending"), ("updating", "updating"), ("soaking", "soaking"), ("done", "done"),
                       ("failed", "failed"), ("rolled-back", "rolled back"), ("offline", "offline")].iter().map(|(c, l)| html! {
                    <span class="legend-item"><span class={classes!("legend-swatch", format!("dot-{c}"))} />{ *l }</span>
                }) }
            </figcaption>
        </figure>
    }
}
