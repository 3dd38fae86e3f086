//! The forecaster's validation protocol: fit on the past, forecast a later session's roll
//! calls that repeat an earlier title, and score per state-vote beside two naive rules.
//!
//! **Targets.** For a scored session `S`, every roll call dated in `S` (1 Sep – 31 Aug) whose
//! title is exactly (byte for byte, after trimming) the title of a roll call in the
//! [`Protocol::like_sessions`] sessions before `S`. Its `like` roll calls are the up to
//! [`Protocol::max_like`] most recent of those, most recent first. Only roll calls before `S`
//! qualify, so every like vote is in the fitted history.
//!
//! **Fit.** On the [`Protocol::fit_sessions`] sessions before `S` (e.g. 1 Sep 2011 –
//! 31 Aug 2021 for the 76th session).
//!
//! **Forecasters.** `ideal` (the pooled prior of [`super::predict`]), `ideal model only`
//! (the model mixture alone), `repeat last` (the state's vote in the most recent like roll
//! call) and `mean of last three` (its votes in the like roll calls); the naive rules add
//! [`Protocol::smoothing`] to every outcome's count before normalising (a state that was a
//! member for none of them gets 1/4 each).
//!
//! **Nested validation.** [`tune`] chooses the fit options (from candidates) and the pooling
//! weights on one session; [`evaluate_period`] applies them unchanged to the next. No number
//! from the scored session enters any choice.

use serde::Serialize;

use super::date::Date;
use super::error::{IdealError, Result};
use super::file::{Convergence, IdealModel};
use super::fit::fit;
use super::history::{History, Iso3, Window};
use super::model::FitOptions;
use super::predict::{PoolOptions, mean_probs, mix, model_probs, pool, record_probs};
use super::probit::{logistic, pm};
use super::score::{ScoreSummary, Tally};
use crate::simplex::{self, Search};
use crate::vote::Outcome;

/// Settings of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Protocol {
    /// Sessions before the scored one searched for like roll calls (10).
    pub like_sessions: i32,
    /// Largest number of like roll calls per target (3).
    pub max_like: usize,
    /// Sessions fitted before the scored one (10; at least `like_sessions`).
    pub fit_sessions: i32,
    /// Pseudo-count added to every outcome by the naive rules (0.05).
    pub smoothing: f64,
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol {
            like_sessions: 10,
            max_like: 3,
            fit_sessions: 10,
            smoothing: 0.05,
        }
    }
}

/// Names of the forecasters, in report order.
pub const FORECASTERS: [&str; 4] = [
    "ideal",
    "ideal model only",
    "repeat last",
    "mean of last three",
];

/// One target roll call and its like roll calls (indices into the full history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Index of the target roll call.
    pub index: usize,
    /// Like roll calls, most recent first.
    pub like: Vec<usize>,
}

/// The targets of session `session` (module documentation).
pub fn targets(history: &History, session: i32, protocol: &Protocol) -> Vec<Target> {
    let earliest = session - protocol.like_sessions;
    let mut out = Vec::new();
    for (k, rc) in history.rollcalls.iter().enumerate() {
        if rc.date.session() != session {
            continue;
        }
        let like: Vec<usize> = (0..k)
            .rev()
            .filter(|&q| {
                let r = &history.rollcalls[q];
                let s = r.date.session();
                s >= earliest && s < session && r.title == rc.title
            })
            .take(protocol.max_like)
            .collect();
        if !like.is_empty() {
            out.push(Target { index: k, like });
        }
    }
    out
}

/// The fit window for scoring session `session`: the `fit_sessions` sessions before it.
pub fn fit_window(session: i32, protocol: &Protocol) -> Result<Window> {
    let since = Date::session_start(session - protocol.fit_sessions);
    let until = Date::session_end(session - 1);
    match (since, until) {
        (Some(s), Some(u)) => Window::new(Some(s), Some(u)),
        _ => Err(IdealError::options(
            "session",
            format!("session {session} out of range"),
        )),
    }
}

