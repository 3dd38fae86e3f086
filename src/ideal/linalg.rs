//! Small dense linear algebra for the ideal-point model: the symmetric eigendecomposition
//! (cyclic Jacobi) behind the deterministic start values, the canonical rotation of fitted
//! positions and the orthogonal Procrustes alignment used in recovery checks.
//!
//! Matrices are row-major `Vec<f64>` of size `n × n`. Sizes here are at most a few hundred
//! (states × states for the start values, D × D otherwise), where Jacobi's O(n³) per sweep is
//! well under a second and its results are exactly reproducible: it is sequential and has no
//! data-dependent pivoting beyond the fixed sweep order.

/// Eigenvalues (descending) and unit eigenvectors (as columns of a row-major `n × n` matrix,
/// column `k` for eigenvalue `k`) of the symmetric matrix `a` (row-major `n × n`; only
/// symmetric input is meaningful). Each eigenvector's sign is fixed so that its entry of
/// largest magnitude is positive.
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(a.len(), n * n, "matrix must be n × n");
    let mut m = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = m.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale || scale == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (m[p * n + p], m[q * n + q]);
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[j * n + j].total_cmp(&m[i * n + i]).then(i.cmp(&j)));
    let values: Vec<f64> = order.iter().map(|&k| m[k * n + k]).collect();
    let mut vectors = vec![0.0; n * n];
    for (col, &k) in order.iter().enumerate() {
        let big = (0..n)
            .map(|r| v[r * n + k])
            .fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        for r in 0..n {
            vectors[r * n + col] = sign * v[r * n + k];
        }
    }
    (values, vectors)
}

/// The orthogonal `d × d` matrix `R` minimising `‖A·R − B‖` (Frobenius) for `A`, `B` with
/// `rows` rows and `d` columns (row-major): `R = U·Vᵀ` from the singular value decomposition
/// `AᵀB = U·S·Vᵀ`, computed through the eigendecomposition of `(AᵀB)ᵀ(AᵀB)`.
pub fn procrustes(a: &[f64], b: &[f64], rows: usize, d: usize) -> Vec<f64> {
    let mut m = vec![0.0; d * d];
    for r in 0..rows {
        for i in 0..d {
            for j in 0..d {
                m[i * d + j] += a[r * d + i] * b[r * d + j];
            }
        }
    }
    // MᵀM = V S² Vᵀ; U = M V S⁻¹; R = U Vᵀ = M V S⁻¹ Vᵀ.
    let mut mtm = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            mtm[i * d + j] = (0..d).map(|k| m[k * d + i] * m[k * d + j]).sum();
        }
    }
    let (s2, v) = symmetric_eigen(&mtm, d);
    let mut r = vec![0.0; d * d];
    for k in 0..d {
        let s = s2[k].max(0.0).sqrt();
        if s <= 1e-300 {
            continue;
        }
        // u_k = M v_k / s_k; R += u_k v_kᵀ.
        let u: Vec<f64> = (0..d)
            .map(|i| (0..d).map(|j| m[i * d + j] * v[j * d + k]).sum::<f64>() / s)
            .collect();
        for i in 0..d {
            for j in 0..d {
                r[i * d + j] += u[i] * v[j * d + k];
            }
        }
    }
    r
}

/// Pearson correlation of two equally long samples (0 if either is constant).
pub fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len()) as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_reconstructs_a_symmetric_matrix() {
        let n = 5;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = 1.0 / (1.0 + (i + j) as f64) + if i == j { i as f64 } else { 0.0 };
            }
        }
        let (w, v) = symmetric_eigen(&a, n);
        assert!(w.windows(2).all(|p| p[0] >= p[1]));
        for i in 0..n {
            for j in 0..n {
                let back: f64 = (0..n).map(|k| v[i * n + k] * w[k] * v[j * n + k]).sum();
                assert!(
                    (back - a[i * n + j]).abs() < 1e-12,
                    "{back} {}",
                    a[i * n + j]
                );
                let ortho: f64 = (0..n).map(|k| v[k * n + i] * v[k * n + j]).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((ortho - want).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn procrustes_recovers_a_rotation() {
        let (c, s) = (0.3f64.cos(), 0.3f64.sin());
        let rot = [c, -s, s, c];
        let a: Vec<f64> = (0..20)
            .flat_map(|k| [(k as f64).sin(), (k as f64 * 0.7).cos()])
            .collect();
        let b: Vec<f64> = (0..20)
            .flat_map(|k| {
                let (x, y) = (a[2 * k], a[2 * k + 1]);
                [x * rot[0] + y * rot[2], x * rot[1] + y * rot[3]]
            })
            .collect();
        let r = procrustes(&a, &b, 20, 2);
        for k in 0..4 {
            assert!((r[k] - rot[k]).abs() < 1e-10, "{r:?} {rot:?}");
        }
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]) - 0.9986).abs() < 1e-3);
    }
}
