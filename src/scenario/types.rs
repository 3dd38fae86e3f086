//! The validated scenario model: the domain types a scenario file turns into.
//!
//! A [`Scenario`] is built only by the validator ([`super::load`], [`super::parse`]) and is read
//! through its [`Contents`] (it dereferences to them, read-only). It changes only through
//! methods that apply the validator's rules to the changed value ([`Scenario::with_param`],
//! [`Scenario::with_evidence`], [`super::param::ParamPath::set`]), so a scenario can never be
//! made invalid after validation.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::param::ParamPath;
use super::source::BaseSource;
use crate::error::{Error, Result};
use crate::prior;
use crate::vote::{Outcome, VoteProbs};

/// Descriptive metadata of a scenario (`[scenario]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    /// Short name shown in reports.
    pub name: String,
    /// Date of the vote forecast, as written.
    pub date: Option<String>,
    /// Longer description.
    pub description: Option<String>,
}

/// Which counter-based generator drives the simulation; all are ChaCha variants from
/// `rand_chacha`, portable and reproducible across platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RngKind {
    /// ChaCha with 8 rounds (default; fastest, statistically sound for simulation).
    ChaCha8,
    /// ChaCha with 12 rounds.
    ChaCha12,
    /// ChaCha with 20 rounds.
    ChaCha20,
}

impl RngKind {
    /// Parses `chacha8`, `chacha12` or `chacha20`.
    pub fn parse(s: &str) -> Option<RngKind> {
        match s.to_ascii_lowercase().as_str() {
            "chacha8" => Some(RngKind::ChaCha8),
            "chacha12" => Some(RngKind::ChaCha12),
            "chacha20" => Some(RngKind::ChaCha20),
            _ => None,
        }
    }

    /// Name as written in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            RngKind::ChaCha8 => "chacha8",
            RngKind::ChaCha12 => "chacha12",
            RngKind::ChaCha20 => "chacha20",
        }
    }
}

/// Simulation settings (`[simulation]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Simulation {
    /// Number of simulated ballots, 1..=[`super::MAX_BALLOTS`].
    pub ballots: u64,
    /// Master seed.
    pub seed: u64,
    /// Generator.
    pub rng: RngKind,
}

/// Correlation parameters shared by all states (`[model]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelParams {
    /// Share of each state's latent variance that is common to all states (the Assembly's
    /// mood on this ballot), in [0, 1).
    pub global_correlation: f64,
}

/// Decision rule for adoption (`[rule] majority`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Two-thirds of members present and voting (yes ≥ 2 × no, at least one yes): the
    /// Assembly's rule for important questions. Abstentions and absentees are not counted.
    TwoThirds,
    /// Simple majority of members present and voting (yes > no).
    Simple,
}

impl Rule {
    /// Whether a ballot with these yes and no counts adopts the resolution.
    #[inline]
    pub fn adopted(self, yes: u32, no: u32) -> bool {
        match self {
            Rule::TwoThirds => yes > 0 && yes >= 2 * no,
            Rule::Simple => yes > no,
        }
    }

    /// Name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Rule::TwoThirds => "two-thirds",
            Rule::Simple => "simple",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One member state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct State {
    /// ISO 3166-1 alpha-3 code (unique in the scenario).
    pub iso3: String,
    /// Display name.
    pub name: String,
    /// Base position on this resolution before lobbying and bloc effects.
    pub base: VoteProbs,
    /// Multiplier of lobbying effects on this state, ≥ 0 (1 = typical).
    pub susceptibility: f64,
}

/// An alliance of states whose votes move together and who are pulled toward a common position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bloc {
    /// Name, unique in the scenario.
    pub name: String,
    /// Indices into [`Contents::states`], without duplicates, in the order given.
    pub members: Vec<usize>,
    /// Share of a member's non-global latent variance shared with the bloc, in [0, 1).
    pub cohesion: f64,
    /// Latent shift per unit gap between the bloc's position and the member's own mean score
    /// (≥ 0; 0 = no pull).
    pub discipline: f64,
    /// The bloc's common position on the no (−1) … yes (+1) axis, if stated; otherwise the
    /// members' mean voting score is used.
    pub position: Option<f64>,
    /// Index of the leading member, whose realised vote sways the other members.
    pub leader: Option<usize>,
    /// Latent shift of each other member per unit of the leader's vote surprise (≥ 0).
    pub leader_influence: f64,
}