/// One scored state-vote with everything the forecasters need.
#[derive(Debug, Clone)]
struct Case {
    actual: Outcome,
    /// Model probabilities per like roll call (none: no fitted position).
    comps: Option<Vec<[f64; 4]>>,
    /// The state's votes in the like roll calls (most recent first).
    record: Vec<Option<Outcome>>,
}

/// The cases of one target.
#[derive(Debug, Clone)]
struct TargetCases {
    target: Target,
    /// Years from each like roll call to the target.
    ages: Vec<f64>,
    cases: Vec<Case>,
}

/// All cases of a scored period under one fitted model.
#[derive(Debug, Clone)]
pub struct Cases {
    targets: Vec<TargetCases>,
}

impl Cases {
    /// Builds the cases of `targets` (from `history`, the full history) under `model`.
    pub fn new(history: &History, targets: &[Target], model: &IdealModel) -> Result<Cases> {
        let mut out = Vec::with_capacity(targets.len());
        for t in targets {
            let rc = &history.rollcalls[t.index];
            let session = rc.date.session();
            let like_model: Vec<usize> = t
                .like
                .iter()
                .map(|&q| {
                    let rec = history.rollcalls[q].record;
                    model
                        .rollcalls
                        .iter()
                        .position(|r| r.record == rec)
                        .ok_or_else(|| IdealError::UnknownRollCall {
                            name: history.rollcalls[q].symbol.clone(),
                            message: "like roll call outside the fitted window".into(),
                        })
                })
                .collect::<Result<_>>()?;
            let cases = rc
                .votes
                .iter()
                .map(|v| {
                    let iso: Iso3 = history.states[usize::from(v.state)];
                    let i = model.state_index(iso);
                    Case {
                        actual: v.vote,
                        comps: i.map(|i| {
                            like_model
                                .iter()
                                .map(|&j| model_probs(model, i, j, session))
                                .collect()
                        }),
                        record: t
                            .like
                            .iter()
                            .map(|&q| history.rollcalls[q].vote_of(v.state))
                            .collect(),
                    }
                })
                .collect();
            out.push(TargetCases {
                target: t.clone(),
                ages: t
                    .like
                    .iter()
                    .map(|&q| rc.date.years_since(history.rollcalls[q].date))
                    .collect(),
                cases,
            });
        }
        Ok(Cases { targets: out })
    }

