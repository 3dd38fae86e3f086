//! The unsafe SIMD code of the engine (x86-64): the per-state pass with AVX2 and with
//! AVX-512 intrinsics, the AVX-512 shocks and pattern means, and the entry points compiled
//! for each instruction set.

use super::Tally;
use super::kernel::{BLOCK, Blocks, FIELD_BITS, Kernel, NESTED_INC, PACKED_MAX, Scratch, unpack};
use crate::rng::ChunkWords;

/// [`pass_body`] with AVX2 and FMA intrinsics: each block as two steps of 8 states, the
/// quantile's coefficients by gathers. Every step is the IEEE single-precision operation
/// [`Lane::passes`] performs, in the same order, so this returns exactly what the baseline
/// version returns (`simulate::tests::simd_passes_equal_baseline`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(super) fn pass_avx2(b: &Blocks, mu: &[f32], xs: &[u32], counts: &mut [u32]) -> [u32; 3] {
    use std::arch::x86_64::*;
    b.check(mu, xs, counts);
    let nested = NESTED_INC.map(|c| _mm256_set1_epi32(c as i32));
    let mut totals = [0u32; 3];
    for (g, group) in b.blocks.chunks(PACKED_MAX).enumerate() {
        // One accumulator per half block: each lane then sums at most `PACKED_MAX` states.
        let mut acc = [_mm256_setzero_si256(); 2];
        for (j, blk) in group.iter().enumerate() {
            for (half, h) in [0, 8].into_iter().enumerate() {
                let i = (g * PACKED_MAX + j) * BLOCK + h;
                // SAFETY: (loads, gathers, stores) `check` guarantees xs and counts cover
                // i..i + 8; the block's arrays hold 16 lanes; pattern indices are below
                // `mu.len()`.
                unsafe {
                    let ld = |a: &[f32; BLOCK]| _mm256_loadu_ps(a.as_ptr().add(h));
                    let x = _mm256_loadu_si256(xs.as_ptr().add(i).cast());
                    let u = _mm256_cvtepi32_ps(_mm256_srli_epi32::<8>(x));
                    let scale = ld(&blk.scale);
                    let v = _mm256_fmadd_ps(u, scale, ld(&blk.offset));
                    let w = _mm256_fnmadd_ps(u, scale, ld(&blk.upper));
                    let z = crate::normal::x86::inv8(v, w);
                    let pat = _mm256_loadu_si256(blk.pattern.as_ptr().add(h).cast());
                    let m = _mm256_i32gather_ps::<4>(mu.as_ptr(), pat);
                    let lat = _mm256_fmadd_ps(ld(&blk.sigma), z, m);
                    let present = _mm256_cmp_ps::<_CMP_GE_OQ>(u, ld(&blk.seg[3]));
                    let not_no =
                        _mm256_and_ps(present, _mm256_cmp_ps::<_CMP_GE_OQ>(lat, ld(&blk.cut_no)));
                    let yes =
                        _mm256_and_ps(not_no, _mm256_cmp_ps::<_CMP_GE_OQ>(lat, ld(&blk.cut_yes)));
                    // As `outcome_bits`, by nesting (see `NESTED_INC`).
                    let passed = [
                        _mm256_cmp_ps::<_CMP_GE_OQ>(u, ld(&blk.seg[0])),
                        _mm256_cmp_ps::<_CMP_GE_OQ>(u, ld(&blk.seg[1])),
                        _mm256_cmp_ps::<_CMP_GE_OQ>(u, ld(&blk.seg[2])),
                        not_no,
                        yes,
                    ];
                    let mut add = _mm256_setzero_si256();
                    for (m, c) in passed.iter().zip(&nested) {
                        add = _mm256_add_epi32(add, _mm256_and_si256(_mm256_castps_si256(*m), *c));
                    }
                    let c = counts.as_mut_ptr().add(i).cast::<__m256i>();
                    _mm256_storeu_si256(c, _mm256_add_epi32(_mm256_loadu_si256(c), add));
                    acc[half] = _mm256_add_epi32(acc[half], add);
                }
            }
        }
        for a in acc {
            let mut lanes = [0u32; 8];
            // SAFETY: `lanes` is 8 writable u32s.
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), a) };
            for l in lanes {
                for (t, f) in totals.iter_mut().zip(unpack(l)) {
                    *t += f;
                }
            }
        }
    }
    totals
}

