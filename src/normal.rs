//! The standard normal distribution as the engine uses it.
//!
//! The per-ballot loop turns uniforms into standard normal variates by inverting the CDF.
//! Exact inversion (statrs' `erfc_inv`) costs tens of nanoseconds; the engine instead uses a
//! table of the exact quantile at `TABLE_SIZE + 1` equally spaced probabilities with linear
//! interpolation in the central region `[TAIL, 1 − TAIL]`. In each tail (by symmetry, for
//! `q = min(u, 1 − u) < TAIL`) a second table holds the exact quantile at `TAIL_STEPS + 1`
//! equally spaced points of every binade `[2^e, 2^(e+1))` for `e` in `TAIL_MIN_EXP..=−8`, with
//! linear interpolation in the mantissa: no transcendental function is evaluated per draw.
//! Below `2^TAIL_MIN_EXP` (never reached from 32-bit uniforms, whose smallest value is 2⁻³³)
//! the inversion is exact.
//!
//! Accuracy (checked by the tests below against statrs): the distribution of the approximate
//! variate differs from N(0, 1) by at most [`MAX_CDF_ERROR`] in CDF at any point, far below the
//! Monte Carlo error of any run (≈ 5·10⁻⁵ for a probability of ½ at 10⁸ ballots); in the tails
//! the error is also at most [`MAX_TAIL_RELATIVE_ERROR`] relative to the tail probability.

use std::sync::LazyLock;

use statrs::function::erf::erfc_inv;

/// Number of intervals in the inverse-CDF table.
pub const TABLE_SIZE: usize = 8192;
/// Probability mass in each tail handled by exact inversion (1/128: |z| > 2.418).
pub const TAIL: f64 = 1.0 / 128.0;
/// Bound on |F̃(x) − Φ(x)| for the CDF F̃ of the engine's approximate normal variate.
pub const MAX_CDF_ERROR: f64 = 3e-7;
/// Bound on |F̃(x) − Φ(x)| / min(Φ(x), 1 − Φ(x)) in the tails (min(Φ, 1 − Φ) < `TAIL`).
pub const MAX_TAIL_RELATIVE_ERROR: f64 = 3e-6;
/// Interpolation intervals per binade in the tail tables.
pub const TAIL_STEPS: usize = 256;
/// Smallest binade exponent covered by the tail table (2⁻³³ is the smallest 32-bit uniform).
pub const TAIL_MIN_EXP: i32 = -33;
/// Binades in the tail table: exponents `TAIL_MIN_EXP..=−8` (`TAIL` = 2⁻⁷).
const TAIL_BINADES: usize = (-8 - TAIL_MIN_EXP + 1) as usize;

