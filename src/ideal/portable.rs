//! Portable elementary functions for the fit and the priors: the `libm` crate's, which use
//! only IEEE-754 double arithmetic (no fused multiply-add, no platform C library), so a fitted
//! model has the same bits on every CPU and operating system. The standard library's `exp`
//! and `ln` call the platform's C library, whose last bits differ between versions and
//! instruction sets: on this machine the objective of the 2012–2022 fit at its start values
//! differs in the 11th significant digit between the two.
//!
//! The price, measured on the objective of the 2012–2022 fit (D = 10, K = 3; 200 evaluations,
//! one thread, CPU time): 3.5 s with `libm` against 2.7 s with the platform's `exp`/`ln` and
//! statrs' `erfc` (about 30% more). Hand-written table-free polynomial versions were tried and
//! measured no faster than `libm` (see `docs/ideal.md`, "Speed").

/// `eˣ`.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// Natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// `ln(1 + x)`, accurate for small `|x|`.
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

/// Complementary error function.
#[inline]
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}
