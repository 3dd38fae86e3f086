//! Error types of the library boundary.
//!
//! [`Error`] is the one error type of the crate. Every error a user can cause says where it
//! comes from: a [`Problem`] names the file it was found in and, where known, the line and the
//! field or state at fault; an [`Error::Argument`] names the command-line flag or argument; the
//! other variants are typed refusals a caller can match (a run too large for memory, a
//! scenario with no exact solution, shards that do not belong together, a grid or a fit that
//! cannot be done), each with the values that explain it.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a user's input file: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File the problem was found in (a scenario, members CSV, roll call, shard file, …). Always
    /// a real file: problems with command-line values are [`Error::Argument`]s.
    pub file: PathBuf,
    /// 1-based line number in `file`, where known.
    pub line: Option<usize>,
    /// The field, table or state at fault, e.g. `[[state]] FRA: p_yes` or `[simulation].ballots`.
    pub field: String,
    /// What is wrong and, where useful, what is expected instead.
    pub message: String,
}

impl Problem {
    /// A problem at a known (or unknown) line of `file` about `field`.
    pub fn new(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            line,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write_field_message(f, &self.field, &self.message)
    }
}

/// `: field: message`, or `: message` when `field` is empty.
fn write_field_message(f: &mut fmt::Formatter<'_>, field: &str, message: &str) -> fmt::Result {
    if field.is_empty() {
        write!(f, ": {message}")
    } else {
        write!(f, ": {field}: {message}")
    }
}

/// The error type of the `lobbysim` library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// One or more problems in user input files (scenario, CSV, roll call, shard file).
    /// `validate` reports all of them at once.
    #[error("{}", format_problems(.0))]
    Invalid(Vec<Problem>),
    /// A command-line value the command or the scenario does not accept: an unknown parameter
    /// path given to `--set`, a campaign name, a budget out of range, an unknown ISO3 code, …
    #[error("{}", Argument { flag, value, message })]
    Argument {
        /// The flag or argument, e.g. `--set`, `--candidates`, `ISO3`.
        flag: String,
        /// The value at fault as the user wrote it, or the part of it at fault (may be empty).
        value: String,
        /// What is wrong and, where useful, what is expected instead.
        message: String,
    },
    /// A value a scenario parameter cannot take, set through a parameter path (see
    /// [`crate::scenario::param`]): out of the range the scenario validator enforces, or a base
    /// probability that cannot be rescaled.
    #[error("{path}: {message}")]
    Parameter {
        /// The parameter path, canonical spelling (e.g. `bloc.EU.cohesion`).
        path: String,
        /// What is wrong, e.g. `must be in [0, 1), got 1`.
        message: String,
    },
    /// Run settings out of range: the number of ballots of a run.
    #[error("ballots must be between 1 and {max}, got {ballots}")]
    Ballots {
        /// Ballots asked for.
        ballots: u64,
        /// Largest accepted number of ballots.
        max: u64,
    },
    /// A run asked for zero worker threads.
    #[error("threads must be at least 1")]
    ZeroThreads,
    /// The pool of worker threads could not be started.
    #[error("could not start {threads} threads: {message}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// The operating system's (rayon's) message.
        message: String,
    },
    /// A run whose estimated memory exceeds the limit ([`crate::limits::MAX_RUN_MEMORY`]).
    #[error(
        "this run would need about {:.1} GiB of memory ({states} states on {threads} threads); \
         the limit is {} GiB: use fewer threads (--threads) or fewer states",
        *bytes as f64 / (1u64 << 30) as f64,
        limit >> 30
    )]
    Memory {
        /// Estimated peak memory, in bytes.
        bytes: u64,
        /// Member states of the run.
        states: usize,
        /// Worker threads of the run.
        threads: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// An exact solution that cannot be computed (see [`crate::exact`]).
    #[error(transparent)]
    Exact(#[from] ExactError),
    /// Shard files that cannot be merged, or a scenario that does not match them (see
    /// [`crate::shard`]).
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// A sweep, calibration or optimisation that cannot be done as asked (see [`crate::tune`]).
    #[error(transparent)]
    Tune(#[from] TuneError),
    /// An output could not be serialised.
    #[error("could not write {what}: {message}")]
    Output {
        /// What was being written (e.g. "JSON report").
        what: String,
        /// The underlying message.
        message: String,
    },
}

/// The parts of an [`Error::Argument`], displayed as `flag: value: message` (without the
/// value when it is empty).
struct Argument<'a> {
    flag: &'a str,
    value: &'a str,
    message: &'a str,
}

impl fmt::Display for Argument<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flag)?;
        write_field_message(f, self.value, self.message)
    }
}