/// Exact standard normal quantile Φ⁻¹(p) for p in (0, 1) (statrs' `erfc_inv`, ≈ 1e-15 relative).
pub fn inv_cdf_exact(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

/// Standard normal CDF Φ(x), accurate to ≈ 1e-15 (statrs' `erfc`); Φ(±∞) = 1 or 0.
pub fn cdf(x: f64) -> f64 {
    if x == f64::INFINITY {
        1.0
    } else if x == f64::NEG_INFINITY {
        0.0
    } else {
        0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
    }
}

/// Quantile Φ⁻¹(p) with the conventions Φ⁻¹(0) = −∞ and Φ⁻¹(1) = +∞ (for cut-points).
pub fn quantile(p: f64) -> f64 {
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else {
        inv_cdf_exact(p)
    }
}

static TABLE: LazyLock<[f64; TABLE_SIZE + 1]> = LazyLock::new(|| {
    std::array::from_fn(|k| {
        let p = k as f64 / TABLE_SIZE as f64;
        if (TAIL..=1.0 - TAIL).contains(&p) {
            inv_cdf_exact(p)
        } else {
            0.0 // never read: tails use the tail table
        }
    })
});

/// `TAIL_TABLE[b·(TAIL_STEPS + 1) + j]` = Φ⁻¹(2^(TAIL_MIN_EXP + b) · (1 + j/TAIL_STEPS)).
static TAIL_TABLE: LazyLock<Vec<f64>> = LazyLock::new(|| {
    let mut t = Vec::with_capacity(TAIL_BINADES * (TAIL_STEPS + 1));
    for b in 0..TAIL_BINADES {
        let base = 2f64.powi(TAIL_MIN_EXP + b as i32);
        for j in 0..=TAIL_STEPS {
            t.push(inv_cdf_exact(base * (1.0 + j as f64 / TAIL_STEPS as f64)));
        }
    }
    t
});

/// A fast standard normal quantile function for uniforms in (0, 1); see the module docs.
#[derive(Clone, Copy)]
pub struct FastInvNormal {
    table: &'static [f64; TABLE_SIZE + 1],
    tail: &'static [f64],
}

impl Default for FastInvNormal {
    fn default() -> Self {
        Self::new()
    }
}

impl FastInvNormal {
    /// The shared, immutable table (built once per process).
    pub fn new() -> Self {
        FastInvNormal {
            table: &TABLE,
            tail: TAIL_TABLE.as_slice(),
        }
    }

    /// Φ⁻¹(q) for a lower-tail probability q in (0, `TAIL`), by the binade table.
    #[inline]
    fn lower_tail(&self, q: f64) -> f64 {
        if q <= 0.0 {
            return f64::NEG_INFINITY; // only from rounding at the edge of (0, 1)
        }
        let bits = q.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32 - 1023;
        if exp < TAIL_MIN_EXP {
            return inv_cdf_exact(q);
        }
        let b = (exp - TAIL_MIN_EXP) as usize;
        // Top 8 mantissa bits pick the interval (TAIL_STEPS = 2^8), the other 44 the fraction.
        let j = ((bits >> 44) & 0xff) as usize;
        let frac = (bits & ((1u64 << 44) - 1)) as f64 * (1.0 / (1u64 << 44) as f64);
        let k = b * (TAIL_STEPS + 1) + j;
        let (a, c) = (self.tail[k], self.tail[k + 1]);
        a + frac * (c - a)
    }

    /// Φ⁻¹(u) for u in (0, 1), approximately; see the module docs for the accuracy.
    #[inline(always)]
    pub fn inv(&self, u: f64) -> f64 {
        if u < TAIL {
            return self.lower_tail(u);
        }
        if u > 1.0 - TAIL {
            return -self.lower_tail(1.0 - u);
        }
        let x = u * TABLE_SIZE as f64;
        let k = (x as usize).min(TABLE_SIZE - 1);
        let frac = x - k as f64;
        // SAFETY-free indexing: k + 1 ≤ TABLE_SIZE by the clamp above.
        let a = self.table[k];
        let b = self.table[k + 1];
        a + frac * (b - a)
    }
}

/// Uniform in (0, 1) from 32 random bits: (x + ½)·2⁻³², never 0 or 1.
#[inline(always)]
pub fn unit_open(x: u32) -> f64 {
    (f64::from(x) + 0.5) * (1.0 / 4_294_967_296.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{ContinuousCDF, Normal};

    #[test]
    fn exact_inverse_matches_statrs() {
        let n = Normal::standard();
        for &p in &[1e-12, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0 - 1e-9] {
            let a = inv_cdf_exact(p);
            let b = n.inverse_cdf(p);
            assert!((a - b).abs() < 1e-9 * (1.0 + b.abs()), "p={p}: {a} vs {b}");
            assert!((cdf(a) - p).abs() < 1e-12 + 1e-9 * p, "round trip at {p}");
        }
        assert_eq!(quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(quantile(1.0), f64::INFINITY);
    }

    /// The approximate variate's CDF error: for a monotone map u ↦ z̃(u), F̃(z̃(u)) = u, so
    /// |F̃(x) − Φ(x)| at x = z̃(u) is |u − Φ(z̃(u))|. Checked on a fine grid including points
    /// between table knots and at the tail boundaries.
    #[test]
    fn fast_inverse_cdf_error_is_bounded() {
        let f = FastInvNormal::new();
        let mut worst: f64 = 0.0;
        let steps = 2_000_000;
        for i in 1..steps {
            let u = i as f64 / steps as f64;
            let z = f.inv(u);
            worst = worst.max((cdf(z) - u).abs());
        }
        assert!(worst < MAX_CDF_ERROR, "worst CDF error {worst:e}");
    }

    /// Tails: relative CDF error, on a grid that is uniform in log q from 2⁻³³ to `TAIL`, in
    /// both tails; and the two tails are mirror images.
    #[test]
    fn fast_inverse_tail_error_is_bounded() {
        let f = FastInvNormal::new();
        let mut worst: f64 = 0.0;
        let mut prev = f64::NEG_INFINITY;
        let steps = 200_000;
        let (lo, hi) = ((0.5f64 / 4_294_967_296.0).ln(), (1.01 * TAIL).ln());
        for i in 0..steps {
            let q = (lo + (hi - lo) * (i as f64 + 0.5) / steps as f64).exp();
            let z = f.inv(q);
            assert!(z >= prev, "not monotone at {q}");
            prev = z;
            if q >= TAIL {
                continue; // central region: covered by the absolute bound
            }
            worst = worst.max((cdf(z) - q).abs() / q);
            // Upper tail: 1 − Φ(z̃(u)) = Φ(−z̃(u)) against 1 − u (exact for u ≥ ½).
            let u = 1.0 - q;
            let q_up = 1.0 - u;
            worst = worst.max((cdf(-f.inv(u)) - q_up).abs() / q_up);
        }
        assert!(
            worst < MAX_TAIL_RELATIVE_ERROR,
            "worst tail error {worst:e}"
        );
        // Every 32-bit uniform in the tail, near the boundary, is handled consistently.
        assert!(f.inv(unit_open(0)) < -6.0);
        assert!(f.inv(unit_open(u32::MAX)) > 6.0);
    }

    #[test]
    fn fast_inverse_is_monotone() {
        let f = FastInvNormal::new();
        let mut prev = f64::NEG_INFINITY;
        for i in 0..=100_000u32 {
            let u = (f64::from(i) + 0.5) / 100_001.0;
            let z = f.inv(u);
            assert!(z >= prev, "not monotone at {u}");
            prev = z;
        }
    }

    #[test]
    fn unit_open_never_hits_bounds() {
        assert!(unit_open(0) > 0.0);
        assert!(unit_open(u32::MAX) < 1.0);
    }
}
