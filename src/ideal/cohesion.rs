//! Alliance effects from data: how much more a bloc's members agree than their fitted
//! positions alone imply, and the residual latent correlation that explains it — the quantity a
//! scenario's bloc `cohesion` stands for.
//!
//! **Agreement.** For each roll call of the chosen sessions and each pair of bloc members that
//! both voted (yes, no or abstain), agreement is 1 if they cast the same vote. *Observed* is
//! its mean over all such pair-votes. *Expected* is the same mean under the fitted model with
//! the two states' votes independent given their positions:
//! `Σ_o P_i(o | present)·P_k(o | present)`.
//!
//! **Residual correlation `ρ`.** Give every member of the bloc a shared shock `B ~ N(0, 1)`:
//! `y*_i = β_j·x_i + √ρ·B + √(1 − ρ)·ε_i`. Each state's marginal probabilities are unchanged
//! (its latent variance is still 1); only the co-movement of members changes. Given `B` the
//! votes are independent, so the likelihood of the members' votes on one roll call is a
//! one-dimensional integral over `B` ([`HERMITE_NODES`]-point Gauss–Hermite). `ρ ∈ [0, 0.99]`
//! maximises the product over roll calls (golden-section search), with a standard error
//! from the curvature of the log-likelihood. The agreement rates alone are too flat in `ρ` to
//! estimate it: most roll calls are near-unanimous, so a few thousandths of excess agreement
//! (the noise level for random groups of states) would move a moment-matched `ρ` by tenths.
//!
//! **Mapping to a scenario.** In the engine (`docs/model.md`), two members of one common bloc
//! with cohesion `c` under global correlation `g` have latent correlation `g + (1 − g)·c`, of
//! which `g` is the whole Assembly's common shock. In this model the common part of every roll
//! call is already in its cut-points, so `ρ` corresponds to `(1 − g)·c` alone:
//! `c = ρ / (1 − g)` ([`BlocCohesion::scenario_cohesion`]). For a state in several blocs the
//! engine splits its bloc variance among them; `ρ` is measured bloc by bloc.
//!
//! Caveat: positions are fitted to the same votes, so a bloc that always votes together is
//! partly explained by positions placed close together; `ρ` measures only what remains.

use rayon::prelude::*;
use serde::Serialize;

use super::error::{IdealError, Result};
use super::file::IdealModel;
use super::history::Iso3;
use super::linalg::symmetric_eigen;
use super::probit::{norm_cdf, pm};

/// Gauss–Hermite nodes used for the shared bloc shock.
pub const HERMITE_NODES: usize = 40;
/// Largest residual correlation reported.
pub const MAX_RHO: f64 = 0.99;

/// A bloc as listed in a `bloc,iso3` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bloc {
    /// Bloc name.
    pub name: String,
    /// Members, in file order.
    pub members: Vec<Iso3>,
}

/// One bloc's measured cohesion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlocCohesion {
    /// Bloc name.
    pub bloc: String,
    /// Members listed.
    pub members: usize,
    /// Members with fitted positions.
    pub fitted_members: usize,
    /// Pair-votes counted (both members voted yes, no or abstain).
    pub pair_votes: u64,
    /// Observed agreement, in [0, 1] (`None` without pair-votes).
    pub observed: Option<f64>,
    /// Agreement expected from the fitted positions alone, in [0, 1].
    pub expected: Option<f64>,
    /// `observed − expected`.
    pub excess: Option<f64>,
    /// Maximum-likelihood residual latent correlation `ρ`, in [0, 0.99] (`None` without
    /// pair-votes).
    pub residual_correlation: Option<f64>,
    /// Its standard error from the log-likelihood's curvature (`None` at the bounds).
    pub residual_correlation_se: Option<f64>,
}

impl BlocCohesion {
    /// The scenario `cohesion` equivalent to `ρ` under global correlation `g` ∈ [0, 1):
    /// `ρ / (1 − g)`, capped at 0.99.
    pub fn scenario_cohesion(&self, global_correlation: f64) -> Option<f64> {
        self.residual_correlation
            .map(|r| (r / (1.0 - global_correlation.clamp(0.0, 0.99))).min(MAX_RHO))
    }
}

/// The cohesion table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohesionReport {
    /// First and last session used.
    pub sessions: [i32; 2],
    /// Roll calls used.
    pub rollcalls: usize,
    /// One row per bloc, in file order.
    pub blocs: Vec<BlocCohesion>,
}

