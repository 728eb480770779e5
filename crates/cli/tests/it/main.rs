//! The integration tests of `outpost-cli` in one binary (one link instead of one per file):
//! each file is a module; run one with `cargo test -p outpost-cli --test it NAME::`.
//! Tests of the same file share their module's helpers as before.

mod common;

mod hostile_text_cli;
mod import_real;
mod offline_parity;
mod rollout_cli;
mod site_cli;
mod snapshot_baseline_cli;
mod snapshot_cli;
mod status_cli;
mod status_real;
mod upgrade_cli;
