//! The fit itself: the composite log-likelihood of the recorded votes as a function of the
//! fitted parameters, its maximisation by Nelder–Mead on transformed coordinates, and the
//! profile-likelihood intervals (see the parent module).

use super::{CHI2_1_95, PROB_FLOOR};
use crate::engine::{Run, RunOptions, Workers};
use crate::error::{Result, TuneError};
use crate::model::Model;
use crate::scenario::Scenario;
use crate::scenario::param::{Param, ParamPath};
use crate::simplex::{self, Search};
use crate::vote::VoteProbs;

/// How a fitted coordinate maps to the parameter.
#[derive(Debug, Clone, Copy)]
enum Transform {
    Logistic { lo: f64, hi: f64 },
    Exp,
}

impl Transform {
    fn of(p: &ParamPath) -> Transform {
        match p.param {
            Param::CampaignEffort(..) => Transform::Exp,
            _ => {
                let b = p.bounds();
                Transform::Logistic { lo: b.lo, hi: b.hi }
            }
        }
    }

    fn value(self, u: f64) -> f64 {
        match self {
            Transform::Logistic { lo, hi } => lo + (hi - lo) / (1.0 + (-u).exp()),
            Transform::Exp => u.exp(),
        }
    }

    fn coord(self, v: f64) -> f64 {
        match self {
            Transform::Logistic { lo, hi } => {
                let x = ((v - lo) / (hi - lo)).clamp(1e-3, 1.0 - 1e-3);
                (x / (1.0 - x)).ln()
            }
            Transform::Exp => v.max(1e-3).ln(),
        }
    }
}

/// The log-likelihood as a function of the fitted parameters' values.
pub(super) struct Likelihood<'a> {
    pub(super) s: &'a Scenario,
    pub(super) fit: &'a [ParamPath],
    pub(super) counts: Vec<[u32; 4]>,
    pub(super) rollcalls: u32,
    pub(super) opts: RunOptions,
    /// The command's workers, for every engine run of the fit.
    pub(super) workers: &'a Workers,
}

impl Likelihood<'_> {
    pub(super) fn scenario(&self, values: &[f64]) -> Result<Scenario> {
        let mut t = self.s.clone();
        for (p, &v) in self.fit.iter().zip(values) {
            p.set(&mut t, v)?;
        }
        Ok(t)
    }

    /// Marginal probabilities of every state at `values`.
    pub(super) fn probs(&self, values: &[f64]) -> Result<Vec<VoteProbs>> {
        let t = self.scenario(values)?;
        let model = Model::with_options(&t, self.opts.compile());
        let mut p = model.marginals();
        if let Some((sub, kept)) =
            crate::tune::leader_subscenario(&t).filter(|_| model.has_leaders())
        {
            let tally = Run::new(&sub, &self.opts, self.workers)?.tally_all()?;
            let n = tally.ballots as f64;
            for (k, &i) in kept.iter().enumerate() {
                if !model.states[i].leaders.is_empty() {
                    p[i] = VoteProbs::from_array(tally.states[k].map(|c| c as f64 / n));
                }
            }
        }
        Ok(p)
    }

    pub(super) fn loglik_of(&self, p: &[VoteProbs]) -> f64 {
        self.counts
            .iter()
            .zip(p)
            .map(|(c, q)| {
                let q = q.to_array();
                (0..4)
                    .filter(|&o| c[o] > 0)
                    .map(|o| f64::from(c[o]) * q[o].max(PROB_FLOOR).ln())
                    .sum::<f64>()
            })
            .sum()
    }

    pub(super) fn brier_of(&self, p: &[VoteProbs]) -> f64 {
        let k = f64::from(self.rollcalls);
        let total: f64 = self
            .counts
            .iter()
            .zip(p)
            .map(|(c, q)| {
                let q = q.to_array();
                (0..4)
                    .map(|o| {
                        let hit = f64::from(c[o]);
                        hit * (1.0 - q[o]).powi(2) + (k - hit) * q[o] * q[o]
                    })
                    .sum::<f64>()
            })
            .sum();
        total / (k * self.counts.len() as f64)
    }

    pub(super) fn loglik(&self, values: &[f64]) -> Result<f64> {
        Ok(self.loglik_of(&self.probs(values)?))
    }
}

/// Negative log-likelihood over the free coordinates, with some coordinates held fixed.
struct Cost<'a, 'b> {
    lik: &'b Likelihood<'a>,
    transforms: Vec<Transform>,
    /// `(index, value)` of a parameter held fixed (profile likelihood), if any.
    fixed: Option<(usize, f64)>,
}

impl Cost<'_, '_> {
    fn values(&self, u: &[f64]) -> Vec<f64> {
        values_of(&self.transforms, self.fixed, u)
    }
}

