//! The standard normal distribution as the engine uses it.
//!
//! Exact functions ([`inv_cdf_exact`], [`cdf`], [`quantile`]: statrs, f64) serve the model's
//! set-up — cut-points, exact distributions, evidence densities. The per-ballot loop instead
//! turns uniforms into standard normal variates with [`InvNormalF32`], an f32 quantile (47
//! degree-5 polynomial pieces, coefficients compiled in) that defines the engine's results:
//! only IEEE operations, so every platform gives the same bits. For the vectorised per-state
//! pass, [`InvNormalF32::approx_split`] approximates it without table lookups, within a
//! bound ([`APPROX_QUANTILE_ERROR`]) that the engine uses to know when to decide a state
//! again with the exact quantile.
//!
//! Accuracy (checked against statrs by the tests below, and over every f32 input by
//! `cargo run --release --example fit_quantile -- --scan`): the distribution of the
//! approximate variate differs from N(0, 1) by at most [`MAX_F32_CDF_ERROR`] in CDF at any
//! point, far below the Monte Carlo error of any run (≈ 5·10⁻⁵ for a probability of ½ at 10⁸
//! ballots); in the tails the error is also at most [`MAX_F32_TAIL_RELATIVE_ERROR`] relative
//! to the tail probability.

use statrs::function::erf::erfc_inv;

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

/// Smallest lower-tail probability the f32 quantile distinguishes: `q = min(v, 1 − v)` below
/// 2⁻²⁴ (the resolution of the engine's uniforms) is treated as 2⁻²⁴ (Φ⁻¹ ≈ −5.29).
pub const F32_MIN_Q: f32 = 1.0 / 16_777_216.0;
/// Degree of the f32 quantile's polynomial in each segment.
pub const F32_QUANTILE_DEGREE: usize = 5;
/// Segments of the f32 quantile: two per binade 2⁻²⁴…2⁻² (46), one for q = ½ exactly, one
/// unused (a multiple of 16 for the register tables).
pub const F32_QUANTILE_SEGMENTS: usize = 48;
/// First segment the AVX-512 version keeps in registers (segments 16…47: q ≥ 2⁻¹⁶); lanes
/// below it (probability 3·10⁻⁵ each) take a gather.
pub const F32_REGISTER_SEGMENTS_FROM: i32 = 16;
/// Bound on |F̃(x) − Φ(x)| for the CDF F̃ of [`InvNormalF32::inv`]`(v)`, v uniform on
/// [2⁻²⁴, 1 − 2⁻²⁴] (measured 6.6·10⁻⁸ over every f32 in that range: see the tests and
/// `examples/fit_quantile.rs`).
pub const MAX_F32_CDF_ERROR: f64 = 1e-7;
/// Bound on the same error relative to the tail probability min(Φ, 1 − Φ) below 1/128
/// (measured 2.5·10⁻⁶, mostly the f32 rounding of the result at |z| up to 5.3).
pub const MAX_F32_TAIL_RELATIVE_ERROR: f64 = 5e-6;

mod quantile_coeffs;
use quantile_coeffs::{
    APPROX_LOG_CENTRE, APPROX_LOG_COEFFS, APPROX_T_CENTRE, APPROX_Z_COEFFS, QUANTILE_COEFFS,
};

/// Degree of [`InvNormalF32::approx_split`]'s polynomial for `−2 ln m`, `m` in [1, 2).
pub const APPROX_LOG_DEGREE: usize = 5;
/// Degree of [`InvNormalF32::approx_split`]'s polynomial in `t = √(−2 ln q)`.
pub const APPROX_Z_DEGREE: usize = 7;
/// Bound on |[`InvNormalF32::approx_split`] − [`InvNormalF32::inv_split`]| (see there):
/// 1.045·10⁻⁴ measured over every f32 by [`approx_quantile_error`], fused and unfused
/// (`examples/fit_quantile.rs -- --scan`).
pub const APPROX_QUANTILE_ERROR: f32 = 1.25e-4;
/// Bound on |`inv_split_with::<false>` − `inv_split`|: 4.8·10⁻⁷ measured over every f32 (see
/// [`approx_quantile_error`]).
pub const UNFUSED_QUANTILE_ERROR: f32 = 1e-6;

