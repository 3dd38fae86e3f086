//! Tuning lobbying parameters: what-if sweeps, calibration to recorded votes, lobbying-budget
//! optimisation and per-state explanations.
//!
//! * [`path`] names every numeric scenario parameter (`campaign."US outreach".strength`,
//!   `bloc.EU.cohesion`, `state.IND.p_yes`, …) and reads or changes it on a validated
//!   [`crate::Scenario`], re-checking the changed value.
//! * [`sweep`] runs the engine over a one- or two-parameter grid with *common random numbers*
//!   (every point uses the same seed, so the same streams): curves are smooth and differences
//!   between points are not Monte Carlo noise.
//! * [`calibrate`] fits parameters to recorded roll calls by maximum likelihood of the per-state
//!   outcomes, with profile-likelihood intervals.
//! * [`optimize`] allocates a campaign's effort budget greedily, with common random numbers.
//! * [`explain`] decomposes one state's probabilities into base position, campaign shifts, bloc
//!   pulls, correlation and leader effects.
//!
//! Every result is a `Serialize` struct (the JSON layout, documented in `docs/tuning.md`) with a
//! text rendering; sweeps also render as CSV.

pub mod calibrate;
pub mod explain;
pub mod optimize;
pub mod path;
pub mod sweep;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::scenario::Scenario;

pub use path::ParamPath;

/// Output formats of the tuning commands (`csv` only for `sweep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TuneFormat {
    /// Readable text.
    Text,
    /// JSON (layout in docs/tuning.md).
    Json,
    /// Comma-separated values, one row per grid point (`sweep` only).
    Csv,
}

/// Identification of the scenario and run settings a tuning result was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// Crate version that produced the result.
    pub version: &'static str,
    /// `[scenario].name`.
    pub scenario: String,
    /// SHA-256 of the scenario file's bytes (lower-case hex).
    pub sha256: String,
    /// Master seed of every simulation in the result (common random numbers).
    pub seed: u64,
    /// Ballots per simulation.
    pub ballots: u64,
}

impl RunInfo {
    /// Run information for scenario `s` simulated with `seed` and `ballots`.
    pub fn new(s: &Scenario, seed: u64, ballots: u64) -> RunInfo {
        RunInfo {
            version: env!("CARGO_PKG_VERSION"),
            scenario: s.meta.name.clone(),
            sha256: s.sha256.clone(),
            seed,
            ballots,
        }
    }
}

/// A tuning result that renders as text and JSON.
pub trait Render: Serialize {
    /// Readable text.
    fn text(&self) -> String;

    /// Pretty-printed JSON with a trailing newline (floats in shortest round-trip form).
    fn json(&self) -> Result<String> {
        let mut s = serde_json::to_string_pretty(self).map_err(|e| Error::Output {
            what: "JSON result".into(),
            message: e.to_string(),
        })?;
        s.push('\n');
        Ok(s)
    }

    /// CSV, where the result has a tabular form.
    fn csv(&self) -> Result<String> {
        Err(Error::Refused(
            "CSV output is only available for sweep; use --format text or json".into(),
        ))
    }

    /// Renders in `format`.
    fn render(&self, format: TuneFormat) -> Result<String> {
        match format {
            TuneFormat::Text => Ok(self.text()),
            TuneFormat::Json => self.json(),
            TuneFormat::Csv => self.csv(),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;

    use crate::scenario::{self, Scenario};

    /// The shipped example scenario.
    pub fn example() -> Scenario {
        scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml"))
            .expect("example scenario loads")
    }
}
