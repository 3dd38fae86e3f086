//! Parameter paths: names for the numeric parameters of a validated [`Scenario`], to read and
//! change them one at a time (`sweep --set`, `calibrate --fit`).
//!
//! A path is dot-separated; a segment holding anything but letters, digits, `_` or `-` is
//! written in double quotes. The numeric parameters are:
//!
//! | path | meaning | range |
//! |---|---|---|
//! | `model.global_correlation` | share of latent variance common to all states | [0, 1) |
//! | `campaign.NAME.strength` | maximum latent shift at saturation (s.d.) | [0, 20] |
//! | `campaign.NAME.turnout` | mobilisation: share of a saturated, susceptibility-1 target's absence brought to vote | [0, 1] |
//! | `campaign.NAME.effort.ISO3` | the campaign's *direct* effort on one state (bloc targets excluded) | [0, 10⁶] |
//! | `bloc.NAME.cohesion` | share of non-global variance shared with the bloc | [0, 1) |
//! | `bloc.NAME.discipline` | pull toward the bloc position per unit gap | [0, 20] |
//! | `bloc.NAME.leader_influence` | shift per unit of leader vote surprise (blocs with a leader) | [0, 20] |
//! | `state.ISO3.p_yes` (`p_no`, `p_abstain`, `p_absent`) | a base probability | [0, 1] |
//! | `state.ISO3.susceptibility` | multiplier of lobbying effects | [0, 20] |
//!
//! **Setting a base probability.** `state.X.p_yes = v` sets p_yes to `v` and rescales the other
//! three in proportion so the four still sum to 1: each other `p_o` becomes
//! `p_o · (1 − v) / (1 − p_yes_old)`. Their ratios are kept; a zero stays zero (a hard
//! constraint in the model). If the other three are all zero (the old value is 1) there is no
//! ratio to keep, and any value below 1 is refused.
//!
//! **Setting an effort.** `campaign.C.effort.X = e` replaces the campaign's direct state targets
//! on `X` with one target of effort `e` (adding it if there was none; `e = 0` removes it). Bloc
//! targets are left as they are; the state's total effort is `e` plus its blocs' efforts.
//!
//! Every set re-checks the changed value against the range the scenario validator enforces (the
//! same [`Bounds`], with the same message), so a changed scenario is as valid as a loaded one.

use std::fmt;

use super::bounds::{self, Bounds};
use super::{Scenario, Target, TargetKind};
use crate::error::{Error, Result};
use crate::vote::{Outcome, SUM_TOLERANCE, VoteProbs};

/// Which numeric parameter a path names (indices into the scenario's vectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `model.global_correlation`.
    GlobalCorrelation,
    /// `campaign.C.strength`.
    CampaignStrength(usize),
    /// `campaign.C.turnout`.
    CampaignTurnout(usize),
    /// `campaign.C.effort.X`: (campaign, state).
    CampaignEffort(usize, usize),
    /// `bloc.B.cohesion`.
    BlocCohesion(usize),
    /// `bloc.B.discipline`.
    BlocDiscipline(usize),
    /// `bloc.B.leader_influence`.
    BlocLeaderInfluence(usize),
    /// `state.X.p_yes` etc.: (state, outcome).
    StateProb(usize, Outcome),
    /// `state.X.susceptibility`.
    StateSusceptibility(usize),
}

/// A parsed, resolved parameter path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamPath {
    /// The canonical spelling, e.g. `campaign."US outreach".strength`.
    pub text: String,
    /// What it names.
    pub param: Param,
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Splits a path into segments; `"..."` quotes a segment (no escapes inside).
pub fn split(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.trim().chars().peekable();
    let mut quoted_seg = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if cur.is_empty() && !quoted_seg => {
                let mut closed = false;
                for q in chars.by_ref() {
                    if q == '"' {
                        closed = true;
                        break;
                    }
                    cur.push(q);
                }
                if !closed {
                    return Err(format!("unclosed quote in {text:?}"));
                }
                quoted_seg = true;
                if !matches!(chars.peek(), None | Some('.')) {
                    return Err(format!("expected '.' after a quoted segment in {text:?}"));
                }
            }
            '.' => {
                if cur.is_empty() && !quoted_seg {
                    return Err(format!("empty segment in {text:?}"));
                }
                out.push(std::mem::take(&mut cur));
                quoted_seg = false;
            }
            _ => cur.push(c),
        }
    }
    if cur.is_empty() && !quoted_seg {
        return Err(format!("empty segment in {text:?}"));
    }
    out.push(cur);
    Ok(out)
}