/// Parameter values from free coordinates `u`, with `fixed` inserted.
fn values_of(transforms: &[Transform], fixed: Option<(usize, f64)>, u: &[f64]) -> Vec<f64> {
    let mut free = u.iter();
    (0..transforms.len())
        .map(|j| match fixed {
            Some((k, v)) if k == j => v,
            _ => transforms[j].value(*free.next().unwrap_or(&0.0)),
        })
        .collect()
}

impl Cost<'_, '_> {
    /// Minus the log-likelihood at free coordinates `u`. Transformed coordinates keep values
    /// in bounds; a value the scenario still refuses (rounding at a bound) is simply a very
    /// bad point.
    fn at(&self, u: &[f64]) -> f64 {
        match self.lik.loglik(&self.values(u)) {
            Ok(l) if l.is_finite() => -l,
            _ => 1e300,
        }
    }
}

/// Maximises over the free coordinates from `start` (values); returns (values, loglik, iters).
pub(super) fn maximise(
    lik: &Likelihood<'_>,
    start: &[f64],
    fixed: Option<(usize, f64)>,
    max_iters: u64,
) -> Result<(Vec<f64>, f64, u64)> {
    let transforms: Vec<Transform> = lik.fit.iter().map(Transform::of).collect();
    let u0: Vec<f64> = (0..start.len())
        .filter(|&j| fixed.is_none_or(|(k, _)| k != j))
        .map(|j| transforms[j].coord(start[j]))
        .collect();
    let cost = Cost {
        lik,
        transforms: transforms.clone(),
        fixed,
    };
    if u0.is_empty() {
        let v = cost.values(&[]);
        let l = lik.loglik(&v)?;
        return Ok((v, l, 0));
    }
    let search = Search {
        step: 0.5,
        sd_tolerance: 1e-9,
        max_iters,
    };
    let m = simplex::minimise(|u| cost.at(u), &u0, search).map_err(TuneError::Optimiser)?;
    let (best, iters) = (m.point, m.iterations);
    let values = values_of(&transforms, fixed, &best);
    let l = lik.loglik(&values)?;
    Ok((values, l, iters))
}

/// One end of parameter `j`'s profile interval in direction `dir` (±1): (value, at bound).
pub(super) fn profile_bound(
    lik: &Likelihood<'_>,
    hat: &[f64],
    ll_hat: f64,
    j: usize,
    dir: f64,
) -> Result<(f64, bool)> {
    let target = ll_hat - CHI2_1_95 / 2.0;
    let b = lik.fit[j].bounds();
    let (lo, hi) = (b.lo, if b.hi_open { b.hi - 1e-9 } else { b.hi });
    let inner = 40 * lik.fit.len() as u64;
    let profile = |v: f64| -> Result<f64> {
        if lik.fit.len() == 1 {
            lik.loglik(&[v])
        } else {
            let mut start = hat.to_vec();
            start[j] = v;
            Ok(maximise(lik, &start, Some((j, v)), inner)?.1)
        }
    };
    let v0 = hat[j];
    let scale = (hi - lo).min(10.0);
    let mut step = (0.05 * v0.abs()).max(5e-3 * scale);
    let (mut inside, mut g_in) = (v0, ll_hat - target);
    let edge = if dir > 0.0 { hi } else { lo };
    // Bracket: walk outward, doubling, until the profile drops below the target or the bound.
    let (outside, g_out) = loop {
        let v = v0 + dir * step;
        if (dir > 0.0 && v >= hi) || (dir < 0.0 && v <= lo) {
            let g = profile(edge)? - target;
            if g >= 0.0 {
                return Ok((edge, true));
            }
            break (edge, g);
        }
        let g = profile(v)? - target;
        if g < 0.0 {
            break (v, g);
        }
        (inside, g_in) = (v, g);
        step *= 2.0;
    };
    // Illinois (modified regula falsi) on g(v) = profile(v) − target, g(inside) ≥ 0 > g(outside).
    let (mut a, mut ga, mut c, mut gc) = (inside, g_in, outside, g_out);
    let tol = 1e-4 * (1.0 + v0.abs());
    let mut side = 0i8;
    for _ in 0..60 {
        if (c - a).abs() <= tol {
            break;
        }
        let mut v = (a * gc - c * ga) / (gc - ga);
        if !v.is_finite() || (v - a) * (v - c) >= 0.0 {
            v = 0.5 * (a + c);
        }
        let g = profile(v)? - target;
        if g.abs() < 1e-6 {
            return Ok((v, false));
        }
        if g >= 0.0 {
            (a, ga) = (v, g);
            if side == 1 {
                gc *= 0.5;
            }
            side = 1;
        } else {
            (c, gc) = (v, g);
            if side == -1 {
                ga *= 0.5;
            }
            side = -1;
        }
    }
    Ok((0.5 * (a + c), false))
}
