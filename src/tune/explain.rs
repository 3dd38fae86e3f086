//! Explanations: how one state's outcome probabilities arise, as numbers to check by hand.
//!
//! Following [`crate::model`], a state's base probabilities give two cut-points on the latent
//! scale, `t1 = Φ⁻¹(p_no/(1 − p_absent))` and `t2 = Φ⁻¹((p_no + p_abstain)/(1 − p_absent))`.
//! Each campaign adds a location shift `δ = strength × susceptibility × (1 − e^(−effort))`
//! (yes +, no −) or widens the abstain band by δ (abstain campaigns), and mobilises a share
//! `μ = min(1, turnout × susceptibility × (1 − e^(−effort)))` of the base absence to vote its
//! way; each bloc with discipline adds a pull `d·(P − s)` toward its position. With the summed
//! location `m`, widening `w`, and the absence split into `a` (still absent) and mobilised
//! masses `y, n, b` (yes, no, abstain; see [`crate::lobbying`]):
//!
//! ```text
//! P(absent) = a
//! P(no)     = n + (1 − p_absent)·Φ(t1 − w − m)
//! P(yes)    = y + (1 − p_absent)·(1 − Φ(t2 + w − m))
//! ```
//!
//! The explanation lists every contribution in order with the probabilities *after* adding it
//! (cumulative), so each step can be recomputed with a normal table. Correlation (global and
//! bloc loadings) never changes these marginals and is shown for completeness. A leader shifts
//! its followers by `influence × (leader's vote score − c)` with `c = p_yes − p_no` of the
//! leader's *base* position: on average `influence × (E[leader score] − c)`, which is zero
//! unless the leader itself is lobbied or disciplined, and in every case the leader's vote
//! spreads the follower's score. That has no closed form here: for a state with leaders the
//! final probabilities come from the engine (the same numbers `lobbysim run` reports for the
//! state with the same seed and ballots, with their Monte Carlo standard error).

use std::fmt::Write;

use serde::Serialize;

use super::RunInfo;
use crate::alliance;
use crate::engine::{Run, RunOptions, Workers};
use crate::error::{Error, Result};
use crate::lobbying::{self, Shift};
use crate::model::{Model, StateModel};
use crate::scenario::{Direction, Scenario};
use crate::stats::binomial_se;
use crate::vote::VoteProbs;

/// Outcome probabilities of one state, each in [0, 1], summing to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Probs {
    /// P(yes).
    pub p_yes: f64,
    /// P(no).
    pub p_no: f64,
    /// P(abstain).
    pub p_abstain: f64,
    /// P(not voting).
    pub p_absent: f64,
}

impl From<VoteProbs> for Probs {
    fn from(v: VoteProbs) -> Probs {
        Probs {
            p_yes: v.p_yes,
            p_no: v.p_no,
            p_abstain: v.p_abstain,
            p_absent: v.p_absent,
        }
    }
}

/// The state's base position on the latent scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latent {
    /// Cut-point between no and abstain before shifts, `t1 = Φ⁻¹(p_no/(1 − p_absent))`
    /// (`null` for −∞: the state never votes no).
    pub cut_no: Option<f64>,
    /// Cut-point between abstain and yes before shifts,
    /// `t2 = Φ⁻¹((p_no + p_abstain)/(1 − p_absent))` (`null` for +∞: never yes).
    pub cut_yes: Option<f64>,
}

/// One additive contribution to the state's latent position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// What contributes, e.g. `campaign "Northern outreach"`, `bloc "Eastern Pact" discipline`,
    /// `leader KKK of bloc "Eastern Pact"`.
    pub source: String,
    /// `campaign`, `discipline` or `leader`.
    pub kind: &'static str,
    /// Location shift of the latent score, in standard deviations (+ toward yes). A leader's
    /// shift is random and centred: 0 on average.
    pub shift: f64,
    /// Widening of the abstain band on each side (abstain campaigns), in standard deviations.
    pub widen: f64,
    /// Share of the state's base absence this campaign mobilises to vote its way, `μ` in
    /// [0, 1] (0 for other contributions).
    pub mobilised: f64,
    /// The arithmetic, e.g. `0.6 × 1 × (1 − e^−1.5) = 0.4661`.
    pub formula: String,
    /// The state's probabilities once this and all earlier contributions are applied.
    pub after: Probs,
}

