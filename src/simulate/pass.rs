//! The per-ballot pass over all states in portable Rust.

use super::kernel::{BLOCK, Blocks, PACKED_INC, outcome_bits};
use super::uniform_steps;

/// One ballot's pass over all states, given the conditional mean `mu` of each pattern: decides
/// each state's outcome from its uniform (`xs`, simulation order, at least
/// [`Blocks::padded`] long), adds it to the state's packed chunk counter (`counts`, see
/// [`PACKED_INC`]) and returns the ballot's yes, no and abstain counts. The SIMD versions
/// perform exactly the same operations.
#[inline(always)]
pub(super) fn pass_body(b: &Blocks, mu: &[f32], xs: &[u32], counts: &mut [u32]) -> [u32; 3] {
    b.check(mu, xs, counts);
    let mut sum = [0u32; 3];
    for (p, (&x, c)) in xs[..b.n].iter().zip(&mut counts[..b.n]).enumerate() {
        let blk = &b.blocks[p / BLOCK];
        let j = p % BLOCK;
        let bits = outcome_bits(
            blk.lane(j)
                .passes(uniform_steps(x), mu[blk.pattern[j] as usize]),
        );
        for (k, &o) in bits.iter().enumerate() {
            *c += o * PACKED_INC[k];
            sum[k] += o;
        }
    }
    sum
}

/// [`pass_body`] compiled for the baseline instruction set.
pub(super) fn pass_baseline(b: &Blocks, mu: &[f32], xs: &[u32], counts: &mut [u32]) -> [u32; 3] {
    pass_body(b, mu, xs, counts)
}
