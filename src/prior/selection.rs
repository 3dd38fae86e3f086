//! Choosing the strengths: leave-one-roll-call-out cross-validation over the `auto` grid (see
//! the parent module), and the estimator's level sums it refits for every held-out roll call.

use std::collections::HashMap;

use super::{ASSEMBLY_PSEUDO_VOTES, GRID_MAX, GRID_MIN, GRID_PER_DECADE};
use super::{Inputs, Selection, Settings, Strength};
use crate::vote::Outcome;

/// The `auto` grid: 10^(−2 + j/10) for j = 0..=50, i.e. [`GRID_MIN`] to [`GRID_MAX`].
pub fn strength_grid() -> Vec<f64> {
    let decades = (GRID_MAX / GRID_MIN).log10().round() as u32;
    (0..=decades * GRID_PER_DECADE)
        .map(|j| GRID_MIN * 10f64.powf(j as f64 / GRID_PER_DECADE as f64))
        .collect()
}

/// Weighted counts per state and group indices, the data the fit works on.
pub(super) struct Data {
    /// `votes[k][i]`: outcome index of state i in roll call k.
    pub(super) votes: Vec<Vec<usize>>,
    pub(super) weights: Vec<f64>,
    pub(super) group_of: Vec<usize>,
    pub(super) group_names: Vec<String>,
}

impl Data {
    pub(super) fn new(inputs: &Inputs) -> Data {
        let mut group_names: Vec<String> = inputs.members.iter().map(|m| m.group.clone()).collect();
        group_names.sort();
        group_names.dedup();
        let group_of = inputs
            .members
            .iter()
            .map(|m| group_names.binary_search(&m.group).unwrap_or(0))
            .collect();
        let votes = inputs
            .rollcalls
            .iter()
            .map(|r| {
                let by: HashMap<&str, Outcome> = r
                    .rollcall
                    .votes
                    .iter()
                    .map(|v| (v.iso3.as_str(), v.vote))
                    .collect();
                inputs
                    .members
                    .iter()
                    .map(|m| by.get(m.iso3.as_str()).map_or(3, |o| o.index()))
                    .collect()
            })
            .collect();
        Data {
            votes,
            weights: inputs.rollcalls.iter().map(|r| r.weight).collect(),
            group_of,
            group_names,
        }
    }

    /// Weighted counts of each state over roll calls other than `skip`.
    pub(super) fn counts(&self, skip: Option<usize>) -> Vec<[f64; 4]> {
        let mut c = vec![[0.0; 4]; self.group_of.len()];
        for (k, (v, &w)) in self.votes.iter().zip(&self.weights).enumerate() {
            if Some(k) == skip {
                continue;
            }
            for (ci, &o) in c.iter_mut().zip(v) {
                ci[o] += w;
            }
        }
        c
    }
}

/// Level sums that do not depend on α and β: assembly `π₀`, per-group count sums and sizes.
pub(super) struct Pooled {
    pub(super) assembly: [f64; 4],
    pub(super) group_counts: Vec<[f64; 4]>,
    pub(super) group_size: Vec<f64>,
}

pub(super) fn pooled(counts: &[[f64; 4]], group_of: &[usize], n_groups: usize, w: f64) -> Pooled {
    let mut total = [0.0; 4];
    let mut group_counts = vec![[0.0; 4]; n_groups];
    let mut group_size = vec![0.0; n_groups];
    for (c, &g) in counts.iter().zip(group_of) {
        for o in 0..4 {
            total[o] += c[o];
            group_counts[g][o] += c[o];
        }
        group_size[g] += 1.0;
    }
    let n = counts.len() as f64;
    let assembly =
        total.map(|t| (t + ASSEMBLY_PSEUDO_VOTES / 4.0) / (n * w + ASSEMBLY_PSEUDO_VOTES));
    Pooled {
        assembly,
        group_counts,
        group_size,
    }
}

/// Group estimates `π_g` for group strength `beta`.
pub(super) fn group_probs(p: &Pooled, w: f64, beta: f64) -> Vec<[f64; 4]> {
    p.group_counts
        .iter()
        .zip(&p.group_size)
        .map(|(gc, &size)| {
            let d = size * w + beta;
            std::array::from_fn(|o| (gc[o] + beta * p.assembly[o]) / d)
        })
        .collect()
}

