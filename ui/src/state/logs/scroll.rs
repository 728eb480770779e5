//! Virtual scrolling with a fixed row height: which rows to render and how tall the
//! spacers around them are. Lists taller than [`MAX_PX`] map the scroll position
//! proportionally, so a million rows stay within what the webview can lay out.

/// Height of one row, in CSS pixels (the stylesheet uses the same value).
pub const ROW_HEIGHT: f64 = 18.0;
/// Rows rendered above and below the viewport.
pub const OVERSCAN: u64 = 10;
/// Tallest list, in pixels.
pub const MAX_PX: f64 = 8_000_000.0;

/// Rows `start..end` are rendered between spacers of `top_px` and `bottom_px`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub start: u64,
    pub end: u64,
    pub top_px: f64,
    pub bottom_px: f64,
    /// Height of the whole list (spacers + rows).
    pub height_px: f64,
}

pub fn list_height(total: u64) -> f64 {
    (total as f64 * ROW_HEIGHT).min(MAX_PX)
}

fn scaled(total: u64) -> bool {
    total as f64 * ROW_HEIGHT > MAX_PX
}

/// The rows to render for a scroll position (`autoscroll`: pinned to the bottom).
pub fn visible(total: u64, scroll_top: f64, viewport: f64, autoscroll: bool) -> Range {
    let height = list_height(total);
    let viewport = viewport.max(ROW_HEIGHT);
    let in_view = (viewport / ROW_HEIGHT).ceil() as u64 + 1;
    let max_scroll = (height - viewport).max(0.0);
    let top = if autoscroll {
        max_scroll
    } else {
        scroll_top.clamp(0.0, max_scroll)
    };
    let first = if !scaled(total) {
        (top / ROW_HEIGHT).floor() as u64
    } else if max_scroll > 0.0 {
        ((top / max_scroll) * total.saturating_sub(in_view) as f64).floor() as u64
    } else {
        0
    };
    let first = first.min(total);
    let start = first.saturating_sub(OVERSCAN);
    let end = (first + in_view + OVERSCAN).min(total);
    let top_px = if scaled(total) {
        (top - (first - start) as f64 * ROW_HEIGHT).max(0.0)
    } else {
        start as f64 * ROW_HEIGHT
    };
    let block = (end - start) as f64 * ROW_HEIGHT;
    Range {
        start,
        end,
        top_px,
        bottom_px: (height - top_px - block).max(0.0),
        height_px: height,
    }
}

/// Whether the view shows the last row (then new rows keep it pinned there).
pub fn at_bottom(total: u64, scroll_top: f64, viewport: f64) -> bool {
    scroll_top + viewport >= list_height(total) - ROW_HEIGHT / 2.0
}