/// One bloc's share of the state's latent noise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlocLoading {
    /// Bloc name.
    pub bloc: String,
    /// The bloc's cohesion.
    pub cohesion: f64,
    /// The state's loading on the bloc's shock (its variance share is the square).
    pub loading: f64,
}

/// How the state's unit-variance latent noise is composed (does not change its marginals).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    /// Loading on the Assembly-wide shock, `√g`.
    pub global_loading: f64,
    /// Loadings on bloc shocks.
    pub blocs: Vec<BlocLoading>,
    /// Standard deviation of the state's own shock; the squares of all loadings sum to 1.
    pub idiosyncratic: f64,
}

/// The engine's simulated probabilities for the state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulated {
    /// Share of ballots with each outcome.
    pub probs: Probs,
    /// Largest Monte Carlo standard error of the four shares.
    pub mc_se: f64,
}

/// The explanation of one state's probabilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Scenario and run settings (seed and ballots of the engine run, if one was needed).
    pub run: RunInfo,
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    /// Name.
    pub name: String,
    /// Base probabilities as the scenario states them.
    pub base: Probs,
    /// Base cut-points.
    pub latent: Latent,
    /// Contributions in order: campaigns (scenario order), bloc discipline, leaders.
    pub contributions: Vec<Contribution>,
    /// Noise composition.
    pub correlation: Correlation,
    /// Closed-form probabilities with every shift but leader effects (exact for a state with no
    /// leader).
    pub closed_form: Probs,
    /// Engine probabilities, for a state with leaders.
    pub simulated: Option<Simulated>,
    /// The state's final marginal probabilities: `closed_form`, or `simulated` when leaders
    /// sway the state.
    #[serde(rename = "final")]
    pub final_probs: Probs,
    /// `closed form` or `simulation`.
    pub final_method: &'static str,
}

