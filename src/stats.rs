//! Statistics helpers, in one place: summaries and type-1 quantiles of count distributions
//! (integer histograms, weighted histograms and probability mass functions alike), exact
//! distributions for checking the simulation, goodness of fit and Monte Carlo errors.
//! Tolerances are in [`crate::prec`].

use serde::Serialize;

/// Quantiles of a count distribution (type-1 inverse CDF: the smallest count whose cumulative
/// probability reaches the level).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantiles {
    /// 5% quantile.
    pub p05: u64,
    /// 25% quantile.
    pub p25: u64,
    /// Median.
    pub p50: u64,
    /// 75% quantile.
    pub p75: u64,
    /// 95% quantile.
    pub p95: u64,
}

/// Central intervals of a count distribution, `[lower, upper]` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Intervals {
    /// 80% central interval: [10% quantile, 90% quantile].
    pub central_80: [u64; 2],
    /// 95% central interval: [2.5% quantile, 97.5% quantile].
    pub central_95: [u64; 2],
}

/// Summary of a simulated count (e.g. the number of yes votes) over all ballots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountSummary {
    /// Mean count.
    pub mean: f64,
    /// Standard deviation of the count (population form, over ballots).
    pub sd: f64,
    /// Smallest count seen.
    pub min: u64,
    /// Largest count seen.
    pub max: u64,
    /// Quantiles.
    pub quantiles: Quantiles,
    /// Central intervals.
    pub intervals: Intervals,
    /// `histogram[k]`: ballots with count exactly `k` (k = 0..=members); sums to `ballots`.
    pub histogram: Vec<u64>,
}

/// The mass of one count in a distribution: ballots (an integer histogram), a weight or a
/// probability.
pub trait Mass: Copy {
    /// The mass as a float.
    fn value(self) -> f64;
    /// Relative slack of cumulative comparisons ([`crate::prec::MASS_ROUNDING`] for floats;
    /// none for integers, which are summed exactly).
    const ROUNDING: f64;
}

impl Mass for u64 {
    fn value(self) -> f64 {
        // Exact: counts and their sums stay below 2⁵³ (at most 10¹⁰ ballots).
        self as f64
    }
    const ROUNDING: f64 = 0.0;
}

impl Mass for f64 {
    fn value(self) -> f64 {
        self
    }
    const ROUNDING: f64 = crate::prec::MASS_ROUNDING;
}

/// The type-1 quantile of a distribution over counts 0, 1, 2, … given by its masses (an
/// integer histogram, a weighted histogram or a pmf; it need not be normalised): the smallest
/// count `k` with positive mass whose cumulative mass reaches `q` of the total,
/// `Σ_{j≤k} m[j] ≥ q·Σ m` (up to [`Mass::ROUNDING`] of the total), for `q` in (0, 1].
pub fn quantile<M: Mass>(masses: &[M], q: f64) -> u64 {
    let total: f64 = masses.iter().map(|m| m.value()).sum();
    let target = q * total - M::ROUNDING * total;
    let mut cum = 0.0;
    for (k, &m) in masses.iter().enumerate() {
        let m = m.value();
        cum += m;
        if m > 0.0 && cum >= target {
            return k as u64;
        }
    }
    masses.len().saturating_sub(1) as u64
}

/// Mean of a pmf over counts 0, 1, 2, …
pub fn pmf_mean(pmf: &[f64]) -> f64 {
    pmf.iter().enumerate().map(|(k, p)| k as f64 * p).sum()
}

/// Standard deviation of a pmf over counts 0, 1, 2, …
pub fn pmf_sd(pmf: &[f64]) -> f64 {
    let m = pmf_mean(pmf);
    pmf.iter()
        .enumerate()
        .map(|(k, p)| (k as f64 - m).powi(2) * p)
        .sum::<f64>()
        .sqrt()
}

