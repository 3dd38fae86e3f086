//! Priors from the General Assembly's voting history: a dynamic, multidimensional, ordinal
//! ideal-point model with a sub-model for not voting, fitted by maximum a posteriori, and the
//! forecasts built on it (see `docs/ideal.md`).
//!
//! * Data: [`history`] reads and validates `rollcalls.csv` / `votes.csv` (`data/unga/`) into a
//!   [`History`]; [`date`] maps dates to session years; [`iso3`] holds state codes.
//! * Model and fit: [`model`] states the model and its [`FitOptions`]; [`design`] indexes the
//!   observations; [`objective`] computes the log posterior and its analytic gradient
//!   (bit-identical on any thread count); [`init`], [`precondition`], [`lbfgs`] and
//!   [`mod@fit`] drive the maximum-a-posteriori fit; [`mod@file`] is the model file
//!   ([`IdealModel`]); [`probit`], [`portable`] and [`linalg`] are its numerics.
//! * Use: [`predict`] gives each state's four probabilities for a new vote like earlier ones
//!   ([`prior`]); [`validate`] runs the forecaster's protocol (fit on the past, score a later
//!   session beside the naive rules, nested tuning) with [`score`]'s metrics; [`rolling`]
//!   backtests single roll calls and forecasts votes outside the history; [`cohesion`]
//!   measures blocs' residual correlation; [`positions`] lists and draws positions.
//! * [`synthetic`] simulates histories from known parameters (tests, benchmarks).
//!
//! Errors are [`IdealError`]s naming the file, line and field at fault.

pub mod cohesion;
pub mod date;
pub mod design;
pub mod error;
pub mod file;
pub mod fit;
pub mod history;
pub mod init;
pub mod iso3;
pub mod lbfgs;
pub mod linalg;
pub mod model;
pub mod objective;
pub mod portable;
pub mod positions;
pub mod precondition;
pub mod predict;
pub mod probit;
pub mod rolling;
pub mod score;
pub mod synthetic;
pub mod validate;

pub use date::Date;
pub use error::{IdealError, Result};
pub use file::IdealModel;
pub use fit::{fit, fit_with_progress};
pub use history::{History, Iso3, Window};
pub use model::FitOptions;
pub use predict::{Member, PoolOptions, Prior, prior};
