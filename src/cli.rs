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
  lobbysim run scenarios/example.toml --ballots 1000000 --seed 42 --threads 2 --format json --output out.json
  lobbysim exact scenarios/example.toml --without-blocs --format json
  lobbysim run scenarios/example.toml --without-blocs --compare-exact";

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
    /// Exact count distributions (no simulation) for scenarios without bloc cohesion or
    /// leaders, or any scenario with --without-blocs.
    Exact(ExactArgs),
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
    /// Also solve the scenario exactly and print, on standard error, the total-variation
    /// distance between the simulated and exact yes-count distributions.
    #[arg(long)]
    pub compare_exact: bool,
}

/// `lobbysim exact`.
#[derive(Debug, Args)]
pub struct ExactArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Drop bloc cohesion and leader effects (keep discipline pulls).
    #[arg(long)]
    pub without_blocs: bool,
    /// Gauss–Hermite quadrature order over the global shock (default: adaptive, up to 400).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=lobbysim::exact::MAX_ORDER as u64))]
    pub order: Option<u64>,
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