/// Direction a campaign pushes its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Toward yes: raises the latent score.
    Yes,
    /// Toward no: lowers the latent score.
    No,
    /// Toward abstention: widens the abstain band on both sides.
    Abstain,
}

impl Direction {
    /// Parses `yes`, `no` or `abstain`.
    pub fn parse(s: &str) -> Option<Direction> {
        match s.to_ascii_lowercase().as_str() {
            "yes" => Some(Direction::Yes),
            "no" => Some(Direction::No),
            "abstain" => Some(Direction::Abstain),
            _ => None,
        }
    }

    /// Name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Yes => "yes",
            Direction::No => "no",
            Direction::Abstain => "abstain",
        }
    }
}

/// Who a campaign target names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// One state (index into [`Contents::states`]).
    State(usize),
    /// Every member of a bloc (index into [`Contents::blocs`]).
    Bloc(usize),
}

/// One target of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// The state or bloc targeted.
    pub kind: TargetKind,
    /// Effort, ≥ 0, in saturation units.
    pub effort: f64,
}

/// A lobbying campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    /// Name, unique in the scenario.
    pub name: String,
    /// Who lobbies (iso3 or free label); informational.
    pub actor: String,
    /// Direction of the push.
    pub direction: Direction,
    /// Maximum latent shift, in standard deviations, on a saturated target of susceptibility 1.
    pub strength: f64,
    /// Share of a saturated, susceptibility-1 target's absence probability that the campaign
    /// mobilises to vote its way, in [0, 1] (see [`crate::lobbying`]).
    pub turnout: f64,
    /// Targets with their efforts.
    pub targets: Vec<Target>,
}

impl Campaign {
    /// Total effort this campaign puts on each state (state targets plus bloc targets).
    pub fn effort_by_state(&self, scenario: &Scenario) -> Vec<f64> {
        let mut e = vec![0.0; scenario.states.len()];
        for t in &self.targets {
            match t.kind {
                TargetKind::State(i) => e[i] += t.effort,
                TargetKind::Bloc(b) => {
                    for &i in &scenario.blocs[b].members {
                        e[i] += t.effort;
                    }
                }
            }
        }
        e
    }
}

/// Comparison in a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CmpOp {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `=` or `==`
    Eq,
}

impl CmpOp {
    /// Symbol as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Lt => "<",
            CmpOp::Eq => "=",
        }
    }

    /// Whether `lhs op rhs` holds.
    pub fn holds(self, lhs: u64, rhs: u64) -> bool {
        match self {
            CmpOp::Ge => lhs >= rhs,
            CmpOp::Gt => lhs > rhs,
            CmpOp::Le => lhs <= rhs,
            CmpOp::Lt => lhs < rhs,
            CmpOp::Eq => lhs == rhs,
        }
    }
}

/// A claim about one count, e.g. `yes >= 110`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Claim {
    /// Which count.
    pub outcome: Outcome,
    /// Comparison.
    pub op: CmpOp,
    /// Right-hand side.
    pub value: u64,
}

impl Claim {
    /// Parses `<yes|no|abstain|absent> <op> <integer>` with op one of `>= > <= < = ==`.
    pub fn parse(s: &str) -> std::result::Result<Claim, String> {
        let s = s.trim();
        let split = s
            .find(['<', '>', '='])
            .ok_or_else(|| format!("{s:?} has no comparison; write e.g. \"yes >= 110\""))?;
        let (lhs, rest) = s.split_at(split);
        let outcome = Outcome::parse(lhs).ok_or_else(|| {
            format!(
                "{:?} is not a count; use yes, no, abstain or absent",
                lhs.trim()
            )
        })?;
        let (op, rhs) = if let Some(r) = rest.strip_prefix(">=") {
            (CmpOp::Ge, r)
        } else if let Some(r) = rest.strip_prefix("<=") {
            (CmpOp::Le, r)
        } else if let Some(r) = rest.strip_prefix("==") {
            (CmpOp::Eq, r)
        } else if let Some(r) = rest.strip_prefix('>') {
            (CmpOp::Gt, r)
        } else if let Some(r) = rest.strip_prefix('<') {
            (CmpOp::Lt, r)
        } else if let Some(r) = rest.strip_prefix('=') {
            (CmpOp::Eq, r)
        } else {
            return Err(format!("unknown comparison in {s:?}"));
        };
        let value = rhs
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("{:?} is not a whole number ≥ 0", rhs.trim()))?;
        Ok(Claim { outcome, op, value })
    }
}