/// [`pass_body`] with AVX-512F intrinsics: 16 states per step, comparisons into mask
/// registers, the quantile's coefficients from registers ([`crate::normal::x86::inv16`]).
/// The same IEEE single-precision operations as [`Lane::passes`] in the same order, so the
/// same results as the baseline and AVX2 versions (`simulate::tests::simd_passes_equal_baseline`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
pub(super) fn pass_avx512(b: &Blocks, mu: &[f32], xs: &[u32], counts: &mut [u32]) -> [u32; 3] {
    use crate::normal::x86::{RegisterTable, inv16};
    use std::arch::x86_64::*;
    b.check(mu, xs, counts);
    let table = RegisterTable::load();
    let nested = NESTED_INC.map(|c| _mm512_set1_epi32(c as i32));
    // With at most 32 patterns, the conditional means sit in two registers and each step
    // picks its lanes' values by a permutation instead of a gather.
    let few_patterns = mu.len() <= 32;
    let (mu_lo, mu_hi) = if few_patterns {
        let mask = |from: usize| -> __mmask16 {
            let len = mu.len().saturating_sub(from).min(16);
            ((1u32 << len) - 1) as u16
        };
        // SAFETY: the masks cover only indices below `mu.len()`.
        unsafe {
            (
                _mm512_maskz_loadu_ps(mask(0), mu.as_ptr()),
                _mm512_maskz_loadu_ps(mask(16), mu.as_ptr().wrapping_add(16.min(mu.len()))),
            )
        }
    } else {
        (_mm512_setzero_ps(), _mm512_setzero_ps())
    };
    let mut totals = [0u32; 3];
    for (g, group) in b.blocks.chunks(PACKED_MAX).enumerate() {
        let mut acc = _mm512_setzero_si512();
        for (j, blk) in group.iter().enumerate() {
            let i = (g * PACKED_MAX + j) * BLOCK;
            // SAFETY: (loads, gathers, stores) `check` guarantees xs and counts cover
            // i..i + 16; blocks are 64-byte aligned; pattern indices are below `mu.len()`.
            unsafe {
                let ld = |a: &[f32; BLOCK]| _mm512_load_ps(a.as_ptr());
                let x = _mm512_loadu_si512(xs.as_ptr().add(i).cast());
                let u = _mm512_cvtepi32_ps(_mm512_srli_epi32::<8>(x));
                let scale = ld(&blk.scale);
                let v = _mm512_fmadd_ps(u, scale, ld(&blk.offset));
                let w = _mm512_fnmadd_ps(u, scale, ld(&blk.upper));
                let present = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(u, ld(&blk.seg[3]));
                // Absent lanes' shocks are never used: they need no gather.
                let z = inv16(&table, v, w, present);
                let pat = _mm512_load_si512(blk.pattern.as_ptr().cast());
                let m = if few_patterns {
                    _mm512_permutex2var_ps(mu_lo, pat, mu_hi)
                } else {
                    _mm512_i32gather_ps::<4>(pat, mu.as_ptr())
                };
                let lat = _mm512_fmadd_ps(ld(&blk.sigma), z, m);
                let not_no = _mm512_mask_cmp_ps_mask::<_CMP_GE_OQ>(present, lat, ld(&blk.cut_no));
                let yes = _mm512_mask_cmp_ps_mask::<_CMP_GE_OQ>(not_no, lat, ld(&blk.cut_yes));
                let m0 = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(u, ld(&blk.seg[0]));
                let m1 = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(u, ld(&blk.seg[1]));
                let m2 = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(u, ld(&blk.seg[2]));
                // As `outcome_bits`, by nesting (see `NESTED_INC`).
                let add = _mm512_maskz_mov_epi32(m0, nested[0]);
                let add = _mm512_mask_add_epi32(add, m1, add, nested[1]);
                let add = _mm512_mask_add_epi32(add, m2, add, nested[2]);
                let add = _mm512_mask_add_epi32(add, not_no, add, nested[3]);
                let add = _mm512_mask_add_epi32(add, yes, add, nested[4]);
                let c = counts.as_mut_ptr().add(i).cast::<__m512i>();
                _mm512_storeu_si512(c, _mm512_add_epi32(_mm512_loadu_si512(c), add));
                acc = _mm512_add_epi32(acc, add);
            }
        }
        let mask = _mm512_set1_epi32((1 << FIELD_BITS) - 1);
        totals[0] += _mm512_reduce_add_epi32(_mm512_and_si512(acc, mask)) as u32;
        totals[1] +=
            _mm512_reduce_add_epi32(_mm512_and_si512(_mm512_srli_epi32::<FIELD_BITS>(acc), mask))
                as u32;
        totals[2] += _mm512_reduce_add_epi32(_mm512_srli_epi32::<{ 2 * FIELD_BITS }>(acc)) as u32;
    }
    totals
}

