//! Command-line definitions (clap). Parsing only: the work is done by the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use lobbysim::report::Format;
use lobbysim::tune::TuneFormat;

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
    /// Sweep one or two parameters over a grid (common random numbers at every point).
    Sweep(SweepArgs),
    /// Fit parameters to recorded roll calls by maximum likelihood.
    Calibrate(CalibrateArgs),
    /// Allocate a campaign's effort budget across target states (greedy, common random numbers).
    Optimize(OptimizeArgs),
    /// Show how one state's vote probabilities arise, step by step.
    Explain(ExplainArgs),
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
}

/// Output options of the tuning commands.
#[derive(Debug, Clone, Args)]
pub struct TuneOutput {
    /// Output format (`csv` only for sweep).
    #[arg(long, value_enum, default_value_t = TuneFormat::Text)]
    pub format: TuneFormat,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// `lobbysim sweep`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lobbysim sweep scenarios/example.toml --set 'campaign.\"Northern outreach\".strength=0:2:0.25'
  lobbysim sweep scenarios/example.toml --set state.LLL.p_yes=0.2,0.4,0.6 --set bloc.\"Eastern Pact\".cohesion=0:0.8:0.4 --format csv")]
pub struct SweepArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// PATH=START:END:STEP (or PATH=a,b,c): a parameter and its values; give one or two.
    #[arg(long = "set", value_name = "PATH=START:END:STEP", required = true)]
    pub set: Vec<String>,
    /// Simulation options (the same seed is used at every grid point).
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output options.
    #[command(flatten)]
    pub out: TuneOutput,
}

/// `lobbysim calibrate`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  lobbysim calibrate scenarios/example.toml --against past-vote.csv --fit 'campaign.\"Northern outreach\".strength'")]
pub struct CalibrateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Recorded roll call (CSV iso3,country,vote); repeat for several.
    #[arg(long, value_name = "ROLLCALL.csv", required = true)]
    pub against: Vec<PathBuf>,
    /// Parameter path to fit; repeat for several.
    #[arg(long, value_name = "PATH", required = true)]
    pub fit: Vec<String>,
    /// Ballots of the engine run for states swayed by a leader (default 20000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000_000))]
    pub ballots: Option<u64>,
    /// Seed of that run (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Output options (text or json).
    #[command(flatten)]
    pub out: TuneOutput,
}

/// `lobbysim optimize`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  lobbysim optimize scenarios/example.toml --campaign 'Northern outreach' --budget 4 --objective 'P(yes>=8)'")]
pub struct OptimizeArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Name of the campaign whose effort is allocated.
    #[arg(long)]
    pub campaign: String,
    /// Total effort to allocate (saturation units, > 0).
    #[arg(long)]
    pub budget: f64,
    /// What to maximise: `P(<claim>)` such as `P(yes>=110)`, or `E[yes]` (also no, abstain,
    /// absent).
    #[arg(long, default_value = "E[yes]")]
    pub objective: String,
    /// Number of equal effort increments the budget is split into.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub steps: u32,
    /// Candidate target states (comma-separated iso3; default: every state with susceptibility
    /// > 0 not yet near-certain to vote the campaign's way).
    #[arg(long, value_delimiter = ',')]
    pub candidates: Option<Vec<String>>,
    /// Add the budget to the campaign's existing targets instead of replacing them.
    #[arg(long)]
    pub keep_targets: bool,
    /// Simulation options (every plan is evaluated with the same seed).
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output options (text or json).
    #[command(flatten)]
    pub out: TuneOutput,
}

/// `lobbysim explain`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  lobbysim explain scenarios/example.toml EEE")]
pub struct ExplainArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// ISO 3166-1 alpha-3 code of the state to explain.
    pub iso3: String,
    /// Simulation options (used only for a state swayed by a leader).
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output options (text or json).
    #[command(flatten)]
    pub out: TuneOutput,
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