/// f32 bits of q ≥ 2⁻²⁴, shifted right by 22, minus this: the segment (binade and top
/// mantissa bit).
const SEGMENT_BASE: i32 = (127 - 24) << 1;

/// The segment and local variable of `q` in [2⁻²⁴, ½]: `q = 2^e·(1 + t)` with the segment
/// holding `t` in [0, ½) or [½, 1), and `x = t − ¼` or `t − ¾` in [−¼, ¼) — exact, from the
/// bits of `q`.
#[inline(always)]
fn segment(q: f32) -> (usize, f32) {
    let bits = q.to_bits();
    let s = (bits >> 22) as i32 - SEGMENT_BASE;
    let x = f32::from_bits((bits & 0x003f_ffff) | 0x3f80_0000) - 1.25;
    (s as usize, x)
}

/// `a·b + c`: one fused multiply-add (rounded once) if `FUSED`, else a product and a sum (each
/// rounded). The engine's exact computations use the fused form ([`f32::mul_add`], which is
/// correctly rounded on every platform); its fast approximations use whichever the
/// instruction set has in hardware ([`crate::cpu`]), their error bounds covering both.
#[inline(always)]
pub fn madd<const FUSED: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FUSED { a.mul_add(b, c) } else { a * b + c }
}

/// `Σ c(k)·x^k` (degree `D`) by Horner's rule, with fused multiply-adds if `FUSED` (as the
/// SIMD versions compute it) — see [`madd`].
#[inline(always)]
fn horner<const D: usize, const FUSED: bool>(c: impl Fn(usize) -> f32, x: f32) -> f32 {
    let mut p = c(D);
    for k in (0..D).rev() {
        p = madd::<FUSED>(p, x, c(k));
    }
    p
}

/// `p` with the sign flipped where `v > w` (the upper half), by the sign bit of `w − v`
/// (`+0` when equal): what the SIMD versions compute with one subtraction and one bitwise
/// step.
#[inline(always)]
fn upper_flip(p: f32, v: f32, w: f32) -> f32 {
    f32::from_bits(p.to_bits() ^ ((w - v).to_bits() & 0x8000_0000))
}

/// Fast standard normal quantile in f32 for the engine's per-state loop.
///
/// With `q = min(v, 1 − v)` (clamped to [`F32_MIN_Q`]), the f32 bits of `q` pick one of 47
/// segments — each half of each binade 2⁻²⁴…2⁻², and q = ½ — and give the local variable
/// `x` exactly; `Φ⁻¹(q)` is a degree-5 polynomial in `x` (Horner's rule, fused
/// multiply-adds), negated for `v > ½`. Every step is an IEEE single-precision operation
/// (`f32::mul_add` rounds once on every platform), so scalar code and every SIMD lane give
/// the same bits on any machine; no transcendental function or platform library is involved.
/// The AVX-512 version keeps the coefficients of segments 16…47 in registers (looked up by
/// permutation, no memory access) and gathers the rest. Coefficients: Chebyshev fits to
/// statrs' quantile, compiled in (`examples/fit_quantile.rs` regenerates them).
///
/// Accuracy: [`MAX_F32_CDF_ERROR`] absolute and [`MAX_F32_TAIL_RELATIVE_ERROR`] relative in
/// the tails, for v in [2⁻²⁴, 1 − 2⁻²⁴]; below that (and for v ≤ 0) it returns the quantile
/// at 2⁻²⁴ (mirrored above). Monotone in v up to one f32 rounding step of the result
/// (largest decrease measured: 4.8·10⁻⁷, at |z| ≈ 5).
#[derive(Clone, Copy, Default)]
pub struct InvNormalF32;

