//! The per-ballot pass over all states, written once in portable Rust.
//!
//! Each state's decision compares its latent score `z = fma(σ, Φ⁻¹(v), μ)` with two
//! cut-points, where `Φ⁻¹` is the engine's f32 quantile ([`InvNormalF32::inv_split`], the
//! definition of the results). Its table lookup (a gather per state) is what kept compilers
//! from vectorising the pass. So the pass computes `z` with a gather-free approximation of the
//! quantile ([`InvNormalF32::approx_split`]) and, for each state, a *tolerance* that bounds the
//! difference from the exact `z`: the approximation's error (`σ·`[`APPROX_QUANTILE_ERROR`]),
//! the roundings of both computations, and the error of the conditional mean where it is not
//! exact. A state whose approximate `z` is farther than its tolerance from both cut-points has
//! the outcome the exact computation gives; the few others (5·10⁻⁵ to 10⁻⁴ of states) are
//! decided again exactly, by [`Lane::passes`] on the exact conditional mean. Every output is
//! therefore bit-identical to the definition's whatever the instruction set, while the loop is
//! branch-free over blocks of 16 states (one rarely taken branch per block), without gathers
//! other than the conditional means, so compilers vectorise it for SSE2, AVX2, AVX-512 and
//! NEON alike. `kernel::tests::passes_equal_exact_decisions` checks this on states placed
//! at their cut-points on purpose.
//!
//! The tolerance, for a state with idiosyncratic weight `σ` and conditional mean `μ`: the
//! exact and approximate shocks differ by at most `D` = [`APPROX_QUANTILE_ERROR`] (the rescaled
//! uniforms `v`, `w` may differ by one f32 step without fused multiply-adds, which `D` covers);
//! with `u = 2⁻²⁴` and `|ε| ≤ 6`, the two latent scores differ by at most
//! `σ·D + 18u·σ + 2u·|μ|` plus the error of `μ` itself (`mu_err`: 0 where fused multiply-adds
//! make `μ` exact, else bounded per ballot by the kernel). The pass uses
//! `σ·(D + 2⁻¹⁹) + 2⁻²²·|μ| + mu_err`, whose slack also covers the roundings of the tolerance
//! and of `|z − cut|` themselves.

use super::layout::{BLOCK, Block, Blocks, Lane, NESTED_INC, PACKED_MAX, unpack};
use super::uniform_steps;
use crate::normal::{InvNormalF32, madd};

#[cfg(doc)]
use crate::normal::APPROX_QUANTILE_ERROR;

/// Tolerance per unit of |μ| (`2⁻²²`): twice the two roundings of a latent score.
const MEAN_ROUNDING: f64 = 1.0 / 4_194_304.0;

/// The part of every state's tolerance that depends on the ballot: `2⁻²²·μ_max + mu_err`
/// for means of magnitude at most `mu_max` computed within `mu_err` of the exact ones,
/// rounded up (the state's own part is [`Lane::margin`]).
pub(super) fn tolerance(mu_max: f32, mu_err: f32) -> f32 {
    let t = MEAN_ROUNDING * f64::from(mu_max) + f64::from(mu_err);
    (t * (1.0 + 2f64.powi(-20))) as f32
}

/// The rescaled uniform `v = fma(x, scale, offset)` and its complement
/// `w = fma(−x, scale, upper)` of [`Lane::passes`]: exactly those with fused multiply-adds
/// (`FUSED`), else within one f32 step of them (the product is exact in f64, so only the
/// final roundings differ).
#[inline(always)]
pub(super) fn rescale<const FUSED: bool>(
    x: f32,
    scale: f32,
    offset: f32,
    upper: f32,
) -> (f32, f32) {
    if FUSED {
        (x.mul_add(scale, offset), (-x).mul_add(scale, upper))
    } else {
        let p = f64::from(x) * f64::from(scale);
        (
            (p + f64::from(offset)) as f32,
            (f64::from(upper) - p) as f32,
        )
    }
}

