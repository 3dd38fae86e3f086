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
    /// Hide the progress bar (it is shown on standard error only when that is a terminal).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

const EXAMPLES: &str = "Examples:
  lobbysim validate scenarios/example.toml
  lobbysim run scenarios/example.toml
  lobbysim run scenarios/example.toml --ballots 1000000 --seed 42 --threads 2 --format json --output out.json
  lobbysim run scenarios/example.toml --format csv --output states.csv --plot yes.svg
  lobbysim run scenarios/example.toml --format md
  lobbysim plot scenarios/example.toml -o yes.svg
  lobbysim report scenarios/example.toml --seed 42 -o report.html
  lobbysim completions bash > /etc/bash_completion.d/lobbysim
  lobbysim man > lobbysim.1

Set NO_COLOR to turn off colour; --quiet hides the progress bar.";

const PLOT_EXAMPLES: &str = "Examples:
  lobbysim plot scenarios/example.toml -o yes.svg
  lobbysim plot scenarios/example.toml --ballots 200000 --seed 7 -o yes.svg";

const REPORT_EXAMPLES: &str = "Examples:
  lobbysim report scenarios/example.toml -o report.html
  lobbysim report scenarios/example.toml --seed 7 --without-blocs -o no-blocs.html";

const COMPLETIONS_EXAMPLES: &str = "Examples:
  lobbysim completions bash > ~/.local/share/bash-completion/completions/lobbysim
  lobbysim completions zsh > ~/.zfunc/_lobbysim
  lobbysim completions fish > ~/.config/fish/completions/lobbysim.fish";

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
    /// Chart the forecast distribution of the yes count as an SVG file.
    #[command(after_help = PLOT_EXAMPLES)]
    Plot(PlotArgs),
    /// Write a self-contained HTML report (summary, chart, references, every state).
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Print a shell completion script to standard output.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// Shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output.
    #[command(after_help = "Example:\n  lobbysim man > lobbysim.1 && man ./lobbysim.1")]
    Man,
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
    /// Also write the yes-distribution chart (SVG) to this file.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}

/// `lobbysim plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Simulation options (same as `run`: same seed, same numbers).
    #[command(flatten)]
    pub sim: SimArgs,
    /// SVG file to write; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// `lobbysim report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Simulation options (same as `run`: same seed, same numbers).
    #[command(flatten)]
    pub sim: SimArgs,
    /// HTML file to write; `-` or absent writes to standard output.
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