impl CountSummary {
    /// Summarises a histogram (must have at least one ballot).
    pub fn from_histogram(hist: &[u64]) -> CountSummary {
        let total: u64 = hist.iter().sum();
        // Exact integer moments: Σk·h ≤ 10^5 · 10^10 and Σk²·h ≤ 10^20 fit in u128.
        let (s1, s2) = hist
            .iter()
            .enumerate()
            .fold((0u128, 0u128), |(a, b), (k, &h)| {
                let k = k as u128;
                (a + k * h as u128, b + k * k * h as u128)
            });
        let n = total.max(1) as f64;
        let mean = s1 as f64 / n;
        // Var = (n·Σk² − (Σk)²) / n², computed exactly in integers where it fits.
        let t = total as u128;
        let var = match t.checked_mul(s2) {
            Some(a) => (a.saturating_sub(s1 * s1)) as f64 / (n * n),
            None => (s2 as f64 / n - mean * mean).max(0.0),
        };
        let min = hist.iter().position(|&h| h > 0).unwrap_or(0) as u64;
        let max = hist.iter().rposition(|&h| h > 0).unwrap_or(0) as u64;
        let q = |p| quantile(hist, p);
        CountSummary {
            mean,
            sd: var.sqrt(),
            min,
            max,
            quantiles: Quantiles {
                p05: q(0.05),
                p25: q(0.25),
                p50: q(0.5),
                p75: q(0.75),
                p95: q(0.95),
            },
            intervals: Intervals {
                central_80: [q(0.10), q(0.90)],
                central_95: [q(0.025), q(0.975)],
            },
            histogram: hist.to_vec(),
        }
    }
}

/// Exact distribution of the number of successes among independent Bernoulli trials with
/// probabilities `ps` (the Poisson-binomial distribution), by dynamic programming in O(n²).
/// Entry `k` is P(exactly k successes), k = 0..=n.
pub fn poisson_binomial(ps: &[f64]) -> Vec<f64> {
    let mut pmf = vec![0.0; ps.len() + 1];
    pmf[0] = 1.0;
    for (i, &p) in ps.iter().enumerate() {
        for k in (1..=i + 1).rev() {
            pmf[k] = pmf[k] * (1.0 - p) + pmf[k - 1] * p;
        }
        pmf[0] *= 1.0 - p;
    }
    pmf
}

/// Total-variation distance ½ Σ |p_k − q_k| between two distributions on the same support.
pub fn total_variation(p: &[f64], q: &[f64]) -> f64 {
    let n = p.len().max(q.len());
    0.5 * (0..n)
        .map(|k| (p.get(k).copied().unwrap_or(0.0) - q.get(k).copied().unwrap_or(0.0)).abs())
        .sum::<f64>()
}

/// Result of a chi-square goodness-of-fit test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquare {
    /// The statistic Σ (O − E)² / E over pooled cells.
    pub statistic: f64,
    /// Degrees of freedom (pooled cells − 1).
    pub df: usize,
    /// P(χ²_df ≥ statistic).
    pub p_value: f64,
}

/// Pearson chi-square goodness-of-fit of observed counts against expected probabilities.
/// Adjacent cells are pooled (left to right) until each pooled cell expects at least
/// `min_expected` observations, the usual validity condition (5 is customary).
pub fn chi_square_gof(observed: &[u64], expected: &[f64], min_expected: f64) -> ChiSquare {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let total: u64 = observed.iter().sum();
    let n = total as f64;
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let (mut o_acc, mut e_acc) = (0.0, 0.0);
    for k in 0..observed.len().max(expected.len()) {
        o_acc += observed.get(k).copied().unwrap_or(0) as f64;
        e_acc += expected.get(k).copied().unwrap_or(0.0) * n;
        if e_acc >= min_expected {
            cells.push((o_acc, e_acc));
            o_acc = 0.0;
            e_acc = 0.0;
        }
    }
    if let Some(last) = cells.last_mut() {
        last.0 += o_acc;
        last.1 += e_acc;
    }
    let statistic: f64 = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
    let df = cells.len().saturating_sub(1);
    let p_value = if df == 0 {
        1.0
    } else {
        ChiSquared::new(df as f64)
            .map(|d| d.sf(statistic))
            .unwrap_or(f64::NAN)
    };
    ChiSquare {
        statistic,
        df,
        p_value,
    }
}

