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

/// Interpolation intervals per binade of the f32 quantile table ([`InvNormalF32`]), as a
/// power of two: 2⁸ = 256.
pub const F32_STEPS_LOG2: u32 = 8;
/// Smallest binade of the f32 quantile table: probabilities below 2⁻²⁴ (the resolution of
/// the engine's uniforms) are treated as 2⁻²⁴.
pub const F32_MIN_EXP: i32 = -24;
/// Entries of the f32 quantile table: 23 binades 2⁻²⁴…2⁻² of 2⁸ intervals, the knot at ½, and
/// one guard entry.
pub const F32_TABLE_LEN: usize = 23 * (1 << F32_STEPS_LOG2) + 2;
/// Bound on |F̃(x) − Φ(x)| for the CDF F̃ of [`InvNormalF32::inv`]`(v)`, v uniform on
/// [2⁻²⁴, 1 − 2⁻²⁴] (measured 2.6·10⁻⁷, from linear interpolation in the central binade;
/// see the tests).
pub const MAX_F32_CDF_ERROR: f64 = 3e-7;
/// Bound on the same error relative to the tail probability min(Φ, 1 − Φ) (measured
/// 4·10⁻⁶).
pub const MAX_F32_TAIL_RELATIVE_ERROR: f64 = 1e-5;

/// The f32 quantile table as intervals: element `k` holds knot `k` (low 32 bits) and knot
/// `k + 1` (high 32 bits) as f32 bits, so both ends of an interval come in one 64-bit load.
/// Knot `b·2⁸ + j` is Φ⁻¹(2^(F32_MIN_EXP + b)·(1 + j/2⁸)) rounded to f32, for the lower half
/// q ≤ ½ (the guard knot continues the last binade).
static F32_PAIRS: LazyLock<Box<[u64; F32_TABLE_LEN - 1]>> = LazyLock::new(|| {
    let steps = 1usize << F32_STEPS_LOG2;
    let knot = |k: usize| {
        let (b, j) = (k / steps, k % steps);
        let q = 2f64.powi(F32_MIN_EXP + b as i32) * (1.0 + j as f64 / steps as f64);
        (inv_cdf_exact(q) as f32).to_bits()
    };
    Box::new(std::array::from_fn(|k| {
        u64::from(knot(k)) | (u64::from(knot(k + 1)) << 32)
    }))
});

/// Fast standard normal quantile in f32 for the engine's per-state loop.
///
/// For `q = min(v, 1 − v)`, the bits of the f32 `q` give its binade (exponent) and the top
/// 8 bits of its mantissa: together, an index into a table of the exact quantile at 256
/// equally spaced points of each binade 2⁻²⁴…2⁻², interpolated linearly in the remaining 15
/// mantissa bits; the sign follows `v > ½`. No transcendental function, no branch (selects
/// only), one table of 47 kB (both ends of each interval together): SIMD versions use gathers. Accuracy:
/// [`MAX_F32_CDF_ERROR`] absolute and [`MAX_F32_TAIL_RELATIVE_ERROR`] relative in the tails,
/// for v in [2⁻²⁴, 1 − 2⁻²⁴]; below that (and for v ≤ 0) it returns the quantile at 2⁻²⁴
/// ≈ −5.3 (mirrored above). Monotone in v.
#[derive(Clone, Copy)]
pub struct InvNormalF32 {
    pairs: &'static [u64; F32_TABLE_LEN - 1],
}

impl Default for InvNormalF32 {
    fn default() -> Self {
        Self::new()
    }
}

impl InvNormalF32 {
    /// The shared table (built once per process).
    pub fn new() -> Self {
        InvNormalF32 { pairs: &F32_PAIRS }
    }

    /// The table: element `k` holds the quantile at knot `k` (low half) and at knot `k + 1`
    /// (high half), as f32 bits (see [`InvNormalF32::inv`]).
    pub fn pairs(&self) -> &'static [u64; F32_TABLE_LEN - 1] {
        self.pairs
    }

    /// `(base, last, frac_scale)` of the index computation in [`InvNormalF32::inv`], for SIMD
    /// implementations of the same steps.
    pub const fn index_params() -> (i32, i32, f32) {
        (
            (127 + F32_MIN_EXP) << F32_STEPS_LOG2,
            F32_TABLE_LEN as i32 - 2,
            1.0 / (1u32 << (23 - F32_STEPS_LOG2)) as f32,
        )
    }

    /// Φ⁻¹(v), approximately; see the type's docs.
    #[inline(always)]
    pub fn inv(&self, v: f32) -> f32 {
        const SHIFT: u32 = 23 - F32_STEPS_LOG2;
        let (base, last, frac_scale) = Self::index_params();
        let w = 1.0 - v;
        let q = if v < w { v } else { w };
        let bits = q.to_bits() as i32;
        let idx = ((bits >> SHIFT) - base).clamp(0, last);
        let frac = (bits & ((1 << SHIFT) - 1)) as f32 * frac_scale;
        let pair = self.pairs[idx as usize];
        let (lo, hi) = (
            f32::from_bits(pair as u32),
            f32::from_bits((pair >> 32) as u32),
        );
        let z = lo + frac * (hi - lo);
        if v > 0.5 { -z } else { z }
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

    /// The f32 quantile against statrs' Φ: for a monotone map v ↦ z̃(v), the CDF error at
    /// z̃(v) is |v − Φ(z̃(v))|. Checked on a grid that is fine in v (central region) and
    /// uniform in log q (tails, both sides), plus monotonicity and the ends.
    #[test]
    fn f32_quantile_error_is_bounded() {
        let f = InvNormalF32::new();
        let (mut worst_abs, mut worst_rel): (f64, f64) = (0.0, 0.0);
        let mut prev = f32::NEG_INFINITY;
        let steps = 2_000_000;
        for i in 1..steps {
            let v = (i as f64 / steps as f64) as f32;
            let z = f.inv(v);
            assert!(z >= prev, "not monotone at {v}");
            prev = z;
            worst_abs = worst_abs.max((cdf(f64::from(z)) - f64::from(v)).abs());
        }
        let (lo, hi) = ((2f64).powi(F32_MIN_EXP).ln(), 0.01f64.ln());
        for i in 0..200_000 {
            let q = ((lo + (hi - lo) * i as f64 / 200_000.0).exp()) as f32;
            let ql = f64::from(q);
            let z = f64::from(f.inv(q));
            worst_rel = worst_rel.max((cdf(z) - ql).abs() / ql);
            let zu = f64::from(f.inv(1.0 - q));
            let qu = 1.0 - f64::from(1.0 - q);
            worst_rel = worst_rel.max((cdf(-zu) - qu).abs() / qu);
            worst_abs = worst_abs.max((cdf(z) - ql).abs());
        }
        println!("f32 quantile: absolute CDF error {worst_abs:e}, tail relative {worst_rel:e}");
        assert!(
            worst_abs < MAX_F32_CDF_ERROR,
            "absolute error {worst_abs:e}"
        );
        assert!(
            worst_rel < MAX_F32_TAIL_RELATIVE_ERROR,
            "tail error {worst_rel:e}"
        );
        assert_eq!(f.inv(0.5), 0.0);
        assert!(f.inv(0.0) < -5.0 && f.inv(-0.25) < -5.0);
        assert!(f.inv(1.0) > 5.0);
        assert_eq!(f.inv(0.25), -f.inv(0.75));
    }

    #[test]
    fn unit_open_never_hits_bounds() {
        assert!(unit_open(0) > 0.0);
        assert!(unit_open(u32::MAX) < 1.0);
    }
}