impl Claim {
    /// The claim an actual result's yes count makes, `yes = <actual yes>` (counts in outcome
    /// order): how reports score an actual result.
    pub fn actual_yes(counts: [u64; 4]) -> Claim {
        Claim {
            outcome: Outcome::Yes,
            op: CmpOp::Eq,
            value: counts[0],
        }
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.outcome.name(),
            self.op.symbol(),
            self.value
        )
    }
}

/// What a reference states.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReferenceKind {
    /// A claim about one count.
    Claim(Claim),
    /// An actual result: counts in outcome order (yes, no, abstain, absent), summing to the
    /// number of members.
    Actual([u64; 4]),
}

/// A labelled figure the forecast is scored against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    /// Label shown in reports.
    pub label: String,
    /// The claim or actual result.
    pub kind: ReferenceKind,
}

/// Observed totals of a related earlier vote, mapped onto this resolution's model: in the same
/// ballot (same global and bloc shocks, same leaders' votes), each state votes on the evidence
/// vote by the same ordered probit with its latent score shifted by `shift` and a fresh
/// idiosyncratic shock, and is absent with probability `absent` (or its own base `p_absent`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Label shown in reports.
    pub label: String,
    /// Observed counts in outcome order (yes, no, abstain, absent), summing to the members.
    pub observed: [u64; 4],
    /// Latent shift of every state on the evidence vote, in standard deviations.
    pub shift: f64,
    /// Common absence probability on the evidence vote, if given.
    pub absent: Option<f64>,
}

/// Everything a validated scenario holds, read through [`Scenario`] (which dereferences to it).
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    /// Scenario file it was loaded from.
    pub file: PathBuf,
    /// SHA-256 of the scenario file's bytes, lower-case hex.
    pub sha256: String,
    /// `[scenario]`.
    pub meta: Meta,
    /// `[simulation]`.
    pub simulation: Simulation,
    /// `[model]`.
    pub model: ModelParams,
    /// `[rule]`.
    pub rule: Rule,
    /// Member states, in file order (members CSV first, then new `[[state]]` entries).
    pub states: Vec<State>,
    /// Blocs.
    pub blocs: Vec<Bloc>,
    /// Lobbying campaigns.
    pub campaigns: Vec<Campaign>,
    /// References.
    pub references: Vec<Reference>,
    /// Evidence to condition the forecast on (may be empty).
    pub evidence: Vec<Evidence>,
    /// Where the members' base positions came from (`[members]`, `[prior]` or only
    /// `[[state]]`).
    pub source: BaseSource,
    /// Every other file the scenario read (members CSV, bloc member lists, `[prior]` members
    /// and roll calls), in the order read, with the SHA-256 of its bytes: with
    /// [`Contents::sha256`] they identify all the input of a forecast.
    pub inputs: Vec<InputFile>,
}

/// A validated scenario: everything needed to build the vote model and run it. Read it through
/// [`Contents`] (`scenario.states`, `scenario.blocs`, …); change it only through the methods
/// that re-check the changed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    contents: Contents,
}

impl std::ops::Deref for Scenario {
    type Target = Contents;

    fn deref(&self) -> &Contents {
        &self.contents
    }
}

impl Scenario {
    /// Wraps contents the validator has checked.
    pub(super) fn validated(contents: Contents) -> Scenario {
        Scenario { contents }
    }

    /// Mutable access for code inside the crate that derives one valid scenario from another
    /// (parameter paths, sub-scenarios, optimisation plans); it must keep every rule the
    /// validator enforces.
    pub(crate) fn contents_mut(&mut self) -> &mut Contents {
        &mut self.contents
    }

