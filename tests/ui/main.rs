//! The integration tests of `outpost-desktop` in one binary (one link instead of one per file):
//! each file is a module; run one with `cargo test -p outpost-desktop --test ui NAME::`.
//! Tests of the same file share their module's helpers as before.

mod support;

mod ui_demo;
mod ui_drop;
mod ui_import;
mod ui_logs;
mod ui_offline;
mod ui_quit;
mod ui_reconnect;
mod ui_rollout;
mod ui_smoke;
mod ui_upgrade;
