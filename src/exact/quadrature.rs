//! Gauss–Hermite quadrature for the standard normal: the nodes and weights with which the
//! exact solution averages its conditional distributions over the global shock (see the parent
//! module for how they are used and the order chosen).

use crate::error::{ExactError, Result};

/// Largest accepted Gauss–Hermite order (beyond it the Hermite recurrence overflows).
pub const MAX_ORDER: usize = 400;

/// Gauss–Hermite nodes and weights for the standard normal: `E[f(G)] ≈ Σ w_j f(x_j)` for
/// `G ~ N(0, 1)`. Weights are positive and sum to 1; nodes are in increasing order.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussHermite {
    /// Nodes `x_j` (values of the standard normal variable), increasing.
    pub nodes: Vec<f64>,
    /// Weights `w_j > 0`, summing to 1.
    pub weights: Vec<f64>,
}

impl GaussHermite {
    /// `Σ w_j f(x_j)`, the quadrature estimate of `E[f(G)]`.
    pub fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(&x, &w)| w * f(x))
            .sum()
    }
}

/// Gauss–Hermite rule of `order` nodes (1..=[`MAX_ORDER`]) for the standard normal.
///
/// The nodes are the roots of the Hermite polynomial of degree `order`, i.e. the eigenvalues
/// of its Jacobi matrix (zero diagonal, off-diagonal `√k`, k = 1..order−1). Each root is
/// bracketed by bisection on the Sturm sequence of that tridiagonal matrix (which counts the
/// eigenvalues below a point, so every root is found exactly once), then polished by Newton's
/// method on the orthonormal recurrence `p_j = t·√(2/j)·p_{j−1} − √((j−1)/j)·p_{j−2}` in
/// `t = x/√2` (stable, no factorials). The weight of a node is `1/(order·p_{order−1}(t)²·√π)`,
/// i.e. `w_t/√π` with the classical `w_t = 2/H'²` of the orthonormal form.
pub fn gauss_hermite(order: usize) -> Result<GaussHermite> {
    if !(1..=MAX_ORDER).contains(&order) {
        return Err(ExactError::Order {
            order,
            max: MAX_ORDER,
        }
        .into());
    }
    let n = order;
    let nf = n as f64;
    let bound = 2.0 * nf.sqrt() + 1.0; // Gershgorin: every eigenvalue is in [−2√n, 2√n]
    let sqrt_pi = std::f64::consts::PI.sqrt();
    let mut nodes = Vec::with_capacity(n);
    let mut weights = Vec::with_capacity(n);
    for i in 0..n {
        // Bracket the (i+1)-th smallest eigenvalue: below(lo) ≤ i < below(hi).
        let (mut lo, mut hi) = (-bound, bound);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if eigenvalues_below(n, mid) > i {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        // Newton polish in the physicists' variable t = x/√2, kept inside the bracket.
        let mut t = 0.5 * (lo + hi) / std::f64::consts::SQRT_2;
        for _ in 0..4 {
            let (p_n, p_nm1) = hermite_orthonormal(n, t);
            let d = (2.0 * nf).sqrt() * p_nm1;
            let next = t - p_n / d;
            let x = next * std::f64::consts::SQRT_2;
            if !(next.is_finite() && x >= lo - 1e-12 && x <= hi + 1e-12) {
                break;
            }
            t = next;
        }
        let (_, p_nm1) = hermite_orthonormal(n, t);
        let d = (2.0 * nf).sqrt() * p_nm1;
        nodes.push(t * std::f64::consts::SQRT_2);
        weights.push(2.0 / (d * d) / sqrt_pi);
    }
    if nodes.windows(2).any(|p| p[0] >= p[1]) || weights.iter().any(|w| w.is_nan() || *w < 0.0) {
        return Err(ExactError::RootFinding { order }.into());
    }
    Ok(GaussHermite { nodes, weights })
}

/// Number of eigenvalues below `x` of the `n × n` Jacobi matrix of the probabilists' Hermite
/// polynomials (zero diagonal, off-diagonal `√k`), by Sturm sequence.
fn eigenvalues_below(n: usize, x: f64) -> usize {
    let mut count = 0;
    let mut q = -x;
    for k in 0..n {
        if k > 0 {
            let denom = if q == 0.0 { f64::MIN_POSITIVE } else { q };
            q = -x - (k as f64) / denom;
        }
        if q < 0.0 {
            count += 1;
        }
    }
    count
}

/// Orthonormal Hermite polynomials (weight `e^{−t²}`) of degrees `n` and `n − 1` at `t`.
fn hermite_orthonormal(n: usize, t: f64) -> (f64, f64) {
    let mut p1 = std::f64::consts::PI.powf(-0.25);
    let mut p2 = 0.0;
    for j in 1..=n {
        let jf = j as f64;
        let p3 = p2;
        p2 = p1;
        p1 = t * (2.0 / jf).sqrt() * p2 - ((jf - 1.0) / jf).sqrt() * p3;
    }
    (p1, p2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normal::cdf;

    /// (2k − 1)!! = E[G^{2k}].
    fn double_factorial(k: u32) -> f64 {
        (1..=k).map(|j| (2 * j - 1) as f64).product()
    }

    #[test]
    fn order_three_is_the_textbook_rule() {
        let gh = gauss_hermite(3).unwrap();
        let r3 = 3f64.sqrt();
        for (a, b) in gh.nodes.iter().zip([-r3, 0.0, r3]) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
        for (a, b) in gh.weights.iter().zip([1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0]) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
    }

    /// An order-N rule integrates polynomials of degree < 2N exactly: check the normal moments
    /// E[G^{2k}] = (2k − 1)!! and odd moments 0, relative tolerance 1e-10, for many orders.
    #[test]
    fn integrates_normal_moments_exactly() {
        for order in [1, 2, 5, 10, 20, 40, 64, 96, 150, 200, 300, MAX_ORDER] {
            let gh = gauss_hermite(order).unwrap();
            assert_eq!(gh.nodes.len(), order);
            assert!(gh.weights.iter().all(|&w| w >= 0.0));
            assert!(gh.nodes.windows(2).all(|p| p[0] < p[1]), "order {order}");
            let max_k = (order as u32).min(12); // degree 2k ≤ 2·order − 1 needs k < order
            for k in 0..max_k {
                let even = gh.expect(|x| x.powi(2 * k as i32));
                let want = double_factorial(k);
                assert!(
                    (even - want).abs() <= 1e-10 * want,
                    "order {order}: E[G^{}] = {even}, want {want}",
                    2 * k
                );
                let odd = gh.expect(|x| x.powi(2 * k as i32 + 1));
                assert!(
                    odd.abs() <= 1e-10 * want.max(1.0),
                    "order {order}: odd {odd}"
                );
            }
        }
    }

    /// A smooth non-polynomial integrand with a closed form: E[Φ(a + bG)] = Φ(a / √(1 + b²)).
    #[test]
    fn integrates_normal_cdf() {
        let gh = gauss_hermite(100).unwrap();
        for (a, b) in [(0.3, 0.5), (-1.2, 0.33), (2.0, 1.0)] {
            let got = gh.expect(|x| cdf(a + b * x));
            let want = cdf(a / (1.0f64 + b * b).sqrt());
            assert!((got - want).abs() < 1e-10, "a={a} b={b}: {got} vs {want}");
        }
    }

    #[test]
    fn orders_out_of_range_are_refused() {
        assert!(gauss_hermite(0).is_err());
        assert!(gauss_hermite(MAX_ORDER + 1).is_err());
    }
}
