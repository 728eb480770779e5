//! Site markers and clusters, drawn in screen space so they keep their size when zooming.

use crate::state::cluster::{CLUSTER_RADIUS, Point, cluster};
use crate::state::viewport::{Viewport, ViewportAction, to_map};
use outpost_ipc::{HealthLevel, SiteSummary};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MarkersProps {
    pub sites: Rc<Vec<SiteSummary>>,
    pub viewport: Viewport,
    pub on_open: Callback<String>,
    pub on_hover: Callback<Option<String>>,
    pub on_zoom: Callback<ViewportAction>,
}

fn level_class(l: HealthLevel) -> String {
    format!("level-{}", l.as_str())
}

#[function_component(Markers)]
pub fn markers(props: &MarkersProps) -> Html {
    let vp = props.viewport;
    let points: Vec<Point<'_>> = props
        .sites
        .iter()
        .filter_map(|s| {
            let (lat, lon) = s.position()?;
            let (x, y) = vp.project(to_map(lat, lon));
            Some(Point {
                name: &s.name,
                x,
                y,
                level: s.level,
            })
        })
        .collect();
    let clusters = cluster(&points, CLUSTER_RADIUS);
    let by_name = |n: &str| props.sites.iter().find(|s| s.name == n);

    html! {
        <g class="map-markers" id="map-markers">
            { for clusters.iter().map(|c| {
                let (x, y) = (format!("{:.1}", c.x), format!("{:.1}", c.y));
                if let [name] = c.members.as_slice() {
                    let Some(site) = by_name(name) else { return html! {} };
                    marker(site, &x, &y, props)
                } else {
                    let members: Vec<_> = c.members.iter().filter_map(|n| by_name(n)).collect();
                    let points: Vec<_> = members.iter().filter_map(|s| s.position()).map(|(lat, lon)| to_map(lat, lon)).collect();
                    let zoom = props.on_zoom.clone();
                    let (cx, cy) = (c.x, c.y);
                    let current = vp.zoom_level();
                    // Zoom to the members; if they sit on one spot, zoom in about it instead.
                    let activate = move || {
                        let fit = Viewport::fit(&points);
                        if fit.zoom_level() > current * 1.2 {
                            zoom.emit(ViewportAction::Fit(points.clone()));
                        } else {
                            zoom.emit(ViewportAction::ZoomAt { factor: 2.0, x: cx, y: cy });
                        }
                    };
                    let activate2 = activate.clone();
                    let names = c.members.join(", ");
                    let label = format!("{} sites: {names}. Activate to zoom in.", c.members.len());
                    html! {
                        <g class={classes!("cluster", level_class(c.worst))} role="button" tabindex="0"
                            aria-label={label}
                            data-cluster-count={c.members.len().to_string()} data-level={c.worst.as_str()}
                            data-sites={c.members.join(",")}
                            onclick={Callback::from(move |_: MouseEvent| activate())}
                            onkeydown={Callback::from(move |e: KeyboardEvent| {
                                if e.key() == "Enter" || e.key() == " " { e.prevent_default(); activate2() }
                            })}>
                            <title>{ names }</title>
                            <circle cx={x.clone()} cy={y.clone()} r="13" class="cluster-disc" />
                            <text x={x} y={y} class="cluster-count" text-anchor="middle" dominant-baseline="central">
                                { c.members.len() }
                            </text>
                        </g>
                    }
                }
            }) }
        </g>
    }
}

fn marker(site: &SiteSummary, x: &str, y: &str, props: &MarkersProps) -> Html {
    let name = site.name.clone();
    let offline = site.reachability.state.is_offline();
    let stale = site.stale.is_some();
    let (open, open_key) = (props.on_open.clone(), props.on_open.clone());
    let (n1, n2) = (name.clone(), name.clone());
    let (enter, leave) = (props.on_hover.clone(), props.on_hover.clone());
    let (focus, blur) = (props.on_hover.clone(), props.on_hover.clone());
    let (n3, n4) = (name.clone(), name.clone());
    let mut label = format!(
        "{} ({}), {}",
        site.display_name,
        site.city,
        site.level.as_str()
    );
    if offline {
        label.push_str(", offline");
    }
    if stale {
        label.push_str(", snapshot data");
    }
    html! {
        <g class={classes!("marker", level_class(site.level), offline.then_some("offline"), stale.then_some("stale"))}
            role="button" tabindex="0" aria-label={label}
            data-site={name.clone()} data-level={site.level.as_str()}
            data-offline={offline.then_some("true")} data-stale={stale.then_some("true")}
            onclick={Callback::from(move |_: MouseEvent| open.emit(n1.clone()))}
            onkeydown={Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" { open_key.emit(n2.clone()) }
            })}
            onmouseenter={Callback::from(move |_: MouseEvent| enter.emit(Some(n3.clone())))}
            onmouseleave={Callback::from(move |_: MouseEvent| leave.emit(None))}
            onfocus={Callback::from(move |_: FocusEvent| focus.emit(Some(n4.clone())))}
            onblur={Callback::from(move |_: FocusEvent| blur.emit(None))}>
            if stale {
                <circle cx={x.to_string()} cy={y.to_string()} r="11" class="badge-stale" />
            }
            <circle cx={x.to_string()} cy={y.to_string()} r="7" class="marker-dot" />
            if offline {
                <g class="badge-offline" transform={format!("translate({x} {y})")}>
                    <circle cx="7" cy="-7" r="5" />
                    <path d="M4.5 -9.5 L9.5 -4.5 M9.5 -9.5 L4.5 -4.5" />
                </g>
            }
        </g>
    }
}