impl InvNormalF32 {
    /// The quantile function (stateless: the coefficients are constants).
    pub fn new() -> Self {
        InvNormalF32
    }

    /// Φ⁻¹(v), approximately; see the type's docs.
    #[inline(always)]
    pub fn inv(&self, v: f32) -> f32 {
        self.inv_split(v, 1.0 - v)
    }

    /// Φ⁻¹(v) given `v` and `w = 1 − v` separately (each possibly rounded; the engine
    /// computes both from the uniform with one rounding each): the lower tail probability
    /// is `q = min(v, w)`, the sign that of `v − w`.
    #[inline(always)]
    pub fn inv_split(&self, v: f32, w: f32) -> f32 {
        self.inv_split_with::<true>(v, w)
    }

    /// [`InvNormalF32::inv_split`] with its multiply-adds fused (`FUSED`, the definition) or
    /// not (within [`UNFUSED_QUANTILE_ERROR`] of it: for CPUs without fused multiply-adds,
    /// whose results the engine certifies by [`InvNormalF32::approx_split`]'s method).
    #[inline(always)]
    pub fn inv_split_with<const FUSED: bool>(&self, v: f32, w: f32) -> f32 {
        let q = if v < w { v } else { w };
        let q = if q > F32_MIN_Q { q } else { F32_MIN_Q };
        let (s, x) = segment(q);
        upper_flip(
            horner::<F32_QUANTILE_DEGREE, FUSED>(|k| QUANTILE_COEFFS[k][s], x),
            v,
            w,
        )
    }

    /// A gather-free approximation of [`InvNormalF32::inv_split`] for the per-state pass:
    /// with `q = min(v, w)` (clamped to [`F32_MIN_Q`]) and `t = √(−2 ln q)`, a degree-7
    /// polynomial in `t` (Chebyshev fit of Φ⁻¹ on `t` in [√(2 ln 2), √(48 ln 2)]), negated
    /// for `v > w`; `−2 ln q` from the exponent of `q` and a degree-5 polynomial in its
    /// mantissa. No table lookup and no branch, so compilers vectorise it for any instruction
    /// set. Within [`APPROX_QUANTILE_ERROR`] of `inv_split(v', w')` for any `v'`, `w'` within
    /// one f32 step of `v`, `w` (checked over every f32 by [`approx_quantile_error`]),
    /// fused or not.
    #[inline(always)]
    pub fn approx_split<const FUSED: bool>(&self, v: f32, w: f32) -> f32 {
        let q = if v < w { v } else { w };
        let q = if q > F32_MIN_Q { q } else { F32_MIN_Q };
        let bits = q.to_bits();
        let e = ((bits >> 23) as i32 - 127) as f32;
        let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) - APPROX_LOG_CENTRE;
        let y = madd::<FUSED>(
            e,
            -2.0 * std::f32::consts::LN_2,
            horner::<APPROX_LOG_DEGREE, FUSED>(|k| APPROX_LOG_COEFFS[k], m),
        );
        let t = y.sqrt() - APPROX_T_CENTRE;
        upper_flip(
            horner::<APPROX_Z_DEGREE, FUSED>(|k| APPROX_Z_COEFFS[k], t),
            v,
            w,
        )
    }
}

/// Measured error of [`InvNormalF32`] against statrs' Φ (see [`f32_quantile_error`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantileError {
    /// Largest |v − Φ(z̃(v))|: the CDF error of the approximate variate.
    pub cdf: f64,
    /// Largest CDF error relative to the tail probability min(v, 1 − v), where that is below
    /// 1/128.
    pub tail_relative: f64,
    /// Largest decrease of z̃ between consecutive inputs (0 for a monotone function).
    pub decrease: f32,
}

