//! # lobbysim
//!
//! Monte Carlo forecasts of UN General Assembly roll-call votes under lobbying and alliance
//! effects.
//!
//! A [`scenario`] file describes the member states' base positions on a resolution (as
//! probabilities of yes / no / abstain / not voting), the blocs they belong to, the lobbying
//! campaigns aimed at them and reference figures to score the forecast against; every file is
//! read through [`input`]. The [`model`] turns each state's position into an ordered-probit
//! latent propensity shifted by [`lobbying`] and bloc discipline and correlated through global
//! and bloc shocks ([`alliance`]). The run pipeline, [`engine`], which every command that
//! simulates calls, checks a run and has [`simulate`] run seeded ballots in parallel chunks
//! with integer tallies (weighting them by [`evidence`] in the same pass); [`report`]
//! summarises them in a [`Forecast`] and renders every result kind through one trait,
//! [`report::Render`]. `docs/architecture.md` draws the whole path.
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
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod alliance;
pub mod backtest;
pub mod cpu;
pub mod engine;
pub mod error;
pub mod evidence;
pub mod exact;
pub mod ideal;
pub mod input;
pub mod limits;
pub mod lobbying;
pub mod model;
pub mod normal;
pub mod prec;
pub mod prior;
pub mod progress;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod shard;
pub mod simplex;
pub mod simulate;
pub mod stats;
pub mod synthetic;
pub mod tune;
pub mod vote;

pub use engine::{RunOptions, forecast, forecast_with_progress};
pub use error::{Error, Problem, Result};
/// Recorded roll calls (read by [`input::rollcall`]).
pub use input::rollcall;
pub use report::Forecast;
pub use scenario::Scenario;