/// Writes a segment, quoting it when it holds anything but letters, digits, `_` or `-`.
pub fn quote(seg: &str) -> String {
    if !seg.is_empty()
        && seg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        seg.to_string()
    } else {
        format!("\"{seg}\"")
    }
}

fn join(segs: &[&str]) -> String {
    segs.iter().map(|s| quote(s)).collect::<Vec<_>>().join(".")
}

const PROB_FIELDS: [(&str, Outcome); 4] = [
    ("p_yes", Outcome::Yes),
    ("p_no", Outcome::No),
    ("p_abstain", Outcome::Abstain),
    ("p_absent", Outcome::Absent),
];

/// Fields that exist but are not numeric parameters (a helpful message instead of "unknown").
const NON_NUMERIC: [(&str, &str); 12] = [
    ("campaign", "direction"),
    ("campaign", "actor"),
    ("campaign", "targets"),
    ("campaign", "name"),
    ("bloc", "position"),
    ("bloc", "leader"),
    ("bloc", "members"),
    ("bloc", "name"),
    ("state", "name"),
    ("state", "iso3"),
    ("scenario", "name"),
    ("rule", "majority"),
];

/// Every numeric parameter path of a scenario, canonical spelling, in a stable order.
pub fn all_paths(s: &Scenario) -> Vec<String> {
    let mut v = vec!["model.global_correlation".to_string()];
    for c in &s.campaigns {
        v.push(join(&["campaign", &c.name, "strength"]));
        v.push(join(&["campaign", &c.name, "turnout"]));
        for st in &s.states {
            v.push(join(&["campaign", &c.name, "effort", &st.iso3]));
        }
    }
    for b in &s.blocs {
        v.push(join(&["bloc", &b.name, "cohesion"]));
        v.push(join(&["bloc", &b.name, "discipline"]));
        if b.leader.is_some() {
            v.push(join(&["bloc", &b.name, "leader_influence"]));
        }
    }
    for st in &s.states {
        for (f, _) in PROB_FIELDS {
            v.push(join(&["state", &st.iso3, f]));
        }
        v.push(join(&["state", &st.iso3, "susceptibility"]));
    }
    v
}

