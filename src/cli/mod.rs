//! Subcommands, one file each, and what they share.

mod bench;
mod fit;
mod load;
mod options;
mod output;
mod progress;

use clap::{Parser, Subcommand};

/// Readable topics from a pile of text: Lee & Seung's non-negative matrix factorisation (KL).
#[derive(Parser, Debug)]
#[command(name = "nmf-topics", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Fit(fit::FitArgs),
    Bench(bench::BenchArgs),
}

/// Parses the command line and runs the subcommand.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Fit(args) => fit::run(args),
        Command::Bench(args) => bench::run(args),
    }
}