/// The error of [`InvNormalF32::inv`] at every `step`-th f32 `v` in [2⁻²⁴, ½] and at its
/// mirror `1 − v`: for a monotone map v ↦ z̃(v) the CDF error at z̃(v) is |v − Φ(z̃(v))|; the
/// relative tail error is computed on the side where the tail probability is exact. `step = 1`
/// checks every f32 (≈ 20 s; `examples/fit_quantile.rs -- --scan`).
pub fn f32_quantile_error(step: usize) -> QuantileError {
    let f = InvNormalF32::new();
    let mut e = QuantileError {
        cdf: 0.0,
        tail_relative: 0.0,
        decrease: 0.0,
    };
    let mut prev = f32::NEG_INFINITY;
    for bits in (F32_MIN_Q.to_bits()..=0.5f32.to_bits()).step_by(step.max(1)) {
        let v = f32::from_bits(bits);
        let z = f.inv(v);
        e.decrease = e.decrease.max(prev - z);
        prev = z;
        for (p, z) in [(v, z), (1.0 - v, f.inv(1.0 - v))] {
            let (p, z) = (f64::from(p), f64::from(z));
            e.cdf = e.cdf.max((cdf(z) - p).abs());
            let (tail, err) = if p < 0.5 {
                (p, (cdf(z) - p).abs())
            } else {
                (1.0 - p, (cdf(-z) - (1.0 - p)).abs())
            };
            if tail < 1.0 / 128.0 {
                e.tail_relative = e.tail_relative.max(err / tail);
            }
        }
    }
    e
}

/// Measured distance of the engine's fast quantiles from the definition
/// ([`InvNormalF32::inv_split`]); see [`approx_quantile_error`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApproxError {
    /// Largest |`approx_split::<FUSED>`(q) − `inv_split`(q')| over q' within one f32 step of
    /// q, for either `FUSED`.
    pub approx: f32,
    /// Largest |`inv_split_with::<false>`(q) − `inv_split`(q)|.
    pub unfused: f32,
}

/// The error of the fast quantiles at every `step`-th f32 `q` in [2⁻²⁴, ½ + 2 steps]
/// (lower tail `v = q`, `w = 1 − q`; the upper tail is the exact mirror): [`ApproxError`].
/// `step = 1` checks every f32 (`examples/fit_quantile.rs -- --scan`).
pub fn approx_quantile_error(step: usize) -> ApproxError {
    let f = InvNormalF32::new();
    let exact = |bits: u32| {
        let q = f32::from_bits(bits);
        f.inv_split(q, 1.0 - q)
    };
    let mut e = ApproxError {
        approx: 0.0,
        unfused: 0.0,
    };
    let (lo, hi) = (F32_MIN_Q.to_bits(), 0.5f32.to_bits() + 2);
    for bits in (lo..=hi).step_by(step.max(1)) {
        let q = f32::from_bits(bits);
        let w = 1.0 - q;
        let near = [exact(bits.max(lo + 1) - 1), exact(bits), exact(bits + 1)];
        for a in [f.approx_split::<true>(q, w), f.approx_split::<false>(q, w)] {
            for z in near {
                e.approx = e.approx.max((a - z).abs());
            }
        }
        e.unfused = e
            .unfused
            .max((f.inv_split_with::<false>(q, w) - near[1]).abs());
    }
    e
}

/// [`InvNormalF32::inv`] on SIMD registers: the same operations lane by lane.
#[cfg(target_arch = "x86_64")]
pub mod x86 {
    use super::*;
    use std::arch::x86_64::*;

    /// Segments 16…47 in permutation order: entry `j` holds the segment whose `bits(q) >> 22`
    /// is `j` modulo 32 (the permutation reads only the low 5 bits of its index, so the
    /// shifted bits index the table directly).
    const REGISTER_COEFFS: [[f32; 32]; F32_QUANTILE_DEGREE + 1] = {
        let mut t = [[0f32; 32]; F32_QUANTILE_DEGREE + 1];
        let mut k = 0;
        while k <= F32_QUANTILE_DEGREE {
            let mut s = F32_REGISTER_SEGMENTS_FROM;
            while s < F32_REGISTER_SEGMENTS_FROM + 32 {
                t[k][((s + SEGMENT_BASE) % 32) as usize] = QUANTILE_COEFFS[k][s as usize];
                s += 1;
            }
            k += 1;
        }
        t
    };

