//! Single-vote checks of the prior: rolling backtests (fit only on the history before a
//! target roll call, forecast it like given earlier roll calls, score it) and forecasts of
//! votes outside the history (such as ES-11/4), fitted the same way.

use serde::Serialize;

use super::date::Date;
use super::error::{IdealError, Result};
use super::file::{Convergence, IdealModel};
use super::fit::fit;
use super::history::{History, Window};
use super::model::FitOptions;
use super::predict::{Member, PoolOptions, Prior, prior};
use super::score::{brier, log_loss};
use super::validate::{Protocol, naive};
use crate::vote::Outcome;

/// The window fitted for a forecast of a vote on `date`: the `protocol.fit_sessions` sessions
/// before `date`'s session and `date`'s session up to the day before `date`.
pub fn window_before(date: Date, protocol: &Protocol) -> Result<Window> {
    let since = Date::session_start(date.session() - protocol.fit_sessions);
    let until = date.previous_day();
    match (since, until) {
        (Some(s), Some(u)) => Window::new(Some(s), Some(u)),
        _ => Err(IdealError::options("date", format!("{date} out of range"))),
    }
}

/// Fits the model on the window before `date` ([`window_before`]).
pub fn fit_before(
    history: &History,
    date: Date,
    protocol: &Protocol,
    options: &FitOptions,
) -> Result<(IdealModel, Window)> {
    let window = window_before(date, protocol)?;
    Ok((fit(&history.select(window), options)?, window))
}

/// One forecaster's scores on one roll call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoteScore {
    /// Forecaster name.
    pub forecaster: &'static str,
    /// Mean Brier score over the states, in [0, 2].
    pub brier: f64,
    /// Mean log loss, nats.
    pub log_loss: f64,
    /// Share of states whose most likely outcome (ties: yes, no, abstain, not voting) happened.
    pub accuracy: f64,
    /// Expected counts of yes, no, abstain, not voting.
    pub expected: [f64; 4],
}

/// A rolling backtest of one roll call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollingReport {
    /// Target symbol.
    pub target: String,
    /// Its date.
    pub date: Date,
    /// Like roll calls as used, most recent first.
    pub like: Vec<String>,
    /// Fitted window.
    pub fit_window: Window,
    /// How the fit ended.
    pub convergence: Convergence,
    /// Recorded counts (yes, no, abstain, not voting).
    pub actual: [u32; 4],
    /// Scores of `ideal`, `ideal model only`, `repeat last`, `mean of like votes`.
    pub forecasters: Vec<VoteScore>,
}

/// Rolling backtest: fits on the history before roll call `target` (symbol or record number)
/// and scores the prior for it built like `like`, beside the model alone and the naive rules
/// (most recent like vote; all like votes) with the protocol's smoothing.
pub fn rolling(
    history: &History,
    target: &str,
    like: &[String],
    protocol: &Protocol,
    options: &FitOptions,
    pool_options: &PoolOptions,
) -> Result<RollingReport> {
    let k = history
        .find(target)
        .ok_or_else(|| IdealError::UnknownRollCall {
            name: target.to_string(),
            message: "not in the history".into(),
        })?;
    let rc = &history.rollcalls[k];
    let (model, window) = fit_before(history, rc.date, protocol, options)?;
    let members: Vec<Member> = rc
        .votes
        .iter()
        .map(|v| {
            let iso3 = history.states[usize::from(v.state)];
            Member {
                iso3,
                name: iso3.to_string(),
                region: None,
                voting: true,
            }
        })
        .collect();
    let actual: Vec<Outcome> = rc.votes.iter().map(|v| v.vote).collect();
    let pooled = prior(&model, like, rc.date, Some(&members), pool_options)?;
    let alone = prior(
        &model,
        like,
        rc.date,
        Some(&members),
        &pool_options.model_only(),
    )?;
    // Naive rules from the like votes (most recent first, as the prior orders them).
    let like_idx: Vec<usize> = pooled
        .like
        .iter()
        .map(|l| history.find(&l.record.to_string()).unwrap_or(usize::MAX))
        .collect();
    let record = |state: u16, n: usize| -> Vec<Option<Outcome>> {
        like_idx
            .iter()
            .take(n)
            .map(|&q| history.rollcalls.get(q).and_then(|r| r.vote_of(state)))
            .collect()
    };
    let repeat: Vec<[f64; 4]> = rc
        .votes
        .iter()
        .map(|v| naive(&record(v.state, 1), protocol.smoothing))
        .collect();
    let mean: Vec<[f64; 4]> = rc
        .votes
        .iter()
        .map(|v| naive(&record(v.state, like_idx.len()), protocol.smoothing))
        .collect();
    let rows = |p: &Prior| -> Vec<[f64; 4]> { p.rows.iter().map(|r| r.probs.to_array()).collect() };
    let forecasters = vec![
        vote_score("ideal", &rows(&pooled), &actual),
        vote_score("ideal model only", &rows(&alone), &actual),
        vote_score("repeat last", &repeat, &actual),
        vote_score("mean of like votes", &mean, &actual),
    ];
    Ok(RollingReport {
        target: rc.symbol.clone(),
        date: rc.date,
        like: pooled.like.iter().map(|l| l.symbol.clone()).collect(),
        fit_window: window,
        convergence: model.convergence.clone(),
        actual: rc.tally(),
        forecasters,
    })
}

/// Scores per-state forecasts against recorded votes.
pub fn vote_score(name: &'static str, probs: &[[f64; 4]], actual: &[Outcome]) -> VoteScore {
    let n = actual.len().max(1) as f64;
    let mut expected = [0.0; 4];
    let (mut b, mut l, mut hits) = (0.0, 0.0, 0usize);
    for (p, &a) in probs.iter().zip(actual) {
        b += brier(p, a);
        l += log_loss(p, a);
        let best = (1..4).fold(0, |m, o| if p[o] > p[m] { o } else { m });
        if best == a.index() {
            hits += 1;
        }
        for k in 0..4 {
            expected[k] += p[k];
        }
    }
    VoteScore {
        forecaster: name,
        brier: b / n,
        log_loss: l / n,
        accuracy: hits as f64 / n,
        expected,
    }
}

/// A forecast of a vote that is not in the history (e.g. ES-11/4 on 2022-10-12): the model
/// fitted on the window before `date`, and the prior built like `like`.
pub fn forecast(
    history: &History,
    like: &[String],
    date: Date,
    members: Option<&[Member]>,
    protocol: &Protocol,
    options: &FitOptions,
    pool_options: &PoolOptions,
) -> Result<(Prior, IdealModel)> {
    let (model, _) = fit_before(history, date, protocol, options)?;
    let p = prior(&model, like, date, members, pool_options)?;
    Ok((p, model))
}
