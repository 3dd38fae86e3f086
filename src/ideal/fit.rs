//! The fit: maximum a posteriori by L-BFGS ([`super::lbfgs`]) in preconditioned coordinates
//! ([`super::precondition`]) from deterministic start values ([`super::init`]), then a
//! canonical rotation of the positions.
//!
//! **Identification.** The likelihood depends on positions and discriminations only through
//! `β_j·x_{i,t}`, and every prior on them is isotropic, so the posterior is unchanged by any
//! rotation `x → Rᵀx, β → Rᵀβ`. The fitted positions are therefore rotated to their principal
//! axes (dimension 1 the direction of largest spread of all state-session positions, and so
//! on), each axis signed so that the reference state (`USA` if fitted, else the first state by
//! code) is on its positive side in its last session. The absence loadings are rotated the
//! same way. Scale and location are fixed by the priors.

use super::design::Design;
use super::error::{IdealError, Result};
use super::file::{
    Convergence, FORMAT, FORMAT_VERSION, HistoryInfo, IdealModel, RollCallFit, StateFit,
};
use super::history::{History, Iso3};
use super::init::start_values;
use super::lbfgs;
use super::linalg::symmetric_eigen;
use super::model::{FitOptions, Layout};
use super::objective::{Objective, Scratch};
use super::precondition::scales;
use super::probit::pm;

/// State whose positions fix the sign of each axis, when fitted.
pub const REFERENCE_STATE: &str = "USA";

/// Progress of a running fit, passed to the callback after each evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitProgress {
    /// Evaluations so far.
    pub evaluations: u64,
    /// Objective at the latest evaluation.
    pub objective: f64,
}

/// Fits the model to `history` with `options` (on the current rayon thread pool; the result
/// does not depend on its size).
pub fn fit(history: &History, options: &FitOptions) -> Result<IdealModel> {
    fit_with_progress(history, options, &|_| {})
}

/// As [`fit`], calling `progress` after every evaluation of the objective.
pub fn fit_with_progress(
    history: &History,
    options: &FitOptions,
    progress: &(dyn Fn(FitProgress) + Sync),
) -> Result<IdealModel> {
    options.validate()?;
    let design = Design::new(history, options.dims, options.absence_rank)?;
    let theta0 = start_values(history, &design);
    let (mut theta, convergence) = minimise(&design, options, theta0, progress)?;
    canonicalise(&mut theta, &design.layout, history);
    Ok(assemble(history, options, &design, &theta, convergence))
}

/// Runs L-BFGS from `theta0` in the preconditioned coordinates `φ = θ / s`; returns the
/// final point (in `θ`) and how the run ended.
fn minimise(
    design: &Design,
    options: &FitOptions,
    theta0: Vec<f64>,
    progress: &(dyn Fn(FitProgress) + Sync),
) -> Result<(Vec<f64>, Convergence)> {
    let objective = Objective::new(design, options);
    let scale = scales(design, options, &theta0);
    let phi0: Vec<f64> = theta0.iter().zip(&scale).map(|(t, s)| t / s).collect();
    let mut scratch = Scratch::default();
    let mut theta = vec![0.0; theta0.len()];
    let mut evaluations = 0u64;
    let mut eval = |phi: &[f64], grad: &mut [f64]| -> f64 {
        for ((t, p), s) in theta.iter_mut().zip(phi).zip(&scale) {
            *t = p * s;
        }
        let v = objective.evaluate(&theta, grad, &mut scratch);
        for (g, s) in grad.iter_mut().zip(&scale) {
            *g *= s;
        }
        evaluations += 1;
        progress(FitProgress {
            evaluations,
            objective: v.objective,
        });
        v.objective
    };
    let settings = lbfgs::Settings {
        memory: options.memory,
        max_iterations: options.max_iterations,
        tolerance: options.tolerance * design.observations().max(1) as f64,
    };
    let m = lbfgs::minimise(&mut eval, phi0, &settings);
    if !m.f.is_finite() {
        return Err(IdealError::Fit(format!(
            "non-finite objective ({}) after {} evaluations",
            m.f, m.evaluations
        )));
    }
    // The log-likelihood at the final point: re-evaluate there (one more evaluation, not
    // counted in the convergence information).
    let mut grad = vec![0.0; m.x.len()];
    let theta: Vec<f64> = m.x.iter().zip(&scale).map(|(p, s)| p * s).collect();
    let value = objective.evaluate(&theta, &mut grad, &mut scratch);
    let gradient_norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
    Ok((
        theta,
        Convergence {
            iterations: m.iterations,
            evaluations: m.evaluations,
            objective: value.objective,
            log_likelihood: value.log_likelihood,
            gradient_norm,
            termination: m.reason,
            converged: m.converged,
        },
    ))
}