/// Reads a `bloc,iso3` file (as `data/blocs.csv`); blocs in order of first appearance.
/// Errors name the file, line and field.
pub fn read_blocs(path: &std::path::Path) -> Result<Vec<Bloc>> {
    let bytes = std::fs::read(path).map_err(|source| IdealError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let headers = rdr
        .headers()
        .map_err(|e| IdealError::input(path, Some(1), "header", e.to_string()))?
        .clone();
    if headers.iter().map(str::trim).collect::<Vec<_>>() != ["bloc", "iso3"] {
        return Err(IdealError::input(
            path,
            Some(1),
            "header",
            "expected \"bloc,iso3\"",
        ));
    }
    let mut blocs: Vec<Bloc> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            IdealError::input(
                path,
                e.position().map(|p| p.line() as usize),
                "",
                e.to_string(),
            )
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let name = rec.get(0).unwrap_or("").trim();
        if name.is_empty() {
            return Err(IdealError::input(
                path,
                Some(line),
                "bloc",
                "empty bloc name",
            ));
        }
        let raw = rec.get(1).unwrap_or("").trim();
        let iso = Iso3::new(raw).ok_or_else(|| {
            IdealError::input(
                path,
                Some(line),
                "iso3",
                format!("expected three upper-case letters, got {raw:?}"),
            )
        })?;
        let k = match blocs.iter().position(|b| b.name == name) {
            Some(k) => k,
            None => {
                blocs.push(Bloc {
                    name: name.to_string(),
                    members: Vec::new(),
                });
                blocs.len() - 1
            }
        };
        if blocs[k].members.contains(&iso) {
            return Err(IdealError::input(
                path,
                Some(line),
                "iso3",
                format!("{iso} is listed twice in bloc {name}"),
            ));
        }
        blocs[k].members.push(iso);
    }
    Ok(blocs)
}

/// Probabilists' Gauss–Hermite rule: nodes and weights for `E f(B)`, `B ~ N(0, 1)`
/// (Golub–Welsch: eigenvalues of the Jacobi matrix of the Hermite polynomials).
pub fn gauss_hermite(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut j = vec![0.0; n * n];
    for k in 1..n {
        let b = (k as f64).sqrt();
        j[(k - 1) * n + k] = b;
        j[k * n + k - 1] = b;
    }
    let (nodes, vectors) = symmetric_eigen(&j, n);
    let weights = (0..n).map(|c| vectors[c] * vectors[c]).collect();
    (nodes, weights)
}

/// Per roll call: the latent mean and cut-points of each present bloc member, and its vote.
struct Present {
    eta: f64,
    c1: f64,
    c2: f64,
    vote: usize,
}

/// Measures every bloc's cohesion on the model's roll calls of `sessions` (inclusive; default:
/// all). States not in the model are ignored (counted in `members` only).
pub fn cohesion(
    model: &IdealModel,
    blocs: &[Bloc],
    sessions: Option<[i32; 2]>,
) -> Result<CohesionReport> {
    let first = model.rollcalls.first().map_or(0, |r| r.session);
    let last = model.rollcalls.last().map_or(0, |r| r.session);
    let [lo, hi] = sessions.unwrap_or([first, last]);
    let items: Vec<usize> = (0..model.rollcalls.len())
        .filter(|&j| (lo..=hi).contains(&model.rollcalls[j].session))
        .collect();
    if items.is_empty() {
        return Err(IdealError::options(
            "sessions",
            format!("the model has no roll calls in sessions {lo}–{hi}"),
        ));
    }
    let (nodes, weights) = gauss_hermite(HERMITE_NODES);
    let rows = blocs
        .par_iter()
        .map(|b| bloc_cohesion(model, b, &items, &nodes, &weights))
        .collect();
    Ok(CohesionReport {
        sessions: [lo, hi],
        rollcalls: items.len(),
        blocs: rows,
    })
}