/// [`Kernel::shock_means`] with AVX-512F: each group of 16 patterns in a register, two
/// groups per pass over the factors (two independent chains of fused multiply-adds); factor
/// `r` is `shocks[factors[r]]`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
pub(super) fn shock_means_avx512(
    loadings: &[[f32; 16]],
    factors: &[u32],
    shocks: &[f32],
    mu: &mut [f32],
) {
    use std::arch::x86_64::*;
    let rows = factors.len();
    let f = |r: usize| _mm512_set1_ps(shocks[factors[r] as usize]);
    let groups = loadings.len() / rows;
    assert!(rows >= 1 && mu.len() >= 16 * groups);
    let ld = |r: &[f32; 16]| {
        // SAFETY: `r` is 16 readable f32s.
        unsafe { _mm512_loadu_ps(r.as_ptr()) }
    };
    let mut st = |c: usize, v: __m512| {
        let out: &mut [f32; 16] = (&mut mu[16 * c..16 * c + 16]).try_into().expect("16");
        // SAFETY: `out` is 16 writable f32s.
        unsafe { _mm512_storeu_ps(out.as_mut_ptr(), v) }
    };
    let mut c = 0;
    while c < groups {
        let l0 = &loadings[c * rows..(c + 1) * rows];
        let f0 = f(0);
        if c + 1 < groups {
            let l1 = &loadings[(c + 1) * rows..(c + 2) * rows];
            let (mut a0, mut a1) = (_mm512_mul_ps(ld(&l0[0]), f0), _mm512_mul_ps(ld(&l1[0]), f0));
            for (r, (x0, x1)) in l0.iter().zip(l1).enumerate().skip(1) {
                let fr = f(r);
                a0 = _mm512_fmadd_ps(ld(x0), fr, a0);
                a1 = _mm512_fmadd_ps(ld(x1), fr, a1);
            }
            st(c, a0);
            st(c + 1, a1);
            c += 2;
        } else {
            let mut a0 = _mm512_mul_ps(ld(&l0[0]), f0);
            for (r, x0) in l0.iter().enumerate().skip(1) {
                a0 = _mm512_fmadd_ps(ld(x0), f(r), a0);
            }
            st(c, a0);
            c += 1;
        }
    }
}

/// [`Kernel::shocks`] with AVX-512F: `shocks` must have room for `words.len()` rounded up to
/// a multiple of 16.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
pub(super) fn shocks_avx512(words: &[u32], shocks: &mut [f32]) {
    use crate::normal::x86::{RegisterTable, inv16};
    use std::arch::x86_64::*;
    assert!(shocks.len() >= words.len().div_ceil(16) * 16);
    let table = RegisterTable::load();
    let half = _mm512_set1_ps(0.5);
    let scale = _mm512_set1_ps(1.0 / 8_388_608.0);
    for i in (0..words.len()).step_by(16) {
        let k: __mmask16 = if words.len() - i >= 16 {
            0xffff
        } else {
            (1u16 << (words.len() - i)) - 1
        };
        // SAFETY: the mask covers only indices below `words.len()`; `shocks` holds 16 more
        // from `i` (asserted above).
        unsafe {
            let x = _mm512_maskz_loadu_epi32(k, words.as_ptr().add(i).cast());
            let u = _mm512_mul_ps(
                _mm512_add_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32::<9>(x)), half),
                scale,
            );
            let w = _mm512_sub_ps(_mm512_set1_ps(1.0), u);
            _mm512_storeu_ps(shocks.as_mut_ptr().add(i), inv16(&table, u, w, k));
        }
    }
}

/// [`Kernel::run`] compiled with AVX-512F, AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) fn run_avx512(
    k: &Kernel,
    rng: &mut ChunkWords,
    len: u64,
    t: &mut Tally,
    sc: &mut Scratch,
) {
    k.run_body(rng, len, t, sc)
}

/// [`Kernel::run`] compiled with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(super) fn run_avx2(
    k: &Kernel,
    rng: &mut ChunkWords,
    len: u64,
    t: &mut Tally,
    sc: &mut Scratch,
) {
    k.run_body(rng, len, t, sc)
}
