//! The rollout map overlay's geometry: the targeted sites in map units (equirectangular,
//! as the Map view draws them) and a box framing them. Pure.

use crate::state::viewport::to_map;
use outpost_ipc::SiteSummary;
use outpost_ipc::rollout::RolloutInfo;

/// Narrowest box shown, in degrees, so a few close sites still show their region.
pub const MIN_SPAN: f64 = 24.0;

/// A targeted site on the overlay: name, map position, status class (see
/// [`super::site_status`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    pub site: String,
    pub x: f64,
    pub y: f64,
    pub class: &'static str,
    pub label: &'static str,
}

/// The rollout's sites that have a location.
pub fn dots(r: &RolloutInfo, sites: &[SiteSummary]) -> Vec<Dot> {
    r.waves
        .iter()
        .flat_map(|w| w.sites.iter())
        .filter_map(|s| {
            let (lat, lon) = sites.iter().find(|x| x.name == s.site)?.position()?;
            let (x, y) = to_map(lat, lon);
            let (label, class) = super::site_status(s);
            Some(Dot {
                site: s.site.clone(),
                x,
                y,
                class,
                label,
            })
        })
        .collect()
}

/// `(x, y, width, height)` framing the dots with a margin, at least [`MIN_SPAN`] wide
/// and tall, inside the world (360 × 180).
pub fn frame(dots: &[Dot]) -> (f64, f64, f64, f64) {
    if dots.is_empty() {
        return (0.0, 0.0, 360.0, 180.0);
    }
    let fold = |f: fn(f64, f64) -> f64, init: f64, get: fn(&Dot) -> f64| {
        dots.iter().map(get).fold(init, f)
    };
    let (x0, x1) = (
        fold(f64::min, f64::MAX, |d| d.x),
        fold(f64::max, f64::MIN, |d| d.x),
    );
    let (y0, y1) = (
        fold(f64::min, f64::MAX, |d| d.y),
        fold(f64::max, f64::MIN, |d| d.y),
    );
    let w = ((x1 - x0) * 1.3).clamp(MIN_SPAN, 360.0);
    let h = ((y1 - y0) * 1.3)
        .max(MIN_SPAN / 2.0)
        .max(w / 2.5)
        .min(180.0);
    let x = ((x0 + x1) / 2.0 - w / 2.0).clamp(0.0, 360.0 - w);
    let y = ((y0 + y1) / 2.0 - h / 2.0).clamp(0.0, 180.0 - h);
    (x, y, w, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(x: f64, y: f64) -> Dot {
        Dot {
            site: String::new(),
            x,
            y,
            class: "done",
            label: "done",
        }
    }

    #[test]
    fn frames_every_dot_inside_the_world() {
        assert_eq!(frame(&[]), (0.0, 0.0, 360.0, 180.0));
        let one = frame(&[dot(193.4, 37.5)]);
        assert_eq!((one.2, one.3), (MIN_SPAN, MIN_SPAN / 2.0));
        assert!(one.0 < 193.4 && 193.4 < one.0 + one.2);
        let ds = [dot(100.0, 46.0), dot(193.4, 37.5), dot(176.3, 49.6)];
        let (x, y, w, h) = frame(&ds);
        for d in &ds {
            assert!(
                d.x >= x && d.x <= x + w && d.y >= y && d.y <= y + h,
                "{d:?} in {:?}",
                (x, y, w, h)
            );
        }
        assert!(x >= 0.0 && y >= 0.0 && x + w <= 360.0 && y + h <= 180.0);
        let edge = frame(&[dot(359.0, 179.0)]);
        assert!(edge.0 + edge.2 <= 360.0 && edge.1 + edge.3 <= 180.0);
    }
}
