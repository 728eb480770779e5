//! The integration tests of `outpost-core` in one binary (one link instead of one per file):
//! each file is a module; run one with `cargo test -p outpost-core --test it NAME::`.
//! Tests that measure the whole process (peak memory) keep binaries of their own.

// `site_support` is shared with the `hostile_site` binary and brings its own copy of
// `rollout_support` (as `site_support::rollout`), so that file is loaded twice here.
#![allow(clippy::duplicate_mod)]

mod health_support;
mod logs_support;
mod rollout_support;
#[path = "../site_support/mod.rs"]
mod site_support;

mod actions_real;
mod bundle_sim;
mod health_faults;
mod health_live;
mod health_real;
mod health_reconnect;
mod keyring_batch;
mod keyring_keyutils;
mod keyring_secret_service;
mod logs_faults;
mod logs_hostile;
mod logs_stream;
mod rollout_actions;
mod rollout_budget;
mod rollout_canary;
mod rollout_offline;
mod secret_scan;
mod session_follow;
mod session_runs;
mod upgrade_k3s;
mod watch_blackhole;
