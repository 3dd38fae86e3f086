//! The CPU feature detector: which instruction set the engine's kernel is compiled for, chosen
//! at run time.
//!
//! The engine's per-ballot code is one portable source ([`crate::simulate`]), compiled once
//! for the build's target (the portable build: SSE2 on x86-64, NEON on AArch64) and, on
//! x86-64, twice more with `#[target_feature]` — AVX2 + FMA and AVX-512 — of which the widest
//! the CPU has runs. The random numbers need no detection here: the `chacha20` crate picks its
//! own backend ([`crate::rng`]). Every choice gives the same results.

/// An instruction set the engine's kernel is compiled for. All give identical results; only
/// the speed differs. Ordered from narrowest to widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Simd {
    /// The build's own target: SSE2 on x86-64 (no fused multiply-adds: the engine then
    /// computes conditional means and its approximations unfused, with error bounds), NEON
    /// with fused multiply-adds on AArch64, whatever the compiler vectorises elsewhere.
    Baseline,
    /// AVX2 with FMA (x86-64): 8 states per vector step.
    Avx2,
    /// AVX-512 F, VL, BW and DQ, with AVX2 and FMA (x86-64): 16 states per vector step.
    Avx512,
}

impl Simd {
    /// The widest the running CPU supports; the environment variable
    /// `LOBBYSIM_SIMD=baseline|avx2` caps it (for comparisons; never changes results).
    pub fn detect() -> Simd {
        let cap = match std::env::var("LOBBYSIM_SIMD").as_deref() {
            Ok("baseline") => Simd::Baseline,
            Ok("avx2") => Simd::Avx2,
            _ => Simd::Avx512,
        };
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma");
            let avx512 = std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512dq");
            let best = if avx2 && avx512 {
                Simd::Avx512
            } else if avx2 {
                Simd::Avx2
            } else {
                Simd::Baseline
            };
            best.min(cap)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = cap;
            Simd::Baseline
        }
    }

    /// Name for reports and benchmarks.
    pub fn name(self) -> &'static str {
        match self {
            Simd::Baseline => "baseline",
            Simd::Avx2 => "avx2",
            Simd::Avx512 => "avx512",
        }
    }
}