    /// Index of a state by iso3 code.
    pub fn state_index(&self, iso3: &str) -> Option<usize> {
        self.states.iter().position(|s| s.iso3 == iso3)
    }

    /// Index of a bloc by name.
    pub fn bloc_index(&self, name: &str) -> Option<usize> {
        self.blocs.iter().position(|b| b.name == name)
    }

    /// This scenario with the parameter `path` names set to `v`, refused (with the validator's
    /// message) when the validator would refuse the value.
    pub fn with_param(&self, path: &ParamPath, v: f64) -> Result<Scenario> {
        let mut t = self.clone();
        path.set(&mut t, v)?;
        Ok(t)
    }

    /// This scenario with one more piece of evidence, refused when the validator would refuse
    /// it in the file (counts that do not sum to the members, a shift or absence probability
    /// out of range).
    pub fn with_evidence(&self, e: Evidence) -> Result<Scenario> {
        let problems = super::bounds::evidence_problems(&e, self.states.len());
        if let Some((field, message)) = problems.into_iter().next() {
            return Err(Error::Parameter {
                path: format!("evidence {:?}: {field}", e.label),
                message,
            });
        }
        let mut t = self.clone();
        t.contents.evidence.push(e);
        Ok(t)
    }

    /// What `[prior]` estimated the base positions from, if the scenario has that section.
    pub fn prior(&self) -> Option<&prior::Inputs> {
        self.source.prior()
    }

    /// Roll-call files the base positions were estimated from (none when positions are typed
    /// in or read from a members CSV). Fitting parameters against one of these is circular.
    pub fn prior_rollcalls(&self) -> Vec<&Path> {
        self.prior().map_or_else(Vec::new, |p| {
            p.rollcalls
                .iter()
                .map(|r| r.rollcall.file.as_path())
                .collect()
        })
    }
}

/// A file a scenario read, as its path is written in the scenario (relative to the scenario's
/// folder), and the SHA-256 of its bytes (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputFile {
    /// Path as written in the scenario file.
    pub file: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_parse() {
        let c = Claim::parse("yes >= 110").unwrap();
        assert_eq!((c.outcome, c.op, c.value), (Outcome::Yes, CmpOp::Ge, 110));
        assert_eq!(Claim::parse("no<5").unwrap().op, CmpOp::Lt);
        assert_eq!(Claim::parse("absent == 10").unwrap().op, CmpOp::Eq);
        assert!(Claim::parse("maybe >= 3").is_err());
        assert!(Claim::parse("yes >= -3").is_err());
        assert!(Claim::parse("yes 3").is_err());
        assert_eq!(c.to_string(), "yes >= 110");
    }

    /// Changes go through the validator's rules: a refused value leaves no trace.
    #[test]
    fn changes_are_checked() {
        let s = super::super::test_support::example();
        let p = ParamPath::parse(&s, "bloc.\"Eastern Pact\".cohesion", "test").unwrap();
        let e = s.with_param(&p, 1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bloc.\"Eastern Pact\".cohesion: must be in [0, 1), got 1"
        );
        assert_eq!(s.with_param(&p, 0.25).unwrap().blocs[1].cohesion, 0.25);
        let bad = Evidence {
            label: "e".into(),
            observed: [1, 0, 0, 0],
            shift: 0.0,
            absent: None,
        };
        let e = s.with_evidence(bad.clone()).unwrap_err().to_string();
        assert!(e.contains("= 1, but the scenario has 12 members"), "{e}");
        let ok = s
            .with_evidence(Evidence {
                observed: [12, 0, 0, 0],
                ..bad
            })
            .unwrap();
        assert_eq!(ok.evidence.len(), 1);
        assert!(s.evidence.is_empty());
    }

    #[test]
    fn rules() {
        assert!(Rule::TwoThirds.adopted(10, 5));
        assert!(!Rule::TwoThirds.adopted(9, 5));
        assert!(!Rule::TwoThirds.adopted(0, 0));
        assert!(Rule::Simple.adopted(6, 5));
        assert!(!Rule::Simple.adopted(5, 5));
    }
}