/// Why a scenario cannot be solved exactly, or the quadrature cannot be set up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExactError {
    /// A Gauss–Hermite order outside `1..=max`.
    #[error("Gauss–Hermite order must be between 1 and {max}, got {order}")]
    Order {
        /// Order asked for.
        order: usize,
        /// Largest supported order.
        max: usize,
    },
    /// The Gauss–Hermite nodes could not be separated.
    #[error("Gauss–Hermite order {order}: root finding failed (nodes not distinct)")]
    RootFinding {
        /// Order asked for.
        order: usize,
    },
    /// States are not independent given the global shock (bloc cohesion or leaders).
    #[error(
        "{}: no exact solution: states are not independent given the global shock ({}); rerun \
         with --without-blocs to drop bloc cohesion and leaders (discipline pulls are kept)",
        file.display(),
        reasons.join("; ")
    )]
    NotIndependent {
        /// The scenario file.
        file: PathBuf,
        /// What links the states, e.g. `bloc cohesion > 0 in "EU"`.
        reasons: Vec<String>,
    },
    /// Too many states for the joint (yes, no) convolution.
    #[error(
        "{}: {states} states; exact distributions are computed for at most {max} (the joint \
         convolution costs n³/6 per quadrature node)",
        file.display()
    )]
    TooManyStates {
        /// The scenario file.
        file: PathBuf,
        /// Member states of the scenario.
        states: usize,
        /// Largest supported number of states.
        max: usize,
    },
    /// The global correlation leaves a state no idiosyncratic variance.
    #[error(
        "{}: no exact solution: [model].global_correlation leaves no idiosyncratic variance",
        file.display()
    )]
    NoIdiosyncraticVariance {
        /// The scenario file.
        file: PathBuf,
    },
}

