//! The vote model: per-state latent propensities, compiled for fast simulation.
//!
//! For state `i` with base probabilities `(p_yes, p_no, p_abstain, p_absent)`:
//!
//! * **Turnout.** The state is absent with probability `p_absent`; campaigns with a `turnout`
//!   share mobilise part of that mass to vote their way ([`crate::lobbying`]): what remains
//!   absent is `a_i ≤ p_absent`, and masses `y_i, n_i, b_i` vote yes, no, abstain. Absence and
//!   mobilisation are independent of the latent vote score.
//! * **Vote.** Present, it votes by an ordered probit on the latent score
//!   `z_i = m_i + √g·G + Σ_b λ_ib·B_b + σ_i·ε_i + leader terms`, with `G`, `B_b`, `ε_i`
//!   independent standard normal shocks (global, per bloc, idiosyncratic; see
//!   [`crate::alliance`]) and `g + Σλ² + σ² = 1`. It votes no if `z < t1 − w`, abstains if
//!   `t1 − w ≤ z < t2 + w`, and yes otherwise, with cut-points
//!   `t1 = Φ⁻¹(p_no / (1 − p_absent))`, `t2 = Φ⁻¹((p_no + p_abstain) / (1 − p_absent))`.
//!   `m_i` sums the lobbying and discipline shifts, `w_i` the abstain-direction lobbying.
//!
//! With no campaigns, no discipline and no leaders, `m = w = τ = 0` and `z ~ N(0, 1)` for any
//! cohesion and global correlation, so every state's marginal probabilities equal the stated
//! ones exactly. Without leaders the marginals are known in closed form ([`Model::marginals`]):
//! `P(no) = n + (1 − p_absent)·Φ(t1 − w − m)`, `P(yes) = y + (1 − p_absent)·(1 − Φ(t2 + w − m))`.
//!
//! In a ballot, the state's one uniform `u` is read as: absent if `u < a`; mobilised yes, then
//! abstain, then no in the next segments up to `p_absent`; otherwise present with latent noise
//! `Φ⁻¹((u − p_absent)/(1 − p_absent))`. Raising a yes campaign only moves `u`-segments toward
//! yes and the latent score up, so with common random numbers each state's vote can only move
//! toward yes, ballot by ballot.
//!
//! A state given `p_no = 0` (or `p_yes = 0`) has an infinite cut-point: no shift makes that
//! outcome possible. Zero probabilities are hard constraints.

use crate::alliance::{self, Loadings};
use crate::lobbying::{self, Shift};
use crate::normal::{cdf, quantile};
use crate::scenario::{Rule, Scenario};
use crate::vote::VoteProbs;

/// Everything about one state that the simulation needs, in latent units.
#[derive(Debug, Clone, PartialEq)]
pub struct StateModel {
    /// Index of the state in the scenario.
    pub state: usize,
    /// Base cut-point between no and abstain, `Φ⁻¹(p_no/(1 − p_absent))` (may be −∞).
    pub base_cut_no: f64,
    /// Base cut-point between abstain and yes (may be +∞).
    pub base_cut_yes: f64,
    /// Lobbying shifts (location, widening, turnout).
    pub lobbying: Shift,
    /// Sum of the discipline pulls of the state's blocs.
    pub discipline: f64,
    /// Base probability of not voting (before mobilisation), in [0, 1].
    pub base_absent: f64,
    /// Probability of being absent after mobilisation, in [0, `base_absent`].
    pub p_absent: f64,
    /// Mobilised probability masses voting yes, no and abstain (sum `base_absent − p_absent`).
    pub mobilised: [f64; 3],
    /// Effective cut-point: vote no if the *noise* part of the latent score is below it.
    pub cut_no: f64,
    /// Effective cut-point: vote yes if the noise part is at or above it.
    pub cut_yes: f64,
    /// Noise composition.
    pub loadings: Loadings,
    /// `(leader state, influence, centre)` for each leader that sways this state; the centre is
    /// the leader's base expected vote score `p_yes − p_no`.
    pub leaders: Vec<(usize, f64, f64)>,
}

impl StateModel {
    /// Total location shift `m` (lobbying + discipline).
    pub fn location(&self) -> f64 {
        self.lobbying.location + self.discipline
    }

    /// Marginal probabilities ignoring leader effects (exact when the state has no leader).
    pub fn marginal(&self) -> VoteProbs {
        self.conditional(0.0, 1.0)
    }

