//! Inline SVG icons (no icon font, no remote assets).

use yew::prelude::*;

/// A 20×20 stroke icon by name; unknown names give an empty box.
pub fn icon(name: &str) -> Html {
    let d = match name {
        "map" => "M3 5l5-2 4 2 5-2v12l-5 2-4-2-5 2z M8 3v12 M12 5v12",
        "sites" => "M3 4h14v4H3z M3 12h14v4H3z M6 6h.01 M6 14h.01",
        "logs" => "M4 4h12 M4 8h9 M4 12h12 M4 16h7",
        "rollouts" => "M4 14l4-4 3 3 5-6 M12 7h4v4",
        "upgrades" => "M10 16V4 M5 9l5-5 5 5 M4 17h12",
        "settings" => {
            "M10 7a3 3 0 1 0 0 6a3 3 0 1 0 0-6z M10 2v2 M10 16v2 M2 10h2 M16 10h2 M4.3 4.3l1.4 1.4 M14.3 14.3l1.4 1.4 M4.3 15.7l1.4-1.4 M14.3 5.7l1.4-1.4"
        }
        _ => "M4 4h12v12H4z",
    };
    html! {
        <svg class="icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true"
            fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">
            <path d={d} />
        </svg>
    }
}
