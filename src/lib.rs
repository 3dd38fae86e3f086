//! # lobbysim
//!
//! Monte Carlo forecasts of UN General Assembly roll-call votes under lobbying and alliance
//! effects.
//!
//! A [`scenario`] file describes the member states' base positions on a resolution (as
//! probabilities of yes / no / abstain / not voting), the blocs they belong to, the lobbying
//! campaigns aimed at them and reference figures to score the forecast against. The [`model`]
//! turns each state's position into an ordered-probit latent propensity shifted by
//! [`lobbying`] and bloc discipline and correlated through global and bloc shocks
//! ([`alliance`]). [`simulate`] runs seeded ballots in parallel chunks with integer tallies;
//! [`report`] summarises them (count distributions, adoption, references, per-state results).
//!
//! Determinism is a contract: the same scenario, seed and version give byte-identical output
//! whatever the thread count.
//!
//! ```no_run
//! use lobbysim::{scenario, forecast, RunOptions};
//! let s = scenario::load(std::path::Path::new("scenarios/example.toml"))?;
//! let f = forecast(&s, &RunOptions::default())?;
//! println!("P(adopted) = {}", f.adoption.probability);
//! # Ok::<(), lobbysim::Error>(())
//! ```

#![deny(missing_docs)]

pub mod alliance;
pub mod backtest;
pub mod error;
pub mod evidence;
pub mod exact;
pub mod ideal;
pub mod limits;
pub mod lobbying;
pub mod model;
pub mod normal;
pub mod prior;
pub mod progress;
pub mod report;
pub mod rng;
pub mod rollcall;
pub mod scenario;
pub mod shard;
pub mod simulate;
pub mod stats;
pub mod synthetic;
pub mod tune;
pub mod vote;

pub use error::{Error, Problem, Result};
pub use report::Forecast;
pub use scenario::Scenario;

use model::{CompileOptions, Model};
use simulate::RunConfig;

/// Overrides of a scenario's simulation settings for one run (all optional).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Ballots instead of `[simulation].ballots`.
    pub ballots: Option<u64>,
    /// Seed instead of `[simulation].seed`.
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Never changes results.
    pub threads: Option<usize>,
    /// Drop bloc cohesion and leaders, keeping discipline pulls.
    pub without_blocs: bool,
}

impl RunOptions {
    /// The run configuration for `s` with these overrides.
    pub fn config(&self, s: &Scenario) -> RunConfig {
        RunConfig {
            ballots: self.ballots.unwrap_or(s.simulation.ballots),
            seed: self.seed.unwrap_or(s.simulation.seed),
            rng: s.simulation.rng,
            threads: self.threads,
        }
    }

    /// Compile options implied by these run options.
    pub fn compile(&self) -> CompileOptions {
        CompileOptions {
            without_blocs: self.without_blocs,
        }
    }
}

/// Compiles and simulates a scenario and summarises the result.
pub fn forecast(s: &Scenario, opts: &RunOptions) -> Result<Forecast> {
    forecast_with_progress(s, opts, &|_| {})
}

/// As [`forecast`], calling `progress(ballots)` after each simulated chunk (from worker
/// threads, in no particular order) — e.g. to advance a [`progress::Progress`] bar. The
/// callback cannot change the results: they are identical to [`forecast`]'s.
pub fn forecast_with_progress(
    s: &Scenario,
    opts: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Forecast> {
    let cfg = opts.config(s);
    let model = Model::with_options(s, opts.compile());
    limits::check_run_memory(&model, &cfg)?;
    let tally = simulate::simulate_chunks_with_progress(&model, &cfg, 0..cfg.chunks(), progress)?;
    let mut f = Forecast::new(s, &cfg, &tally, opts.without_blocs);
    f.conditioned = evidence::conditioned(s, &model, &cfg)?;
    Ok(f)
}
