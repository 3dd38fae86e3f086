//! The CPU's instruction sets, detected once at run time, for the engine's SIMD code.

/// The widest implementation of the per-ballot pass this CPU runs. All give identical
/// results; only the speed differs. Ordered from narrowest to widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Simd {
    /// Portable Rust (whatever the compiler makes of the per-state loop).
    Baseline,
    /// AVX2 with FMA, 8 states per step.
    Avx2,
    /// AVX-512F (with AVX2 and FMA), 16 states per step.
    Avx512,
}

impl Simd {
    /// The best the running CPU supports; `LOBBYSIM_SIMD=baseline|avx2` caps it (for
    /// comparisons; never changes results).
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