/// Up to `k` valid paths closest to `text` (by normalised Damerau–Levenshtein similarity, with
/// quotes ignored), best first.
pub fn nearby(s: &Scenario, text: &str, k: usize) -> Vec<String> {
    let bare = text.replace('"', "");
    let mut scored: Vec<(f64, String)> = all_paths(s)
        .into_iter()
        .map(|p| {
            let sim = strsim::normalized_damerau_levenshtein(&bare, &p.replace('"', ""));
            (sim, p)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(k).map(|(_, p)| p).collect()
}

impl ParamPath {
    /// Parses and resolves `text` against scenario `s`. Errors name `origin` (e.g. `--set`)
    /// and the path, say what is wrong and list valid paths nearby.
    pub fn parse(s: &Scenario, text: &str, origin: &str) -> Result<ParamPath> {
        let fail = |msg: String| {
            let near = nearby(s, text, 6);
            Error::argument(
                origin,
                text.trim(),
                format!("{msg}; valid paths nearby: {}", near.join(", ")),
            )
        };
        let segs = split(text).map_err(&fail)?;
        let seg: Vec<&str> = segs.iter().map(String::as_str).collect();
        if seg.len() >= 2
            && let Some((_, field)) = NON_NUMERIC
                .iter()
                .find(|(t, f)| *t == seg[0] && seg.last() == Some(f))
        {
            return Err(fail(format!("{field:?} is not a numeric parameter")));
        }
        let param = match seg.as_slice() {
            ["model", "global_correlation"] => Param::GlobalCorrelation,
            ["simulation", f @ ("ballots" | "seed")] => {
                return Err(fail(format!(
                    "[simulation].{f} is a run setting, not a model parameter; use --{f}"
                )));
            }
            ["campaign", name, rest @ ..] => {
                let c = s
                    .campaigns
                    .iter()
                    .position(|c| c.name == *name)
                    .ok_or_else(|| fail(format!("unknown campaign {name:?}")))?;
                match rest {
                    ["strength"] => Param::CampaignStrength(c),
                    ["turnout"] => Param::CampaignTurnout(c),
                    ["effort", iso3] => {
                        let i = s
                            .state_index(iso3)
                            .ok_or_else(|| fail(format!("unknown state {iso3:?}")))?;
                        Param::CampaignEffort(c, i)
                    }
                    _ => {
                        return Err(fail(
                            "a campaign has strength, turnout and effort.ISO3".to_string(),
                        ));
                    }
                }
            }
            ["bloc", name, field] => {
                let b = s
                    .bloc_index(name)
                    .ok_or_else(|| fail(format!("unknown bloc {name:?}")))?;
                match *field {
                    "cohesion" => Param::BlocCohesion(b),
                    "discipline" => Param::BlocDiscipline(b),
                    "leader_influence" if s.blocs[b].leader.is_some() => {
                        Param::BlocLeaderInfluence(b)
                    }
                    "leader_influence" => {
                        return Err(fail(format!(
                            "bloc {name:?} has no leader, so no leader_influence"
                        )));
                    }
                    _ => {
                        return Err(fail(
                            "a bloc has cohesion, discipline and leader_influence".to_string(),
                        ));
                    }
                }
            }
            ["state", iso3, field] => {
                let i = s
                    .state_index(iso3)
                    .ok_or_else(|| fail(format!("unknown state {iso3:?}")))?;
                if *field == "susceptibility" {
                    Param::StateSusceptibility(i)
                } else if let Some((_, o)) = PROB_FIELDS.iter().find(|(f, _)| f == field) {
                    Param::StateProb(i, *o)
                } else {
                    return Err(fail(
                        "a state has p_yes, p_no, p_abstain, p_absent and susceptibility"
                            .to_string(),
                    ));
                }
            }
            _ => return Err(fail("unknown parameter path".to_string())),
        };
        Ok(ParamPath {
            text: canonical(s, param),
            param,
        })
    }

    /// The accepted values: the range the scenario validator applies to the same field.
    pub fn bounds(&self) -> Bounds {
        match self.param {
            Param::GlobalCorrelation => bounds::GLOBAL_CORRELATION,
            Param::BlocCohesion(_) => bounds::COHESION,
            Param::CampaignStrength(_) => bounds::STRENGTH,
            Param::CampaignTurnout(_) => bounds::TURNOUT,
            Param::StateProb(..) => bounds::PROBABILITY,
            Param::CampaignEffort(..) => bounds::EFFORT,
            Param::BlocDiscipline(_) => bounds::DISCIPLINE,
            Param::BlocLeaderInfluence(_) => bounds::LEADER_INFLUENCE,
            Param::StateSusceptibility(_) => bounds::SUSCEPTIBILITY,
        }
    }

    /// Whether the parameter only shapes correlation (never any state's marginal
    /// probabilities): bloc cohesion and global correlation.
    pub fn is_correlation_only(&self) -> bool {
        matches!(
            self.param,
            Param::GlobalCorrelation | Param::BlocCohesion(_)
        )
    }

    /// The parameter's value in `s`.
    pub fn get(&self, s: &Scenario) -> f64 {
        match self.param {
            Param::GlobalCorrelation => s.model.global_correlation,
            Param::CampaignStrength(c) => s.campaigns[c].strength,
            Param::CampaignTurnout(c) => s.campaigns[c].turnout,
            Param::CampaignEffort(c, i) => s.campaigns[c]
                .targets
                .iter()
                .filter(|t| t.kind == TargetKind::State(i))
                .map(|t| t.effort)
                .sum(),
            Param::BlocCohesion(b) => s.blocs[b].cohesion,
            Param::BlocDiscipline(b) => s.blocs[b].discipline,
            Param::BlocLeaderInfluence(b) => s.blocs[b].leader_influence,
            Param::StateProb(i, o) => s.states[i].base.get(o),
            Param::StateSusceptibility(i) => s.states[i].susceptibility,
        }
    }

    /// Sets the parameter to `v` in `s`, refusing values the scenario validator would refuse
    /// (the scenario is unchanged on error). See the module docs for base probabilities and
    /// efforts.
    pub fn set(&self, scenario: &mut Scenario, v: f64) -> Result<()> {
        self.bounds().check(v).map_err(|m| self.invalid(m))?;
        let s = scenario.contents_mut();
        match self.param {
            Param::GlobalCorrelation => s.model.global_correlation = v,
            Param::CampaignStrength(c) => s.campaigns[c].strength = v,
            Param::CampaignTurnout(c) => s.campaigns[c].turnout = v,
            Param::CampaignEffort(c, i) => {
                let targets = &mut s.campaigns[c].targets;
                targets.retain(|t| t.kind != TargetKind::State(i));
                if v > 0.0 {
                    targets.push(Target {
                        kind: TargetKind::State(i),
                        effort: v,
                    });
                }
            }
            Param::BlocCohesion(b) => s.blocs[b].cohesion = v,
            Param::BlocDiscipline(b) => s.blocs[b].discipline = v,
            Param::BlocLeaderInfluence(b) => s.blocs[b].leader_influence = v,
            Param::StateProb(i, o) => {
                let p = rescaled(s.states[i].base, o, v).map_err(|m| self.invalid(m))?;
                s.states[i].base = p;
            }
            Param::StateSusceptibility(i) => s.states[i].susceptibility = v,
        }
        Ok(())
    }

    fn invalid(&self, msg: String) -> Error {
        Error::Parameter {
            path: self.text.clone(),
            message: msg,
        }
    }
}

/// `p` with outcome `o` set to `v` and the other three rescaled in proportion (see the module
/// docs); an error if they are all zero and `v < 1`.
pub fn rescaled(p: VoteProbs, o: Outcome, v: f64) -> std::result::Result<VoteProbs, String> {
    let mut a = p.to_array();
    let rest: f64 = (0..4).filter(|&k| k != o.index()).map(|k| a[k]).sum();
    if rest <= 0.0 {
        if (1.0 - v).abs() <= SUM_TOLERANCE {
            return Ok(p);
        }
        return Err(format!(
            "{} is 1 and the other three are 0, so there are no proportions to rescale; \
             set another outcome's probability instead",
            o.name()
        ));
    }
    let scale = (1.0 - v) / rest;
    for (k, x) in a.iter_mut().enumerate() {
        *x = if k == o.index() { v } else { *x * scale };
    }
    Ok(VoteProbs::from_array(a))
}

fn canonical(s: &Scenario, p: Param) -> String {
    match p {
        Param::GlobalCorrelation => "model.global_correlation".into(),
        Param::CampaignStrength(c) => join(&["campaign", &s.campaigns[c].name, "strength"]),
        Param::CampaignTurnout(c) => join(&["campaign", &s.campaigns[c].name, "turnout"]),
        Param::CampaignEffort(c, i) => join(&[
            "campaign",
            &s.campaigns[c].name,
            "effort",
            &s.states[i].iso3,
        ]),
        Param::BlocCohesion(b) => join(&["bloc", &s.blocs[b].name, "cohesion"]),
        Param::BlocDiscipline(b) => join(&["bloc", &s.blocs[b].name, "discipline"]),
        Param::BlocLeaderInfluence(b) => join(&["bloc", &s.blocs[b].name, "leader_influence"]),
        Param::StateProb(i, o) => join(&["state", &s.states[i].iso3, PROB_FIELDS[o.index()].0]),
        Param::StateSusceptibility(i) => join(&["state", &s.states[i].iso3, "susceptibility"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_support::example;

    #[test]
    fn split_handles_quotes() {
        assert_eq!(
            split(r#"campaign."US outreach".strength"#).unwrap(),
            vec!["campaign", "US outreach", "strength"]
        );
        assert_eq!(split("bloc.EU.cohesion").unwrap().len(), 3);
        assert!(split("bloc..cohesion").is_err());
        assert!(split(r#"campaign."open.strength"#).is_err());
        assert!(split(r#"campaign."a"b.strength"#).is_err());
        assert_eq!(quote("US outreach"), "\"US outreach\"");
        assert_eq!(quote("EU"), "EU");
    }

    #[test]
    fn every_listed_path_parses_and_round_trips() {
        let s = example();
        for p in all_paths(&s) {
            let pp = ParamPath::parse(&s, &p, "--set").unwrap();
            assert_eq!(pp.text, p);
            let mut t = s.clone();
            let v = pp.get(&s);
            pp.set(&mut t, v).unwrap();
            assert!((pp.get(&t) - v).abs() < 1e-15, "{p}");
        }
    }

    #[test]
    fn errors_explain_and_suggest() {
        let s = example();
        let e = ParamPath::parse(&s, r#"campaign."Northern outreech".strength"#, "--set")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown campaign"), "{e}");
        assert!(
            e.contains(r#"campaign."Northern outreach".strength"#),
            "{e}"
        );
        let e = ParamPath::parse(&s, r#"bloc."Eastern Pact".position"#, "--set")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a numeric parameter"), "{e}");
        assert!(
            e.starts_with("--set: bloc.\"Eastern Pact\".position:"),
            "{e}"
        );
        let e = ParamPath::parse(&s, "state.ZZZ.p_yes", "--fit")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown state \"ZZZ\""), "{e}");
        let e = ParamPath::parse(&s, "simulation.seed", "--set")
            .unwrap_err()
            .to_string();
        assert!(e.contains("use --seed"), "{e}");
    }

    #[test]
    fn set_checks_ranges() {
        let s = example();
        let mut t = s.clone();
        let p = ParamPath::parse(&s, "bloc.\"Eastern Pact\".cohesion", "x").unwrap();
        assert!(p.set(&mut t, 1.0).is_err());
        assert!(p.set(&mut t, f64::NAN).is_err());
        assert_eq!(t, s);
        p.set(&mut t, 0.9).unwrap();
        assert_eq!(t.blocs[1].cohesion, 0.9);
    }

    #[test]
    fn probabilities_rescale_in_proportion() {
        let s = example();
        let mut t = s.clone();
        let p = ParamPath::parse(&s, "state.LLL.p_yes", "x").unwrap();
        // LLL: 0.35 0.15 0.35 0.15 → p_yes 0.6: others × 0.4/0.65.
        p.set(&mut t, 0.6).unwrap();
        let b = t.states[t.state_index("LLL").unwrap()].base;
        assert!((b.p_yes - 0.6).abs() < 1e-15);
        assert!((b.p_no - 0.15 * 0.4 / 0.65).abs() < 1e-15);
        assert!((b.p_abstain - 0.35 * 0.4 / 0.65).abs() < 1e-15);
        assert!(b.check().is_empty());
        // AAA has p_no = 0: it stays 0.
        let q = ParamPath::parse(&s, "state.AAA.p_yes", "x").unwrap();
        q.set(&mut t, 0.5).unwrap();
        assert_eq!(t.states[0].base.p_no, 0.0);
        assert!(t.states[0].base.check().is_empty());
        let one = VoteProbs::from_array([1.0, 0.0, 0.0, 0.0]);
        assert!(rescaled(one, Outcome::Yes, 0.5).is_err());
        assert!(rescaled(one, Outcome::No, 0.5).is_ok());
    }

    #[test]
    fn effort_replaces_direct_targets_only() {
        let s = example();
        let mut t = s.clone();
        let p =
            ParamPath::parse(&s, "campaign.\"Eastern counter-lobbying\".effort.GGG", "x").unwrap();
        assert_eq!(p.get(&s), 0.0);
        p.set(&mut t, 2.0).unwrap();
        let c = &t.campaigns[1];
        let g = t.state_index("GGG").unwrap();
        // GGG is in the Eastern Pact (bloc effort 0.5) plus the new direct 2.0.
        assert!((c.effort_by_state(&t)[g] - 2.5).abs() < 1e-15);
        p.set(&mut t, 0.0).unwrap();
        assert_eq!(t.campaigns[1].targets, s.campaigns[1].targets);
    }
}
