//! `outpost status`: fleet health as a table or JSON.

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct StatusArgs {}

pub fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("outpost status is not implemented yet")
}
