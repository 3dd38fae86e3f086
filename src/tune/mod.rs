//! Tuning lobbying parameters: what-if sweeps, calibration to recorded votes, lobbying-budget
//! optimisation and per-state explanations.
//!
//! * [`path`] (defined in [`crate::scenario::param`]) names every numeric scenario parameter (`campaign."US outreach".strength`,
//!   `bloc.EU.cohesion`, `state.IND.p_yes`, …) and reads or changes it on a validated
//!   [`crate::Scenario`], re-checking the changed value.
//! * [`sweep`] runs the engine over a one- or two-parameter grid with *common random numbers*
//!   (every point uses the same seed, so the same streams): curves are smooth and differences
//!   between points are not Monte Carlo noise.
//! * [`calibrate`] fits parameters to recorded roll calls by maximum likelihood of the per-state
//!   outcomes, with profile-likelihood intervals.
//! * [`optimize`] allocates a campaign's effort budget greedily, with common random numbers.
//! * [`explain`] decomposes one state's probabilities into base position, campaign shifts, bloc
//!   pulls, correlation and leader effects.
//!
//! Every result is a `Serialize` struct (the JSON layout, documented in `docs/tuning.md`),
//! rendered by the output layer ([`crate::report::Render`]): as text and JSON, and a sweep
//! also as CSV and an SVG chart.

pub mod calibrate;
pub mod explain;
pub mod optimize;
pub mod sweep;

use serde::Serialize;

use crate::scenario::Scenario;

pub use crate::scenario::param::{self as path, ParamPath};

/// Identification of the scenario and run settings a tuning result was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// Crate version that produced the result.
    pub version: &'static str,
    /// `[scenario].name`.
    pub scenario: String,
    /// SHA-256 of the scenario file's bytes (lower-case hex).
    pub sha256: String,
    /// Master seed of every simulation in the result (common random numbers).
    pub seed: u64,
    /// Ballots per simulation.
    pub ballots: u64,
}

impl RunInfo {
    /// Run information for scenario `s` simulated with `seed` and `ballots`.
    pub fn new(s: &Scenario, seed: u64, ballots: u64) -> RunInfo {
        RunInfo {
            version: env!("CARGO_PKG_VERSION"),
            scenario: s.meta.name.clone(),
            sha256: s.sha256.clone(),
            seed,
            ballots,
        }
    }
}

/// The smallest scenario in which the states swayed by leaders vote exactly as in `s`: those
/// states and (transitively) their leaders, with every bloc kept (members filtered, cohesion,
/// discipline and leader unchanged, the discipline position fixed at its value in `s`) and
/// campaign targets restricted to the kept states. Returns it with the full-scenario index of
/// each kept state, or `None` if no state has a leader.
///
/// A state's latent score depends only on its own shifts and loadings, the shared shocks and
/// its leaders' votes, so simulating this sub-scenario gives the swayed states' outcome
/// distribution at a fraction of the cost (the random streams differ from the full run's).
pub fn leader_subscenario(s: &Scenario) -> Option<(Scenario, Vec<usize>)> {
    use crate::scenario::{Target, TargetKind};
    let leaders = crate::alliance::leaders_of(s);
    let mut keep = vec![false; s.states.len()];
    let mut stack: Vec<usize> = (0..s.states.len())
        .filter(|&i| !leaders[i].is_empty())
        .collect();
    if stack.is_empty() {
        return None;
    }
    while let Some(i) = stack.pop() {
        if !keep[i] {
            keep[i] = true;
            stack.extend(leaders[i].iter().map(|&(l, _)| l));
        }
    }
    let kept: Vec<usize> = (0..s.states.len()).filter(|&i| keep[i]).collect();
    let mut new_index = vec![usize::MAX; s.states.len()];
    for (k, &i) in kept.iter().enumerate() {
        new_index[i] = k;
    }
    let mut sub = s.clone();
    let t = sub.contents_mut();
    t.states = kept.iter().map(|&i| s.states[i].clone()).collect();
    // Evidence counts refer to the whole Assembly; the sub-scenario is only simulated.
    t.evidence.clear();
    for (b, bloc) in t.blocs.iter_mut().enumerate() {
        if bloc.discipline > 0.0 {
            bloc.position = Some(crate::alliance::bloc_position(s, b));
        }
        bloc.members = bloc
            .members
            .iter()
            .filter(|&&i| keep[i])
            .map(|&i| new_index[i])
            .collect();
        bloc.leader = bloc.leader.filter(|&l| keep[l]).map(|l| new_index[l]);
    }
    for c in &mut t.campaigns {
        c.targets = c
            .targets
            .iter()
            .filter_map(|x| match x.kind {
                TargetKind::State(i) if keep[i] => Some(Target {
                    kind: TargetKind::State(new_index[i]),
                    effort: x.effort,
                }),
                TargetKind::State(_) => None,
                TargetKind::Bloc(_) => Some(*x),
            })
            .collect();
    }
    Some((sub, kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    /// The sub-scenario's compiled states equal the full scenario's for every kept state
    /// (cut-points, loadings, leaders with the same influence and centre).
    #[test]
    fn leader_subscenario_keeps_swayed_states_exact() {
        let s = crate::scenario::test_support::example();
        let (t, kept) = leader_subscenario(&s).unwrap();
        assert!(kept.len() < s.states.len());
        let full = Model::new(&s);
        let sub = Model::new(&t);
        for (k, &i) in kept.iter().enumerate() {
            let (a, b) = (&full.states[i], &sub.states[k]);
            assert_eq!(a.cut_no, b.cut_no, "{}", s.states[i].iso3);
            assert_eq!(a.cut_yes, b.cut_yes);
            assert_eq!(a.p_absent, b.p_absent);
            assert_eq!(a.mobilised, b.mobilised);
            assert_eq!(a.loadings, b.loadings);
            let leaders: Vec<(usize, f64, f64)> = a
                .leaders
                .iter()
                .map(|&(l, x, c)| (kept.iter().position(|&j| j == l).unwrap(), x, c))
                .collect();
            assert_eq!(leaders, b.leaders);
        }
    }
}
