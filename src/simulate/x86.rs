//! The engine's unsafe SIMD code (x86-64): the entry points that compile the portable kernel
//! for AVX2 + FMA and for AVX-512, and the few steps written with intrinsics because
//! compilers do not find them: the conditional means looked up by register permutation
//! (AVX2, AVX-512), the exact quantile with its coefficients in registers, and the shocks and
//! pattern means 16 at a time (AVX-512).

use std::arch::x86_64::*;

use super::Tally;
use super::kernel::{Kernel, Scratch};
use super::layout::{BLOCK, Blocks};
use super::pass::{Means, Quantile};
use crate::normal::x86::{RegisterTable, inv16};
use crate::rng::ChunkWords;

/// [`Kernel::shock_means`] with AVX-512F: each group of 16 patterns in a register, two
/// groups per pass over the factors (two independent chains of fused multiply-adds); factor
/// `r` is `shocks[factors[r]]`.
#[target_feature(enable = "avx512f")]
pub(super) fn shock_means_avx512(
    loadings: &[[f32; 16]],
    factors: &[u32],
    shocks: &[f32],
    mu: &mut [f32],
) {
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
#[target_feature(enable = "avx512f")]
pub(super) fn shocks_avx512(words: &[u32], shocks: &mut [f32]) {
    use crate::normal::x86::{RegisterTable, inv16};
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

/// [`Kernel::run_body`] compiled with AVX-512 (F, VL, BW, DQ), AVX2 and FMA: the portable
/// code, vectorised by the compiler 16 states per step.
///
/// # Safety
/// The CPU must support these instruction sets ([`crate::cpu::Simd::Avx512`]).
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
pub(super) fn run_avx512(
    k: &Kernel,
    rng: &mut ChunkWords,
    len: u64,
    t: &mut Tally,
    sc: &mut Scratch,
) {
    k.run_body::<true>(rng, len, t, sc)
}

/// [`super::visit_chunk`] compiled with AVX2 and FMA: hardware fused multiply-adds (the same
/// results: `mul_add` rounds once either way).
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) fn visit_chunk_fma(
    m: &crate::model::Model,
    cfg: &super::RunConfig,
    k: u64,
    f: impl FnMut(&super::Ballot<'_>),
) {
    super::reference::visit_chunk_body(m, cfg, k, f)
}

/// [`Kernel::run_body`] compiled with AVX2 and FMA: the portable code, vectorised by the
/// compiler 8 states per step.
///
/// # Safety
/// The CPU must support AVX2 and FMA ([`crate::cpu::Simd::Avx2`]).
#[target_feature(enable = "avx2,fma")]
pub(super) fn run_avx2(
    k: &Kernel,
    rng: &mut ChunkWords,
    len: u64,
    t: &mut Tally,
    sc: &mut Scratch,
) {
    k.run_body::<true>(rng, len, t, sc)
}

/// [`Kernel::pass`] compiled as in [`run_avx512`] (tests: with the means `mu` taken as
/// exact).
///
/// # Safety
/// As [`run_avx512`].
#[cfg(test)]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
pub(super) fn pass_avx512(
    k: &Kernel,
    mu: &[f32],
    tol: f32,
    xs: &[u32],
    counts: &mut [u32],
) -> [u32; 3] {
    k.pass::<true>(mu, tol, xs, counts, &mut |q| mu[q])
}

/// [`Kernel::pass`] compiled as in [`run_avx2`] (tests).
///
/// # Safety
/// As [`run_avx2`].
#[cfg(test)]
#[target_feature(enable = "avx2,fma")]
pub(super) fn pass_avx2(
    k: &Kernel,
    mu: &[f32],
    tol: f32,
    xs: &[u32],
    counts: &mut [u32],
) -> [u32; 3] {
    k.pass::<true>(mu, tol, xs, counts, &mut |q| mu[q])
}

/// The conditional means of at most 32 patterns in two AVX-512 registers, looked up for a
/// block of 16 states by one permutation (instead of a gather).
pub(super) struct Permute512 {
    lo: __m512,
    hi: __m512,
}

impl Permute512 {
    /// The means `mu` of blocks `b` (at most 32 patterns).
    ///
    /// # Safety
    /// The CPU must support AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn new(b: &Blocks, mu: &[f32]) -> Permute512 {
        assert!(b.n_patterns <= 32 && b.n_patterns <= mu.len());
        let n = mu.len().min(32);
        let mask = |from: usize| ((1u32 << n.saturating_sub(from).min(16)) - 1) as u16;
        // SAFETY: the masks cover only indices below `mu.len()`; the CPU has AVX-512F
        // (caller).
        unsafe {
            Permute512 {
                lo: _mm512_maskz_loadu_ps(mask(0), mu.as_ptr()),
                hi: _mm512_maskz_loadu_ps(mask(16), mu.as_ptr().wrapping_add(16.min(n))),
            }
        }
    }
}

impl Means for Permute512 {
    #[inline(always)]
    fn get(&self, pattern: &[u32; BLOCK]) -> [f32; BLOCK] {
        // SAFETY: a `Permute512` exists only where the CPU has AVX-512F (`new`); `pattern` is
        // 16 readable u32s; the permutation reads the low 5 bits of each index, and the
        // patterns are below 32; `__m512` and `[f32; 16]` have the same size.
        unsafe {
            let idx = _mm512_loadu_si512(pattern.as_ptr().cast());
            std::mem::transmute::<__m512, [f32; BLOCK]>(_mm512_permutex2var_ps(
                self.lo, idx, self.hi,
            ))
        }
    }
}

/// The conditional means of at most 32 patterns in one, two or four AVX2 registers, looked
/// up for 8 states by permutations within each register and blends by the index's bits 3
/// and 4 (instead of a gather).
pub(super) struct Permute256 {
    t: [__m256; 4],
    /// Registers in use: 1, 2 or 4.
    regs: usize,
}

impl Permute256 {
    /// The means `mu` of blocks `b` (at most 32 patterns).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline(always)]
    pub(super) unsafe fn new(b: &Blocks, mu: &[f32]) -> Permute256 {
        assert!(b.n_patterns <= 32 && b.n_patterns <= mu.len());
        let mut t = [0f32; 32];
        t[..mu.len().min(32)].copy_from_slice(&mu[..mu.len().min(32)]);
        let regs = match b.n_patterns {
            0..=8 => 1,
            9..=16 => 2,
            _ => 4,
        };
        // SAFETY: `t` holds 32 readable f32s; the CPU has AVX2 (caller).
        unsafe {
            Permute256 {
                t: std::array::from_fn(|k| _mm256_loadu_ps(t.as_ptr().add(8 * k))),
                regs,
            }
        }
    }

    /// The means of 8 patterns `idx`.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline(always)]
    unsafe fn get8(&self, idx: __m256i) -> __m256 {
        // SAFETY: the CPU has AVX2 (caller). `blendv` selects by the sign bit, where the
        // shifts put bit 3 and bit 4 of each index.
        unsafe {
            let p0 = _mm256_permutevar8x32_ps(self.t[0], idx);
            if self.regs == 1 {
                return p0;
            }
            let b3 = _mm256_castsi256_ps(_mm256_slli_epi32::<28>(idx));
            let lo = _mm256_blendv_ps(p0, _mm256_permutevar8x32_ps(self.t[1], idx), b3);
            if self.regs == 2 {
                return lo;
            }
            let hi = _mm256_blendv_ps(
                _mm256_permutevar8x32_ps(self.t[2], idx),
                _mm256_permutevar8x32_ps(self.t[3], idx),
                b3,
            );
            _mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_slli_epi32::<27>(idx)))
        }
    }
}