    /// Outcome probabilities when the latent score's shared part (shocks, leader terms) is
    /// `common` and the remaining noise has standard deviation `sd` (`loadings.idio` for a
    /// ballot's given shocks; 1 for the marginal). Mobilised masses do not depend on shocks.
    pub fn conditional(&self, common: f64, sd: f64) -> VoteProbs {
        let present = 1.0 - self.base_absent;
        let latent_no = present * cdf((self.cut_no - common) / sd);
        let latent_yes = present * cdf((common - self.cut_yes) / sd);
        let latent_abstain = (present - latent_no - latent_yes).max(0.0);
        VoteProbs {
            p_yes: self.mobilised[0] + latent_yes,
            p_no: self.mobilised[1] + latent_no,
            p_abstain: self.mobilised[2] + latent_abstain,
            p_absent: self.p_absent,
        }
    }
}

/// A scenario compiled for simulation: immutable, shared by all threads.
#[derive(Debug, Clone)]
pub struct Model {
    /// Per-state models, in scenario order.
    pub states: Vec<StateModel>,
    /// Simulation order (leaders before followers): indices into `states`.
    pub order: Vec<usize>,
    /// Number of blocs (bloc shocks are drawn for every bloc, in scenario order).
    pub n_blocs: usize,
    /// Decision rule.
    pub rule: Rule,
}

/// Options that change how a scenario is compiled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// Drop bloc cohesion and leaders (keep discipline pulls): the independent-voter counterpart.
    pub without_blocs: bool,
}

impl Model {
    /// Compiles a validated scenario.
    pub fn new(s: &Scenario) -> Model {
        Model::with_options(s, CompileOptions::default())
    }

    /// Compiles a validated scenario with options.
    pub fn with_options(s: &Scenario, opts: CompileOptions) -> Model {
        let shifts = lobbying::total_shifts(s);
        let discipline = alliance::discipline_shifts(s);
        let mut loadings = alliance::loadings(s);
        let mut leaders = alliance::leaders_of(s);
        if opts.without_blocs {
            for l in &mut loadings {
                l.idio = (1.0 - l.global * l.global).sqrt();
                l.blocs.clear();
            }
            leaders.iter_mut().for_each(Vec::clear);
        }
        let mut states: Vec<StateModel> = s
            .states
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let b = st.base;
                let present = 1.0 - b.p_absent;
                let (q_no, q_no_ab) = if present > 0.0 {
                    (b.p_no / present, (b.p_no + b.p_abstain) / present)
                } else {
                    (0.0, 0.0)
                };
                let base_cut_no = quantile(q_no.min(1.0));
                let base_cut_yes = quantile(q_no_ab.min(1.0));
                let sh = shifts[i];
                let m = sh.location + discipline[i];
                let (p_absent, mobilised) = sh.absence_split(b.p_absent);
                StateModel {
                    state: i,
                    base_cut_no,
                    base_cut_yes,
                    lobbying: sh,
                    discipline: discipline[i],
                    base_absent: b.p_absent,
                    p_absent,
                    mobilised,
                    cut_no: base_cut_no - sh.widen - m,
                    cut_yes: base_cut_yes + sh.widen - m,
                    loadings: loadings[i].clone(),
                    leaders: Vec::new(),
                }
            })
            .collect();
        // Leader centres: the expected vote score of the leader's *base* position, so that
        // lobbying or disciplining a leader carries its followers along.
        let centres: Vec<f64> = s
            .states
            .iter()
            .map(|st| st.base.p_yes - st.base.p_no)
            .collect();
        for (i, ls) in leaders.into_iter().enumerate() {
            states[i].leaders = ls
                .into_iter()
                .map(|(l, infl)| (l, infl, centres[l]))
                .collect();
        }
        let order = if opts.without_blocs {
            (0..s.states.len()).collect()
        } else {
            alliance::evaluation_order(s)
        };
        Model {
            states,
            order,
            n_blocs: s.blocs.len(),
            rule: s.rule,
        }
    }

    /// Number of member states.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether the model has no states (never true for a validated scenario).
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Closed-form marginal probabilities of every state, ignoring leader effects (exact for
    /// states without leaders).
    pub fn marginals(&self) -> Vec<VoteProbs> {
        self.states.iter().map(StateModel::marginal).collect()
    }

    /// Whether any state is swayed by a leader.
    pub fn has_leaders(&self) -> bool {
        self.states.iter().any(|s| !s.leaders.is_empty())
    }

    /// Whether states are independent given nothing (no global or bloc shocks, no leaders).
    pub fn is_independent(&self) -> bool {
        !self.has_leaders()
            && self
                .states
                .iter()
                .all(|s| s.loadings.global == 0.0 && s.loadings.blocs.is_empty())
    }
}
