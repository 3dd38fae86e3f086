//! Numerically careful normal and logistic functions for the ordered probit and the absence
//! logit: log-probabilities and their derivatives, accurate far into the tails (a MAP fit
//! meets latent scores of ±30 on near-unanimous roll calls).

/// Portable elementary functions ([`super::portable`]): every transcendental function of the
/// fit and the priors goes through these, so results are the same on every CPU.
pub use super::portable as pm;

use pm::{erfc, exp, ln, ln_1p};

/// `ln √(2π)`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// Below this, `ln Φ(z)` uses the asymptotic series (erfc underflows near z = −38).
const ASYMPTOTIC_BELOW: f64 = -30.0;

/// Standard normal density `φ(z)`.
pub fn norm_pdf(z: f64) -> f64 {
    exp(-0.5 * z * z - LN_SQRT_2PI)
}

/// Standard normal distribution function `Φ(z)`.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// `ln Φ(z)`, accurate for every finite `z` (relative error ~1e-15 above −30, the
/// four-term asymptotic series below, whose error there is < 1e-9 relative).
pub fn log_norm_cdf(z: f64) -> f64 {
    if z > 0.0 {
        // Φ(z) = 1 − Φ(−z); ln(1 − q) with q small.
        ln_1p(-0.5 * erfc(z * std::f64::consts::FRAC_1_SQRT_2))
    } else if z > ASYMPTOTIC_BELOW {
        ln(norm_cdf(z))
    } else {
        let r = 1.0 / (z * z);
        -0.5 * z * z - ln(-z) - LN_SQRT_2PI + ln(1.0 - r * (1.0 - 3.0 * r * (1.0 - 5.0 * r)))
    }
}

/// The inverse Mills ratio `φ(z)/Φ(z)` (the derivative of `ln Φ(z)`), for every finite `z`.
pub fn inv_mills(z: f64) -> f64 {
    if z > -5.0 {
        norm_pdf(z) / norm_cdf(z)
    } else {
        exp(-0.5 * z * z - LN_SQRT_2PI - log_norm_cdf(z))
    }
}

/// `(ln Φ(z), φ(z)/Φ(z))` with one evaluation of erfc: the log-probability of a one-sided
/// outcome and its derivative. The logarithm's absolute error is ~1e-16 (what a sum of
/// log-likelihoods needs); below −30 both come from the asymptotic series.
pub fn log_cdf_mills(z: f64) -> (f64, f64) {
    if z > ASYMPTOTIC_BELOW {
        let p = norm_cdf(z);
        (ln(p), norm_pdf(z) / p)
    } else {
        let l = log_norm_cdf(z);
        (l, exp(-0.5 * z * z - LN_SQRT_2PI - l))
    }
}

/// Log-likelihood of one not-voting indicator under `P(not voting) = logistic(λ)` and its
/// derivative with respect to `λ`: `(ln P, ∂ ln P/∂λ)`, with one exponential.
pub fn absence_term(lam: f64, absent: bool) -> (f64, f64) {
    let e = exp(-lam.abs());
    let log1pe = ln_1p(e);
    // logistic(λ) = 1/(1+e) for λ ≥ 0, e/(1+e) otherwise.
    let p = if lam >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    if absent {
        // ln logistic(λ) = −softplus(−λ).
        (-((-lam).max(0.0) + log1pe), 1.0 - p)
    } else {
        (-(lam.max(0.0) + log1pe), -p)
    }
}

/// Ordered-probit log-probability of one present vote and its derivatives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrdinalTerm {
    /// `ln P(vote)`.
    pub log_p: f64,
    /// ∂ ln P / ∂η (η: the latent mean `β·x`).
    pub d_eta: f64,
    /// ∂ ln P / ∂c₁ (lower cut-point, no | abstain).
    pub d_c1: f64,
    /// ∂ ln P / ∂c₂ (upper cut-point, abstain | yes).
    pub d_c2: f64,
}

