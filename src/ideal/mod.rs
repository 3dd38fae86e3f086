//! Priors from the General Assembly's voting history: a dynamic, multidimensional, ordinal
//! ideal-point model with a sub-model for not voting, fitted by maximum a posteriori, and the
//! forecasts built on it (see `docs/ideal.md`).
//!
//! * [`history`] reads and validates `rollcalls.csv` / `votes.csv` (`data/unga/`).
//! * [`model`] states the model and its options; [`objective`] its log posterior and analytic
//!   gradient (deterministic on any thread count); [`fit`] the L-BFGS driver; [`file`] the
//!   model file.
//! * [`predict`] gives each state's four probabilities for a new vote like earlier ones.
//! * [`validate`] runs the forecaster's protocol (fit on the past, score a later session)
//!   with the naive baselines; [`cohesion`] measures blocs' excess agreement;
//!   [`positions`] lists positions over time.

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