    /// Forecasts of forecaster `which` (index into [`FORECASTERS`]) for every case, target by
    /// target.
    fn forecasts(&self, which: usize, p: &PoolOptions, smoothing: f64) -> Vec<Vec<[f64; 4]>> {
        let model_only = p.model_only();
        self.targets
            .iter()
            .map(|tc| {
                // Fallback for states without a position: mean model parts of the fitted ones.
                let parts: Vec<Option<[f64; 4]>> = tc
                    .cases
                    .iter()
                    .map(|c| c.comps.as_ref().map(|now| mix(now, &tc.ages, p)))
                    .collect();
                let known: Vec<&[f64; 4]> = parts.iter().flatten().collect();
                let mean = if known.is_empty() {
                    [0.25; 4]
                } else {
                    mean_probs(&known)
                };
                tc.cases
                    .iter()
                    .zip(&parts)
                    .map(|(c, part)| {
                        let model_p = part.unwrap_or(mean);
                        match which {
                            0 => pool(model_p, record_probs(&c.record, &tc.ages, p), p),
                            1 => pool(model_p, [0.25; 4], &model_only),
                            2 => naive(&c.record[..1], smoothing),
                            _ => naive(&c.record, smoothing),
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Per-target tallies of forecaster `which`.
    fn tallies(&self, which: usize, p: &PoolOptions, smoothing: f64) -> Vec<Tally> {
        self.forecasts(which, p, smoothing)
            .iter()
            .zip(&self.targets)
            .map(|(f, tc)| {
                let mut t = Tally::default();
                for (p, c) in f.iter().zip(&tc.cases) {
                    t.add(p, c.actual);
                }
                t
            })
            .collect()
    }

    /// Pooled tally of forecaster `which`.
    fn pooled(&self, which: usize, p: &PoolOptions, smoothing: f64) -> Tally {
        let mut all = Tally::default();
        for t in self.tallies(which, p, smoothing) {
            all.merge(&t);
        }
        all
    }

    /// Number of targets.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there are no targets.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }
}

/// A naive rule: counts of the state's recorded votes plus `smoothing` per outcome.
pub fn naive(votes: &[Option<Outcome>], smoothing: f64) -> [f64; 4] {
    let mut c = [smoothing; 4];
    for o in votes.iter().flatten() {
        c[o.index()] += 1.0;
    }
    let s: f64 = c.iter().sum();
    c.map(|x| x / s)
}

/// Where the search for pooling weights starts (fixed, so that the result does not depend on
/// [`PoolOptions::default`], which is set from this search's result).
pub const POOL_SEARCH_START: PoolOptions = PoolOptions {
    vote_model_weight: 0.5,
    vote_record_weight: 1.0,
    absence_model_weight: 0.5,
    absence_record_weight: 1.0,
    like_decay: 0.5,
    record_decay: 0.5,
    record_smoothing: 0.3,
};

/// Pooled scores of the two naive rules (`repeat last`, `mean of last three`) on the targets
/// of `session`, without fitting anything: the check of the protocol against the
/// prototype's figures.
pub fn naive_scores(
    history: &History,
    session: i32,
    protocol: &Protocol,
) -> (usize, [ScoreSummary; 2]) {
    let tg = targets(history, session, protocol);
    let mut t = [Tally::default(), Tally::default()];
    for target in &tg {
        for v in &history.rollcalls[target.index].votes {
            let record: Vec<Option<Outcome>> = target
                .like
                .iter()
                .map(|&q| history.rollcalls[q].vote_of(v.state))
                .collect();
            t[0].add(&naive(&record[..1], protocol.smoothing), v.vote);
            t[1].add(&naive(&record, protocol.smoothing), v.vote);
        }
    }
    (tg.len(), [t[0].summary(), t[1].summary()])
}

/// Pooling weights minimising the pooled log loss of the `ideal` forecaster on `cases`
/// (Nelder–Mead on log weights, logit decays and log smoothing, from [`POOL_SEARCH_START`]),
/// rounded to three significant digits.
pub fn tune_pool(cases: &Cases) -> Result<PoolOptions> {
    let search = Search {
        step: 0.7,
        sd_tolerance: 1e-7,
        max_iters: 1000,
    };
    let loss = |z: &[f64]| cases.pooled(0, &from_z(z), 0.0).summary().log_loss;
    let best = simplex::minimise(loss, &to_z(&POOL_SEARCH_START), search)
        .map_err(IdealError::Fit)?
        .point;
    let p = from_z(&best);
    Ok(PoolOptions {
        vote_model_weight: round3(p.vote_model_weight),
        vote_record_weight: round3(p.vote_record_weight),
        absence_model_weight: round3(p.absence_model_weight),
        absence_record_weight: round3(p.absence_record_weight),
        like_decay: round3(p.like_decay).min(1.0),
        record_decay: round3(p.record_decay).min(1.0),
        record_smoothing: round3(p.record_smoothing),
    })
}

fn to_z(p: &PoolOptions) -> Vec<f64> {
    let logit = |x: f64| {
        let x = x.clamp(1e-6, 1.0 - 1e-6);
        pm::ln(x / (1.0 - x))
    };
    vec![
        pm::ln(p.vote_model_weight.max(1e-6)),
        pm::ln(p.vote_record_weight.max(1e-6)),
        pm::ln(p.absence_model_weight.max(1e-6)),
        pm::ln(p.absence_record_weight.max(1e-6)),
        logit(p.like_decay),
        logit(p.record_decay),
        pm::ln(p.record_smoothing),
    ]
}

fn from_z(z: &[f64]) -> PoolOptions {
    let w = |x: f64| pm::exp(x.clamp(-20.0, 4.0));
    PoolOptions {
        vote_model_weight: w(z[0]),
        vote_record_weight: w(z[1]),
        absence_model_weight: w(z[2]),
        absence_record_weight: w(z[3]),
        like_decay: logistic(z[4]).max(1e-6),
        record_decay: logistic(z[5]).max(1e-6),
        record_smoothing: pm::exp(z[6].clamp(-12.0, 6.0)),
    }
}

/// `x` rounded to three significant digits (tuned weights are reported and shipped so).
///
/// ```
/// use lobbysim::ideal::validate::round3;
/// assert_eq!(round3(0.4125253), 0.413);
/// assert_eq!(round3(0.08602268), 0.086);
/// assert_eq!(round3(1.0061980), 1.01);
/// assert_eq!(round3(1234.5), 1230.0);
/// ```
pub fn round3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    // Scale by powers of ten (exact integers) until 100 ≤ |x|·f < 1000 or |x|/f is.
    let a = x.abs();
    let (mut up, mut down) = (1.0f64, 1.0f64);
    while a * up < 100.0 && up < 1e300 {
        up *= 10.0;
    }
    while a / down >= 1000.0 {
        down *= 10.0;
    }
    if down > 1.0 {
        (x / down).round() * down
    } else {
        (x * up).round() / up
    }
}

/// Scores of one forecaster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecasterScore {
    /// Forecaster name (one of [`FORECASTERS`]).
    pub forecaster: &'static str,
    /// Pooled over all state-votes.
    pub pooled: ScoreSummary,
}

/// Scores of one target roll call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetScore {
    /// Symbol.
    pub symbol: String,
    /// Date.
    pub date: Date,
    /// Title.
    pub title: String,
    /// Like roll calls' symbols, most recent first.
    pub like: Vec<String>,
    /// State-votes scored.
    pub states: u64,
    /// Mean Brier score per forecaster (order of [`FORECASTERS`]).
    pub brier: Vec<f64>,
    /// Mean log loss per forecaster.
    pub log_loss: Vec<f64>,
}

/// The result of scoring one session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReport {
    /// Scored session.
    pub session: i32,
    /// Fitted window.
    pub fit_window: Window,
    /// Fit options.
    pub fit_options: FitOptions,
    /// How the fit ended.
    pub convergence: Convergence,
    /// Pooling weights used.
    pub pool: PoolOptions,
    /// Whether `pool` was chosen on this session (tuning) or given (held out).
    pub pool_tuned_here: bool,
    /// Pooled scores per forecaster.
    pub forecasters: Vec<ForecasterScore>,
    /// Scores per target.
    pub targets: Vec<TargetScore>,
}

/// Fits on the sessions before `session` and scores its targets. With `pool = None` the
/// pooling weights are tuned on this session (use only for a tuning period).
pub fn evaluate_period(
    history: &History,
    session: i32,
    protocol: &Protocol,
    fit_options: &FitOptions,
    pool_options: Option<PoolOptions>,
) -> Result<(PeriodReport, IdealModel)> {
    if protocol.fit_sessions < protocol.like_sessions {
        return Err(IdealError::options(
            "fit_sessions",
            "must be at least like_sessions (every like vote must be fitted)",
        ));
    }
    let tg = targets(history, session, protocol);
    if tg.is_empty() {
        return Err(IdealError::options(
            "session",
            format!("no roll call of session {session} repeats an earlier title"),
        ));
    }
    let window = fit_window(session, protocol)?;
    let model = fit(&history.select(window), fit_options)?;
    let cases = Cases::new(history, &tg, &model)?;
    let (p, tuned) = match pool_options {
        Some(p) => (p, false),
        None => (tune_pool(&cases)?, true),
    };
    let report = report(
        history,
        session,
        window,
        fit_options,
        &model,
        &cases,
        p,
        tuned,
        protocol,
    );
    Ok((report, model))
}

#[allow(clippy::too_many_arguments)]
fn report(
    history: &History,
    session: i32,
    window: Window,
    fit_options: &FitOptions,
    model: &IdealModel,
    cases: &Cases,
    p: PoolOptions,
    tuned: bool,
    protocol: &Protocol,
) -> PeriodReport {
    let per: Vec<Vec<Tally>> = (0..FORECASTERS.len())
        .map(|w| cases.tallies(w, &p, protocol.smoothing))
        .collect();
    let forecasters = FORECASTERS
        .iter()
        .enumerate()
        .map(|(w, &name)| {
            let mut all = Tally::default();
            for t in &per[w] {
                all.merge(t);
            }
            ForecasterScore {
                forecaster: name,
                pooled: all.summary(),
            }
        })
        .collect();
    let targets = cases
        .targets
        .iter()
        .enumerate()
        .map(|(k, tc)| {
            let rc = &history.rollcalls[tc.target.index];
            TargetScore {
                symbol: rc.symbol.clone(),
                date: rc.date,
                title: rc.title.clone(),
                like: tc
                    .target
                    .like
                    .iter()
                    .map(|&q| history.rollcalls[q].symbol.clone())
                    .collect(),
                states: per[0][k].count(),
                brier: per.iter().map(|t| t[k].summary().brier).collect(),
                log_loss: per.iter().map(|t| t[k].summary().log_loss).collect(),
            }
        })
        .collect();
    PeriodReport {
        session,
        fit_window: window,
        fit_options: fit_options.clone(),
        convergence: model.convergence.clone(),
        pool: p,
        pool_tuned_here: tuned,
        forecasters,
        targets,
    }
}

/// A candidate setting for [`tune`]: the fit options and the number of sessions fitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// Fit options.
    pub fit_options: FitOptions,
    /// Sessions fitted before the scored one ([`Protocol::fit_sessions`]).
    pub fit_sessions: i32,
}

/// One candidate's result on the tuning session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The setting tried.
    pub setting: Setting,
    /// Pooling weights tuned for it.
    pub pool: PoolOptions,
    /// Pooled scores of the `ideal` forecaster with those weights.
    pub ideal: ScoreSummary,
    /// Pooled scores of the model alone.
    pub model_only: ScoreSummary,
    /// Optimiser iterations of the fit.
    pub iterations: u64,
}

