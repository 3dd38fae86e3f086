//! The reference implementation: ballot by ballot, one state at a time, on exactly the random
//! numbers the kernel uses.

use rand::Rng;

use super::layout::Lane;
use super::{RunConfig, shock_uniform, uniform_steps};
#[cfg(target_arch = "x86_64")]
use crate::cpu::Simd;
use crate::model::Model;
use crate::normal::InvNormalF32;
use crate::rng::chunk_rng;
use crate::vote::Outcome;
use crate::with_chunk_rng;

/// One simulated ballot as seen by [`visit_chunk`].
pub struct Ballot<'a> {
    /// The global shock `G`.
    pub global: f64,
    /// The bloc shocks `B_b`, in scenario bloc order.
    pub blocs: &'a [f64],
    /// Every state's vote, in scenario order.
    pub votes: &'a [Outcome],
    /// Counts of yes, no, abstain, absent.
    pub counts: [u32; 4],
}

/// Replays chunk `k` of a run ballot by ballot with a straightforward implementation of the
/// model (one `next_u32` per draw, per-state sums, leaders' votes looked up, one state at a
/// time) on exactly the random numbers the fast kernel uses, calling `f` for each ballot. It is
/// the reference the kernel is tested against, and serves computations that need each
/// ballot's shocks and votes (evidence weighting). Several times slower than the kernel.
pub fn visit_chunk(m: &Model, cfg: &RunConfig, k: u64, f: impl FnMut(&Ballot<'_>)) {
    #[cfg(target_arch = "x86_64")]
    if Simd::detect() >= Simd::Avx2 {
        // SAFETY: the CPU has AVX2 and FMA (`Simd::detect`).
        return unsafe { super::x86::visit_chunk_fma(m, cfg, k, f) };
    }
    visit_chunk_body(m, cfg, k, f)
}

/// [`visit_chunk`]'s body (compiled with hardware fused multiply-adds by
/// `super::x86::visit_chunk_fma` where the CPU has them).
#[inline(always)]
pub(super) fn visit_chunk_body(m: &Model, cfg: &RunConfig, k: u64, mut f: impl FnMut(&Ballot<'_>)) {
    let n = m.len();
    let lanes: Vec<Lane> = m.states.iter().map(Lane::of).collect();
    let mut shocks = vec![0f32; m.n_blocs];
    let mut shocks64 = vec![0.0; m.n_blocs];
    let mut vote = vec![Outcome::Absent; n];
    with_chunk_rng!(chunk_rng(cfg.rng, cfg.seed, k), |r| {
        for _ in 0..cfg.chunk_len(k) {
            let g = InvNormalF32.inv(shock_uniform(r.next_u32()));
            for s in shocks.iter_mut() {
                *s = InvNormalF32.inv(shock_uniform(r.next_u32()));
            }
            let mut counts = [0u32; 4];
            for &i in &m.order {
                let s = &m.states[i];
                let x = uniform_steps(r.next_u32());
                let mut mu = s.loadings.global as f32 * g;
                for &(b, l) in &s.loadings.blocs {
                    mu = (l as f32).mul_add(shocks[b], mu);
                }
                for &(l, infl, c) in &s.leaders {
                    mu = (infl as f32).mul_add(vote[l].score() as f32 - c as f32, mu);
                }
                let o = Outcome::ALL[lanes[i].decide(x, mu)];
                vote[i] = o;
                counts[o.index()] += 1;
            }
            for (a, &b) in shocks64.iter_mut().zip(&shocks) {
                *a = f64::from(b);
            }
            f(&Ballot {
                global: f64::from(g),
                blocs: &shocks64,
                votes: &vote,
                counts,
            });
        }
    });
}
