//! Command-line definitions (clap). Parsing only: the work is done by the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::Format;

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
  lobbysim run scenarios/unga-es11-4-2022.toml
  lobbysim prior --members data/members.csv --rollcall data/rollcalls/ES-11-1.csv=1 --rollcall data/rollcalls/ES-11-2.csv=1 -o members.csv
  lobbysim backtest scenarios/backtest/es11-3-2022.toml --actual data/rollcalls/ES-11-3.csv --plot calibration.svg
  lobbysim run scenarios/example.toml --format csv --output states.csv --plot yes.svg
  lobbysim run scenarios/example.toml --format md
  lobbysim plot scenarios/example.toml -o yes.svg
  lobbysim report scenarios/example.toml --seed 42 -o report.html
  lobbysim completions bash > /etc/bash_completion.d/lobbysim
  lobbysim man > lobbysim.1
  lobbysim exact scenarios/example.toml --without-blocs --format json
  lobbysim run scenarios/example.toml --without-blocs --compare-exact

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
    /// Estimate base positions from recorded roll calls and write a members CSV.
    Prior(PriorArgs),
    /// Score a scenario's forecast, and naive baselines, against a recorded roll call.
    Backtest(BacktestArgs),
    /// Combine the shard files of `run --shard` (or `sweep --shard`) into the output a single
    /// run (or sweep) prints.
    Merge(MergeArgs),
    /// Exact count distributions (no simulation) for scenarios without bloc cohesion or
    /// leaders, or any scenario with --without-blocs.
    Exact(ExactArgs),
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
    /// Sweep one or two parameters over a grid (common random numbers at every point).
    Sweep(SweepArgs),
    /// Fit parameters to recorded roll calls by maximum likelihood.
    Calibrate(CalibrateArgs),
    /// Allocate a campaign's effort budget across target states (greedy, common random numbers).
    Optimize(OptimizeArgs),
    /// Show how one state's vote probabilities arise, step by step.
    Explain(ExplainArgs),
}

/// `lobbysim prior`: either `--scenario` (its `[prior]` section) or `--members` with
/// `--rollcall`s.
#[derive(Debug, Args)]
pub struct PriorArgs {
    /// Take members, roll calls, weights and strengths from this scenario's `[prior]` section.
    #[arg(long, conflicts_with_all = ["members", "rollcall"])]
    pub scenario: Option<PathBuf>,
    /// Members file with groups (`iso3,name,un_region`).
    #[arg(long, required_unless_present = "scenario")]
    pub members: Option<PathBuf>,
    /// Roll-call CSV, optionally with a weight: `FILE` or `FILE=WEIGHT` (default weight 1);
    /// repeat, oldest first.
    #[arg(long = "rollcall", value_name = "FILE[=WEIGHT]", value_parser = parse_weighted,
          required_unless_present = "scenario")]
    pub rollcall: Vec<(PathBuf, f64)>,
    /// α: pseudo-votes of the group in each state's estimate, a number > 0 or `auto`.
    #[arg(long, default_value = "auto", conflicts_with = "scenario")]
    pub strength: String,
    /// β: pseudo-votes of the Assembly in each group's estimate, a number > 0 or `auto`.
    #[arg(long, default_value = "auto", conflicts_with = "scenario")]
    pub group_strength: String,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Splits `FILE=WEIGHT` (the weight must parse as a number; otherwise the whole is a file).
fn parse_weighted(s: &str) -> Result<(PathBuf, f64), String> {
    match s.rsplit_once('=') {
        Some((file, w)) if !file.is_empty() => match w.trim().parse::<f64>() {
            Ok(w) => Ok((PathBuf::from(file), w)),
            Err(_) => Err(format!("{w:?} is not a weight (a number) in {s:?}")),
        },
        _ => Ok((PathBuf::from(s), 1.0)),
    }
}

/// `lobbysim backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Scenario file (TOML) whose forecast is scored.
    pub scenario: PathBuf,
    /// Recorded roll call to score against (`iso3,country,vote`).
    #[arg(long)]
    pub actual: PathBuf,
    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output format.
    #[arg(long, value_parser = Format::parser(Format::TEXT_JSON), default_value = "text")]
    pub format: Format,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also write the reliability diagram (SVG) of every forecaster's calibration to this file.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}

