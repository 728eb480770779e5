//! The integration tests of `outpost-sim` in one binary (one link instead of one per file):
//! each file is a module; run one with `cargo test -p outpost-sim --test it NAME::`.
//! Tests of the same file share their module's helpers as before.

mod common;

mod control;
mod kube_client;
mod kubectl;
mod kubectl_world;
mod python;
mod warmup;
