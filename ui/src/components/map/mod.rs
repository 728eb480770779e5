//! The fleet map: world outline, site markers coloured by health, clusters, pan/zoom,
//! a hover card and a legend.

mod card;
mod markers;
mod world;

pub use card::Legend;

use crate::state::fleet::count_levels;
use crate::state::viewport::{VIEW_H, VIEW_W, Viewport, ViewportAction, ZOOM_STEP, to_map};
use card::SiteCard;
use markers::Markers;
use outpost_ipc::SiteSummary;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
pub use world::WorldLand;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MapViewProps {
    pub sites: Rc<Vec<SiteSummary>>,
    /// A site marker was clicked (or activated with Enter): its name.
    pub on_open: Callback<String>,
}

/// Converts client coordinates to the SVG's logical coordinates (viewBox, "meet").
fn to_logical(svg: &NodeRef, client_x: i32, client_y: i32) -> Option<(f64, f64)> {
    let el = svg.cast::<web_sys::Element>()?;
    let r = el.get_bounding_client_rect();
    let s = (r.width() / VIEW_W).min(r.height() / VIEW_H);
    if s <= 0.0 {
        return None;
    }
    let ox = r.left() + (r.width() - VIEW_W * s) / 2.0;
    let oy = r.top() + (r.height() - VIEW_H * s) / 2.0;
    Some((
        (f64::from(client_x) - ox) / s,
        (f64::from(client_y) - oy) / s,
    ))
}

/// Drag state: last pointer position (logical) and the distance moved since press.
#[derive(Default)]
struct Drag {
    last: Option<(f64, f64)>,
    moved: f64,
}

