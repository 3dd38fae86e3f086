//! Backtesting: scoring a scenario's per-state forecast against a recorded roll call, side by
//! side with naive baselines (see `docs/backtest.md`).
//!
//! Every forecaster gives each state four probabilities `p_i` (yes, no, abstain, not voting)
//! and a distribution for each of the four counts. Against the recorded votes `y_i`:
//!
//! * **Brier score** (multi-class): mean over states of `Σ_o (p_i[o] − 1[y_i = o])²`, in [0, 2];
//!   0 is perfect, a uniform forecast scores 0.75.
//! * **Log loss**: mean of `−ln max(p_i[y_i], LOG_LOSS_FLOOR)` in nats; a uniform forecast
//!   scores ln 4 ≈ 1.386.
//! * **Accuracy**: share of states whose most likely outcome (ties: yes, no, abstain, absent
//!   order) is the recorded vote.
//! * **Counts**: for each outcome, the expected count, its error (expected − actual), and where
//!   the actual count falls in the forecaster's count distribution (mid-percentile, P(≤), P(≥),
//!   80%/95% central intervals).
//! * **Calibration**: all state × outcome probabilities in ten bins of width 0.1, with the mean
//!   predicted probability and the observed frequency in each, and the expected calibration
//!   error `Σ_b (n_b/n)·|mean predicted_b − observed_b|`.
//!
//! The scenario's forecast uses the simulated marginals and simulated count histograms (blocs,
//! leaders and lobbying included). The baselines treat states as independent, so their count
//! distributions are exact Poisson-binomials:
//!
//! * **last vote**: `(1 − ε)·1[o = last recorded vote] + ε·(share of o in that roll call)`;
//!   "last" is the last roll call listed in `[prior]`.
//! * **history mean**: `(1 − ε)·f_i[o] + ε·f[o]`, where `f_i` is the state's own weighted vote
//!   frequencies over the `[prior]` roll calls (weights as in `[prior]`) and `f` the same over
//!   all states — no pooling by group, no cross-validated strength.
//!
//! Both use ε = [`BASELINE_SMOOTHING`], so they differ from the scenario's prior only in what
//! they ignore (the older roll calls, or the groups).

use serde::Serialize;

use crate::error::{Error, Problem, Result};
use crate::prior::Inputs;
use crate::report::Forecast;
use crate::rollcall::RollCall;
use crate::scenario::Scenario;
use crate::stats::{poisson_binomial, quantile};
use crate::vote::{Outcome, VoteProbs};
use crate::{RunOptions, forecast};

/// Probabilities below this are raised to it in the log loss (a forecaster that gives a
/// recorded vote probability 0 scores −ln 10⁻⁶ ≈ 13.8 nats for it rather than infinity).
pub const LOG_LOSS_FLOOR: f64 = 1e-6;
/// ε of the baselines: probability of not voting as the state's record says, spread over the
/// outcomes as the whole Assembly voted. Between consecutive roll calls of `data/` 7% (ES-11/1 →
/// ES-11/2) to 37% (ES-11/2 → ES-11/3) of states changed their vote; 0.2 sits between.
pub const BASELINE_SMOOTHING: f64 = 0.2;
/// Number of calibration bins (equal width on [0, 1]).
pub const CALIBRATION_BINS: usize = 10;
/// Number of largest surprises listed.
pub const SURPRISES: usize = 10;

/// Where an actual count falls in one forecaster's distribution of that count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountScore {
    /// `yes`, `no`, `abstain` or `absent`.
    pub outcome: &'static str,
    /// Recorded count.
    pub actual: u64,
    /// Expected count under the forecaster.
    pub expected: f64,
    /// `expected − actual` (positive: the forecaster expected too many).
    pub error: f64,
    /// Mid-percentile of the actual count, 100·(P(< actual) + ½ P(= actual)).
    pub percentile: f64,
    /// P(count ≤ actual).
    pub p_le: f64,
    /// P(count ≥ actual).
    pub p_ge: f64,
    /// 80% central interval `[10%, 90%]` quantiles (type 1).
    pub central_80: [u64; 2],
    /// 95% central interval `[2.5%, 97.5%]` quantiles (type 1).
    pub central_95: [u64; 2],
}