/// Why shard files cannot be merged, or cannot be rebuilt into a forecast with a scenario.
/// (Problems inside one shard file — a header that differs from the first shard's, a tally of
/// the wrong size — are [`Error::Invalid`] problems naming the file and the field.)
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// No shard file was given.
    #[error("merge needs at least one shard file")]
    NoShards,
    /// Some shards of the job are missing.
    #[error(
        "missing shard(s): {} (every {unit} must be covered exactly once)",
        missing.join(", ")
    )]
    Missing {
        /// The missing shards, as `i/n`.
        missing: Vec<String>,
        /// What the shards split: `chunk` (runs) or `grid point` (sweeps).
        unit: &'static str,
    },
    /// Run and sweep shards were given together.
    #[error(
        "cannot merge shards of different kinds: {} is a shard of `lobbysim {first_command}`, {} \
         of `lobbysim {other_command}`",
        first.display(),
        other.display()
    )]
    MixedKinds {
        /// The first shard file.
        first: PathBuf,
        /// The command that wrote it (`run` or `sweep`).
        first_command: &'static str,
        /// A shard file of the other kind.
        other: PathBuf,
        /// The command that wrote that one.
        other_command: &'static str,
    },
    /// The scenario is not the file the shards were made from.
    #[error(
        "{} has SHA-256 {actual}, but the shards were made from a file with SHA-256 {expected}",
        file.display()
    )]
    ScenarioChanged {
        /// The scenario file given.
        file: PathBuf,
        /// Its SHA-256.
        actual: String,
        /// The SHA-256 recorded in the shards.
        expected: String,
    },
    /// The shards used another generator than the scenario names.
    #[error("the shards used generator {shards}, the scenario {scenario}")]
    Generator {
        /// Generator recorded in the shards.
        shards: String,
        /// Generator of the scenario.
        scenario: String,
    },
    /// The sweep shards' grid does not match the grid `--set` gives on the scenario.
    #[error(
        "the shards hold {held} of {points} grid points, but --set {set:?} gives {grid} on this \
         scenario"
    )]
    Grid {
        /// Grid points whose tallies the shards hold.
        held: usize,
        /// Grid points recorded in the shards.
        points: u64,
        /// The `--set` arguments recorded in the shards.
        set: Vec<String>,
        /// Grid points those arguments give on the scenario.
        grid: usize,
    },
    /// The shards' tallies and the scenario have different numbers of states.
    #[error("shards and scenario disagree on the number of states")]
    States {
        /// States in the shards' tallies.
        shards: usize,
        /// States of the scenario.
        scenario: usize,
    },
    /// The scenario has evidence but the shards carry no evidence tallies.
    #[error(
        "{} has [[evidence]] but the shards carry no evidence tallies, so the conditioned \
         forecast cannot be rebuilt; re-run the shards with this version",
        file.display()
    )]
    EvidenceMissing {
        /// The scenario file.
        file: PathBuf,
    },
    /// The shards carry evidence tallies but the scenario has no evidence.
    #[error("the shards carry evidence tallies but {} has no [[evidence]]", file.display())]
    EvidenceUnexpected {
        /// The scenario file.
        file: PathBuf,
    },
    /// The shards' evidence tallies leave a chunk of the run uncovered.
    #[error("the evidence tallies of the shards do not cover every chunk of the run")]
    EvidenceGap,
    /// A run of zero chunks.
    #[error("a run has at least one chunk")]
    NoChunks,
}

/// Why a sweep, calibration or optimisation cannot be done as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TuneError {
    /// A sweep with no axis or more than two.
    #[error("a sweep takes one or two --set axes, got {0}")]
    Axes(usize),
    /// The same parameter on both axes.
    #[error("{0} is swept twice; give two different parameters")]
    SweptTwice(String),
    /// More grid points than a sweep accepts.
    #[error("the grid has {points} points; at most {max}")]
    GridPoints {
        /// Points of the grid.
        points: usize,
        /// Largest accepted number of points.
        max: usize,
    },
    /// More ballots in total than a sweep accepts.
    #[error(
        "{points} points × {ballots} ballots exceeds {max} ballots in total; use fewer points or \
         --ballots"
    )]
    GridBallots {
        /// Points of the grid.
        points: usize,
        /// Ballots per point.
        ballots: u64,
        /// Largest accepted total.
        max: u64,
    },
    /// A campaign of strength 0: no allocation of effort changes a vote.
    #[error("campaign {0:?} has strength 0: no allocation of effort changes any vote")]
    ZeroStrength(String),
    /// Every state is already near-certain to vote the campaign's way.
    #[error(
        "no candidate states: every state with susceptibility > 0 is already near-certain \
         (≥ {near_certain}) to vote {direction}; name candidates with --candidates"
    )]
    NoCandidates {
        /// The probability above which a state is not a default candidate.
        near_certain: f64,
        /// The campaign's direction (`yes`, `no`, `abstain`).
        direction: &'static str,
    },
    /// No parameter to fit.
    #[error("give at least one --fit PATH")]
    NoFit,
    /// No roll call to fit against.
    #[error("give at least one --against ROLLCALL.csv")]
    NoRollCalls,
    /// The same parameter given twice to fit.
    #[error("{0} is given twice to --fit")]
    FitTwice(String),
    /// A parameter that shapes only correlation, to which the per-state likelihood is flat.
    #[error(
        "{0} cannot be fitted: it shapes only how votes move together and never changes any \
         state's probabilities, so the per-state likelihood of recorded votes is flat in it. \
         Identifying it would need the joint likelihood of whole vote vectors across several \
         roll calls, which lobbysim does not compute yet; set it by judgement or compare count \
         spreads with `lobbysim sweep`."
    )]
    CorrelationOnly(String),
    /// A parameter that does not move any state's probabilities in this scenario.
    #[error(
        "{0} does not change any state's probabilities in this scenario (e.g. a campaign \
         without targets, or a state with susceptibility 0), so the roll calls cannot identify it"
    )]
    Unidentified(String),
    /// Fitting against a roll call the scenario's base positions were estimated from.
    #[error(
        "{} is one of the roll calls the scenario's base positions were estimated from ({}): \
         fitting against it would count the same votes twice. Calibrate against other roll \
         calls (leave-one-out is not implemented yet).",
        rollcall.display(),
        scenario.display()
    )]
    Circular {
        /// The roll call given.
        rollcall: PathBuf,
        /// The scenario file.
        scenario: PathBuf,
    },
    /// The optimiser failed.
    #[error("optimiser failed: {0}")]
    Optimiser(String),
}

