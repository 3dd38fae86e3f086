//! The dynamic ordinal ideal-point model: its options (dimensions, prior scales, optimiser
//! settings) and the layout of its parameters in one vector.
//!
//! For state `i` in session year `t` and roll call `j` (held in session `t(j)`):
//!
//! ```text
//! positions    x_{i,t} ∈ R^D,  x_{i,first} ~ N(0, σ₀² I),  x_{i,t} ~ N(x_{i,t−1}, τ² I)
//! roll call    β_j ∈ R^D ~ N(0, s_β² I),  c₁_j = κ_j,  c₂_j = κ_j + exp(γ_j)
//!              κ_j ~ N(0, s_κ²),  γ_j ~ N(0, s_γ²)           (so c₁ < c₂ always)
//! absence      a_{i,first} ~ N(0, s_a²),  a_{i,t} ~ N(a_{i,t−1}, τ_a²)
//!              μ_j ~ N(μ₀, s_μ²),  u_i ∈ R^K ~ N(0, s_u² I),  v_j ∈ R^K ~ N(0, s_u² I)
//! P(not voting)        π_ij = logistic(μ_j + a_{i,t(j)} + u_i·v_j)
//! latent if present    y*_ij = β_j·x_{i,t(j)} + ε,  ε ~ N(0, 1)
//! vote if present      no if y* < c₁_j, abstain if c₁_j ≤ y* < c₂_j, yes if y* ≥ c₂_j
//! ```
//!
//! The fit maximises the log posterior (MAP). See `docs/ideal.md`.

use serde::{Deserialize, Serialize};

use super::error::{IdealError, Result};

/// Largest number of position dimensions.
pub const MAX_DIMS: usize = 32;
/// Largest rank of the absence interaction.
pub const MAX_ABSENCE_RANK: usize = 16;

/// Options of a fit. The defaults are the settings chosen by the nested validation of
/// `docs/ideal.md` (tuned on the 75th session only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitOptions {
    /// Dimensions `D` of the positions, 1–[`MAX_DIMS`].
    pub dims: usize,
    /// Rank `K` of the state × roll-call interaction in P(not voting), 0–[`MAX_ABSENCE_RANK`].
    pub absence_rank: usize,
    /// `τ`: standard deviation of a position's change from one session year to the next, per
    /// dimension (latent-score units; > 0).
    pub drift: f64,
    /// `σ₀`: prior standard deviation of a state's first position, per dimension (> 0).
    pub start_scale: f64,
    /// `s_β`: prior standard deviation of each discrimination component (> 0).
    pub discrimination_scale: f64,
    /// `s_κ`: prior standard deviation of the lower cut-point (> 0).
    pub cut_scale: f64,
    /// `s_γ`: prior standard deviation of the log gap between the cut-points (> 0).
    pub gap_scale: f64,
    /// `τ_a`: standard deviation of the yearly change of a state's absence propensity
    /// (log-odds; > 0).
    pub absence_drift: f64,
    /// `s_a`: prior standard deviation of a state's first absence propensity (log-odds; > 0).
    pub absence_start_scale: f64,
    /// `μ₀`: prior mean of a roll call's absence level (log-odds).
    pub absence_level_mean: f64,
    /// `s_μ`: prior standard deviation of a roll call's absence level (log-odds; > 0).
    pub absence_level_scale: f64,
    /// `s_u`: prior standard deviation of the absence interaction loadings (> 0).
    pub absence_loading_scale: f64,
    /// Largest number of L-BFGS iterations (≥ 1).
    pub max_iterations: u64,
    /// Convergence: stop when the objective fell by less than `tolerance × (number of state
    /// votes)` per iteration, on average over the last [`super::lbfgs::WINDOW`] iterations
    /// (> 0).
    pub tolerance: f64,
    /// Number of correction pairs kept by L-BFGS (1–100).
    pub memory: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        // `dims` and `absence_rank` (and the other prior scales at these values) were chosen on
        // the 75th session by `cargo run --release --example ideal_validate` (docs/ideal.md,
        // "Tuning"); the tolerance likewise (1e-6 scored as 1e-7, 1e-5 worse).
        FitOptions {
            dims: 4,
            absence_rank: 0,
            drift: 0.3,
            start_scale: 1.0,
            discrimination_scale: 1.5,
            cut_scale: 3.0,
            gap_scale: 1.5,
            absence_drift: 0.5,
            absence_start_scale: 2.0,
            absence_level_mean: -2.0,
            absence_level_scale: 3.0,
            absence_loading_scale: 1.0,
            max_iterations: 3000,
            tolerance: 1e-6,
            memory: 10,
        }
    }
}