/// One bin of a reliability table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// Lower edge of the predicted-probability bin (inclusive).
    pub lower: f64,
    /// Upper edge (exclusive, except 1.0 for the last bin).
    pub upper: f64,
    /// Number of state × outcome probabilities in the bin.
    pub n: u64,
    /// Mean predicted probability in the bin (`null` when empty).
    pub mean_predicted: Option<f64>,
    /// Share of those state × outcome pairs that happened (`null` when empty).
    pub observed: Option<f64>,
}

/// A state whose recorded vote the forecaster found least likely.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Surprise {
    /// ISO code.
    pub iso3: String,
    /// Recorded vote (`yes`, `no`, `abstain`, `absent`).
    pub vote: &'static str,
    /// Probability the forecaster gave it.
    pub probability: f64,
}

/// All scores of one forecaster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Forecaster name.
    pub name: String,
    /// Mean multi-class Brier score, in [0, 2] (lower is better).
    pub brier: f64,
    /// Mean log loss in nats (lower is better).
    pub log_loss: f64,
    /// Share of states whose most likely outcome was the recorded one, in [0, 1].
    pub accuracy: f64,
    /// Count scores in outcome order (yes, no, abstain, absent).
    pub counts: Vec<CountScore>,
    /// Reliability table.
    pub calibration: Vec<CalibrationBin>,
    /// Expected calibration error, in [0, 1].
    pub ece: f64,
    /// The [`SURPRISES`] recorded votes given the lowest probability.
    pub surprises: Vec<Surprise>,
}

/// The result of `lobbysim backtest`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// Roll-call file scored against.
    pub actual_file: String,
    /// Recorded counts (yes, no, abstain, absent).
    pub actual: [u64; 4],
    /// Number of states scored.
    pub states: usize,
    /// Ballots simulated for the scenario's forecast.
    pub ballots: u64,
    /// Master seed of the simulation.
    pub seed: u64,
    /// Roll calls the baselines (and the scenario's prior) used, oldest first.
    pub history: Vec<String>,
    /// The scenario's forecast first, then the baselines (if the scenario has `[prior]`).
    pub scores: Vec<Score>,
    /// Caveats, e.g. the scored roll call is one the prior was estimated from.
    pub warnings: Vec<String>,
}

/// Scores per-state probabilities and count distributions against recorded votes.
/// `dists[o][k]` is the forecaster's P(count of outcome o = k), k = 0..=n.
pub fn score(
    name: &str,
    probs: &[VoteProbs],
    dists: &[Vec<f64>; 4],
    votes: &[Outcome],
    iso3: &[&str],
) -> Score {
    let n = votes.len().max(1) as f64;
    let mut brier = 0.0;
    let mut log_loss = 0.0;
    let mut hits = 0usize;
    let mut actual = [0u64; 4];
    for (p, &v) in probs.iter().zip(votes) {
        let a = p.to_array();
        actual[v.index()] += 1;
        brier += (0..4)
            .map(|o| {
                let y = if o == v.index() { 1.0 } else { 0.0 };
                (a[o] - y) * (a[o] - y)
            })
            .sum::<f64>();
        log_loss -= a[v.index()].max(LOG_LOSS_FLOOR).ln();
        if argmax(a) == v.index() {
            hits += 1;
        }
    }
    let counts = Outcome::ALL
        .iter()
        .map(|&o| {
            let pmf = &dists[o.index()];
            let expected: f64 = probs.iter().map(|p| p.get(o)).sum();
            count_score(o, pmf, expected, actual[o.index()])
        })
        .collect();
    let (calibration, ece) = calibration(probs, votes);
    let mut surprises: Vec<Surprise> = probs
        .iter()
        .zip(votes)
        .zip(iso3)
        .map(|((p, &v), c)| Surprise {
            iso3: c.to_string(),
            vote: v.name(),
            probability: p.get(v),
        })
        .collect();
    surprises.sort_by(|a, b| {
        a.probability
            .total_cmp(&b.probability)
            .then_with(|| a.iso3.cmp(&b.iso3))
    });
    surprises.truncate(SURPRISES);
    Score {
        name: name.to_string(),
        brier: brier / n,
        log_loss: log_loss / n,
        accuracy: hits as f64 / n,
        counts,
        calibration,
        ece,
        surprises,
    }
}