/// `ln P(vote)` for a latent `η + ε`, `ε ~ N(0, 1)`, with no below `c1`, abstain in
/// `[c1, c2)`, yes above `c2` (`c1 < c2`), and its derivatives.
/// `vote`: 0 yes, 1 no, 2 abstain (the [`crate::vote::Outcome`] index).
pub fn ordinal(vote: usize, eta: f64, c1: f64, c2: f64) -> OrdinalTerm {
    match vote {
        0 => {
            let (log_p, m) = log_cdf_mills(eta - c2);
            OrdinalTerm {
                log_p,
                d_eta: m,
                d_c1: 0.0,
                d_c2: -m,
            }
        }
        1 => {
            let (log_p, m) = log_cdf_mills(c1 - eta);
            OrdinalTerm {
                log_p,
                d_eta: -m,
                d_c1: m,
                d_c2: 0.0,
            }
        }
        _ => {
            let (a, b) = (c1 - eta, c2 - eta);
            let log_p = log_interval(a, b);
            // φ(b)/P and φ(a)/P through logs: both can underflow while their ratio is finite.
            let ra = exp(-0.5 * a * a - LN_SQRT_2PI - log_p);
            let rb = exp(-0.5 * b * b - LN_SQRT_2PI - log_p);
            OrdinalTerm {
                log_p,
                d_eta: ra - rb,
                d_c1: -ra,
                d_c2: rb,
            }
        }
    }
}

/// `ln(Φ(b) − Φ(a))` for `a < b`, without cancellation in either tail.
pub fn log_interval(a: f64, b: f64) -> f64 {
    if a >= 0.0 {
        // Both in the upper tail: Φ(b) − Φ(a) = Φ(−a) − Φ(−b).
        let (la, lb) = (log_norm_cdf(-a), log_norm_cdf(-b));
        la + ln_1p(-exp(lb - la))
    } else if b <= 0.0 {
        let (la, lb) = (log_norm_cdf(a), log_norm_cdf(b));
        lb + ln_1p(-exp(la - lb))
    } else {
        // a < 0 < b: the interval holds at least min(Φ(b), Φ(−a)) − ½ of mass near 0.
        let p = 1.0 - norm_cdf(a) - norm_cdf(-b);
        if p > 1e-3 {
            ln(p)
        } else {
            // Narrow interval around 0: Φ(b) − Φ(a) = (erfc(−b/√2) − erfc(−a/√2)) / 2,
            // well conditioned as both erfc are near 1.
            ln(0.5
                * (erfc(-b * std::f64::consts::FRAC_1_SQRT_2)
                    - erfc(-a * std::f64::consts::FRAC_1_SQRT_2)))
        }
    }
}

/// `ln(1 + eˣ)`, without overflow.
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + ln_1p(exp(-x.abs()))
}

/// The logistic function `1 / (1 + e^{−x})`.
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + exp(-x))
    } else {
        let e = exp(x);
        e / (1.0 + e)
    }
}

