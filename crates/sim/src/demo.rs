//! Fleet presets: the twelve-site demo fleet and generated fleets of any size.

use crate::spec::SiteSpec;

/// The built-in demo fleet (see PRODUCT.md "The demo fleet").
pub fn demo_fleet() -> Vec<SiteSpec> {
    // Stub until the world lands.
    Vec::new()
}

/// `n` plausible sites for tests and benchmarks, deterministic for `seed`.
pub fn generated_fleet(n: usize, seed: u64) -> Vec<SiteSpec> {
    let _ = (n, seed);
    Vec::new()
}