/// One state's decision given its uniform steps `u`, idiosyncratic shock `eps` and
/// conditional mean `mu` as computed: its packed-counter increment (by the nested
/// thresholds, see [`NESTED_INC`]) and, unless `eps` is `exact`, whether it must be decided
/// again exactly (present, and within its tolerance `tol` of a cut-point: see
/// [`tolerance`]).
#[inline(always)]
pub(super) fn decide<const FUSED: bool>(
    l: &Lane,
    u: f32,
    eps: f32,
    mu: f32,
    tol: f32,
    exact: bool,
) -> (u32, bool) {
    let z = madd::<FUSED>(l.sigma, eps, mu);
    let present = u >= l.seg[3];
    let near = !exact && {
        let d_no = (z - l.cut_no).abs();
        let d_yes = (z - l.cut_yes).abs();
        present & ((if d_no < d_yes { d_no } else { d_yes }) <= tol)
    };
    let not_no = present & (z >= l.cut_no);
    let yes = not_no & (z >= l.cut_yes);
    let passed = [u >= l.seg[0], u >= l.seg[1], u >= l.seg[2], not_no, yes];
    let mut add = 0u32;
    for (p, c) in passed.into_iter().zip(NESTED_INC) {
        add = add.wrapping_add(if p { c } else { 0 });
    }
    (add, near)
}

/// [`decide`] for one state with the approximate quantile, from its 32-bit number `x` (the
/// leaders' pre-pass without fused multiply-adds).
#[inline(always)]
pub(super) fn approx_lane<const FUSED: bool>(l: &Lane, tol: f32, x: u32, mu: f32) -> (u32, bool) {
    let u = uniform_steps(x);
    let (v, w) = rescale::<FUSED>(u, l.scale, l.offset, l.upper);
    decide::<FUSED>(
        l,
        u,
        InvNormalF32.approx_split::<FUSED>(v, w),
        mu,
        tol,
        false,
    )
}

/// The idiosyncratic shocks of a block's 16 states from their rescaled uniforms `v` and
/// complements `w` (the states whose uniform steps `u` reach `absent` vote; the others'
/// shocks are never used).
/// Portable code approximates them ([`Approx`]); with AVX-512 the exact quantile's
/// coefficients sit in registers (`super::x86::Table512`).
pub(super) trait Quantile {
    /// Whether the shocks are exactly [`InvNormalF32::inv_split`]'s (then no state needs
    /// deciding again).
    const EXACT: bool;
    /// The shocks.
    fn eps(
        &self,
        v: &[f32; BLOCK],
        w: &[f32; BLOCK],
        u: &[f32; BLOCK],
        absent: &[f32; BLOCK],
    ) -> [f32; BLOCK];
}

/// The gather-free approximation [`InvNormalF32::approx_split`], lane by lane.
pub(super) struct Approx<const FUSED: bool>;

impl<const FUSED: bool> Quantile for Approx<FUSED> {
    const EXACT: bool = false;
    #[inline(always)]
    fn eps(
        &self,
        v: &[f32; BLOCK],
        w: &[f32; BLOCK],
        _: &[f32; BLOCK],
        _: &[f32; BLOCK],
    ) -> [f32; BLOCK] {
        std::array::from_fn(|l| InvNormalF32.approx_split::<FUSED>(v[l], w[l]))
    }
}

/// How the pass reads each state's conditional mean: the means of a ballot's patterns, looked
/// up by pattern index for the 16 states of a block. Portable code indexes a slice
/// ([`Indexed`]; compilers make a gather of it); the x86-64 implementations look the means up
/// in registers by permutation where there are at most 32 patterns
/// (`super::x86::Permute512`, `super::x86::Permute256`).
pub(super) trait Means {
    /// The conditional means of patterns `pattern`.
    fn get(&self, pattern: &[u32; BLOCK]) -> [f32; BLOCK];
}

/// Conditional means read by index (any number of patterns).
pub(super) struct Indexed<'a> {
    mu: &'a [f32],
}

impl<'a> Indexed<'a> {
    /// The means `mu` of a ballot's patterns, for blocks whose every pattern index is below
    /// `b.n_patterns` (asserted).
    pub(super) fn new(b: &Blocks, mu: &'a [f32]) -> Indexed<'a> {
        assert!(b.n_patterns <= mu.len(), "a mean for every pattern");
        Indexed { mu }
    }
}

impl Means for Indexed<'_> {
    #[inline(always)]
    fn get(&self, pattern: &[u32; BLOCK]) -> [f32; BLOCK] {
        // SAFETY: the blocks' pattern indices are below `n_patterns`, which `new` checked
        // is at most `mu.len()`.
        std::array::from_fn(|l| unsafe { *self.mu.get_unchecked(pattern[l] as usize) })
    }
}

