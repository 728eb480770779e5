//! Pan and zoom of the map, as pure maths.
//!
//! Map units are an equirectangular world of 360 × 180 (`x = lon + 180`, `y = 90 − lat`),
//! the same units as the world outline asset. The SVG's logical size is
//! [`VIEW_W`] × [`VIEW_H`]; a screen point is `map * scale + (tx, ty)`.

use std::rc::Rc;
use yew::Reducible;

pub const VIEW_W: f64 = 1000.0;
pub const VIEW_H: f64 = 560.0;
pub const WORLD_W: f64 = 360.0;
pub const WORLD_H: f64 = 180.0;
/// Most zoomed-in scale, relative to the whole-world scale.
pub const MAX_ZOOM: f64 = 64.0;
/// Step of the +/- buttons and of one wheel notch.
pub const ZOOM_STEP: f64 = 1.25;
/// Smallest area "fit" zooms to, in degrees, so one site does not zoom in to the max.
const MIN_FIT_SPAN: f64 = 8.0;

/// Longitude/latitude → map units.
pub fn to_map(lat: f64, lon: f64) -> (f64, f64) {
    (
        lon.clamp(-180.0, 180.0) + 180.0,
        90.0 - lat.clamp(-90.0, 90.0),
    )
}

/// Map units → (latitude, longitude); the inverse of [`to_map`].
pub fn from_map(x: f64, y: f64) -> (f64, f64) {
    (
        (90.0 - y).clamp(-90.0, 90.0),
        (x - 180.0).clamp(-180.0, 180.0),
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub scale: f64,
    pub tx: f64,
    pub ty: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ViewportAction {
    /// Zoom by `factor` keeping the screen point (x, y) fixed.
    ZoomAt { factor: f64, x: f64, y: f64 },
    /// Zoom about the centre (the +/- buttons).
    Zoom(f64),
    /// Drag by screen pixels.
    Pan { dx: f64, dy: f64 },
    /// Fit these map points with a margin.
    Fit(Vec<(f64, f64)>),
    /// Whole world.
    Reset,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            scale: Self::min_scale(),
            tx: 0.0,
            ty: 0.0,
        }
        .clamped()
    }
}

impl Viewport {
    /// The whole world's width fits the view.
    pub fn min_scale() -> f64 {
        VIEW_W / WORLD_W
    }

    pub fn max_scale() -> f64 {
        Self::min_scale() * MAX_ZOOM
    }

    /// Map units → screen.
    pub fn project(&self, (mx, my): (f64, f64)) -> (f64, f64) {
        (mx * self.scale + self.tx, my * self.scale + self.ty)
    }

    /// Screen → map units.
    pub fn unproject(&self, (sx, sy): (f64, f64)) -> (f64, f64) {
        ((sx - self.tx) / self.scale, (sy - self.ty) / self.scale)
    }

    /// Zoom relative to the whole-world view (1.0 = whole world).
    pub fn zoom_level(&self) -> f64 {
        self.scale / Self::min_scale()
    }

    /// Keeps the scale in range and the world on screen: centred along an axis where it
    /// is smaller than the view, otherwise with no empty margin.
    pub fn clamped(self) -> Viewport {
        let scale = self.scale.clamp(Self::min_scale(), Self::max_scale());
        let axis = |t: f64, world: f64, view: f64| {
            let size = world * scale;
            if size <= view {
                (view - size) / 2.0
            } else {
                t.clamp(view - size, 0.0)
            }
        };
        Viewport {
            scale,
            tx: axis(self.tx, WORLD_W, VIEW_W),
            ty: axis(self.ty, WORLD_H, VIEW_H),
        }
    }

    pub fn zoom_at(&self, factor: f64, x: f64, y: f64) -> Viewport {
        let (mx, my) = self.unproject((x, y));
        let scale = (self.scale * factor).clamp(Self::min_scale(), Self::max_scale());
        Viewport {
            scale,
            tx: x - mx * scale,
            ty: y - my * scale,
        }
        .clamped()
    }

    pub fn pan(&self, dx: f64, dy: f64) -> Viewport {
        Viewport {
            tx: self.tx + dx,
            ty: self.ty + dy,
            ..*self
        }
        .clamped()
    }

    /// Fits the bounding box of `points` (map units) with a 10 % margin; the whole world
    /// when there are none.
    pub fn fit(points: &[(f64, f64)]) -> Viewport {
        let Some(&(x0, y0)) = points.first() else {
            return Viewport::default();
        };
        let (mut minx, mut miny, mut maxx, mut maxy) = (x0, y0, x0, y0);
        for &(x, y) in points {
            minx = minx.min(x);
            maxx = maxx.max(x);
            miny = miny.min(y);
            maxy = maxy.max(y);
        }
        let w = (maxx - minx).max(MIN_FIT_SPAN);
        let h = (maxy - miny).max(MIN_FIT_SPAN);
        let scale = (VIEW_W * 0.8 / w).min(VIEW_H * 0.8 / h);
        let scale = scale.clamp(Self::min_scale(), Self::max_scale());
        let (cx, cy) = ((minx + maxx) / 2.0, (miny + maxy) / 2.0);
        Viewport {
            scale,
            tx: VIEW_W / 2.0 - cx * scale,
            ty: VIEW_H / 2.0 - cy * scale,
        }
        .clamped()
    }

