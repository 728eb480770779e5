//! The integration tests of `outpost-testbed` in one binary (one link instead of one per file):
//! each file is a module; run one with `cargo test -p outpost-testbed --test it NAME::`.
//! Tests of the same file share their module's helpers as before.

mod kubectl_diff;
mod real_sites;
mod up_cli;