    /// The coefficients of segments 16…47, two registers per coefficient, for
    /// [`inv16`]'s permutation lookups. Build once per pass.
    #[derive(Clone, Copy)]
    pub struct RegisterTable([[__m512; 2]; F32_QUANTILE_DEGREE + 1]);

    impl RegisterTable {
        /// Loads the table.
        ///
        /// # Safety
        /// The CPU must support AVX-512F.
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub fn load() -> RegisterTable {
            RegisterTable(std::array::from_fn(|k| {
                let c = &REGISTER_COEFFS[k];
                // SAFETY: `c` is 32 readable f32s.
                unsafe {
                    [
                        _mm512_loadu_ps(c.as_ptr()),
                        _mm512_loadu_ps(c.as_ptr().add(16)),
                    ]
                }
            }))
        }
    }

    /// [`InvNormalF32::inv_split`] on 16 lanes (AVX-512F). Lanes outside `active` get a
    /// value that is finite but unspecified (their deep-tail coefficients are not gathered).
    ///
    /// # Safety
    /// The CPU must support AVX-512F.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn inv16(t: &RegisterTable, v: __m512, w: __m512, active: __mmask16) -> __m512 {
        let q = _mm512_min_ps(v, w);
        let q = _mm512_max_ps(q, _mm512_set1_ps(F32_MIN_Q));
        let bits = _mm512_castps_si512(q);
        let hi = _mm512_srli_epi32::<22>(bits);
        let x = _mm512_sub_ps(
            _mm512_castsi512_ps(_mm512_or_si512(
                _mm512_and_si512(bits, _mm512_set1_epi32(0x003f_ffff)),
                _mm512_set1_epi32(0x3f80_0000),
            )),
            _mm512_set1_ps(1.25),
        );
        // Segment s = hi − SEGMENT_BASE; segments 16…47 by permutation (`REGISTER_COEFFS`),
        // the deeper tail (s < 16) by gathers.
        let deep = _mm512_mask_cmplt_epu32_mask(
            active,
            hi,
            _mm512_set1_epi32(SEGMENT_BASE + F32_REGISTER_SEGMENTS_FROM),
        );
        let mut c: [__m512; F32_QUANTILE_DEGREE + 1] =
            std::array::from_fn(|k| _mm512_permutex2var_ps(t.0[k][0], hi, t.0[k][1]));
        if deep != 0 {
            let s = _mm512_sub_epi32(hi, _mm512_set1_epi32(SEGMENT_BASE));
            for (k, ck) in c.iter_mut().enumerate() {
                // SAFETY: lanes in `deep` have 0 ≤ s < 16 (q ≥ 2⁻²⁴ after the clamp), within
                // the 48 entries of row k.
                *ck = unsafe {
                    _mm512_mask_i32gather_ps::<4>(*ck, deep, s, QUANTILE_COEFFS[k].as_ptr())
                };
            }
        }
        let mut p = c[F32_QUANTILE_DEGREE];
        for k in (0..F32_QUANTILE_DEGREE).rev() {
            p = _mm512_fmadd_ps(p, x, c[k]);
        }
        // As `upper_flip`: p XOR (sign bit of w − v).
        _mm512_castsi512_ps(_mm512_ternarylogic_epi32::<0x78>(
            _mm512_castps_si512(p),
            _mm512_castps_si512(_mm512_sub_ps(w, v)),
            _mm512_set1_epi32(i32::MIN),
        ))
    }
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

    /// The f32 quantile against statrs' Φ ([`f32_quantile_error`]) at every 61st f32 in
    /// [2⁻²⁴, ½] (≈ 3.2 million points, every segment and both tails) and its mirror, plus
    /// monotonicity up to one rounding step and the ends. `cargo run --release --example
    /// fit_quantile -- --scan` checks every f32.
    #[test]
    fn f32_quantile_error_is_bounded() {
        let e = f32_quantile_error(61);
        println!("f32 quantile: {e:?}");
        assert!(e.cdf < MAX_F32_CDF_ERROR, "absolute error {:e}", e.cdf);
        assert!(
            e.tail_relative < MAX_F32_TAIL_RELATIVE_ERROR,
            "tail error {:e}",
            e.tail_relative
        );
        assert!(e.decrease <= 5e-7, "decrease {:e}", e.decrease);
        let f = InvNormalF32::new();
        assert_eq!(f.inv(0.5), 0.0);
        assert_eq!(f.inv(0.0), f.inv(F32_MIN_Q));
        assert_eq!(f.inv(-0.25), f.inv(F32_MIN_Q));
        assert!(f.inv(F32_MIN_Q) < -5.29 && f.inv(1.0) > 5.29);
        assert_eq!(f.inv(0.25), -f.inv(0.75));
    }

    /// The fast quantiles stay within their documented bounds of the definition
    /// ([`approx_quantile_error`] at every 61st f32, every segment; `cargo run --release
    /// --example fit_quantile -- --scan` checks every f32), and the approximation is exactly
    /// antisymmetric, zero at ½ and finite down to the clamp.
    #[test]
    fn approx_quantile_error_is_bounded() {
        let e = approx_quantile_error(61);
        println!("fast quantiles: {e:?}");
        assert!(
            e.approx <= APPROX_QUANTILE_ERROR,
            "approximation {:e}",
            e.approx
        );
        assert!(
            e.unfused <= UNFUSED_QUANTILE_ERROR,
            "unfused {:e}",
            e.unfused
        );
        let f = InvNormalF32::new();
        for v in [F32_MIN_Q, 1e-5, 0.01, 0.2, 0.4999] {
            for fused in [true, false] {
                let a = |v: f32, w: f32| {
                    if fused {
                        f.approx_split::<true>(v, w)
                    } else {
                        f.approx_split::<false>(v, w)
                    }
                };
                assert_eq!(a(v, 1.0 - v), -a(1.0 - v, v));
            }
        }
        assert!(f.approx_split::<true>(0.5, 0.5).abs() < 1e-3);
        assert!(f.approx_split::<false>(0.0, 1.0).is_finite());
    }

    /// The SIMD versions return exactly the scalar bits, lane by lane, on inputs covering
    /// every segment (register and gathered ones), both tails, ½, and values outside [0, 1].
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn f32_quantile_simd_equals_scalar() {
        let f = InvNormalF32::new();
        let mut inputs: Vec<f32> = vec![0.0, -0.0, -0.25, 0.5, 1.0, 1.5, F32_MIN_Q, 0.25, 0.75];
        let mut bits = F32_MIN_Q.to_bits();
        while bits <= 0.5f32.to_bits() {
            let v = f32::from_bits(bits);
            inputs.extend([v, 1.0 - v]);
            bits += 4099;
        }
        while !inputs.len().is_multiple_of(16) {
            inputs.push(0.3);
        }
        let scalar: Vec<u32> = inputs.iter().map(|&v| f.inv(v).to_bits()).collect();
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            let wide = unsafe { simd16(&inputs) };
            assert_eq!(wide, scalar, "AVX-512");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn simd16(v: &[f32]) -> Vec<u32> {
        use std::arch::x86_64::*;
        let t = x86::RegisterTable::load();
        let mut out = vec![0f32; v.len()];
        for (i, o) in v.chunks_exact(16).zip(out.chunks_exact_mut(16)) {
            // SAFETY: 16 readable and 16 writable f32s.
            unsafe {
                let v = _mm512_loadu_ps(i.as_ptr());
                let z = x86::inv16(&t, v, _mm512_sub_ps(_mm512_set1_ps(1.0), v), 0xffff);
                _mm512_storeu_ps(o.as_mut_ptr(), z);
            }
        }
        out.iter().map(|z| z.to_bits()).collect()
    }
}
