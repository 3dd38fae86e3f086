//! Vote outcomes and per-state outcome probabilities.

use serde::Serialize;

/// How one member state votes on one ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Votes in favour.
    Yes = 0,
    /// Votes against.
    No = 1,
    /// Present and abstaining.
    Abstain = 2,
    /// Not voting (absent, or present but not voting: the record does not separate them).
    Absent = 3,
}

impl Outcome {
    /// All outcomes in report order: yes, no, abstain, absent.
    pub const ALL: [Outcome; 4] = [Outcome::Yes, Outcome::No, Outcome::Abstain, Outcome::Absent];

    /// Position of this outcome in arrays indexed by outcome (0 = yes … 3 = absent).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name used in files and reports (`yes`, `no`, `abstain`, `absent`).
    pub const fn name(self) -> &'static str {
        match self {
            Outcome::Yes => "yes",
            Outcome::No => "no",
            Outcome::Abstain => "abstain",
            Outcome::Absent => "absent",
        }
    }

    /// Parses `yes`, `no`, `abstain` or `absent` (case-insensitive).
    pub fn parse(s: &str) -> Option<Outcome> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" => Some(Outcome::Yes),
            "no" => Some(Outcome::No),
            "abstain" => Some(Outcome::Abstain),
            "absent" => Some(Outcome::Absent),
            _ => None,
        }
    }

    /// The UN roll-call letter: `Y`, `N`, `A` (abstain) or `X` (not voting).
    pub const fn letter(self) -> char {
        match self {
            Outcome::Yes => 'Y',
            Outcome::No => 'N',
            Outcome::Abstain => 'A',
            Outcome::Absent => 'X',
        }
    }

    /// Parses a UN roll-call letter (`Y`, `N`, `A`, `X`).
    pub fn from_letter(s: &str) -> Option<Outcome> {
        match s.trim() {
            "Y" => Some(Outcome::Yes),
            "N" => Some(Outcome::No),
            "A" => Some(Outcome::Abstain),
            "X" => Some(Outcome::Absent),
            _ => None,
        }
    }

    /// Score of a realised vote on the no (−1) … yes (+1) axis; abstain and absent score 0.
    pub const fn score(self) -> f64 {
        match self {
            Outcome::Yes => 1.0,
            Outcome::No => -1.0,
            Outcome::Abstain | Outcome::Absent => 0.0,
        }
    }
}

/// Probabilities of the four outcomes for one state; each in [0, 1], summing to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VoteProbs {
    /// P(yes).
    pub p_yes: f64,
    /// P(no).
    pub p_no: f64,
    /// P(abstain).
    pub p_abstain: f64,
    /// P(not voting).
    pub p_absent: f64,
}

pub use crate::prec::SUM_TOLERANCE;

impl VoteProbs {
    /// Probabilities as an array in outcome order (yes, no, abstain, absent).
    pub fn to_array(self) -> [f64; 4] {
        [self.p_yes, self.p_no, self.p_abstain, self.p_absent]
    }

    /// Builds from an array in outcome order (yes, no, abstain, absent); not checked.
    pub fn from_array(a: [f64; 4]) -> Self {
        VoteProbs {
            p_yes: a[0],
            p_no: a[1],
            p_abstain: a[2],
            p_absent: a[3],
        }
    }

    /// Probability of one outcome.
    pub fn get(self, o: Outcome) -> f64 {
        self.to_array()[o.index()]
    }

    /// Checks each probability is finite and in [0, 1] and that they sum to 1 within
    /// [`SUM_TOLERANCE`]; returns one message per problem, naming the field.
    pub fn check(self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (name, p) in [
            ("p_yes", self.p_yes),
            ("p_no", self.p_no),
            ("p_abstain", self.p_abstain),
            ("p_absent", self.p_absent),
        ] {
            if !p.is_finite() {
                out.push((name, format!("must be a finite number, got {p}")));
            } else if !(0.0..=1.0).contains(&p) {
                out.push((name, format!("must be in [0, 1], got {p}")));
            }
        }
        if out.is_empty() {
            let sum: f64 = self.to_array().iter().sum();
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                out.push((
                    "p_yes + p_no + p_abstain + p_absent",
                    format!("must sum to 1 (within {SUM_TOLERANCE:e}), got {sum}"),
                ));
            }
        }
        out
    }

    /// Mean vote score on the no (−1) … yes (+1) axis among those voting (yes or no or
    /// abstain): `(p_yes − p_no) / (1 − p_absent)`; 0 for a state that never votes.
    pub fn voting_score(self) -> f64 {
        let present = 1.0 - self.p_absent;
        if present <= 0.0 {
            0.0
        } else {
            (self.p_yes - self.p_no) / present
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_letter(&o.letter().to_string()), Some(o));
            assert_eq!(Outcome::parse(o.name()), Some(o));
        }
        assert_eq!(Outcome::from_letter("Z"), None);
    }

    #[test]
    fn check_reports_range_and_sum() {
        let ok = VoteProbs::from_array([0.5, 0.2, 0.2, 0.1]);
        assert!(ok.check().is_empty());
        let bad = VoteProbs::from_array([1.5, 0.2, 0.2, 0.1]);
        assert_eq!(bad.check()[0].0, "p_yes");
        let sum = VoteProbs::from_array([0.5, 0.2, 0.2, 0.2]);
        assert!(sum.check()[0].1.contains("sum to 1"));
        let nan = VoteProbs::from_array([f64::NAN, 0.2, 0.2, 0.2]);
        assert!(nan.check()[0].1.contains("finite"));
    }
}