impl Error {
    /// A single-problem [`Error::Invalid`].
    pub fn invalid(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Invalid(vec![Problem::new(file, line, field, message)])
    }

    /// An [`Error::Argument`] about `flag` (and the part `value` of what was given).
    pub fn argument(
        flag: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Argument {
            flag: flag.into(),
            value: value.into(),
            message: message.into(),
        }
    }

    /// The problems carried by an [`Error::Invalid`] (empty for other kinds).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(p) => p,
            _ => &[],
        }
    }
}

fn format_problems(problems: &[Problem]) -> String {
    match problems {
        [one] => one.to_string(),
        many => {
            let mut s = format!("{} problems found:", many.len());
            for p in many {
                s.push_str("\n  ");
                s.push_str(&p.to_string());
            }
            s
        }
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_display_names_file_line_and_field() {
        let p = Problem::new(
            "s.toml",
            Some(12),
            "[[state]] FRA: p_yes",
            "must be in [0, 1]",
        );
        assert_eq!(
            p.to_string(),
            "s.toml:12: [[state]] FRA: p_yes: must be in [0, 1]"
        );
    }

    #[test]
    fn several_problems_are_listed() {
        let e = Error::Invalid(vec![
            Problem::new("a.toml", None, "x", "bad"),
            Problem::new("a.toml", Some(3), "y", "worse"),
        ]);
        let s = e.to_string();
        assert!(s.starts_with("2 problems found:"), "{s}");
        assert!(s.contains("a.toml:3: y: worse"));
    }

    #[test]
    fn arguments_name_the_flag_and_value() {
        let e = Error::argument("--set", "bloc.EU.cohesion", "unknown bloc \"EU\"");
        assert_eq!(
            e.to_string(),
            "--set: bloc.EU.cohesion: unknown bloc \"EU\""
        );
        assert!(e.problems().is_empty());
        let e = Error::argument("--candidates", "", "no candidate states");
        assert_eq!(e.to_string(), "--candidates: no candidate states");
    }

    #[test]
    fn typed_refusals_keep_their_values() {
        let e = Error::Memory {
            bytes: 3 << 30,
            states: 17_000,
            threads: 1024,
            limit: 8 << 30,
        };
        assert_eq!(
            e.to_string(),
            "this run would need about 3.0 GiB of memory (17000 states on 1024 threads); the \
             limit is 8 GiB: use fewer threads (--threads) or fewer states"
        );
        let e: Error = MergeError::Missing {
            missing: vec!["2/3".into()],
            unit: "chunk",
        }
        .into();
        assert!(matches!(e, Error::Merge(MergeError::Missing { .. })));
        assert_eq!(
            e.to_string(),
            "missing shard(s): 2/3 (every chunk must be covered exactly once)"
        );
    }
}