/// The standard normal quantile `Φ⁻¹(p)` for `p` in (0, 1), to ~1e-12, by bisection
/// refined with Newton steps on [`norm_cdf`] (portable; used for start values).
pub fn norm_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let (mut lo, mut hi) = (-38.0f64, 9.0f64);
    for _ in 0..30 {
        let mid = 0.5 * (lo + hi);
        if norm_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let mut z = 0.5 * (lo + hi);
    for _ in 0..3 {
        let d = norm_pdf(z);
        if d <= 0.0 {
            break;
        }
        z = (z - (norm_cdf(z) - p) / d).clamp(lo, hi);
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
    }

    #[test]
    fn log_cdf_matches_direct_and_asymptotic_forms() {
        for &z in &[-8.0, -3.0, -0.5, 0.0, 0.7, 3.0] {
            assert!(close(log_norm_cdf(z), norm_cdf(z).ln(), 1e-12), "{z}");
        }
        // Upper tail: ln Φ(z) = ln(1 − Φ(−z)) ≈ −Φ(−z), where ln(Φ(z)) itself rounds to 0.
        assert!(close(log_norm_cdf(9.0), -norm_cdf(-9.0), 1e-12));
        // Continuity across the switch to the asymptotic series.
        let (lo, hi) = (
            log_norm_cdf(ASYMPTOTIC_BELOW - 1e-9),
            log_norm_cdf(ASYMPTOTIC_BELOW + 1e-9),
        );
        assert!(close(lo, hi, 1e-9), "{lo} {hi}");
        // Far tail: ln Φ(−40) from the Mills-ratio bounds (Gordon): z/(z²+1) φ ≤ 1−Φ ≤ φ/z.
        let z = 40.0_f64;
        let upper = -0.5 * z * z - LN_SQRT_2PI - z.ln();
        let lower = upper + (z * z / (z * z + 1.0)).ln();
        let v = log_norm_cdf(-z);
        assert!(v <= upper && v >= lower, "{v} not in [{lower}, {upper}]");
    }

    #[test]
    fn ordinal_probabilities_sum_to_one_and_derivatives_match() {
        for &(eta, c1, c2) in &[
            (0.3, -0.5, 0.4),
            (5.0, -1.0, 0.2),
            (-7.0, 1.0, 1.3),
            (0.0, -0.01, 0.01),
        ] {
            let s: f64 = (0..3).map(|v| ordinal(v, eta, c1, c2).log_p.exp()).sum();
            assert!((s - 1.0).abs() < 1e-12, "{s}");
            for v in 0..3 {
                let t = ordinal(v, eta, c1, c2);
                let h = 1e-6;
                let num = |f: &dyn Fn(f64) -> f64| (f(h) - f(-h)) / (2.0 * h);
                let de = num(&|d| ordinal(v, eta + d, c1, c2).log_p);
                let d1 = num(&|d| ordinal(v, eta, c1 + d, c2).log_p);
                let d2 = num(&|d| ordinal(v, eta, c1, c2 + d).log_p);
                let tol = |x: f64| 1e-6 * (1.0 + x.abs());
                assert!(
                    (t.d_eta - de).abs() < tol(de),
                    "v{v} eta {} {}",
                    t.d_eta,
                    de
                );
                assert!((t.d_c1 - d1).abs() < tol(d1), "v{v} c1 {} {}", t.d_c1, d1);
                assert!((t.d_c2 - d2).abs() < tol(d2), "v{v} c2 {} {}", t.d_c2, d2);
            }
        }
    }

    #[test]
    fn fused_terms_match_the_separate_functions() {
        for &z in &[-40.0, -31.0, -29.0, -6.0, -1.0, 0.0, 2.0, 9.0] {
            let (l, m) = log_cdf_mills(z);
            assert!((l - log_norm_cdf(z)).abs() < 1e-14 * (1.0 + l.abs()), "{z}");
            assert!(close(m, inv_mills(z), 1e-9), "{z}: {m} {}", inv_mills(z));
        }
        for &lam in &[-50.0, -3.0, -0.2, 0.0, 0.4, 7.0, 60.0] {
            let (la, ga) = absence_term(lam, true);
            let (lp, gp) = absence_term(lam, false);
            assert!((la + softplus(-lam)).abs() < 1e-14 * (1.0 + la.abs()));
            assert!((lp + softplus(lam)).abs() < 1e-14 * (1.0 + lp.abs()));
            assert!((ga - logistic(-lam)).abs() < 1e-15 && (gp + logistic(lam)).abs() < 1e-15);
        }
    }

    #[test]
    fn interval_is_accurate_in_both_tails() {
        // Φ(−20) − Φ(−21) ≈ Φ(−20) (the second is e^{-20.5} times smaller).
        let v = log_interval(-21.0, -20.0);
        assert!(close(v, log_norm_cdf(-20.0), 1e-9));
        let w = log_interval(20.0, 21.0);
        assert!(close(v, w, 1e-12));
        assert!(close(softplus(800.0), 800.0, 1e-15));
        assert!(softplus(-800.0) >= 0.0);
        assert!(close(
            logistic(-40.0),
            (-40.0f64).exp() / (1.0 + (-40.0f64).exp()),
            1e-12
        ));
    }
}