/// One ballot's pass over all states: decides each state's outcome from its uniform (`xs`,
/// simulation order, at least [`Blocks::padded`] long), its idiosyncratic shock (`quantile`)
/// and its pattern's conditional mean (`mu`, within the tolerance `tol` of [`tolerance`] of
/// the exact one, which `exact_mean(pattern)` returns), adds it to the state's packed chunk
/// counter (`counts`, see [`super::PACKED_INC`]) and returns the ballot's yes, no and abstain
/// counts. `FUSED`: whether the instruction set has fused multiply-adds (the approximation
/// uses them if so; results are the same either way).
#[inline(always)]
pub(super) fn pass<const FUSED: bool, Q: Quantile>(
    b: &Blocks,
    mu: &impl Means,
    quantile: &Q,
    tol: f32,
    xs: &[u32],
    counts: &mut [u32],
    exact_mean: &mut impl FnMut(usize) -> f32,
) -> [u32; 3] {
    assert!(
        xs.len() >= b.padded() && counts.len() >= b.padded(),
        "uniforms and counters for every (padded) state"
    );
    let mut totals = [0u32; 3];
    for (g, group) in b.blocks.chunks(PACKED_MAX).enumerate() {
        // Per-lane sums of the increments: each lane sums at most `PACKED_MAX` states.
        let mut acc = [0u32; BLOCK];
        for (j, blk) in group.iter().enumerate() {
            let i = (g * PACKED_MAX + j) * BLOCK;
            let x: &[u32; BLOCK] = xs[i..i + BLOCK].try_into().expect("a block of uniforms");
            let c: &mut [u32; BLOCK] = (&mut counts[i..i + BLOCK])
                .try_into()
                .expect("a block of counters");
            let u: [f32; BLOCK] = std::array::from_fn(|l| uniform_steps(x[l]));
            let mut v = [0f32; BLOCK];
            let mut w = [0f32; BLOCK];
            for l in 0..BLOCK {
                (v[l], w[l]) = rescale::<FUSED>(u[l], blk.scale[l], blk.offset[l], blk.upper[l]);
            }
            let eps = quantile.eps(&v, &w, &u, &blk.seg[3]);
            let m = mu.get(&blk.pattern);
            let mut add = [0u32; BLOCK];
            let mut near = [0u32; BLOCK];
            for l in 0..BLOCK {
                let tol = blk.margin[l] + tol;
                let (a, n) = decide::<FUSED>(&blk.lane(l), u[l], eps[l], m[l], tol, Q::EXACT);
                add[l] = a;
                near[l] = u32::from(n);
            }
            for l in 0..BLOCK {
                c[l] = c[l].wrapping_add(add[l]);
                acc[l] = acc[l].wrapping_add(add[l]);
            }
            if !Q::EXACT && near.iter().fold(0, |a, &n| a | n) != 0 {
                refine(blk, x, &near, &add, c, &mut acc, exact_mean);
            }
        }
        for a in acc {
            for (t, f) in totals.iter_mut().zip(unpack(a)) {
                *t += f;
            }
        }
    }
    totals
}

/// Decides again, exactly, the states of `blk` flagged `near`, correcting
/// their counters `c` and lane sums `acc`, which received the approximate increments `add`
/// (out of line: rarely called).
#[cold]
#[inline(never)]
fn refine(
    blk: &Block,
    x: &[u32; BLOCK],
    near: &[u32; BLOCK],
    add: &[u32; BLOCK],
    c: &mut [u32; BLOCK],
    acc: &mut [u32; BLOCK],
    exact_mean: &mut impl FnMut(usize) -> f32,
) {
    for l in (0..BLOCK).filter(|&l| near[l] != 0) {
        let m = exact_mean(blk.pattern[l] as usize);
        let fix = blk
            .lane(l)
            .increment(uniform_steps(x[l]), m)
            .wrapping_sub(add[l]);
        c[l] = c[l].wrapping_add(fix);
        acc[l] = acc[l].wrapping_add(fix);
    }
}