impl Means for Permute256 {
    #[inline(always)]
    fn get(&self, pattern: &[u32; BLOCK]) -> [f32; BLOCK] {
        // SAFETY: a `Permute256` exists only where the CPU has AVX2 (`new`); `pattern` is 16
        // readable u32s, in two halves of 8; two `__m256` are the size of `[f32; 16]`.
        unsafe {
            let lo = self.get8(_mm256_loadu_si256(pattern.as_ptr().cast()));
            let hi = self.get8(_mm256_loadu_si256(pattern.as_ptr().add(8).cast()));
            std::mem::transmute::<[__m256; 2], [f32; BLOCK]>([lo, hi])
        }
    }
}

/// The exact quantile ([`crate::normal::InvNormalF32::inv_split`]) on a block of 16 states
/// with AVX-512F: the coefficients of 32 of its 47 segments in registers, looked up by
/// permutation; only present states in the deep tail (q < 2⁻¹⁶) take a gather.
pub(super) struct Table512(RegisterTable);

impl Table512 {
    /// Loads the coefficients.
    ///
    /// # Safety
    /// The CPU must support AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn new() -> Table512 {
        // SAFETY: the CPU has AVX-512F (caller).
        Table512(unsafe { RegisterTable::load() })
    }
}

impl Quantile for Table512 {
    const EXACT: bool = true;
    #[inline(always)]
    fn eps(
        &self,
        v: &[f32; BLOCK],
        w: &[f32; BLOCK],
        u: &[f32; BLOCK],
        absent: &[f32; BLOCK],
    ) -> [f32; BLOCK] {
        // SAFETY: a `Table512` exists only where the CPU has AVX-512F (`new`); the arrays
        // are 16 readable f32s each; `__m512` and `[f32; 16]` have the same size.
        unsafe {
            let active = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(
                _mm512_loadu_ps(u.as_ptr()),
                _mm512_loadu_ps(absent.as_ptr()),
            );
            let z = inv16(
                &self.0,
                _mm512_loadu_ps(v.as_ptr()),
                _mm512_loadu_ps(w.as_ptr()),
                active,
            );
            std::mem::transmute::<__m512, [f32; BLOCK]>(z)
        }
    }
}