#[function_component(MapView)]
pub fn map_view(props: &MapViewProps) -> Html {
    let viewport = use_reducer(|| Viewport::fit(&site_points(&props.sites)));
    let hover = use_state(|| None::<String>);
    let drag = use_mut_ref(Drag::default);
    let svg = use_node_ref();

    // Fit the sites when they first arrive (the list is empty while loading).
    {
        let viewport = viewport.dispatcher();
        let points = site_points(&props.sites);
        use_effect_with(points.is_empty(), move |empty| {
            if !*empty {
                viewport.dispatch(ViewportAction::Fit(points));
            }
        });
    }
    use_wheel_zoom(svg.clone(), viewport.dispatcher());

    let on_down = {
        let (drag, svg) = (drag.clone(), svg.clone());
        Callback::from(move |e: PointerEvent| {
            if e.button() == 0 {
                *drag.borrow_mut() = Drag {
                    last: to_logical(&svg, e.client_x(), e.client_y()),
                    moved: 0.0,
                };
            }
        })
    };
    let on_move = {
        let (drag, svg, vp) = (drag.clone(), svg.clone(), viewport.dispatcher());
        Callback::from(move |e: PointerEvent| {
            let mut d = drag.borrow_mut();
            let (Some((lx, ly)), Some((x, y))) =
                (d.last, to_logical(&svg, e.client_x(), e.client_y()))
            else {
                return;
            };
            let (dx, dy) = (x - lx, y - ly);
            d.moved += dx.abs() + dy.abs();
            d.last = Some((x, y));
            vp.dispatch(ViewportAction::Pan { dx, dy });
        })
    };
    let on_up = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| drag.borrow_mut().last = None)
    };
    let dragging = drag.borrow().last.is_some();

    let zoom = |factor: f64| {
        let vp = viewport.dispatcher();
        Callback::from(move |_: MouseEvent| vp.dispatch(ViewportAction::Zoom(factor)))
    };
    let fit = {
        let vp = viewport.dispatcher();
        let points = site_points(&props.sites);
        Callback::from(move |_: MouseEvent| vp.dispatch(ViewportAction::Fit(points.clone())))
    };
    let reset = {
        let vp = viewport.dispatcher();
        Callback::from(move |_: MouseEvent| vp.dispatch(ViewportAction::Reset))
    };
    // Clicks that end a drag do not open a site.
    let on_open = {
        let (drag, on_open) = (drag.clone(), props.on_open.clone());
        Callback::from(move |name: String| {
            if drag.borrow().moved < 4.0 {
                on_open.emit(name);
            }
        })
    };
    let on_hover = {
        let hover = hover.clone();
        Callback::from(move |name: Option<String>| hover.set(name))
    };
    let on_zoom = {
        let vp = viewport.dispatcher();
        Callback::from(move |a: ViewportAction| vp.dispatch(a))
    };
    let hovered = (*hover)
        .as_ref()
        .and_then(|n| props.sites.iter().find(|s| &s.name == n))
        .cloned();
    let vp = *viewport;
    let counts = count_levels(&props.sites);

    html! {
        <div class="map-view">
            <div class="map-frame">
                <svg ref={svg} id="fleet-map" class={classes!("map-svg", dragging.then_some("dragging"))}
                    viewBox={format!("0 0 {VIEW_W} {VIEW_H}")} role="group"
                    aria-label="Fleet map: drag to pan, wheel to zoom"
                    onpointerdown={on_down} onpointermove={on_move}
                    onpointerup={on_up.clone()} onpointerleave={on_up}>
                    <rect class="map-sea" x="0" y="0" width={VIEW_W.to_string()} height={VIEW_H.to_string()} />
                    <g transform={format!("translate({:.2} {:.2}) scale({:.4})", vp.tx, vp.ty, vp.scale)}>
                        <WorldLand />
                    </g>
                    <Markers sites={props.sites.clone()} viewport={vp} on_open={on_open}
                        on_hover={on_hover} on_zoom={on_zoom} />
                </svg>
                <div class="map-controls" role="toolbar" aria-label="Map controls">
                    <button id="map-zoom-in" aria-label="Zoom in" title="Zoom in" onclick={zoom(ZOOM_STEP * ZOOM_STEP)}>{ "+" }</button>
                    <button id="map-zoom-out" aria-label="Zoom out" title="Zoom out" onclick={zoom(1.0 / (ZOOM_STEP * ZOOM_STEP))}>{ "−" }</button>
                    <button id="map-fit" aria-label="Fit to sites" title="Fit to sites" onclick={fit}>{ "Fit to sites" }</button>
                    <button id="map-reset" aria-label="Whole world" title="Whole world" onclick={reset}>{ "World" }</button>
                </div>
                if let Some(site) = hovered {
                    <SiteCard site={site} />
                }
            </div>
            <Legend counts={counts} />
        </div>
    }
}

/// Map positions of every site.
fn site_points(sites: &[SiteSummary]) -> Vec<(f64, f64)> {
    sites
        .iter()
        .filter_map(|s| s.position())
        .map(|(lat, lon)| to_map(lat, lon))
        .collect()
}

/// The wheel zooms about the cursor. Registered by hand as a non-passive listener so
/// `preventDefault` stops the page from scrolling.
#[hook]
fn use_wheel_zoom(svg: NodeRef, dispatch: UseReducerDispatcher<Viewport>) {
    use_effect_with((), move |_| {
        let target = svg.cast::<web_sys::Element>();
        let svg2 = svg.clone();
        let listener =
            Closure::<dyn Fn(web_sys::WheelEvent)>::new(move |e: web_sys::WheelEvent| {
                e.prevent_default();
                let factor = if e.delta_y() < 0.0 {
                    ZOOM_STEP
                } else {
                    1.0 / ZOOM_STEP
                };
                if let Some((x, y)) = to_logical(&svg2, e.client_x(), e.client_y()) {
                    dispatch.dispatch(ViewportAction::ZoomAt { factor, x, y });
                }
            });
        if let Some(t) = &target {
            let opts = web_sys::AddEventListenerOptions::new();
            opts.set_passive(false);
            let _ = t.add_event_listener_with_callback_and_add_event_listener_options(
                "wheel",
                listener.as_ref().unchecked_ref(),
                &opts,
            );
        }
        move || {
            if let Some(t) = target {
                let _ = t.remove_event_listener_with_callback(
                    "wheel",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