/// Fits every candidate on the sessions before `session`, tunes the pooling weights for each
/// on that session's targets, and returns them all with the index of the best (lowest pooled
/// log loss of `ideal`; ties: the earlier candidate). `progress` is called after each.
pub fn tune(
    history: &History,
    session: i32,
    protocol: &Protocol,
    candidates: &[Setting],
    progress: &dyn Fn(&Candidate),
) -> Result<(Vec<Candidate>, usize)> {
    let mut out: Vec<Candidate> = Vec::with_capacity(candidates.len());
    for c in candidates {
        let proto = Protocol {
            fit_sessions: c.fit_sessions,
            ..*protocol
        };
        let (r, _) = evaluate_period(history, session, &proto, &c.fit_options, None)?;
        let cand = Candidate {
            setting: c.clone(),
            pool: r.pool,
            ideal: r.forecasters[0].pooled,
            model_only: r.forecasters[1].pooled,
            iterations: r.convergence.iterations,
        };
        progress(&cand);
        out.push(cand);
    }
    let best = out
        .iter()
        .enumerate()
        .min_by(|a, b| {
            a.1.ideal
                .log_loss
                .total_cmp(&b.1.ideal.log_loss)
                .then(a.0.cmp(&b.0))
        })
        .map(|(k, _)| k)
        .ok_or_else(|| IdealError::options("candidates", "give at least one"))?;
    Ok((out, best))
}
