//! `outpost site`: register, import, list and remove sites.

use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum SiteCmd {
    /// List registered sites.
    List,
}

pub fn run(cmd: SiteCmd) -> anyhow::Result<ExitCode> {
    let _ = cmd;
    anyhow::bail!("outpost site is not implemented yet")
}