/// Index of the largest entry; ties go to the earliest (outcome order).
fn argmax(a: [f64; 4]) -> usize {
    (1..4).fold(0, |best, o| if a[o] > a[best] { o } else { best })
}

fn count_score(o: Outcome, pmf: &[f64], expected: f64, actual: u64) -> CountScore {
    let a = actual as usize;
    let below: f64 = pmf.iter().take(a).sum();
    let at = pmf.get(a).copied().unwrap_or(0.0);
    let above: f64 = pmf.iter().skip(a + 1).sum();
    let q = |x| quantile(pmf, x);
    CountScore {
        outcome: o.name(),
        actual,
        expected,
        error: expected - actual as f64,
        percentile: 100.0 * (below + 0.5 * at),
        p_le: below + at,
        p_ge: at + above,
        central_80: [q(0.10), q(0.90)],
        central_95: [q(0.025), q(0.975)],
    }
}

/// Reliability table over all state × outcome pairs and the expected calibration error.
pub fn calibration(probs: &[VoteProbs], votes: &[Outcome]) -> (Vec<CalibrationBin>, f64) {
    let mut n = [0u64; CALIBRATION_BINS];
    let mut sum_p = [0.0; CALIBRATION_BINS];
    let mut hit = [0u64; CALIBRATION_BINS];
    for (p, &v) in probs.iter().zip(votes) {
        for o in Outcome::ALL {
            let x = p.get(o);
            let b = ((x * CALIBRATION_BINS as f64) as usize).min(CALIBRATION_BINS - 1);
            n[b] += 1;
            sum_p[b] += x;
            hit[b] += u64::from(o == v);
        }
    }
    let total: u64 = n.iter().sum();
    let mut ece = 0.0;
    let bins = (0..CALIBRATION_BINS)
        .map(|b| {
            let (mean, obs) = if n[b] > 0 {
                let m = sum_p[b] / n[b] as f64;
                let f = hit[b] as f64 / n[b] as f64;
                ece += n[b] as f64 / total.max(1) as f64 * (m - f).abs();
                (Some(m), Some(f))
            } else {
                (None, None)
            };
            CalibrationBin {
                lower: b as f64 / CALIBRATION_BINS as f64,
                upper: (b + 1) as f64 / CALIBRATION_BINS as f64,
                n: n[b],
                mean_predicted: mean,
                observed: obs,
            }
        })
        .collect();
    (bins, ece)
}

/// Exact count distributions of independent states (Poisson-binomial per outcome).
pub fn independent_dists(probs: &[VoteProbs]) -> [Vec<f64>; 4] {
    std::array::from_fn(|o| {
        let ps: Vec<f64> = probs.iter().map(|p| p.to_array()[o]).collect();
        poisson_binomial(&ps)
    })
}

/// The last-vote baseline for states `iso3` from roll call `last`.
pub fn last_vote_baseline(iso3: &[&str], last: &RollCall) -> Vec<VoteProbs> {
    let t = last.tally();
    let n: u64 = t.iter().sum();
    let share = t.map(|c| c as f64 / n.max(1) as f64);
    iso3.iter()
        .map(|c| {
            let v = last.vote_of(c).map_or(3, Outcome::index);
            VoteProbs::from_array(std::array::from_fn(|o| {
                let y = if o == v { 1.0 } else { 0.0 };
                (1.0 - BASELINE_SMOOTHING) * y + BASELINE_SMOOTHING * share[o]
            }))
        })
        .collect()
}