/// Rotates positions (and discriminations) to principal axes and the absence loadings
/// likewise; signs fixed by the reference state (module documentation).
fn canonicalise(theta: &mut [f64], lay: &Layout, history: &History) {
    let reference = Iso3::new(REFERENCE_STATE)
        .and_then(|c| history.state_index(c))
        .map_or(0, usize::from);
    let states = lay.state_sessions.len();
    // Positions: every state-session's x.
    let x_slots: Vec<usize> = (0..states)
        .flat_map(|i| {
            (0..lay.state_sessions[i].1)
                .map(move |t| lay.state_offset[i] + lay.rank + t * (lay.dims + 1))
        })
        .collect();
    let ref_x = (lay.state_sessions.get(reference).map(|s| s.1).unwrap_or(0) > 0).then(|| {
        let (_, n) = lay.state_sessions[reference];
        lay.state_offset[reference] + lay.rank + (n - 1) * (lay.dims + 1)
    });
    let item_beta: Vec<usize> = (0..lay.items).map(|j| lay.item_offset(j)).collect();
    rotate(theta, lay.dims, &x_slots, &item_beta, ref_x);
    // Absence loadings u_i and v_j.
    let u_slots: Vec<usize> = (0..states).map(|i| lay.state_offset[i]).collect();
    let v_slots: Vec<usize> = (0..lay.items)
        .map(|j| lay.item_offset(j) + lay.dims + 3)
        .collect();
    let ref_u = (states > reference).then(|| lay.state_offset[reference]);
    rotate(theta, lay.rank, &u_slots, &v_slots, ref_u);
}

/// Rotates the `d`-vectors at `rows` to their principal axes (centred covariance), applying
/// the same rotation to the `d`-vectors at `partners`; flips each axis so the vector at
/// `reference` has a non-negative coordinate.
fn rotate(
    theta: &mut [f64],
    d: usize,
    rows: &[usize],
    partners: &[usize],
    reference: Option<usize>,
) {
    if d == 0 || rows.is_empty() {
        return;
    }
    let n = rows.len() as f64;
    let mut mean = vec![0.0; d];
    for &r in rows {
        for k in 0..d {
            mean[k] += theta[r + k];
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut cov = vec![0.0; d * d];
    for &r in rows {
        for a in 0..d {
            for b in 0..d {
                cov[a * d + b] += (theta[r + a] - mean[a]) * (theta[r + b] - mean[b]);
            }
        }
    }
    let (_, mut vecs) = symmetric_eigen(&cov, d);
    if let Some(r) = reference {
        for k in 0..d {
            let c: f64 = (0..d).map(|m| theta[r + m] * vecs[m * d + k]).sum();
            if c < 0.0 {
                for m in 0..d {
                    vecs[m * d + k] = -vecs[m * d + k];
                }
            }
        }
    }
    let mut tmp = vec![0.0; d];
    for &r in rows.iter().chain(partners) {
        for (k, t) in tmp.iter_mut().enumerate() {
            *t = (0..d).map(|m| theta[r + m] * vecs[m * d + k]).sum();
        }
        theta[r..r + d].copy_from_slice(&tmp);
    }
}

/// Builds the model file's content from the fitted parameters.
fn assemble(
    history: &History,
    options: &FitOptions,
    design: &Design,
    theta: &[f64],
    convergence: Convergence,
) -> IdealModel {
    let lay = &design.layout;
    let (dims, rank) = (lay.dims, lay.rank);
    // States without any vote have no sessions and are left out of the file.
    let kept: Vec<usize> = (0..history.states.len())
        .filter(|&i| lay.state_sessions[i].1 > 0)
        .collect();
    let states: Vec<StateFit> = kept
        .iter()
        .map(|&i| {
            let (first, n) = lay.state_sessions[i];
            let base = lay.state_offset[i];
            let at = |t: usize| base + rank + t * (dims + 1);
            StateFit {
                iso3: history.states[i],
                first_session: first,
                last_session: first + n as i32 - 1,
                positions: (0..n)
                    .map(|t| theta[at(t)..at(t) + dims].to_vec())
                    .collect(),
                absence: (0..n).map(|t| theta[at(t) + dims]).collect(),
                absence_loading: theta[base..base + rank].to_vec(),
            }
        })
        .collect();
    let rollcalls = history
        .rollcalls
        .iter()
        .enumerate()
        .map(|(j, rc)| {
            let off = lay.item_offset(j);
            let p = &theta[off..off + lay.item_len()];
            let mut votes = vec![b'.'; kept.len()];
            for v in &rc.votes {
                if let Ok(k) = kept.binary_search(&usize::from(v.state)) {
                    votes[k] = v.vote.letter() as u8;
                }
            }
            RollCallFit {
                record: rc.record,
                symbol: rc.symbol.clone(),
                date: rc.date,
                session: rc.date.session(),
                title: rc.title.clone(),
                discrimination: p[..dims].to_vec(),
                cut_no: p[dims],
                cut_yes: p[dims] + pm::exp(p[dims + 1]),
                absence_level: p[dims + 2],
                absence_loading: p[dims + 3..].to_vec(),
                votes: String::from_utf8_lossy(&votes).into_owned(),
            }
        })
        .collect();
    IdealModel {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        engine_version: env!("CARGO_PKG_VERSION").to_string(),
        history: HistoryInfo {
            digest: history.digest.clone(),
            since: history.window.since,
            until: history.window.until,
            first_date: history.rollcalls[0].date,
            last_date: history.rollcalls[history.rollcalls.len() - 1].date,
            rollcalls: history.rollcalls.len(),
            votes: history.vote_count(),
        },
        options: options.clone(),
        convergence,
        states,
        rollcalls,
    }
}