/// The marginal probabilities of state model `sm` had its lobbying effects been `sh` and its
/// summed location shift `m` (cut-points and absence split as [`Model`] compiles them; the
/// probabilities from [`StateModel::marginal`]).
pub fn marginal_with(sm: &StateModel, m: f64, sh: Shift) -> VoteProbs {
    let mut t = sm.clone();
    let (a, mobilised) = sh.absence_split(sm.base_absent);
    t.p_absent = a;
    t.mobilised = mobilised;
    t.cut_no = sm.base_cut_no - sh.widen - m;
    t.cut_yes = sm.base_cut_yes + sh.widen - m;
    t.marginal()
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Explains state `iso3` of scenario `s`; `opts` sets the engine run used for a state with
/// leaders (and is recorded in the result).
pub fn explain(s: &Scenario, iso3: &str, opts: &RunOptions) -> Result<Explanation> {
    let i = s.state_index(iso3).ok_or_else(|| {
        let near: Vec<&str> = {
            let mut v: Vec<(f64, &str)> = s
                .states
                .iter()
                .map(|st| {
                    (
                        strsim::normalized_levenshtein(iso3, &st.iso3),
                        st.iso3.as_str(),
                    )
                })
                .collect();
            v.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            v.into_iter().take(5).map(|x| x.1).collect()
        };
        Error::argument(
            "ISO3",
            "",
            format!(
                "unknown state {iso3:?} (not among the {} members of {}); nearby: {}",
                s.states.len(),
                s.file.display(),
                near.join(", ")
            ),
        )
    })?;
    let st = &s.states[i];
    let base = st.base;
    let model = Model::with_options(s, opts.compile());
    let sm = &model.states[i];
    let mut contributions = Vec::new();
    let mut m = 0.0;
    let mut sh = Shift::default();
    for c in &s.campaigns {
        let e = c.effort_by_state(s)[i];
        if e == 0.0 {
            continue;
        }
        let x = lobbying::campaign_shift(c, e, st.susceptibility);
        sh = sh + x;
        m += x.location;
        let delta = c.strength * st.susceptibility * lobbying::saturation(e);
        let mut formula = format!(
            "δ = strength {} × susceptibility {} × (1 − e^−{}) = {:.4}",
            c.strength, st.susceptibility, e, delta
        );
        let _ = match c.direction {
            Direction::Yes => write!(formula, "; shift +δ"),
            Direction::No => write!(formula, "; shift −δ"),
            Direction::Abstain => write!(formula, "; abstain band widened by δ each side"),
        };
        let mu = 1.0 - x.keep_absent;
        if mu > 0.0 {
            let _ = write!(
                formula,
                "; mobilises μ = min(1, turnout {} × {} × (1 − e^−{})) = {:.4} of the base absence",
                c.turnout, st.susceptibility, e, mu
            );
        }
        contributions.push(Contribution {
            source: format!("campaign {:?} ({})", c.name, c.direction.name()),
            kind: "campaign",
            shift: x.location,
            widen: x.widen,
            mobilised: 1.0 - x.keep_absent,
            formula,
            after: marginal_with(sm, m, sh).into(),
        });
    }
    for (b, j, pull) in alliance::discipline_pulls(s) {
        if j != i {
            continue;
        }
        m += pull;
        let bloc = &s.blocs[b];
        contributions.push(Contribution {
            source: format!("bloc {:?} discipline", bloc.name),
            kind: "discipline",
            shift: pull,
            widen: 0.0,
            mobilised: 0.0,
            formula: format!(
                "discipline {} × (bloc position {:.4}{} − own voting score {:.4}) = {:.4}",
                bloc.discipline,
                alliance::bloc_position(s, b),
                if bloc.position.is_some() {
                    " stated"
                } else {
                    " = members' mean"
                },
                base.voting_score(),
                pull
            ),
            after: marginal_with(sm, m, sh).into(),
        });
    }
    let closed: Probs = marginal_with(sm, m, sh).into();
    let cfg = opts.config(s);
    let simulated = if sm.leaders.is_empty() {
        None
    } else {
        let workers = Workers::new(opts.threads)?;
        let t = Run::new(s, opts, &workers)?.tally_all()?;
        let n = t.ballots as f64;
        let c = t.states[i];
        let p = VoteProbs::from_array(c.map(|x| x as f64 / n));
        let se = p
            .to_array()
            .iter()
            .map(|&q| binomial_se(q, t.ballots))
            .fold(0.0, f64::max);
        Some(Simulated {
            probs: p.into(),
            mc_se: se,
        })
    };
    let marginals = model.marginals();
    for &(l, infl, centre) in &sm.leaders {
        let bloc = s
            .blocs
            .iter()
            .find(|b| b.leader == Some(l) && b.members.contains(&i))
            .map_or(String::new(), |b| format!(" of bloc {:?}", b.name));
        // The leader's expected score: closed form unless the leader has leaders of its own.
        let lp = marginals[l];
        let exact = model.states[l].leaders.is_empty();
        let mean_shift = infl * (lp.p_yes - lp.p_no - centre);
        contributions.push(Contribution {
            source: format!("leader {}{}", s.states[l].iso3, bloc),
            kind: "leader",
            shift: mean_shift,
            widen: 0.0,
            mobilised: 0.0,
            formula: format!(
                "influence {infl} × (leader's vote score − base centre {centre:.4}); on average \
                 {infl} × ({:.4} − {centre:.4}) = {mean_shift:.4}{}; the leader's vote also \
                 spreads the score",
                lp.p_yes - lp.p_no,
                if exact {
                    ""
                } else {
                    " (leader's own leaders ignored in this average)"
                }
            ),
            after: simulated.as_ref().map_or(closed, |x| x.probs),
        });
    }
    let l = &sm.loadings;
    let correlation = Correlation {
        global_loading: l.global,
        blocs: l
            .blocs
            .iter()
            .map(|&(b, x)| BlocLoading {
                bloc: s.blocs[b].name.clone(),
                cohesion: s.blocs[b].cohesion,
                loading: x,
            })
            .collect(),
        idiosyncratic: l.idio,
    };
    let (final_probs, final_method) = match &simulated {
        Some(x) => (x.probs, "simulation"),
        None => (closed, "closed form"),
    };
    Ok(Explanation {
        run: RunInfo::new(
            s,
            cfg.seed,
            if simulated.is_some() { cfg.ballots } else { 0 },
        ),
        iso3: st.iso3.clone(),
        name: st.name.clone(),
        base: base.into(),
        latent: Latent {
            cut_no: finite(sm.base_cut_no),
            cut_yes: finite(sm.base_cut_yes),
        },
        contributions,
        correlation,
        closed_form: closed,
        simulated,
        final_probs,
        final_method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Render, TextStyle};
    use crate::scenario::test_support::example;

    /// The decomposition's final probabilities equal the engine's simulated per-state shares
    /// within Monte Carlo error: 200 000 ballots, fixed seed, |difference| ≤ `prec::MC_SIGMAS`
    /// standard errors (plus 10⁻⁶, the engine's `simulate::MAX_PROB_ERROR`) for every state and
    /// outcome. States with leaders are compared through their
    /// closed form too, where the leader's effect is within the same tolerance or is reported
    /// as simulated.
    #[test]
    fn decomposition_reproduces_engine_marginals() {
        let s = example();
        let opts = RunOptions {
            ballots: Some(200_000),
            seed: Some(11),
            threads: None,
            without_blocs: false,
        };
        let f = crate::forecast(&s, &opts).unwrap();
        let model = Model::new(&s);
        for (i, st) in s.states.iter().enumerate() {
            let e = explain(&s, &st.iso3, &opts).unwrap();
            let sim = &f.states[i];
            let engine = [sim.p_yes, sim.p_no, sim.p_abstain, sim.p_absent];
            let fin = [
                e.final_probs.p_yes,
                e.final_probs.p_no,
                e.final_probs.p_abstain,
                e.final_probs.p_absent,
            ];
            // The closed form is the model's own formula.
            let mm = model.marginals()[i].to_array();
            let cf = [
                e.closed_form.p_yes,
                e.closed_form.p_no,
                e.closed_form.p_abstain,
                e.closed_form.p_absent,
            ];
            for k in 0..4 {
                assert!((mm[k] - cf[k]).abs() < 1e-12, "{} closed form", st.iso3);
                let se = binomial_se(fin[k], 200_000).max(binomial_se(0.5 / 200_000.0, 200_000));
                assert!(
                    (fin[k] - engine[k]).abs() <= crate::prec::MC_SIGMAS * se + 1e-6,
                    "{} outcome {k}: explain {} vs engine {}",
                    st.iso3,
                    fin[k],
                    engine[k]
                );
            }
            let sum: f64 = fin.iter().sum();
            assert!((sum - 1.0).abs() < 1e-9);
            if model.states[i].leaders.is_empty() {
                assert_eq!(e.final_method, "closed form");
            } else {
                assert_eq!(e.final_method, "simulation");
            }
        }
    }

    #[test]
    fn contributions_add_up() {
        let s = example();
        let e = explain(&s, "EEE", &RunOptions::default()).unwrap();
        // EEE: Northern outreach (yes, effort 1) and Eastern counter-lobbying (abstain, 1).
        assert_eq!(e.contributions.len(), 2);
        let c0 = &e.contributions[0];
        let expect = 0.6
            * lobbying::saturation(1.0)
            * s.states[s.state_index("EEE").unwrap()].susceptibility;
        assert!((c0.shift - expect).abs() < 1e-12, "{c0:?}");
        let mu = 0.5
            * lobbying::saturation(1.0)
            * s.states[s.state_index("EEE").unwrap()].susceptibility;
        assert!((c0.mobilised - mu.min(1.0)).abs() < 1e-12);
        assert!(e.contributions[1].widen > 0.0 && e.contributions[1].shift == 0.0);
        assert_eq!(e.contributions[1].after, e.closed_form);
        let text = e.text(TextStyle::default());
        assert!(
            text.contains("campaign \"Northern outreach\" (yes)"),
            "{text}"
        );
        let j: serde_json::Value = serde_json::from_str(&e.json().unwrap()).unwrap();
        assert!(j["final"]["p_yes"].is_f64());
        assert_eq!(
            j["contributions"][0]["source"],
            "campaign \"Northern outreach\" (yes)"
        );
        let e = explain(&s, "ZZZ", &RunOptions::default()).unwrap_err();
        assert!(
            matches!(&e, Error::Argument { flag, .. } if flag == "ISO3"),
            "{e:?}"
        );
    }
}