/// The history-mean baseline: each state's weighted vote frequencies over `history` (weights
/// > 0), mixed with weight [`BASELINE_SMOOTHING`] with the Assembly-wide frequencies.
pub fn history_mean_baseline(iso3: &[&str], history: &[(&RollCall, f64)]) -> Vec<VoteProbs> {
    let own: Vec<[f64; 4]> = iso3
        .iter()
        .map(|c| {
            let mut n = [0.0; 4];
            let mut w = 0.0;
            for (r, wk) in history {
                if let Some(v) = r.vote_of(c) {
                    n[v.index()] += wk;
                    w += wk;
                }
            }
            n.map(|x| if w > 0.0 { x / w } else { 0.25 })
        })
        .collect();
    let k = own.len().max(1) as f64;
    let all: [f64; 4] = std::array::from_fn(|o| own.iter().map(|f| f[o]).sum::<f64>() / k);
    own.iter()
        .map(|f| {
            VoteProbs::from_array(std::array::from_fn(|o| {
                (1.0 - BASELINE_SMOOTHING) * f[o] + BASELINE_SMOOTHING * all[o]
            }))
        })
        .collect()
}

/// What a backtest scores: one forecaster's per-state probabilities (scenario order) and its
/// distribution of each count (`dists[o][k]` = P(count of outcome o = k), k = 0..=n).
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Forecaster name, e.g. `lobbysim forecast` or `last vote`.
    pub name: String,
    /// Per-state probabilities, in scenario order.
    pub probs: Vec<VoteProbs>,
    /// Distribution of each count, in outcome order.
    pub dists: [Vec<f64>; 4],
}

impl Prediction {
    /// A forecaster whose states vote independently: exact Poisson-binomial count
    /// distributions of `probs`.
    pub fn independent(name: &str, probs: Vec<VoteProbs>) -> Prediction {
        Prediction {
            name: name.to_string(),
            dists: independent_dists(&probs),
            probs,
        }
    }

    /// A simulated forecast: its per-state shares and count histograms.
    pub fn simulated(name: &str, f: &Forecast) -> Prediction {
        let nb = f.ballots as f64;
        Prediction {
            name: name.to_string(),
            probs: f
                .states
                .iter()
                .map(|x| VoteProbs::from_array([x.p_yes, x.p_no, x.p_abstain, x.p_absent]))
                .collect(),
            dists: std::array::from_fn(|o| {
                f.counts
                    .get(Outcome::ALL[o])
                    .histogram
                    .iter()
                    .map(|&h| h as f64 / nb)
                    .collect()
            }),
        }
    }
}

/// The naive baselines from the roll calls of `prior` (oldest first), for states `iso3`: the
/// last vote, and the history mean of the roll calls with positive weight.
pub fn baselines(iso3: &[&str], prior: &Inputs) -> Vec<Prediction> {
    let mut out = Vec::new();
    if let Some(last) = prior.rollcalls.last() {
        out.push(Prediction::independent(
            "last vote",
            last_vote_baseline(iso3, &last.rollcall),
        ));
    }
    let weighted: Vec<(&RollCall, f64)> = prior
        .rollcalls
        .iter()
        .filter(|r| r.weight > 0.0)
        .map(|r| (&r.rollcall, r.weight))
        .collect();
    if !weighted.is_empty() {
        out.push(Prediction::independent(
            "history mean",
            history_mean_baseline(iso3, &weighted),
        ));
    }
    out
}

/// Runs the scenario and scores it, and the baselines when `prior` is given, against `actual`.
/// The actual roll call must cover exactly the scenario's states.
pub fn backtest(
    s: &Scenario,
    prior: Option<&Inputs>,
    actual: &RollCall,
    opts: &RunOptions,
) -> Result<Backtest> {
    let iso3: Vec<&str> = s.states.iter().map(|x| x.iso3.as_str()).collect();
    actual.check_covers(&iso3)?;
    let f = forecast(s, opts)?;
    let mut forecasters = vec![Prediction::simulated("lobbysim forecast", &f)];
    let mut warnings = Vec::new();
    let mut history = Vec::new();
    match prior {
        Some(p) => {
            history = p
                .rollcalls
                .iter()
                .map(|r| r.rollcall.file.display().to_string())
                .collect();
            for r in &p.rollcalls {
                if r.rollcall
                    .votes
                    .iter()
                    .all(|v| actual.vote_of(&v.iso3) == Some(v.vote))
                {
                    warnings.push(format!(
                        "{} records the same votes as the prior roll call {}: the forecast was \
                         estimated from the result it is scored against",
                        actual.file.display(),
                        r.rollcall.file.display()
                    ));
                }
            }
            forecasters.extend(baselines(&iso3, p));
        }
        None => warnings.push(
            "the scenario has no [prior] section, so there is no history for the baselines"
                .to_string(),
        ),
    }
    let mut b = score_all(s, &forecasters, actual)?;
    b.ballots = f.ballots;
    b.seed = f.seed;
    b.history = history;
    b.warnings = warnings;
    Ok(b)
}