/// Most worker threads a command line may ask for.
const MAX_THREADS: u64 = 1024;

/// `--ballots`: 1 to [`lobbysim::scenario::MAX_BALLOTS`].
fn ballots() -> clap::builder::RangedU64ValueParser {
    clap::value_parser!(u64).range(1..=lobbysim::scenario::MAX_BALLOTS)
}

/// `--threads`: 1 to [`MAX_THREADS`].
fn threads() -> clap::builder::RangedU64ValueParser {
    clap::value_parser!(u64).range(1..=MAX_THREADS)
}

/// Simulation options shared by commands that run the engine.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Number of ballots (default: the scenario's `[simulation].ballots`).
    #[arg(long, value_parser = ballots())]
    pub ballots: Option<u64>,
    /// Master seed (default: the scenario's `[simulation].seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, value_parser = threads())]
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
    #[arg(long, value_parser = Format::parser(Format::FORECAST), default_value = "text")]
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
    /// Also solve the scenario exactly and print, on standard error, the total-variation
    /// distance between the simulated and exact yes-count distributions.
    #[arg(long)]
    pub compare_exact: bool,
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
    #[arg(long, value_parser = Format::parser(Format::TEXT_JSON), default_value = "text")]
    pub format: Format,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn parse_shard(s: &str) -> Result<lobbysim::shard::Shard, String> {
    lobbysim::shard::Shard::parse(s)
}

/// `lobbysim merge`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lobbysim merge shard-*.json --format json -o forecast.json
  lobbysim merge sweep-shard-*.json --format csv -o sweep.csv")]
pub struct MergeArgs {
    /// Shard files written by `run --shard i/n` or by `sweep --shard i/n` (all shards of one
    /// run or one sweep, any order; the two kinds cannot be mixed).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Scenario file (default: the path recorded in the shards); must have the same SHA-256.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Output format: text, json, csv, csv-histogram or md for run shards; text, json, csv or
    /// svg for sweep shards.
    #[arg(long, value_parser = Format::parser(Format::MERGE), default_value = "text")]
    pub format: Format,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Output options of `calibrate`, `optimize` and `explain`.
#[derive(Debug, Clone, Args)]
pub struct TuneOutput {
    /// Output format.
    #[arg(long, value_parser = Format::parser(Format::TEXT_JSON), default_value = "text")]
    pub format: Format,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// `lobbysim sweep`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lobbysim sweep scenarios/example.toml --set 'campaign.\"Northern outreach\".strength=0:2:0.25'
  lobbysim sweep scenarios/example.toml --set state.LLL.p_yes=0.2,0.4,0.6 --set bloc.\"Eastern Pact\".cohesion=0:0.8:0.4 --format csv
  lobbysim sweep scenarios/example.toml --set state.LLL.p_yes=0:1:0.1 --shard 2/4 -o sweep-2.json")]
pub struct SweepArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// PATH=START:END:STEP (or PATH=a,b,c): a parameter and its values; give one or two.
    #[arg(long = "set", value_name = "PATH=START:END:STEP", required = true)]
    pub set: Vec<String>,
    /// Simulation options (the same seed is used at every grid point).
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output format.
    #[arg(long, value_parser = Format::parser(Format::SWEEP), default_value = "text")]
    pub format: Format,
    /// Output file; `-` or absent writes to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Compute only shard i of n (1-based; contiguous blocks of grid points) and write a sweep
    /// shard file (JSON with integer tallies) for `lobbysim merge`; `--format` is then ignored.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<lobbysim::shard::Shard>,
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
    #[arg(long, value_parser = ballots())]
    pub ballots: Option<u64>,
    /// Seed of that run (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, value_parser = threads())]
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
    /// Candidates simulated per round, chosen by closed-form gain (0: simulate every
    /// candidate).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub screen: u32,
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

    #[test]
    fn weighted_rollcalls_parse() {
        assert_eq!(
            parse_weighted("a/b.csv=0.5").unwrap(),
            (PathBuf::from("a/b.csv"), 0.5)
        );
        assert_eq!(
            parse_weighted("a/b.csv").unwrap(),
            (PathBuf::from("a/b.csv"), 1.0)
        );
        assert!(parse_weighted("a.csv=heavy").is_err());
    }
}