/// A state's estimate from its counts, total weight `w`, group estimate and strength `alpha`.
pub fn shrink(counts: [f64; 4], w: f64, group: [f64; 4], alpha: f64) -> [f64; 4] {
    let d = w + alpha;
    std::array::from_fn(|o| (counts[o] + alpha * group[o]) / d)
}

/// Held-out log loss of every group's states with strength `alpha` in every group and group
/// strength `beta`: `w_k`-weighted sums over folds (not yet divided by the total weight).
pub(super) fn cv_group_losses(data: &Data, folds: &[Fold], alpha: f64, beta: f64) -> Vec<f64> {
    let mut loss = vec![0.0; data.group_names.len()];
    for f in folds {
        let groups = group_probs(&f.pooled, f.w, beta);
        let wk = data.weights[f.k];
        for ((c, &g), &o) in f.counts.iter().zip(&data.group_of).zip(&data.votes[f.k]) {
            loss[g] -= wk * shrink(*c, f.w, groups[g], alpha)[o].ln();
        }
    }
    loss
}

#[cfg(test)]
/// Weighted mean held-out log loss per state vote with per-group strengths `alphas`.
#[cfg(test)]
pub(super) fn cv_loss(data: &Data, folds: &[Fold], alphas: &[f64], beta: f64) -> f64 {
    let total: f64 = alphas
        .iter()
        .enumerate()
        .map(|(g, &a)| cv_group_losses(data, folds, a, beta)[g])
        .sum();
    total / cv_weight(data, folds)
}

pub(super) fn cv_weight(data: &Data, folds: &[Fold]) -> f64 {
    folds
        .iter()
        .map(|f| data.weights[f.k] * f.counts.len() as f64)
        .sum()
}

pub(super) struct Fold {
    pub(super) k: usize,
    pub(super) w: f64,
    pub(super) counts: Vec<[f64; 4]>,
    pub(super) pooled: Pooled,
}

/// Chooses `(α_g per group, β, selection)` from the settings, by cross-validation where `auto`.
pub(super) fn choose(data: &Data, settings: Settings) -> (Vec<f64>, f64, Option<Selection>) {
    let n_groups = data.group_names.len();
    let grid = strength_grid();
    let alphas = match settings.strength {
        Strength::Fixed(a) => vec![a],
        Strength::Auto => grid.clone(),
    };
    let betas = match settings.group_strength {
        Strength::Fixed(b) => vec![b],
        Strength::Auto => grid,
    };
    if alphas.len() == 1 && betas.len() == 1 {
        return (vec![alphas[0]; n_groups], betas[0], None);
    }
    let w_total: f64 = data.weights.iter().sum();
    let folds: Vec<Fold> = (0..data.votes.len())
        .filter(|&k| data.weights[k] > 0.0)
        .map(|k| {
            let w = w_total - data.weights[k];
            let counts = data.counts(Some(k));
            let pooled = pooled(&counts, &data.group_of, n_groups, w);
            Fold {
                k,
                w,
                counts,
                pooled,
            }
        })
        .collect();
    // best: (total loss, α per group, β).
    let mut best: Option<(f64, Vec<f64>, f64)> = None;
    for &b in &betas {
        // Per group: (loss, α) minimised over α, smaller α on ties.
        let mut per_group = vec![(f64::INFINITY, alphas[0]); n_groups];
        for &a in &alphas {
            for (g, l) in cv_group_losses(data, &folds, a, b).into_iter().enumerate() {
                if l < per_group[g].0 {
                    per_group[g] = (l, a);
                }
            }
        }
        let total: f64 = per_group.iter().map(|x| x.0).sum();
        if best.as_ref().is_none_or(|x| total < x.0) {
            best = Some((total, per_group.iter().map(|x| x.1).collect(), b));
        }
    }
    let (total, chosen, beta) = best.unwrap_or((f64::NAN, vec![alphas[0]; n_groups], betas[0]));
    (
        chosen,
        beta,
        Some(Selection {
            folds: folds.len(),
            cv_log_loss: total / cv_weight(data, &folds),
        }),
    )
}