    pub fn apply(&self, action: ViewportAction) -> Viewport {
        match action {
            ViewportAction::ZoomAt { factor, x, y } => self.zoom_at(factor, x, y),
            ViewportAction::Zoom(factor) => self.zoom_at(factor, VIEW_W / 2.0, VIEW_H / 2.0),
            ViewportAction::Pan { dx, dy } => self.pan(dx, dy),
            ViewportAction::Fit(points) => Viewport::fit(&points),
            ViewportAction::Reset => Viewport::default(),
        }
    }
}

impl Reducible for Viewport {
    type Action = ViewportAction;

    fn reduce(self: Rc<Self>, action: ViewportAction) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_map_inverts_to_map() {
        let (x, y) = to_map(48.137, 11.575);
        let (lat, lon) = from_map(x, y);
        assert!((lat - 48.137).abs() < 1e-9 && (lon - 11.575).abs() < 1e-9);
        assert_eq!(from_map(-5.0, 400.0), (-90.0, -180.0));
    }

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6
    }

    #[test]
    fn default_shows_the_whole_world_centred_vertically() {
        let v = Viewport::default();
        assert!(close(v.project((0.0, 0.0)), (0.0, (VIEW_H - 500.0) / 2.0)));
        assert!(close(
            v.project((WORLD_W, WORLD_H)),
            (VIEW_W, (VIEW_H + 500.0) / 2.0)
        ));
        assert_eq!(v.zoom_level(), 1.0);
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let v = Viewport::default();
        let cursor = (620.0, 210.0);
        let before = v.unproject(cursor);
        let z = v.zoom_at(2.0, cursor.0, cursor.1);
        assert!((z.zoom_level() - 2.0).abs() < 1e-9);
        assert!(close(z.unproject(cursor), before));
        let z2 = z.zoom_at(1.5, 100.0, 400.0);
        assert!(close(
            z2.unproject((100.0, 400.0)),
            z.unproject((100.0, 400.0))
        ));
    }

    #[test]
    fn zoom_and_pan_are_clamped() {
        let v = Viewport::default().zoom_at(0.1, 500.0, 280.0);
        assert_eq!(v, Viewport::default(), "cannot zoom out past the world");
        let v = Viewport::default().zoom_at(1e6, 500.0, 280.0);
        assert!((v.zoom_level() - MAX_ZOOM).abs() < 1e-9);
        let v = Viewport::default().zoom_at(4.0, 500.0, 280.0);
        let far = v.pan(1e6, 1e6);
        assert_eq!((far.tx, far.ty), (0.0, 0.0), "no empty margin at top-left");
        let far = v.pan(-1e6, -1e6);
        assert!(close(far.project((WORLD_W, WORLD_H)), (VIEW_W, VIEW_H)));
        let moved = v.pan(10.0, -5.0);
        assert!(close((moved.tx, moved.ty), (v.tx + 10.0, v.ty - 5.0)));
    }

    #[test]
    fn fit_to_bounds_contains_every_point() {
        let pts = [to_map(52.52, 13.4), to_map(40.4, -3.7), to_map(59.9, 10.75)];
        let v = Viewport::fit(&pts);
        assert!(
            v.zoom_level() > 4.0,
            "Europe is zoomed in: {}",
            v.zoom_level()
        );
        for p in pts {
            let (x, y) = v.project(p);
            assert!(
                (0.0..=VIEW_W).contains(&x) && (0.0..=VIEW_H).contains(&y),
                "{x},{y}"
            );
            assert!(x > VIEW_W * 0.05 && x < VIEW_W * 0.95);
        }
        let one = Viewport::fit(&[to_map(52.52, 13.4)]);
        assert!(
            one.zoom_level() < MAX_ZOOM,
            "a single site does not zoom to the max"
        );
        assert!(close(
            one.project(to_map(52.52, 13.4)),
            (VIEW_W / 2.0, VIEW_H / 2.0)
        ));
        assert_eq!(Viewport::fit(&[]), Viewport::default());
        let world = Viewport::fit(&[to_map(60.0, -120.0), to_map(-35.0, 151.0)]);
        for p in [to_map(60.0, -120.0), to_map(-35.0, 151.0)] {
            let (x, y) = world.project(p);
            assert!((0.0..=VIEW_W).contains(&x) && (0.0..=VIEW_H).contains(&y));
        }
    }
}
