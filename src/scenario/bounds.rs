//! The ranges scenario values must lie in: one [`Bounds`] per kind of value, used by the
//! validator when a file is read and by [`super::param::ParamPath::set`] when a value is
//! changed (a sweep, a fit), so a swept value is checked exactly as a written one, with the
//! same message.

use super::types::Evidence;

/// Largest number of ballots a scenario or command line may ask for (10^10).
pub const MAX_BALLOTS: u64 = 10_000_000_000;
/// Largest number of member states in one scenario.
pub const MAX_STATES: usize = 100_000;
/// Largest accepted campaign strength, in latent standard deviations.
pub const MAX_STRENGTH: f64 = 20.0;
/// Largest accepted effort on one target (effects saturate long before).
pub const MAX_EFFORT: f64 = 1e6;
/// Largest accepted discipline or leader influence, in latent standard deviations.
pub const MAX_PULL: f64 = 20.0;
/// Default shift per unit of leader vote surprise when a bloc names a leader.
pub const DEFAULT_LEADER_INFLUENCE: f64 = 0.5;

/// Accepted values of a number: finite, in `[lo, hi]`, or `[lo, hi)` when `hi_open`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Smallest accepted value.
    pub lo: f64,
    /// Largest accepted value (excluded when `hi_open`).
    pub hi: f64,
    /// Whether `hi` itself is excluded.
    pub hi_open: bool,
    /// How the message names the value before the range (`a number `, or nothing).
    noun: &'static str,
}

impl Bounds {
    /// `[lo, hi]`.
    pub const fn closed(lo: f64, hi: f64) -> Bounds {
        Bounds {
            lo,
            hi,
            hi_open: false,
            noun: "",
        }
    }

    /// `[lo, hi)`.
    pub const fn half_open(lo: f64, hi: f64) -> Bounds {
        Bounds {
            lo,
            hi,
            hi_open: true,
            noun: "",
        }
    }

    /// The same range, called `noun` in messages (`must be a number in …`).
    const fn called(self, noun: &'static str) -> Bounds {
        Bounds { noun, ..self }
    }

    /// Whether `v` is accepted (finite and in range).
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite()
            && v >= self.lo
            && if self.hi_open {
                v < self.hi
            } else {
                v <= self.hi
            }
    }

    /// `Ok` if `v` is accepted, else the message `must be in [0, 1), got 1.2`.
    pub fn check(&self, v: f64) -> Result<(), String> {
        if self.contains(v) {
            Ok(())
        } else {
            Err(format!(
                "must be {}in {}, got {v}",
                self.noun,
                self.describe()
            ))
        }
    }

    /// The range as written in messages, e.g. `[0, 1)` or `[−20, 20]`.
    pub fn describe(&self) -> String {
        let num = |x: f64| {
            if x < 0.0 {
                format!("−{}", -x)
            } else {
                format!("{x}")
            }
        };
        format!(
            "[{}, {}{}",
            num(self.lo),
            num(self.hi),
            if self.hi_open { ")" } else { "]" }
        )
    }
}

/// `[model].global_correlation`: share of latent variance common to all states.
pub const GLOBAL_CORRELATION: Bounds = Bounds::half_open(0.0, 1.0);
/// A bloc's cohesion.
pub const COHESION: Bounds = Bounds::half_open(0.0, 1.0);
/// A bloc's discipline.
pub const DISCIPLINE: Bounds = Bounds::closed(0.0, MAX_PULL);
/// A bloc's leader influence.
pub const LEADER_INFLUENCE: Bounds = Bounds::closed(0.0, MAX_PULL);
/// A state's susceptibility to lobbying.
pub const SUSCEPTIBILITY: Bounds = Bounds::closed(0.0, MAX_PULL).called("a finite number ");
/// A campaign's strength.
pub const STRENGTH: Bounds = Bounds::closed(0.0, MAX_STRENGTH);
/// A campaign's turnout (mobilisation share).
pub const TURNOUT: Bounds = Bounds::closed(0.0, 1.0);
/// The effort on one target.
pub const EFFORT: Bounds = Bounds::closed(0.0, MAX_EFFORT);
/// One of a state's base probabilities (the four are also checked to sum to 1, see
/// [`crate::vote::VoteProbs::check`]).
pub const PROBABILITY: Bounds = Bounds::closed(0.0, 1.0);
/// The latent shift of an evidence vote.
pub const EVIDENCE_SHIFT: Bounds = Bounds::closed(-MAX_PULL, MAX_PULL);
/// The common absence probability of an evidence vote.
pub const EVIDENCE_ABSENT: Bounds = Bounds::half_open(0.0, 1.0);
/// The weight of a `[prior]` roll call.
pub const PRIOR_WEIGHT: Bounds =
    Bounds::closed(0.0, crate::prior::MAX_STRENGTH).called("a number ");

/// The message for recorded counts that do not add up to the members, if they do not.
pub fn counts_total_problem(counts: [i64; 4], members: usize) -> Option<String> {
    let total: i64 = counts.iter().sum();
    (total != members as i64).then(|| {
        format!("yes + no + abstain + absent = {total}, but the scenario has {members} members")
    })
}

/// What is wrong with a piece of evidence for a scenario of `members` states: `(field,
/// message)` pairs for its observed totals, shift and absence probability.
pub fn evidence_problems(e: &Evidence, members: usize) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(m) = counts_total_problem(e.observed.map(|x| x as i64), members) {
        out.push(("observed", m));
    }
    if let Err(m) = EVIDENCE_SHIFT.check(e.shift) {
        out.push(("shift", m));
    }
    if let Some(a) = e.absent
        && let Err(m) = EVIDENCE_ABSENT.check(a)
    {
        out.push(("absent", m));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_range() {
        assert_eq!(
            GLOBAL_CORRELATION.check(1.0).unwrap_err(),
            "must be in [0, 1), got 1"
        );
        assert_eq!(
            EFFORT.check(f64::NAN).unwrap_err(),
            "must be in [0, 1000000], got NaN"
        );
        assert_eq!(
            EVIDENCE_SHIFT.check(-21.0).unwrap_err(),
            "must be in [−20, 20], got -21"
        );
        assert_eq!(
            SUSCEPTIBILITY.check(f64::INFINITY).unwrap_err(),
            "must be a finite number in [0, 20], got inf"
        );
        assert!(COHESION.check(0.0).is_ok() && COHESION.check(0.999).is_ok());
        assert!(TURNOUT.check(1.0).is_ok() && !TURNOUT.contains(1.0 + 1e-12));
    }

    #[test]
    fn evidence_is_checked_like_the_file() {
        let e = Evidence {
            label: "x".into(),
            observed: [1, 1, 1, 1],
            shift: 30.0,
            absent: Some(1.0),
        };
        let p = evidence_problems(&e, 5);
        let fields: Vec<&str> = p.iter().map(|x| x.0).collect();
        assert_eq!(fields, ["observed", "shift", "absent"]);
        assert!(p[0].1.contains("= 4, but the scenario has 5 members"));
        assert!(
            evidence_problems(
                &Evidence {
                    shift: 0.0,
                    absent: None,
                    ..e
                },
                4
            )
            .is_empty()
        );
    }
}
