//! Groups markers that would overlap on screen at the current zoom.

use outpost_ipc::HealthLevel;

/// Screen distance (logical SVG px) under which two sites merge into one cluster.
pub const CLUSTER_RADIUS: f64 = 22.0;

/// A marker to place: a site's name, screen position and level.
#[derive(Debug, Clone, PartialEq)]
pub struct Point<'a> {
    pub name: &'a str,
    pub x: f64,
    pub y: f64,
    pub level: HealthLevel,
}

/// One or more sites drawn as one marker.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster<'a> {
    /// Mean screen position of the members.
    pub x: f64,
    pub y: f64,
    /// Site names, worst level first, then by name.
    pub members: Vec<&'a str>,
    /// The worst level among the members (critical > warning > unknown > ok).
    pub worst: HealthLevel,
}

/// Greedy clustering by screen distance, deterministic: the worst sites seed clusters
/// first, so a critical site is never hidden inside a cluster drawn at an ok site's spot.
/// A point joins the first cluster whose seed is within `radius`.
pub fn cluster<'a>(points: &[Point<'a>], radius: f64) -> Vec<Cluster<'a>> {
    let mut order: Vec<&Point<'a>> = points.iter().collect();
    order.sort_by(|a, b| {
        b.level
            .severity()
            .cmp(&a.level.severity())
            .then(a.name.cmp(b.name))
    });
    // (seed x, seed y, sum x, sum y, cluster)
    let mut out: Vec<(f64, f64, f64, f64, Cluster<'a>)> = Vec::new();
    let r2 = radius * radius;
    for p in order {
        let near = out
            .iter_mut()
            .find(|(sx, sy, ..)| (p.x - sx).powi(2) + (p.y - sy).powi(2) <= r2);
        match near {
            Some((_, _, sum_x, sum_y, c)) => {
                *sum_x += p.x;
                *sum_y += p.y;
                c.members.push(p.name);
                let n = c.members.len() as f64;
                c.x = *sum_x / n;
                c.y = *sum_y / n;
            }
            None => out.push((
                p.x,
                p.y,
                p.x,
                p.y,
                Cluster {
                    x: p.x,
                    y: p.y,
                    members: vec![p.name],
                    worst: p.level,
                },
            )),
        }
    }
    out.into_iter().map(|(.., c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixtures::demo_fleet;
    use crate::state::viewport::{Viewport, to_map};
    use HealthLevel::*;

    fn p(name: &str, x: f64, y: f64, level: HealthLevel) -> Point<'_> {
        Point { name, x, y, level }
    }

    #[test]
    fn near_points_merge_with_worst_level_and_far_ones_stay_apart() {
        let pts = [
            p("a", 100.0, 100.0, Ok),
            p("b", 110.0, 105.0, Critical),
            p("c", 300.0, 300.0, Warning),
            p("d", 104.0, 96.0, Unknown),
        ];
        let cs = cluster(&pts, CLUSTER_RADIUS);
        assert_eq!(cs.len(), 2);
        let big = cs.iter().find(|c| c.members.len() == 3).unwrap();
        assert_eq!(big.worst, Critical);
        assert_eq!(big.members, ["b", "d", "a"], "worst first");
        assert!((big.x - (100.0 + 110.0 + 104.0) / 3.0).abs() < 1e-9);
        let lone = cs.iter().find(|c| c.members == ["c"]).unwrap();
        assert_eq!((lone.x, lone.y, lone.worst), (300.0, 300.0, Warning));
        assert!(cluster(&[], CLUSTER_RADIUS).is_empty());
    }

    #[test]
    fn demo_fleet_clusters_at_world_zoom_and_splits_when_zoomed_in() {
        let fleet = demo_fleet();
        let points = |v: &Viewport| -> Vec<(String, f64, f64, HealthLevel)> {
            fleet
                .iter()
                .filter_map(|s| {
                    let (lat, lon) = s.position()?;
                    let (x, y) = v.project(to_map(lat, lon));
                    Some((s.name.clone(), x, y, s.level))
                })
                .collect()
        };
        let count = |v: &Viewport| {
            let pts = points(v);
            let pts: Vec<Point<'_>> = pts.iter().map(|(n, x, y, l)| p(n, *x, *y, *l)).collect();
            let cs = cluster(&pts, CLUSTER_RADIUS);
            let total: usize = cs.iter().map(|c| c.members.len()).sum();
            assert_eq!(total, fleet.len(), "every site is in exactly one cluster");
            (
                cs.len(),
                cs.iter()
                    .any(|c| c.members.len() > 1 && c.worst == Critical),
            )
        };
        let (world, critical_merged) = count(&Viewport::default());
        assert!(world < fleet.len(), "European sites merge at world zoom");
        assert!(
            critical_merged,
            "Munich's critical level colours its cluster"
        );
        let europe: Vec<_> = fleet
            .iter()
            .filter(|s| s.tags.iter().any(|t| t == "eu"))
            .filter_map(|s| s.position())
            .map(|(lat, lon)| to_map(lat, lon))
            .collect();
        let zoomed = Viewport::fit(&europe).zoom_at(4.0, 500.0, 280.0);
        assert!(count(&zoomed).0 > world);
    }
}