/// Monte Carlo standard error of a probability estimate `p` from `n` independent ballots.
pub fn binomial_se(p: f64, n: u64) -> f64 {
    (p * (1.0 - p) / n.max(1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_small_histogram() {
        // counts 0..=4 seen 1,2,3,2,2 times (10 ballots).
        let h = [1, 2, 3, 2, 2];
        assert_eq!(quantile(&h, 0.05), 0);
        assert_eq!(quantile(&h, 0.1), 0);
        assert_eq!(quantile(&h, 0.11), 1);
        assert_eq!(quantile(&h, 0.5), 2);
        assert_eq!(quantile(&h, 0.61), 3);
        assert_eq!(quantile(&h, 1.0), 4);
        let s = CountSummary::from_histogram(&h);
        assert!((s.mean - 2.2).abs() < 1e-12);
        // E[k²] = (0+2+12+18+32)/10 = 6.4; var = 6.4 − 4.84 = 1.56.
        assert!((s.sd - 1.56f64.sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max), (0, 4));
    }

    /// One quantile for every kind of distribution: the same answers for a histogram, its
    /// weights and its pmf; pmfs that sum to 1 only within rounding still reach their levels.
    #[test]
    fn quantiles_of_pmfs_and_weights() {
        let pmf = [0.1, 0.2, 0.3, 0.4];
        assert_eq!(quantile(&pmf, 0.1), 0);
        assert_eq!(quantile(&pmf, 0.11), 1);
        assert_eq!(quantile(&pmf, 0.3), 1);
        assert_eq!(quantile(&pmf, 0.61), 3);
        assert_eq!(quantile(&pmf, 1.0), 3);
        assert_eq!(quantile(&pmf, 0.025), 0);
        assert_eq!(quantile(&pmf, 0.975), 3);
        assert!((pmf_mean(&pmf) - 2.0).abs() < 1e-15);
        assert!((pmf_sd(&pmf) - 1.0).abs() < 1e-15);
        let h = [1u64, 2, 3, 2, 2];
        let w: Vec<f64> = h.iter().map(|&x| 2.5 * x as f64).collect();
        for q in [0.05, 0.1, 0.11, 0.5, 0.61, 0.9, 1.0] {
            assert_eq!(quantile(&h, q), quantile(&w, q), "{q}");
        }
        // 0.7 + 0.1 = 0.7999999999999999 still reaches the 80% level (count 1, not 2).
        assert_eq!(quantile(&[0.7, 0.1, 0.2], 0.8), 1);
        assert_eq!(quantile(&[0.0, 0.5, 0.0, 0.5], 0.5), 1);
    }

    #[test]
    fn poisson_binomial_matches_binomial() {
        let pmf = poisson_binomial(&[0.3; 5]);
        let binom = [0.16807, 0.36015, 0.3087, 0.1323, 0.02835, 0.00243];
        for (a, b) in pmf.iter().zip(binom) {
            assert!((a - b).abs() < 1e-12);
        }
        let pmf = poisson_binomial(&[0.0, 1.0, 0.5]);
        assert_eq!(pmf, vec![0.0, 0.5, 0.5, 0.0]);
    }

    #[test]
    fn chi_square_detects_mismatch() {
        let expected = [0.25, 0.25, 0.25, 0.25];
        let good = chi_square_gof(&[250, 260, 240, 250], &expected, 5.0);
        assert!(good.p_value > 0.5, "{good:?}");
        assert_eq!(good.df, 3);
        let bad = chi_square_gof(&[400, 200, 200, 200], &expected, 5.0);
        assert!(bad.p_value < 1e-10);
    }

    #[test]
    fn tv_distance() {
        assert_eq!(total_variation(&[0.5, 0.5], &[0.5, 0.5]), 0.0);
        assert!((total_variation(&[1.0, 0.0], &[0.0, 1.0]) - 1.0).abs() < 1e-15);
    }
}