impl FitOptions {
    /// Checks every option's range; the error names the option.
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_DIMS).contains(&self.dims) {
            return Err(IdealError::options(
                "dims",
                format!("must be 1–{MAX_DIMS}, got {}", self.dims),
            ));
        }
        if self.absence_rank > MAX_ABSENCE_RANK {
            return Err(IdealError::options(
                "absence_rank",
                format!("must be 0–{MAX_ABSENCE_RANK}, got {}", self.absence_rank),
            ));
        }
        for (name, v) in [
            ("drift", self.drift),
            ("start_scale", self.start_scale),
            ("discrimination_scale", self.discrimination_scale),
            ("cut_scale", self.cut_scale),
            ("gap_scale", self.gap_scale),
            ("absence_drift", self.absence_drift),
            ("absence_start_scale", self.absence_start_scale),
            ("absence_level_scale", self.absence_level_scale),
            ("absence_loading_scale", self.absence_loading_scale),
            ("tolerance", self.tolerance),
        ] {
            if !(v.is_finite() && v > 0.0 && v < 1e6) {
                return Err(IdealError::options(
                    name,
                    format!("must be a positive number below 10⁶, got {v}"),
                ));
            }
        }
        if !self.absence_level_mean.is_finite() || self.absence_level_mean.abs() > 50.0 {
            return Err(IdealError::options(
                "absence_level_mean",
                format!("must be in [−50, 50], got {}", self.absence_level_mean),
            ));
        }
        if self.max_iterations == 0 {
            return Err(IdealError::options("max_iterations", "must be at least 1"));
        }
        if !(1..=100).contains(&self.memory) {
            return Err(IdealError::options(
                "memory",
                format!("must be 1–100, got {}", self.memory),
            ));
        }
        Ok(())
    }
}

/// Where each parameter lives in the flat parameter vector `θ`.
///
/// State blocks come first, one per state: `[u_i (K) | x_{i,t₀} (D), a_{i,t₀} | x_{i,t₀+1},
/// a_{i,t₀+1} | …]` for the state's sessions `t₀ … t₁`. Then one block per roll call:
/// `[β_j (D) | κ_j | γ_j | μ_j | v_j (K)]`. Every block is owned by one state or one roll
/// call, which is what lets the gradient be computed in parallel without shared sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Position dimensions `D`.
    pub dims: usize,
    /// Absence interaction rank `K`.
    pub rank: usize,
    /// Per state: first session (absolute session number) and number of sessions.
    pub state_sessions: Vec<(i32, usize)>,
    /// Per state: offset of its block in `θ`.
    pub state_offset: Vec<usize>,
    /// Offset of the first roll-call block.
    pub items_offset: usize,
    /// Number of roll calls.
    pub items: usize,
}

impl Layout {
    /// The layout for states with the given `(first session, number of sessions)` and `items`
    /// roll calls.
    pub fn new(dims: usize, rank: usize, state_sessions: Vec<(i32, usize)>, items: usize) -> Self {
        let mut state_offset = Vec::with_capacity(state_sessions.len());
        let mut off = 0;
        for &(_, n) in &state_sessions {
            state_offset.push(off);
            off += rank + n * (dims + 1);
        }
        Layout {
            dims,
            rank,
            state_sessions,
            state_offset,
            items_offset: off,
            items,
        }
    }

    /// Length of one roll-call block: `D + 3 + K`.
    pub fn item_len(&self) -> usize {
        self.dims + 3 + self.rank
    }

    /// Total number of parameters.
    pub fn len(&self) -> usize {
        self.items_offset + self.items * self.item_len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Length of state `i`'s block.
    pub fn state_len(&self, i: usize) -> usize {
        self.rank + self.state_sessions[i].1 * (self.dims + 1)
    }

    /// Offset of `x_{i,t}` (then `a_{i,t}` at `+ D`), `t` the absolute session number, if the
    /// state has parameters for that session.
    pub fn position_offset(&self, i: usize, session: i32) -> Option<usize> {
        let (first, n) = self.state_sessions[i];
        let k = session.checked_sub(first)?;
        (k >= 0 && (k as usize) < n)
            .then(|| self.state_offset[i] + self.rank + k as usize * (self.dims + 1))
    }

    /// Offset of roll call `j`'s block.
    pub fn item_offset(&self, j: usize) -> usize {
        self.items_offset + j * self.item_len()
    }
}
