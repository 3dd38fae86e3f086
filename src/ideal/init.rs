//! Deterministic start values for the fit, from principal components of the vote matrix.
//!
//! * Positions: the votes are coded yes +1, abstain 0, no −1, centred per roll call over the
//!   states present (absent and non-members 0); the leading `D` eigenvectors of the states'
//!   Gram matrix, scaled to unit root-mean-square, give every state one static position,
//!   repeated in each of its sessions.
//! * Discriminations: each roll call's centred votes projected on those axes; cut-points from
//!   the shares of no and abstain votes at the latent scores those imply.
//! * Absence: log-odds of each roll call's and each state-session's absence rates; loadings
//!   from the leading `K` eigenvectors of the centred absence matrix (never all zero, which
//!   would be a saddle point of the bilinear term).
//!
//! Nothing here is random, so a fit depends only on the history and the options.

use super::design::Design;
use super::history::History;
use super::linalg::symmetric_eigen;
use super::probit::{norm_quantile, pm};

/// Start values `θ₀` for `design` (built from `history`).
pub fn start_values(history: &History, design: &Design) -> Vec<f64> {
    let lay = &design.layout;
    let (n, j_count) = (history.states.len(), history.rollcalls.len());
    let (dims, rank) = (lay.dims, lay.rank);
    let mut theta = vec![0.0; lay.len()];

    // Centred vote matrix (states × roll calls) and absence residuals.
    let mut y = vec![0.0; n * j_count];
    let mut r = vec![0.0; n * j_count];
    let mut item_absent = vec![0.0; j_count];
    let (mut total_absent, mut total) = (0.0, 0.0);
    for (j, rc) in history.rollcalls.iter().enumerate() {
        let present: Vec<f64> = rc
            .votes
            .iter()
            .filter(|v| v.vote.index() < 3)
            .map(|v| v.vote.score())
            .collect();
        let mean = if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        };
        let absent = rc.votes.iter().filter(|v| v.vote.index() == 3).count() as f64;
        let rate = absent / rc.votes.len() as f64;
        item_absent[j] = (absent + 0.5) / (rc.votes.len() as f64 + 1.0);
        total_absent += absent;
        total += rc.votes.len() as f64;
        for v in &rc.votes {
            let i = usize::from(v.state);
            if v.vote.index() < 3 {
                y[i * j_count + j] = v.vote.score() - mean;
            }
            r[i * j_count + j] = if v.vote.index() == 3 { 1.0 } else { 0.0 } - rate;
        }
    }
    let overall = ((total_absent + 0.5) / (total + 1.0)).clamp(1e-4, 1.0 - 1e-4);

    let x0 = leading_axes(&y, n, j_count, dims);
    let u0: Vec<f64> = leading_axes(&r, n, j_count, rank)
        .iter()
        .map(|x| 0.5 * x)
        .collect();

    // States: loadings, static positions, absence rates by session.
    for i in 0..n {
        let base = lay.state_offset[i];
        theta[base..base + rank].copy_from_slice(&u0[i * rank..(i + 1) * rank]);
        let sessions = lay.state_sessions[i].1;
        for t in 0..sessions {
            let at = base + rank + t * (dims + 1);
            theta[at..at + dims].copy_from_slice(&x0[i * dims..(i + 1) * dims]);
        }
    }
    let mut counts = vec![(0.0f64, 0.0f64); lay.len()];
    for rc in &history.rollcalls {
        for v in &rc.votes {
            if let Some(off) = lay.position_offset(usize::from(v.state), rc.date.session()) {
                let c = &mut counts[off];
                c.0 += if v.vote.index() == 3 { 1.0 } else { 0.0 };
                c.1 += 1.0;
            }
        }
    }
    for i in 0..n {
        for t in 0..lay.state_sessions[i].1 {
            let off = lay.state_offset[i] + rank + t * (dims + 1);
            let (a, m) = counts[off];
            let rate = (a + 0.5 * overall) / (m + 1.0);
            theta[off + dims] = (logit(rate) - logit(overall)).clamp(-6.0, 6.0);
        }
    }

    // Roll calls.
    let norm2: Vec<f64> = (0..dims)
        .map(|k| {
            (0..n)
                .map(|i| x0[i * dims + k] * x0[i * dims + k])
                .sum::<f64>()
                .max(1e-12)
        })
        .collect();
    let unorm2: Vec<f64> = (0..rank)
        .map(|k| {
            (0..n)
                .map(|i| u0[i * rank + k] * u0[i * rank + k])
                .sum::<f64>()
                .max(1e-12)
        })
        .collect();
    for (j, rc) in history.rollcalls.iter().enumerate() {
        let off = lay.item_offset(j);
        let mut beta = vec![0.0; dims];
        for (k, b) in beta.iter_mut().enumerate() {
            let s: f64 = (0..n).map(|i| y[i * j_count + j] * x0[i * dims + k]).sum();
            *b = (s / norm2[k] * 2.0).clamp(-4.0, 4.0);
        }
        // Latent means of the present states, then cut-points matching the vote shares.
        let mut etas = Vec::new();
        let mut c = [0.5f64; 3];
        for v in &rc.votes {
            if v.vote.index() < 3 {
                let i = usize::from(v.state);
                etas.push((0..dims).map(|k| beta[k] * x0[i * dims + k]).sum::<f64>());
                c[v.vote.index()] += 1.0;
            }
        }
        let m = c.iter().sum::<f64>();
        let (q_no, q_abs) = (c[1] / m, c[2] / m);
        let (mean, var) = mean_var(&etas);
        let sd = (1.0 + var).sqrt();
        let c1 = mean + sd * norm_quantile(q_no);
        let c2 = mean + sd * norm_quantile(q_no + q_abs);
        theta[off..off + dims].copy_from_slice(&beta);
        theta[off + dims] = c1;
        theta[off + dims + 1] = pm::ln((c2 - c1).max(1e-3)).clamp(-6.0, 3.0);
        theta[off + dims + 2] = logit(item_absent[j]).clamp(-8.0, 4.0);
        for k in 0..rank {
            let s: f64 = (0..n).map(|i| r[i * j_count + j] * u0[i * rank + k]).sum();
            theta[off + dims + 3 + k] = (4.0 * s / unorm2[k]).clamp(-3.0, 3.0);
        }
    }
    theta
}

/// The leading `k` principal axes of the rows of `m` (`n × cols`): the top eigenvectors of
/// `m·mᵀ`, each scaled to unit root-mean-square over the rows; row-major `n × k`.
fn leading_axes(m: &[f64], n: usize, cols: usize, k: usize) -> Vec<f64> {
    if k == 0 || n == 0 {
        return Vec::new();
    }
    let mut gram = vec![0.0; n * n];
    for a in 0..n {
        for b in a..n {
            let s: f64 = m[a * cols..(a + 1) * cols]
                .iter()
                .zip(&m[b * cols..(b + 1) * cols])
                .map(|(x, y)| x * y)
                .sum();
            gram[a * n + b] = s;
            gram[b * n + a] = s;
        }
    }
    let (_, vectors) = symmetric_eigen(&gram, n);
    let scale = (n as f64).sqrt();
    let mut out = vec![0.0; n * k];
    for i in 0..n {
        for c in 0..k.min(n) {
            out[i * k + c] = vectors[i * n + c] * scale;
        }
    }
    out
}

fn logit(p: f64) -> f64 {
    pm::ln(p / (1.0 - p))
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    if x.is_empty() {
        return (0.0, 0.0);
    }
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (m, x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n)
}
