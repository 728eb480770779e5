//! The world outline (Natural Earth 1:110m land, public domain), in map units.

use yew::prelude::*;

/// One SVG path `d` per line; see `ui/assets/README.md`.
const WORLD: &str = include_str!("../../../assets/world-110m.txt");

/// The land masses. No props, so Yew renders it once and never diffs it again.
#[function_component(WorldLand)]
pub fn world_land() -> Html {
    html! {
        <g class="map-land" id="map-land">
            { for WORLD.lines().filter(|l| !l.is_empty()).map(|d| html! {
                <path d={d} vector-effect="non-scaling-stroke" />
            }) }
        </g>
    }
}
