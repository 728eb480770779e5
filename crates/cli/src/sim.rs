//! `outpost sim`: run a fleet of simulated sites.

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SimArgs {}

pub fn run(args: SimArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("outpost sim is not implemented yet")
}
