//! `outpost`: the command-line interface, a thin layer over `outpost-core`.

use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "outpost", version, about = "Run a fleet of K3s/MicroK8s edge sites")]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
