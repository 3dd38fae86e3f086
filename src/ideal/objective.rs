//! The negative log posterior of the model and its analytic gradient, computed in parallel and
//! **bit-for-bit identically on any number of threads**.
//!
//! Two passes, each over owners of disjoint parameter blocks:
//!
//! 1. Over fixed chunks of [`ITEM_CHUNK`](super::design::ITEM_CHUNK) roll calls: each
//!    observation's log-likelihood and its derivatives with respect to the latent mean
//!    (`∂ℓ/∂η`) and the absence log-odds (`∂ℓ/∂λ`) are computed and stored per observation,
//!    and each roll call's gradient is summed over its observations in state order.
//! 2. Over states: each state's gradient (positions, absence propensities, loadings) is summed
//!    over its observations in chronological order, from the stored derivatives.
//!
//! Sums across owners (the objective's value) are collected per chunk or state and folded in
//! index order. No floating-point sum depends on scheduling.

use rayon::prelude::*;

use super::design::Design;
use super::model::FitOptions;
use super::probit::{absence_term, ordinal, pm};

/// Inverse prior variances and means, from [`FitOptions`].
#[derive(Debug, Clone, Copy)]
pub struct Priors {
    inv_start: f64,
    inv_drift: f64,
    inv_beta: f64,
    inv_cut: f64,
    inv_gap: f64,
    inv_abs_start: f64,
    inv_abs_drift: f64,
    abs_level_mean: f64,
    inv_abs_level: f64,
    inv_loading: f64,
}

impl Priors {
    /// The priors of `o`.
    pub fn new(o: &FitOptions) -> Priors {
        let inv = |s: f64| 1.0 / (s * s);
        Priors {
            inv_start: inv(o.start_scale),
            inv_drift: inv(o.drift),
            inv_beta: inv(o.discrimination_scale),
            inv_cut: inv(o.cut_scale),
            inv_gap: inv(o.gap_scale),
            inv_abs_start: inv(o.absence_start_scale),
            inv_abs_drift: inv(o.absence_drift),
            abs_level_mean: o.absence_level_mean,
            inv_abs_level: inv(o.absence_level_scale),
            inv_loading: inv(o.absence_loading_scale),
        }
    }
}

/// The value of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    /// Negative log posterior (up to a constant): the minimised objective.
    pub objective: f64,
    /// Log-likelihood of the observed votes (nats).
    pub log_likelihood: f64,
}

/// The objective of one fit: the design, the priors and per-observation scratch space.
pub struct Objective<'a> {
    design: &'a Design,
    priors: Priors,
    chunks: Vec<(usize, usize)>,
}

/// Per-observation derivatives (scratch, reused between evaluations).
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    g_eta: Vec<f64>,
    g_lam: Vec<f64>,
}

impl<'a> Objective<'a> {
    /// The objective of `design` under `options`' priors.
    pub fn new(design: &'a Design, options: &FitOptions) -> Self {
        Objective {
            design,
            priors: Priors::new(options),
            chunks: design.item_chunks(),
        }
    }

