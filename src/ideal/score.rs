//! Scores of probabilistic vote forecasts, per state-vote: the multi-class Brier score over
//! the four outcomes (sum of squared errors; 0 best, 2 worst — the scale of
//! [`crate::backtest`]) and the log loss in nats (`−ln max(p, 10⁻⁶)`, the floor of
//! [`crate::backtest::LOG_LOSS_FLOOR`]), with their split by the outcome that happened.

use serde::Serialize;

use super::probit::pm;
use crate::backtest::LOG_LOSS_FLOOR;
use crate::vote::Outcome;

/// Brier score of one state-vote: `Σ_o (p_o − 1[o = actual])²`, in [0, 2].
pub fn brier(p: &[f64; 4], actual: Outcome) -> f64 {
    (0..4)
        .map(|o| {
            let y = if o == actual.index() { 1.0 } else { 0.0 };
            (p[o] - y) * (p[o] - y)
        })
        .sum()
}

/// Log loss of one state-vote, nats.
pub fn log_loss(p: &[f64; 4], actual: Outcome) -> f64 {
    -pm::ln(p[actual.index()].max(LOG_LOSS_FLOOR))
}

/// Sums of scores over many state-votes, split by the recorded outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Number of state-votes by recorded outcome (yes, no, abstain, not voting).
    pub n: [u64; 4],
    /// Sum of Brier scores by recorded outcome.
    pub brier: [f64; 4],
    /// Sum of log losses by recorded outcome.
    pub log_loss: [f64; 4],
}

impl Tally {
    /// Adds one state-vote.
    pub fn add(&mut self, p: &[f64; 4], actual: Outcome) {
        let k = actual.index();
        self.n[k] += 1;
        self.brier[k] += brier(p, actual);
        self.log_loss[k] += log_loss(p, actual);
    }

    /// Adds another tally (in a fixed order, so sums are reproducible).
    pub fn merge(&mut self, other: &Tally) {
        for k in 0..4 {
            self.n[k] += other.n[k];
            self.brier[k] += other.brier[k];
            self.log_loss[k] += other.log_loss[k];
        }
    }

    /// Number of state-votes.
    pub fn count(&self) -> u64 {
        self.n.iter().sum()
    }

    /// The summary of this tally.
    pub fn summary(&self) -> ScoreSummary {
        let n = self.count().max(1) as f64;
        let tb: f64 = self.brier.iter().sum();
        let tl: f64 = self.log_loss.iter().sum();
        let share = |x: f64, t: f64| if t > 0.0 { x / t } else { 0.0 };
        ScoreSummary {
            state_votes: self.count(),
            brier: tb / n,
            log_loss: tl / n,
            by_outcome: std::array::from_fn(|k| OutcomeShare {
                outcome: Outcome::ALL[k],
                state_votes: self.n[k],
                brier_share: share(self.brier[k], tb),
                log_loss_share: share(self.log_loss[k], tl),
            }),
        }
    }
}

/// The part of the total error that falls on state-votes with one recorded outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutcomeShare {
    /// The recorded outcome.
    pub outcome: Outcome,
    /// Number of state-votes with that outcome.
    pub state_votes: u64,
    /// Their share of the summed Brier score, in [0, 1].
    pub brier_share: f64,
    /// Their share of the summed log loss, in [0, 1].
    pub log_loss_share: f64,
}

/// Mean scores over a set of state-votes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreSummary {
    /// Number of state-votes scored.
    pub state_votes: u64,
    /// Mean Brier score, in [0, 2].
    pub brier: f64,
    /// Mean log loss, nats.
    pub log_loss: f64,
    /// Error shares by recorded outcome (yes, no, abstain, not voting).
    pub by_outcome: [OutcomeShare; 4],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_match_hand_computation() {
        let p = [0.7, 0.1, 0.1, 0.1];
        assert!((brier(&p, Outcome::Yes) - (0.09 + 0.01 + 0.01 + 0.01)).abs() < 1e-15);
        assert!((brier(&p, Outcome::No) - (0.49 + 0.81 + 0.01 + 0.01)).abs() < 1e-15);
        assert!((log_loss(&p, Outcome::Yes) + 0.7f64.ln()).abs() < 1e-15);
        assert!((log_loss(&[1.0, 0.0, 0.0, 0.0], Outcome::No) - 1e6f64.ln()).abs() < 1e-12);
        let mut t = Tally::default();
        t.add(&p, Outcome::Yes);
        t.add(&p, Outcome::No);
        let s = t.summary();
        assert_eq!(s.state_votes, 2);
        assert!((s.brier - (0.12 + 1.32) / 2.0).abs() < 1e-15);
        assert!((s.by_outcome[1].brier_share - 1.32 / 1.44).abs() < 1e-12);
    }
}
