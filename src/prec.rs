//! Tolerances, in one place (as statrs's `prec.rs`): the numerical slack the library allows
//! itself, and the tolerances of the statistical tests, each with what it protects against.

/// Largest deviation from 1 accepted for the sum of a state's four probabilities (scenario
/// files, members CSVs, rescaled parameters).
pub const SUM_TOLERANCE: f64 = 1e-9;

/// Relative slack with which a floating-point distribution's cumulative mass is compared with
/// a level (type-1 quantiles of pmfs and weighted histograms): such masses sum to their total
/// only within rounding (about `n·10⁻¹⁶` for `n` terms), so a level the cumulative mass
/// reaches exactly in real arithmetic must not be missed by one count. Integer histograms are
/// summed exactly and get no slack.
pub const MASS_ROUNDING: f64 = 1e-12;

/// Largest total-variation distance between the exact answers of two successive Gauss–Hermite
/// orders at which `lobbysim exact`'s adaptive choice of order stops.
pub const QUADRATURE_TOLERANCE: f64 = 1e-7;

/// Relative slack (in steps) within which a sweep's `START:END:STEP` grid includes `END`.
pub const GRID_END_TOLERANCE: f64 = 1e-9;

/// Significance level of the statistical tests (`tests/statistical.rs`): the chance that one
/// goodness-of-fit or z-test fails when the engine is right.
pub const TEST_ALPHA: f64 = 0.001;

/// Smallest expected number of ballots per pooled cell of a chi-square goodness-of-fit test
/// (the usual validity condition).
pub const MIN_EXPECTED: f64 = 5.0;

/// Largest estimated quadrature error (total variation) of an exact answer the statistical
/// tests compare simulations with: far below what their ballots can detect.
pub const MAX_QUADRATURE_ERROR: f64 = 1e-6;

/// How many Monte Carlo standard errors a simulated probability may stray from its exact or
/// closed-form value in the tests that compare them one by one (plus the engine's accuracy,
/// `simulate::MAX_PROB_ERROR`): a false alarm has probability about 6·10⁻⁷ per comparison.
pub const MC_SIGMAS: f64 = 5.0;