/// Scores every forecaster in `forecasters` (in order) against `actual`, which must cover
/// exactly the scenario's states. The result's run fields (`ballots`, `seed`), `history` and
/// `warnings` are left empty for the caller.
pub fn score_all(s: &Scenario, forecasters: &[Prediction], actual: &RollCall) -> Result<Backtest> {
    let iso3: Vec<&str> = s.states.iter().map(|x| x.iso3.as_str()).collect();
    actual.check_covers(&iso3)?;
    let votes: Vec<Outcome> = iso3
        .iter()
        .map(|c| actual.vote_of(c).ok_or_else(|| missing(actual, c)))
        .collect::<Result<_>>()?;
    Ok(Backtest {
        scenario: s.meta.name.clone(),
        scenario_sha256: s.sha256.clone(),
        actual_file: actual.file.display().to_string(),
        actual: actual.tally(),
        states: iso3.len(),
        ballots: 0,
        seed: 0,
        history: Vec::new(),
        scores: forecasters
            .iter()
            .map(|p| score(&p.name, &p.probs, &p.dists, &votes, &iso3))
            .collect(),
        warnings: Vec::new(),
    })
}

fn missing(actual: &RollCall, iso3: &str) -> Error {
    Error::Invalid(vec![Problem::new(
        &actual.file,
        None,
        "iso3",
        format!("{iso3} missing from the roll call"),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn vp(a: [f64; 4]) -> VoteProbs {
        VoteProbs::from_array(a)
    }

    #[test]
    fn hand_computed_scores() {
        // Two states. A: (0.5, 0.2, 0.2, 0.1) voted yes; B: (0.1, 0.6, 0.3, 0.0) voted abstain.
        let probs = [vp([0.5, 0.2, 0.2, 0.1]), vp([0.1, 0.6, 0.3, 0.0])];
        let votes = [Outcome::Yes, Outcome::Abstain];
        let dists = independent_dists(&probs);
        let s = score("t", &probs, &dists, &votes, &["AAA", "BBB"]);
        // Brier A: 0.25 + 0.04 + 0.04 + 0.01 = 0.34; B: 0.01 + 0.36 + 0.49 + 0 = 0.86.
        assert!((s.brier - 0.60).abs() < 1e-12, "{}", s.brier);
        // Log loss: (−ln 0.5 − ln 0.3) / 2.
        let ll = -(0.5f64.ln() + 0.3f64.ln()) / 2.0;
        assert!((s.log_loss - ll).abs() < 1e-12);
        // A's most likely is yes (hit), B's is no (miss).
        assert_eq!(s.accuracy, 0.5);
        // Yes count: P(0) = 0.5·0.9 = 0.45, P(1) = 0.5·0.9 + 0.5·0.1 = 0.5, P(2) = 0.05.
        let y = &s.counts[0];
        assert_eq!(y.actual, 1);
        assert!((y.expected - 0.6).abs() < 1e-12 && (y.error + 0.4).abs() < 1e-12);
        assert!((y.percentile - 70.0).abs() < 1e-9, "{}", y.percentile);
        assert!((y.p_le - 0.95).abs() < 1e-12 && (y.p_ge - 0.55).abs() < 1e-12);
        assert_eq!(y.central_80, [0, 1]);
        assert_eq!(y.central_95, [0, 2]);
        // Surprises: B's abstain (0.3) before A's yes (0.5).
        assert_eq!(s.surprises[0].iso3, "BBB");
        assert_eq!(s.surprises[0].vote, "abstain");
    }

    #[test]
    fn calibration_table_by_hand() {
        let probs = [vp([0.5, 0.2, 0.2, 0.1]), vp([0.1, 0.6, 0.3, 0.0])];
        let votes = [Outcome::Yes, Outcome::Abstain];
        let (bins, ece) = calibration(&probs, &votes);
        assert_eq!(bins.len(), 10);
        // Bin 0.0–0.1: B's absent 0.0 (miss). Bin 0.1–0.2: A absent 0.1, B yes 0.1 (both miss).
        assert_eq!(bins[0].n, 1);
        assert_eq!(bins[1].n, 2);
        assert_eq!(bins[1].observed, Some(0.0));
        // Bin 0.2–0.3: A no, A abstain (misses). Bin 0.3–0.4: B abstain (hit).
        assert_eq!((bins[2].n, bins[3].n), (2, 1));
        assert_eq!(bins[3].observed, Some(1.0));
        // Bin 0.5: A yes (hit); bin 0.6: B no (miss).
        assert_eq!((bins[5].observed, bins[6].observed), (Some(1.0), Some(0.0)));
        assert_eq!(bins[9].mean_predicted, None);
        // ECE = (1·0 + 2·0.1 + 2·0.2 + 1·0.7 + 1·0.5 + 1·0.6) / 8.
        let want = (0.0 + 0.2 + 0.4 + 0.7 + 0.5 + 0.6) / 8.0;
        assert!((ece - want).abs() < 1e-12, "{ece} vs {want}");
    }

    #[test]
    fn certain_wrong_forecast_is_floored() {
        let probs = [vp([1.0, 0.0, 0.0, 0.0])];
        let s = score(
            "t",
            &probs,
            &independent_dists(&probs),
            &[Outcome::No],
            &["AAA"],
        );
        assert!((s.log_loss + LOG_LOSS_FLOOR.ln()).abs() < 1e-12);
        assert_eq!(s.brier, 2.0);
        assert_eq!(s.counts[1].percentile, 100.0);
    }

    #[test]
    fn baselines_by_hand() {
        let r1 = crate::rollcall::parse(
            "iso3,country,vote\nAAA,A,Y\nBBB,B,N\nCCC,C,Y\nDDD,D,X\n",
            Path::new("r1.csv"),
        )
        .unwrap();
        let r2 = crate::rollcall::parse(
            "iso3,country,vote\nAAA,A,Y\nBBB,B,A\nCCC,C,Y\nDDD,D,Y\n",
            Path::new("r2.csv"),
        )
        .unwrap();
        let codes = ["AAA", "BBB", "CCC", "DDD"];
        let last = last_vote_baseline(&codes, &r2);
        // r2 shares: yes 3/4, abstain 1/4. BBB abstained: 0.8 + 0.2·0.25 on abstain.
        assert!((last[1].p_abstain - 0.85).abs() < 1e-15);
        assert!((last[1].p_yes - 0.15).abs() < 1e-15);
        assert_eq!(last[1].p_no, 0.0);
        let hist = history_mean_baseline(&codes, &[(&r1, 1.0), (&r2, 3.0)]);
        // Own frequencies (W = 4): AAA yes 1; BBB no ¼, abstain ¾; CCC yes 1; DDD absent ¼,
        // yes ¾. Assembly: yes 2.75/4, no 1/16, abstain 3/16, absent 1/16.
        // BBB: 0.8·(0, ¼, ¾, 0) + 0.2·(11/16, 1/16, 3/16, 1/16).
        assert!((hist[1].p_yes - 0.2 * 11.0 / 16.0).abs() < 1e-15);
        assert!((hist[1].p_no - (0.8 * 0.25 + 0.2 / 16.0)).abs() < 1e-15);
        assert!((hist[1].p_abstain - (0.8 * 0.75 + 0.2 * 3.0 / 16.0)).abs() < 1e-15);
        assert!((hist[1].p_absent - 0.2 / 16.0).abs() < 1e-15);
        for p in last.iter().chain(&hist) {
            assert!(p.check().is_empty());
        }
    }
}
