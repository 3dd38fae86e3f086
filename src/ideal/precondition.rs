//! A diagonal preconditioner for the fit: the diagonal of the Gauss–Newton approximation to
//! the Hessian of the negative log posterior at a point (per observation, the curvature of
//! the log-likelihood in the latent mean `η` and the absence log-odds `λ`, times the squared
//! coefficient each parameter has in them; plus the priors' precisions).
//!
//! The optimiser works in scaled coordinates `φ = θ / s` with `s_k = 1/√h_k`, so every
//! coordinate has unit curvature to first approximation: L-BFGS's scalar initial Hessian then
//! suits all of them (state positions backed by hundreds of votes and session positions backed
//! by the random walk alone differ in curvature by orders of magnitude). The scaling changes
//! the path, not the optimum. It is computed sequentially, so it is exactly reproducible.

use super::design::Design;
use super::model::FitOptions;
use super::probit::{log_interval, logistic, norm_pdf, pm};

/// Curvature of `−ln P(vote)` in `η` at `η` for the ordered probit with cut-points `c1 < c2`.
fn eta_curvature(vote: usize, eta: f64, c1: f64, c2: f64) -> f64 {
    // −d²/dz² ln Φ(z) = m (z + m), m = φ(z)/Φ(z).
    let one_sided = |z: f64| {
        let (_, m) = super::probit::log_cdf_mills(z);
        (m * (z + m)).max(0.0)
    };
    match vote {
        0 => one_sided(eta - c2),
        1 => one_sided(c1 - eta),
        _ => {
            let (a, b) = (c1 - eta, c2 - eta);
            let lp = log_interval(a, b);
            let (pa, pb) = (norm_pdf(a), norm_pdf(b));
            let p = pm::exp(lp);
            if p <= 0.0 {
                return 0.0;
            }
            let d1 = (pa - pb) / p;
            ((d1 * d1) - (a * pa - b * pb) / p).max(0.0)
        }
    }
}

/// Scale `s_k = 1/√h_k` of every parameter at `theta`.
pub fn scales(design: &Design, options: &FitOptions, theta: &[f64]) -> Vec<f64> {
    let lay = &design.layout;
    let (dims, rank) = (lay.dims, lay.rank);
    let inv = |s: f64| 1.0 / (s * s);
    let mut h = vec![0.0; theta.len()];
    for j in 0..lay.items {
        let off = lay.item_offset(j);
        let beta = &theta[off..off + dims];
        let (kappa, gamma, mu) = (
            theta[off + dims],
            theta[off + dims + 1],
            theta[off + dims + 2],
        );
        let gap = pm::exp(gamma);
        let v = &theta[off + dims + 3..off + dims + 3 + rank];
        for o in design.item_obs[j]..design.item_obs[j + 1] {
            let xo = design.obs_x[o] as usize;
            let uo = design.obs_u[o] as usize;
            let x = &theta[xo..xo + dims];
            let u = &theta[uo..uo + rank];
            let lam = mu + theta[xo + dims] + dot(u, v);
            let w_lam = {
                let p = logistic(lam);
                p * (1.0 - p)
            };
            h[xo + dims] += w_lam;
            h[off + dims + 2] += w_lam;
            for k in 0..rank {
                h[uo + k] += w_lam * v[k] * v[k];
                h[off + dims + 3 + k] += w_lam * u[k] * u[k];
            }
            let vote = usize::from(design.obs_vote[o]);
            if vote == 3 {
                continue;
            }
            let w = eta_curvature(vote, dot(beta, x), kappa, kappa + gap);
            for k in 0..dims {
                h[xo + k] += w * beta[k] * beta[k];
                h[off + k] += w * x[k] * x[k];
            }
            h[off + dims] += w;
            if vote != 1 {
                h[off + dims + 1] += w * gap * gap;
            }
        }
        for k in 0..dims {
            h[off + k] += inv(options.discrimination_scale);
        }
        h[off + dims] += inv(options.cut_scale);
        h[off + dims + 1] += inv(options.gap_scale);
        h[off + dims + 2] += inv(options.absence_level_scale);
        for k in 0..rank {
            h[off + dims + 3 + k] += inv(options.absence_loading_scale);
        }
    }
    for (i, &(_, n)) in lay.state_sessions.iter().enumerate() {
        let base = lay.state_offset[i];
        for k in 0..rank {
            h[base + k] += inv(options.absence_loading_scale);
        }
        for t in 0..n {
            let at = base + rank + t * (dims + 1);
            let neighbours = f64::from(u8::from(t > 0) + u8::from(t + 1 < n));
            let (start, drift) = if t == 0 {
                (1.0, neighbours)
            } else {
                (0.0, neighbours)
            };
            for k in 0..dims {
                h[at + k] += start * inv(options.start_scale) + drift * inv(options.drift);
            }
            h[at + dims] +=
                start * inv(options.absence_start_scale) + drift * inv(options.absence_drift);
        }
    }
    h.into_iter().map(|x| 1.0 / x.max(1e-12).sqrt()).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
