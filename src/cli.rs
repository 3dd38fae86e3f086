//! Command-line definitions (clap). Parsing only: the work is done by the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use lobbysim::report::Format;

/// Forecast UN General Assembly roll-call votes under lobbying and alliance effects.
#[derive(Debug, Parser)]
#[command(name = "lobbysim", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "Examples:
  lobbysim validate scenarios/example.toml
  lobbysim run scenarios/example.toml
  lobbysim run scenarios/example.toml --ballots 1000000 --seed 42 --threads 2 --format json --output out.json";

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a scenario file and report every problem found.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Forecast a vote: simulate ballots and summarise them.
    Run(RunArgs),
    /// Combine the shard files of `run --shard` into the forecast a single run prints.
    Merge(MergeArgs),
}

/// Simulation options shared by commands that run the engine.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Number of ballots (default: the scenario's `[simulation].ballots`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000_000))]
    pub ballots: Option<u64>,
    /// Master seed (default: the scenario's `[simulation].seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Drop bloc cohesion and leader effects (keep discipline pulls).
    #[arg(long)]
    pub without_blocs: bool,
}

/// `lobbysim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Compute only shard i of n (1-based; contiguous chunk ranges) and write a shard file
    /// (JSON with integer tallies) for `lobbysim merge`; `--format` is then ignored.
    #[arg(long, value_name = "I/N", value_parser = parse_shard, conflicts_with = "precision")]
    pub shard: Option<lobbysim::shard::Shard>,
    /// Keep adding ballots until the Monte Carlo standard error of P(adoption) and of every
    /// reference probability is below P (e.g. 0.001); `--ballots` then caps the ballots.
    #[arg(long, value_name = "P")]
    pub precision: Option<f64>,
}

fn parse_shard(s: &str) -> Result<lobbysim::shard::Shard, String> {
    lobbysim::shard::Shard::parse(s)
}

/// `lobbysim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard files written by `run --shard i/n` (all shards of one run, any order).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Scenario file (default: the path recorded in the shards); must have the same SHA-256.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