    /// The design.
    pub fn design(&self) -> &Design {
        self.design
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.design.layout.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The objective at `theta`, with its gradient written to `grad` (same length).
    pub fn evaluate(&self, theta: &[f64], grad: &mut [f64], scratch: &mut Scratch) -> Value {
        let d = self.design;
        let lay = &d.layout;
        assert_eq!(theta.len(), lay.len());
        assert_eq!(grad.len(), lay.len());
        let n_obs = d.observations();
        scratch.g_eta.resize(n_obs, 0.0);
        scratch.g_lam.resize(n_obs, 0.0);

        let (g_states, g_items) = grad.split_at_mut(lay.items_offset);

        // Pass 1: roll calls, in fixed chunks.
        let item_len = lay.item_len();
        let param_lens: Vec<usize> = self
            .chunks
            .iter()
            .map(|&(a, b)| (b - a) * item_len)
            .collect();
        let obs_lens: Vec<usize> = self
            .chunks
            .iter()
            .map(|&(a, b)| d.item_obs[b] - d.item_obs[a])
            .collect();
        let g_chunks = split_lengths(g_items, &param_lens);
        let eta_chunks = split_lengths(&mut scratch.g_eta, &obs_lens);
        let lam_chunks = split_lengths(&mut scratch.g_lam, &obs_lens);
        let item_sums: Vec<(f64, f64)> = g_chunks
            .into_par_iter()
            .zip(eta_chunks)
            .zip(lam_chunks)
            .zip(self.chunks.par_iter())
            .map(|(((g, ge), gl), &(a, b))| self.item_chunk(theta, a, b, g, ge, gl))
            .collect();

        // Pass 2: states.
        let state_lens: Vec<usize> = (0..lay.state_sessions.len())
            .map(|i| lay.state_len(i))
            .collect();
        let s_chunks = split_lengths(g_states, &state_lens);
        let (g_eta, g_lam) = (&scratch.g_eta, &scratch.g_lam);
        let state_sums: Vec<f64> = s_chunks
            .into_par_iter()
            .enumerate()
            .map(|(i, g)| self.state(theta, i, g, g_eta, g_lam))
            .collect();

        let mut log_lik = 0.0;
        let mut log_post = 0.0;
        for &(ll, lp) in &item_sums {
            log_lik += ll;
            log_post += ll + lp;
        }
        for &lp in &state_sums {
            log_post += lp;
        }
        Value {
            objective: -log_post,
            log_likelihood: log_lik,
        }
    }

    /// Pass 1 for roll calls `a..b`: fills their gradient block `g`, the chunk's
    /// per-observation derivatives, and returns (log-likelihood, log prior of the roll calls).
    fn item_chunk(
        &self,
        theta: &[f64],
        a: usize,
        b: usize,
        g: &mut [f64],
        g_eta: &mut [f64],
        g_lam: &mut [f64],
    ) -> (f64, f64) {
        let d = self.design;
        let lay = &d.layout;
        let (dims, rank) = (lay.dims, lay.rank);
        let p = &self.priors;
        let obs0 = d.item_obs[a];
        let mut ll = 0.0;
        let mut lp = 0.0;
        for j in a..b {
            let off = lay.item_offset(j);
            let item = &theta[off..off + lay.item_len()];
            let (beta, rest) = item.split_at(dims);
            let (kappa, gamma, mu) = (rest[0], rest[1], rest[2]);
            let v = &rest[3..];
            let gap = pm::exp(gamma);
            let (c1, c2) = (kappa, kappa + gap);
            let gi = &mut g[(j - a) * lay.item_len()..(j - a + 1) * lay.item_len()];
            gi.fill(0.0);
            let (g_beta, g_rest) = gi.split_at_mut(dims);
            let (mut g_kappa, mut g_gamma, mut g_mu) = (0.0, 0.0, 0.0);
            for o in d.item_obs[j]..d.item_obs[j + 1] {
                let xo = d.obs_x[o] as usize;
                let x = &theta[xo..xo + dims];
                let abs = theta[xo + dims];
                let uo = d.obs_u[o] as usize;
                let u = &theta[uo..uo + rank];
                let lam = mu + abs + dot(u, v);
                let vote = usize::from(d.obs_vote[o]);
                let (l_abs, gl) = absence_term(lam, vote == 3);
                ll += l_abs;
                let mut ge = 0.0;
                if vote != 3 {
                    let t = ordinal(vote, dot(beta, x), c1, c2);
                    ll += t.log_p;
                    ge = t.d_eta;
                    for (gb, &xk) in g_beta.iter_mut().zip(x) {
                        *gb += ge * xk;
                    }
                    g_kappa += t.d_c1 + t.d_c2;
                    g_gamma += t.d_c2 * gap;
                }
                g_mu += gl;
                for (gv, &uk) in g_rest[3..].iter_mut().zip(u) {
                    *gv += gl * uk;
                }
                g_eta[o - obs0] = ge;
                g_lam[o - obs0] = gl;
            }
            // Negative log posterior: negate the likelihood's gradient, add the priors'.
            for (gb, &bk) in g_beta.iter_mut().zip(beta) {
                *gb = -*gb + p.inv_beta * bk;
            }
            g_rest[0] = -g_kappa + p.inv_cut * kappa;
            g_rest[1] = -g_gamma + p.inv_gap * gamma;
            g_rest[2] = -g_mu + p.inv_abs_level * (mu - p.abs_level_mean);
            for (gv, &vk) in g_rest[3..].iter_mut().zip(v) {
                *gv = -*gv + p.inv_loading * vk;
            }
            lp -= 0.5
                * (p.inv_beta * dot(beta, beta)
                    + p.inv_cut * kappa * kappa
                    + p.inv_gap * gamma * gamma
                    + p.inv_abs_level * (mu - p.abs_level_mean) * (mu - p.abs_level_mean)
                    + p.inv_loading * dot(v, v));
        }
        (ll, lp)
    }

    /// Pass 2 for state `i`: fills its gradient block `g` and returns its log prior.
    fn state(&self, theta: &[f64], i: usize, g: &mut [f64], g_eta: &[f64], g_lam: &[f64]) -> f64 {
        let d = self.design;
        let lay = &d.layout;
        let (dims, rank) = (lay.dims, lay.rank);
        let p = &self.priors;
        let base = lay.state_offset[i];
        let own = &theta[base..base + g.len()];
        g.fill(0.0);
        for &o in &d.state_obs[d.state_obs_off[i]..d.state_obs_off[i + 1]] {
            let o = o as usize;
            let local = d.obs_x[o] as usize - base;
            let io = lay.item_offset(d.obs_item[o] as usize);
            let beta = &theta[io..io + dims];
            let v = &theta[io + dims + 3..io + dims + 3 + rank];
            let (ge, gl) = (g_eta[o], g_lam[o]);
            if ge != 0.0 {
                for (gx, &bk) in g[local..local + dims].iter_mut().zip(beta) {
                    *gx -= ge * bk;
                }
            }
            g[local + dims] -= gl;
            for (gu, &vk) in g[..rank].iter_mut().zip(v) {
                *gu -= gl * vk;
            }
        }
        // Priors: loadings, then the random walks of positions and absence propensities.
        let mut lp = 0.0;
        let u = &own[..rank];
        for (gu, &uk) in g[..rank].iter_mut().zip(u) {
            *gu += p.inv_loading * uk;
        }
        lp -= 0.5 * p.inv_loading * dot(u, u);
        let n = lay.state_sessions[i].1;
        let step = dims + 1;
        for t in 0..n {
            let at = rank + t * step;
            if t == 0 {
                for k in 0..dims {
                    let x = own[at + k];
                    g[at + k] += p.inv_start * x;
                    lp -= 0.5 * p.inv_start * x * x;
                }
                let a = own[at + dims];
                g[at + dims] += p.inv_abs_start * a;
                lp -= 0.5 * p.inv_abs_start * a * a;
            } else {
                let prev = at - step;
                for k in 0..=dims {
                    let (inv, diff) = if k < dims {
                        (p.inv_drift, own[at + k] - own[prev + k])
                    } else {
                        (p.inv_abs_drift, own[at + dims] - own[prev + dims])
                    };
                    g[at + k] += inv * diff;
                    g[prev + k] -= inv * diff;
                    lp -= 0.5 * inv * diff * diff;
                }
            }
        }
        lp
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Splits `s` into consecutive mutable pieces of the given lengths (which must sum to at most
/// `s.len()`).
fn split_lengths<'s>(mut s: &'s mut [f64], lens: &[usize]) -> Vec<&'s mut [f64]> {
    let mut out = Vec::with_capacity(lens.len());
    for &n in lens {
        let (head, tail) = std::mem::take(&mut s).split_at_mut(n);
        out.push(head);
        s = tail;
    }
    out
}