fn bloc_cohesion(
    model: &IdealModel,
    bloc: &Bloc,
    items: &[usize],
    nodes: &[f64],
    weights: &[f64],
) -> BlocCohesion {
    let fitted: Vec<usize> = bloc
        .members
        .iter()
        .filter_map(|&c| model.state_index(c))
        .collect();
    // Present members of each roll call.
    let per_item: Vec<Vec<Present>> = items
        .iter()
        .map(|&j| {
            let r = &model.rollcalls[j];
            fitted
                .iter()
                .filter_map(|&i| {
                    let v = r.vote_of(i)?.index();
                    if v == 3 {
                        return None;
                    }
                    let x = model.states[i].position(r.session)?;
                    let eta = r.discrimination.iter().zip(x).map(|(b, x)| b * x).sum();
                    Some(Present {
                        eta,
                        c1: r.cut_no,
                        c2: r.cut_yes,
                        vote: v,
                    })
                })
                .collect()
        })
        .collect();
    let mut pairs = 0u64;
    let mut agree = 0u64;
    for p in &per_item {
        let m = p.len() as u64;
        pairs += m * m.saturating_sub(1) / 2;
        for o in 0..3 {
            let n = p.iter().filter(|s| s.vote == o).count() as u64;
            agree += n * n.saturating_sub(1) / 2;
        }
    }
    // Probabilities of yes, no, abstain given the shared shock at node z.
    let probs = |st: &Present, a: f64, s: f64, z: f64| -> [f64; 3] {
        let mean = st.eta + a * z;
        let no = norm_cdf((st.c1 - mean) / s);
        let yes = norm_cdf((mean - st.c2) / s);
        [yes, no, (1.0 - yes - no).max(1e-300)]
    };
    let expected = {
        let mut total = 0.0;
        for p in per_item.iter().filter(|p| p.len() >= 2) {
            let mut sum = [0.0; 3];
            let mut sq = [0.0; 3];
            for st in p {
                let q = probs(st, 0.0, 1.0, 0.0);
                for o in 0..3 {
                    sum[o] += q[o];
                    sq[o] += q[o] * q[o];
                }
            }
            total += (0..3).map(|o| 0.5 * (sum[o] * sum[o] - sq[o])).sum::<f64>();
        }
        total
    };
    // Log-likelihood of the members' votes with a shared shock of variance ρ.
    let log_lik = |rho: f64| -> f64 {
        let (a, s) = (rho.sqrt(), (1.0 - rho).sqrt());
        let mut total = 0.0;
        let mut logs = vec![0.0; nodes.len()];
        for p in per_item.iter().filter(|p| p.len() >= 2) {
            for (l, &z) in logs.iter_mut().zip(nodes) {
                *l = p.iter().map(|st| pm::ln(probs(st, a, s, z)[st.vote])).sum();
            }
            let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = logs
                .iter()
                .zip(weights)
                .map(|(l, w)| w * pm::exp(l - top))
                .sum();
            total += top + pm::ln(sum);
        }
        total
    };
    let (rho, se) = if pairs == 0 {
        (None, None)
    } else {
        let r = golden_max(&log_lik, 0.0, MAX_RHO);
        let h = 1e-3;
        let se = (r > 2.0 * h && r < MAX_RHO - 2.0 * h)
            .then(|| {
                let c = (log_lik(r + h) - 2.0 * log_lik(r) + log_lik(r - h)) / (h * h);
                (c < 0.0).then(|| (-1.0 / c).sqrt())
            })
            .flatten();
        (Some(r), se)
    };
    let ratio = |x: f64| (pairs > 0).then(|| x / pairs as f64);
    BlocCohesion {
        bloc: bloc.name.clone(),
        members: bloc.members.len(),
        fitted_members: fitted.len(),
        pair_votes: pairs,
        observed: ratio(agree as f64),
        expected: ratio(expected),
        excess: ratio(agree as f64 - expected),
        residual_correlation: rho,
        residual_correlation_se: se,
    }
}

/// The maximiser of a unimodal `f` on `[lo, hi]` by golden-section search (60 steps: width
/// below 1e-12 of the interval), or an end point if it is higher.
fn golden_max(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let (mut a, mut b) = (lo, hi);
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..60 {
        if fc >= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    let mid = 0.5 * (a + b);
    let (f_lo, f_hi, f_mid) = (f(lo), f(hi), f(mid));
    if f_lo >= f_mid && f_lo >= f_hi {
        lo
    } else if f_hi > f_mid {
        hi
    } else {
        mid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_hermite_integrates_normal_moments() {
        let (x, w) = gauss_hermite(HERMITE_NODES);
        let m = |k: i32| x.iter().zip(&w).map(|(x, w)| w * x.powi(k)).sum::<f64>();
        assert!((m(0) - 1.0).abs() < 1e-12);
        assert!(m(1).abs() < 1e-12);
        assert!((m(2) - 1.0).abs() < 1e-11);
        assert!((m(4) - 3.0).abs() < 1e-10);
        assert!((m(6) - 15.0).abs() < 1e-9);
        assert!((m(8) - 105.0).abs() < 1e-8);
        assert!((m(10) - 945.0).abs() < 1e-6);
    }
}
