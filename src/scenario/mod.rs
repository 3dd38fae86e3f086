//! Scenario files: the TOML format (see `docs/scenario-format.md`) turned into a validated,
//! immutable [`Scenario`].
//!
//! Loading is two-stage: [`raw`] mirrors the file (`deny_unknown_fields`), [`load`] resolves
//! states, blocs and targets and checks every value, collecting *all* problems so that
//! `lobbysim validate` can list them at once. Each problem names the file, the line where known,
//! and the field or state at fault.

pub mod members;
pub mod raw;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Problem, Result};
use crate::prior::{self, Strength};
use crate::vote::{Outcome, VoteProbs};
use raw::RawScenario;

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
    /// Number of simulated ballots, 1..=[`MAX_BALLOTS`].
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
    /// Indices into [`Scenario::states`], without duplicates, in the order given.
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
    /// One state (index into [`Scenario::states`]).
    State(usize),
    /// Every member of a bloc (index into [`Scenario::blocs`]).
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

/// A validated scenario: everything needed to build the vote model and run it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
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
    /// Roll-call files the base positions were estimated from (empty when positions are typed
    /// in). Fitting parameters against one of these is circular.
    pub prior_rollcalls: Vec<PathBuf>,
    /// Every other file the scenario read (members CSV, bloc member lists, `[prior]` members
    /// and roll calls), in the order read, with the SHA-256 of its bytes: with [`Scenario::sha256`]
    /// they identify all the input of a forecast.
    pub inputs: Vec<InputFile>,
}

/// The files a scenario reads, each read once: their text (reused when several sections name
/// the same file) and, in the order first read, their [`InputFile`] records, hashed from the
/// very bytes that were parsed.
struct InputLog {
    /// The scenario's folder, which relative paths in it start from.
    base: PathBuf,
    texts: HashMap<PathBuf, String>,
    files: Vec<InputFile>,
}

impl InputLog {
    fn new(base: PathBuf) -> InputLog {
        InputLog {
            base,
            texts: HashMap::new(),
            files: Vec::new(),
        }
    }

    /// The text of `path` (a path joined to the scenario's folder), read on first use.
    fn read(&mut self, path: &Path) -> Result<String> {
        if let Some(text) = self.texts.get(path) {
            return Ok(text.clone());
        }
        let text = members::read_text(path)?;
        let written = path.strip_prefix(&self.base).unwrap_or(path);
        self.files.push(InputFile {
            file: written.display().to_string(),
            sha256: hex(&Sha256::digest(text.as_bytes())),
        });
        self.texts.insert(path.to_path_buf(), text.clone());
        Ok(text)
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

impl Scenario {
    /// Index of a state by iso3 code.
    pub fn state_index(&self, iso3: &str) -> Option<usize> {
        self.states.iter().position(|s| s.iso3 == iso3)
    }

    /// Index of a bloc by name.
    pub fn bloc_index(&self, name: &str) -> Option<usize> {
        self.blocs.iter().position(|b| b.name == name)
    }
}

/// Reads, parses and validates a scenario file. Paths inside it are relative to its folder.
pub fn load(path: &Path) -> Result<Scenario> {
    let text = members::read_text(path)?;
    parse(&text, path)
}

/// Parses and validates scenario text as if read from `path` (used for messages, for the
/// folder that relative paths start from, and for the recorded file name).
pub fn parse(text: &str, path: &Path) -> Result<Scenario> {
    parse_with_prior(text, path).map(|(s, _)| s)
}

/// Like [`load`], also returning what the `[prior]` section estimated from (members, weighted
/// roll calls, settings), or `None` for a scenario without `[prior]`.
pub fn load_with_prior(path: &Path) -> Result<(Scenario, Option<prior::Inputs>)> {
    let text = members::read_text(path)?;
    parse_with_prior(&text, path)
}

/// Like [`parse`], also returning the `[prior]` inputs (see [`load_with_prior`]).
pub fn parse_with_prior(text: &str, path: &Path) -> Result<(Scenario, Option<prior::Inputs>)> {
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let field = e
            .span()
            .map(|s| field_at(text, s.start))
            .unwrap_or_default();
        Error::invalid(path, line, field, e.message().trim().to_string())
    })?;
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    Validator {
        file: path.to_path_buf(),
        base: base.clone(),
        line_starts: line_starts(text),
        text,
        problems: Vec::new(),
        prior_rollcalls: Vec::new(),
        prior: None,
        inputs: InputLog::new(base),
        states_failed: false,
    }
    .build(raw, sha256)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 1-based line number of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The name of a table header line (`[simulation]` → `simulation`, `[[state]]` → `state`).
fn header_name(line: &str) -> Option<&str> {
    let t = line.trim();
    if !t.starts_with('[') {
        return None;
    }
    let inner = t.trim_start_matches('[');
    let end = inner.find(']')?;
    Some(inner[..end].trim())
}

/// The key a line assigns (`ballots = 3` → `ballots`), if any.
fn key_of(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.starts_with('#') || t.starts_with('[') {
        return None;
    }
    let (k, _) = t.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty()).then_some(k)
}

/// Best-effort name of the field at byte offset `at`, for TOML syntax and type errors:
/// `[simulation].ballots`, `[[state]].p_yes`, or `` when the offset is outside any key.
fn field_at(text: &str, at: usize) -> String {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[start..end];
    if let Some(name) = header_name(line) {
        let open = if line.trim_start().starts_with("[[") {
            "[["
        } else {
            "["
        };
        let close = if open == "[[" { "]]" } else { "]" };
        return format!("{open}{name}{close}");
    }
    let table = text[..start].lines().rev().find_map(|l| {
        header_name(l).map(|name| {
            if l.trim_start().starts_with("[[") {
                format!("[[{name}]]")
            } else {
                format!("[{name}]")
            }
        })
    });
    match (table, key_of(line)) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (None, Some(k)) => k.to_string(),
        (Some(t), None) => t,
        (None, None) => String::new(),
    }
}

/// Byte offsets of the starts of the lines of `text` (the first is 0).
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

struct Validator<'a> {
    file: PathBuf,
    base: PathBuf,
    /// Byte offsets at which lines start (for line numbers in O(log n) per lookup).
    line_starts: Vec<usize>,
    text: &'a str,
    problems: Vec<Problem>,
    /// Roll calls read by `[prior]`, in the order given.
    prior_rollcalls: Vec<PathBuf>,
    /// What `[prior]` estimated from, if the section is present and valid.
    prior: Option<prior::Inputs>,
    /// Every file read for the scenario, read once each.
    inputs: InputLog,
    /// The members file or `[prior]` could not be read: later checks would only repeat that
    /// every state is unknown.
    states_failed: bool,
}

impl Validator<'_> {
    fn problem(&mut self, line: Option<usize>, field: impl Into<String>, msg: impl Into<String>) {
        self.problems
            .push(Problem::new(&self.file, line, field, msg));
    }

    /// 1-based line of `key = …` inside the single table `[table]`, if written that way.
    fn key_line(&self, table: &str, key: &str) -> Option<usize> {
        let mut inside = false;
        for (i, l) in self.text.lines().enumerate() {
            if let Some(name) = header_name(l) {
                inside = name == table && !l.trim_start().starts_with("[[");
            } else if inside && key_of(l) == Some(key) {
                return Some(i + 1);
            }
        }
        None
    }

    fn line(&self, span: std::ops::Range<usize>) -> Option<usize> {
        Some(self.line_starts.partition_point(|&s| s <= span.start))
    }

    fn absorb(&mut self, e: Error) {
        match e {
            Error::Invalid(ps) => self.problems.extend(ps),
            other => self.problem(None, "", other.to_string()),
        }
    }

    fn build(
        mut self,
        raw: RawScenario,
        sha256: String,
    ) -> Result<(Scenario, Option<prior::Inputs>)> {
        let simulation = self.simulation(&raw.simulation);
        let model = self.model(&raw.model);
        let rule = self.rule(&raw.rule);
        let states = self.states(&raw);
        if self.states_failed {
            return Err(Error::Invalid(self.problems));
        }
        let index: HashMap<String, usize> = states
            .iter()
            .enumerate()
            .map(|(i, s)| (s.iso3.clone(), i))
            .collect();
        let blocs = self.blocs(&raw, &index);
        self.check_leader_cycles(&raw, &blocs, &states);
        let campaigns = self.campaigns(&raw, &index, &blocs);
        let references = self.references(&raw, states.len());
        let evidence = self.evidence(&raw, states.len());
        if raw.scenario.name.trim().is_empty() {
            self.problem(Some(1), "[scenario].name", "must not be empty");
        }
        let inputs = std::mem::take(&mut self.inputs.files);
        if !self.problems.is_empty() {
            return Err(Error::Invalid(self.problems));
        }
        Ok((
            Scenario {
                file: self.file,
                sha256,
                meta: Meta {
                    name: raw.scenario.name,
                    date: raw.scenario.date,
                    description: raw.scenario.description,
                },
                simulation,
                model,
                rule,
                states,
                blocs,
                campaigns,
                references,
                evidence,
                prior_rollcalls: self.prior_rollcalls,
                inputs,
            },
            self.prior,
        ))
    }

    /// Estimates base positions from `[prior]`: the rows of a members CSV, with the members
    /// file as their path. Problems are recorded; `None` if the section itself is invalid.
    fn prior_rows(
        &mut self,
        p: &toml::Spanned<raw::RawPrior>,
    ) -> Option<(PathBuf, Result<Vec<members::MemberRow>>)> {
        let line = self.line(p.span());
        let rp = p.get_ref();
        let mut strength = |v: &Option<raw::RawStrength>, field: &str| -> Strength {
            let parsed = match v {
                None => Ok(Strength::Auto),
                Some(raw::RawStrength::Number(x)) => Strength::fixed(*x),
                Some(raw::RawStrength::Word(w)) => Strength::parse(w),
            };
            parsed.unwrap_or_else(|msg| {
                self.problem(line, format!("[prior].{field}"), msg);
                Strength::Auto
            })
        };
        let settings = prior::Settings {
            strength: strength(&rp.strength, "strength"),
            group_strength: strength(&rp.group_strength, "group_strength"),
        };
        let mut files = Vec::new();
        for (k, r) in rp.rollcalls.iter().enumerate() {
            let weight = r.weight.unwrap_or(1.0);
            if !(weight.is_finite() && (0.0..=prior::MAX_STRENGTH).contains(&weight)) {
                self.problem(
                    line,
                    format!("[prior].rollcalls[{k}].weight"),
                    format!(
                        "must be a number in [0, {}], got {weight}",
                        prior::MAX_STRENGTH
                    ),
                );
            }
            files.push((self.base.join(&r.file), weight));
        }
        if files.is_empty() {
            self.problem(line, "[prior].rollcalls", "list at least one roll call");
        }
        if !self.problems.is_empty() {
            return None;
        }
        let members_file = self.base.join(&rp.members);
        self.prior_rollcalls = files.iter().map(|(f, _)| f.clone()).collect();
        let log = &mut self.inputs;
        let read = prior::Inputs::read_with(&members_file, &files, settings, |p| log.read(p));
        let rows = read.and_then(|inputs| {
            let est = prior::estimate(&inputs)?;
            let rows = est
                .states
                .into_iter()
                .zip(&inputs.members)
                .map(|(s, m)| members::MemberRow {
                    line: m.line,
                    iso3: s.iso3,
                    name: s.name,
                    probs: s.probs,
                    susceptibility: None,
                })
                .collect();
            self.prior = Some(inputs);
            Ok(rows)
        });
        Some((members_file, rows))
    }

    fn simulation(&mut self, s: &raw::RawSimulation) -> Simulation {
        let ballots = match u64::try_from(*s.ballots.get_ref()) {
            Ok(b) if (1..=MAX_BALLOTS).contains(&b) => b,
            _ => {
                self.problem(
                    self.line(s.ballots.span()),
                    "[simulation].ballots",
                    format!(
                        "must be between 1 and {MAX_BALLOTS}, got {}",
                        s.ballots.get_ref()
                    ),
                );
                1
            }
        };
        let seed = u64::try_from(*s.seed.get_ref()).unwrap_or_else(|_| {
            self.problem(
                self.line(s.seed.span()),
                "[simulation].seed",
                format!("must be ≥ 0, got {}", s.seed.get_ref()),
            );
            0
        });
        let rng = match &s.rng {
            None => RngKind::ChaCha8,
            Some(r) => RngKind::parse(r.get_ref()).unwrap_or_else(|| {
                self.problem(
                    self.line(r.span()),
                    "[simulation].rng",
                    format!(
                        "unknown generator {:?}; use chacha8, chacha12 or chacha20",
                        r.get_ref()
                    ),
                );
                RngKind::ChaCha8
            }),
        };
        Simulation { ballots, seed, rng }
    }

    fn model(&mut self, m: &raw::RawModel) -> ModelParams {
        let g = m.global_correlation.as_ref().map_or(0.0, |g| *g.get_ref());
        if !(g.is_finite() && (0.0..1.0).contains(&g)) {
            let line = m
                .global_correlation
                .as_ref()
                .and_then(|g| self.line(g.span()));
            self.problem(
                line,
                "[model].global_correlation",
                format!("must be in [0, 1), got {g}"),
            );
        }
        ModelParams {
            global_correlation: if g.is_finite() { g } else { 0.0 },
        }
    }

    fn rule(&mut self, r: &raw::RawRule) -> Rule {
        let line = r.majority.as_ref().and_then(|m| self.line(m.span()));
        match r.majority.as_ref().map(|m| m.get_ref().as_str()) {
            None | Some("two-thirds") => Rule::TwoThirds,
            Some("simple") => Rule::Simple,
            Some(other) => {
                self.problem(
                    line,
                    "[rule].majority",
                    format!("unknown rule {other:?}; use \"two-thirds\" or \"simple\""),
                );
                Rule::TwoThirds
            }
        }
    }

    fn states(&mut self, raw: &RawScenario) -> Vec<State> {
        let mut states: Vec<State> = Vec::new();
        // Where each state was defined: (file, line).
        let mut origin: Vec<(PathBuf, Option<usize>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let source = match (&raw.members, &raw.prior) {
            (Some(_), Some(p)) => {
                let line = self.line(p.span());
                self.problem(line, "[prior]", "give [members] or [prior], not both");
                // Still check the section's own fields (files are not read: problems exist).
                let _ = self.prior_rows(p);
                self.states_failed = true;
                None
            }
            (Some(m), None) => {
                let path = self.base.join(&m.file);
                let rows = self
                    .inputs
                    .read(&path)
                    .and_then(|text| members::parse_members_csv(&text, &path));
                Some((path, rows))
            }
            (None, Some(p)) => {
                let rows = self.prior_rows(p);
                self.states_failed = rows.is_none();
                rows
            }
            (None, None) => None,
        };
        if let Some((path, rows)) = source {
            self.states_failed = rows.is_err();
            match rows {
                Ok(rows) => {
                    for row in rows {
                        if !valid_iso3(&row.iso3) {
                            self.problems.push(Problem::new(
                                &path,
                                Some(row.line),
                                "iso3",
                                format!("{:?} is not a 3-letter upper-case code", row.iso3),
                            ));
                        }
                        if let Some(&prev) = index.get(&row.iso3) {
                            self.problems.push(Problem::new(
                                &path,
                                Some(row.line),
                                format!("state {}", row.iso3),
                                format!(
                                    "duplicate state (first defined at line {})",
                                    origin[prev].1.unwrap_or(0)
                                ),
                            ));
                            continue;
                        }
                        index.insert(row.iso3.clone(), states.len());
                        origin.push((path.clone(), Some(row.line)));
                        states.push(State {
                            iso3: row.iso3,
                            name: row.name,
                            base: row.probs,
                            susceptibility: row.susceptibility.unwrap_or(1.0),
                        });
                    }
                }
                Err(Error::Io { path, source }) => {
                    let line = self.key_line("members", "file");
                    self.problem(
                        line,
                        "[members].file",
                        format!("cannot read {}: {source}", path.display()),
                    );
                }
                Err(e) => self.absorb(e),
            }
        }
        let mut overridden: HashMap<String, usize> = HashMap::new();
        for st in &raw.state {
            let line = self.line(st.span());
            let s = st.get_ref();
            let field = format!("[[state]] {}", s.iso3);
            if let Some(prev) = overridden.insert(s.iso3.clone(), line.unwrap_or(0)) {
                self.problem(
                    line,
                    &field,
                    format!("duplicate [[state]] entry (first at line {prev})"),
                );
                continue;
            }
            let probs = [s.p_yes, s.p_no, s.p_abstain, s.p_absent];
            let given = probs.iter().filter(|p| p.is_some()).count();
            if given != 0 && given != 4 {
                self.problem(
                    line,
                    &field,
                    "give all four of p_yes, p_no, p_abstain, p_absent or none of them",
                );
            }
            let new_probs = (given == 4).then(|| VoteProbs {
                p_yes: s.p_yes.unwrap_or(0.0),
                p_no: s.p_no.unwrap_or(0.0),
                p_abstain: s.p_abstain.unwrap_or(0.0),
                p_absent: s.p_absent.unwrap_or(0.0),
            });
            match index.get(&s.iso3) {
                Some(&i) => {
                    let state = &mut states[i];
                    if let Some(n) = &s.name {
                        state.name = n.clone();
                    }
                    if let Some(p) = new_probs {
                        state.base = p;
                    }
                    if let Some(x) = s.susceptibility {
                        state.susceptibility = x;
                    }
                    origin[i] = (self.file.clone(), line);
                }
                None => {
                    if !valid_iso3(&s.iso3) {
                        self.problem(
                            line,
                            "[[state]] iso3",
                            format!("{:?} is not a 3-letter upper-case code", s.iso3),
                        );
                    }
                    if given != 4 && given != 0 {
                        continue;
                    }
                    let Some(p) = new_probs else {
                        self.problem(
                            line,
                            &field,
                            "state is not in the members file, so it needs p_yes, p_no, p_abstain and p_absent",
                        );
                        continue;
                    };
                    index.insert(s.iso3.clone(), states.len());
                    origin.push((self.file.clone(), line));
                    states.push(State {
                        iso3: s.iso3.clone(),
                        name: s.name.clone().unwrap_or_else(|| s.iso3.clone()),
                        base: p,
                        susceptibility: s.susceptibility.unwrap_or(1.0),
                    });
                }
            }
        }
        for (st, (file, line)) in states.iter().zip(&origin) {
            for (field, msg) in st.base.check() {
                self.problems.push(Problem::new(
                    file,
                    *line,
                    format!("state {}: {field}", st.iso3),
                    msg,
                ));
            }
            let s = st.susceptibility;
            if !(s.is_finite() && (0.0..=MAX_PULL).contains(&s)) {
                self.problems.push(Problem::new(
                    file,
                    *line,
                    format!("state {}: susceptibility", st.iso3),
                    format!("must be a finite number in [0, {MAX_PULL}], got {s}"),
                ));
            }
        }
        if states.is_empty() && self.problems.is_empty() {
            self.problem(
                None,
                "[members] / [[state]]",
                "the scenario has no member states",
            );
        }
        if states.len() > MAX_STATES {
            self.problem(
                None,
                "[members]",
                format!(
                    "{} states; at most {MAX_STATES} are supported",
                    states.len()
                ),
            );
        }
        states
    }

    fn blocs(&mut self, raw: &RawScenario, index: &HashMap<String, usize>) -> Vec<Bloc> {
        let mut blocs = Vec::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        for b in &raw.bloc {
            let line = self.line(b.span());
            let rb = b.get_ref();
            let field = format!("[[bloc]] {}", rb.name);
            if let Some(prev) = names.insert(rb.name.clone(), line.unwrap_or(0)) {
                self.problem(
                    line,
                    &field,
                    format!("duplicate bloc name (first at line {prev})"),
                );
            }
            // Members: (file, line, iso3) so unknown codes are reported where they are written.
            let mut listed: Vec<(PathBuf, Option<usize>, String)> = Vec::new();
            match (&rb.members, &rb.members_file) {
                (Some(_), Some(_)) => {
                    self.problem(line, &field, "give members or members_file, not both")
                }
                (None, None) => self.problem(line, &field, "needs members or members_file"),
                (Some(m), None) => {
                    listed.extend(m.iter().map(|c| (self.file.clone(), line, c.clone())))
                }
                (None, Some(f)) => {
                    let path = self.base.join(f);
                    let rows = self
                        .inputs
                        .read(&path)
                        .and_then(|text| members::parse_bloc_members_csv(&text, &path, &rb.name));
                    match rows {
                        Ok(rows) => {
                            listed.extend(rows.into_iter().map(|(l, c)| (path.clone(), Some(l), c)))
                        }
                        Err(e) => self.absorb(e),
                    }
                }
            }
            let mut members = Vec::new();
            let mut in_bloc = std::collections::HashSet::new();
            for (file, l, code) in &listed {
                match index.get(code) {
                    Some(&i) if !in_bloc.insert(i) => self.problems.push(Problem::new(
                        file,
                        *l,
                        format!("{field}: members"),
                        format!("{code} is listed twice"),
                    )),
                    Some(&i) => members.push(i),
                    None => self.problems.push(Problem::new(
                        file,
                        *l,
                        format!("{field}: members"),
                        format!("unknown state {code:?} (not among the scenario's members)"),
                    )),
                }
            }
            if members.is_empty()
                && (rb.members.is_some() || rb.members_file.is_some())
                && listed.is_empty()
            {
                self.problem(line, &field, "bloc has no members");
            }
            let cohesion = rb.cohesion.unwrap_or(0.0);
            if !(cohesion.is_finite() && (0.0..1.0).contains(&cohesion)) {
                self.problem(
                    line,
                    format!("{field}: cohesion"),
                    format!("must be in [0, 1), got {cohesion}"),
                );
            }
            let discipline = rb.discipline.unwrap_or(0.0);
            if !(discipline.is_finite() && (0.0..=MAX_PULL).contains(&discipline)) {
                self.problem(
                    line,
                    format!("{field}: discipline"),
                    format!("must be in [0, {MAX_PULL}], got {discipline}"),
                );
            }
            let position = rb
                .position
                .as_deref()
                .and_then(|p| match Outcome::parse(p) {
                    Some(o @ (Outcome::Yes | Outcome::No | Outcome::Abstain)) => Some(o.score()),
                    _ => {
                        self.problem(
                            line,
                            format!("{field}: position"),
                            format!("unknown position {p:?}; use yes, abstain or no"),
                        );
                        None
                    }
                });
            let leader = rb.leader.as_deref().and_then(|code| match index.get(code) {
                None => {
                    self.problem(
                        line,
                        format!("{field}: leader"),
                        format!("unknown state {code:?}"),
                    );
                    None
                }
                Some(&i) if !members.contains(&i) => {
                    self.problem(
                        line,
                        format!("{field}: leader"),
                        format!("{code} is not a member of the bloc it leads"),
                    );
                    None
                }
                Some(_) if members.len() < 2 => {
                    self.problem(
                        line,
                        format!("{field}: leader"),
                        format!("{code} leads no one: it is the bloc's only member"),
                    );
                    None
                }
                Some(&i) => Some(i),
            });
            let leader_influence = rb.leader_influence.unwrap_or(DEFAULT_LEADER_INFLUENCE);
            if rb.leader_influence.is_some() && rb.leader.is_none() {
                self.problem(
                    line,
                    format!("{field}: leader_influence"),
                    "is set but the bloc has no leader",
                );
            }
            if !(leader_influence.is_finite() && (0.0..=MAX_PULL).contains(&leader_influence)) {
                self.problem(
                    line,
                    format!("{field}: leader_influence"),
                    format!("must be in [0, {MAX_PULL}], got {leader_influence}"),
                );
            }
            blocs.push(Bloc {
                name: rb.name.clone(),
                members,
                cohesion,
                discipline,
                position,
                leader,
                leader_influence: if rb.leader.is_some() {
                    leader_influence
                } else {
                    0.0
                },
            });
        }
        blocs
    }

    /// Leaders sway their followers within a ballot, so "who follows whom" must be acyclic.
    fn check_leader_cycles(&mut self, raw: &RawScenario, blocs: &[Bloc], states: &[State]) {
        let followers = leader_edges(blocs, states.len());
        if let Some(cycle) = find_cycle(&followers) {
            let names: Vec<&str> = cycle.iter().map(|&i| states[i].iso3.as_str()).collect();
            let line = raw.bloc.first().and_then(|b| self.line(b.span()));
            self.problem(
                line,
                "[[bloc]] leader",
                format!(
                    "leadership is cyclic ({}): a state cannot, through blocs, follow itself",
                    names.join(" → ")
                ),
            );
        }
    }

    fn campaigns(
        &mut self,
        raw: &RawScenario,
        index: &HashMap<String, usize>,
        blocs: &[Bloc],
    ) -> Vec<Campaign> {
        let mut out = Vec::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        for c in &raw.campaign {
            let line = self.line(c.span());
            let rc = c.get_ref();
            let field = format!("[[campaign]] {}", rc.name);
            if let Some(prev) = names.insert(rc.name.clone(), line.unwrap_or(0)) {
                self.problem(
                    line,
                    &field,
                    format!("duplicate campaign name (first at line {prev})"),
                );
            }
            let direction = Direction::parse(&rc.direction).unwrap_or_else(|| {
                self.problem(
                    line,
                    format!("{field}: direction"),
                    format!(
                        "unknown direction {:?}; use yes, no or abstain",
                        rc.direction
                    ),
                );
                Direction::Yes
            });
            if !(rc.strength.is_finite() && (0.0..=MAX_STRENGTH).contains(&rc.strength)) {
                self.problem(
                    line,
                    format!("{field}: strength"),
                    format!("must be in [0, {MAX_STRENGTH}], got {}", rc.strength),
                );
            }
            let turnout = rc.turnout.unwrap_or(0.0);
            if !(turnout.is_finite() && (0.0..=1.0).contains(&turnout)) {
                self.problem(
                    line,
                    format!("{field}: turnout"),
                    format!("must be in [0, 1], got {turnout}"),
                );
            }
            let mut targets = Vec::new();
            for (k, t) in rc.targets.iter().enumerate() {
                let tf = format!("{field}: targets[{k}]");
                if !(t.effort.is_finite() && (0.0..=MAX_EFFORT).contains(&t.effort)) {
                    self.problem(
                        line,
                        format!("{tf}.effort"),
                        format!("must be in [0, {MAX_EFFORT}], got {}", t.effort),
                    );
                }
                let kind = match (&t.state, &t.bloc) {
                    (Some(s), None) => match index.get(s) {
                        Some(&i) => Some(TargetKind::State(i)),
                        None => {
                            self.problem(
                                line,
                                format!("{tf}.state"),
                                format!("unknown state {s:?}"),
                            );
                            None
                        }
                    },
                    (None, Some(b)) => match blocs.iter().position(|x| &x.name == b) {
                        Some(i) => Some(TargetKind::Bloc(i)),
                        None => {
                            self.problem(line, format!("{tf}.bloc"), format!("unknown bloc {b:?}"));
                            None
                        }
                    },
                    _ => {
                        self.problem(line, tf, "give exactly one of state or bloc");
                        None
                    }
                };
                if let Some(kind) = kind {
                    targets.push(Target {
                        kind,
                        effort: t.effort,
                    });
                }
            }
            out.push(Campaign {
                name: rc.name.clone(),
                actor: rc.actor.clone(),
                direction,
                strength: rc.strength,
                turnout,
                targets,
            });
        }
        out
    }

    fn references(&mut self, raw: &RawScenario, n: usize) -> Vec<Reference> {
        let mut out = Vec::new();
        for r in &raw.reference {
            let line = self.line(r.span());
            let rr = r.get_ref();
            let field = format!("[[reference]] {:?}", rr.label);
            let kind = match (&rr.claim, &rr.actual) {
                (Some(c), None) => match Claim::parse(c) {
                    Ok(claim) => {
                        if claim.value > n as u64 {
                            self.problem(
                                line,
                                format!("{field}: claim"),
                                format!("{} exceeds the {n} members", claim.value),
                            );
                        }
                        Some(ReferenceKind::Claim(claim))
                    }
                    Err(msg) => {
                        self.problem(line, format!("{field}: claim"), msg);
                        None
                    }
                },
                (None, Some(a)) => {
                    let v = [a.yes, a.no, a.abstain, a.absent];
                    if v.iter().any(|&x| x < 0) {
                        self.problem(line, format!("{field}: actual"), "counts must be ≥ 0");
                        None
                    } else {
                        let total: i64 = v.iter().sum();
                        if total != n as i64 {
                            self.problem(
                                line,
                                format!("{field}: actual"),
                                format!(
                                    "yes + no + abstain + absent = {total}, but the scenario has {n} members"
                                ),
                            );
                        }
                        Some(ReferenceKind::Actual(v.map(|x| x as u64)))
                    }
                }
                _ => {
                    self.problem(line, field, "give exactly one of claim or actual");
                    None
                }
            };
            if let Some(kind) = kind {
                out.push(Reference {
                    label: rr.label.clone(),
                    kind,
                });
            }
        }
        out
    }
}

impl Validator<'_> {
    fn evidence(&mut self, raw: &RawScenario, n: usize) -> Vec<Evidence> {
        let mut out = Vec::new();
        for e in &raw.evidence {
            let line = self.line(e.span());
            let re = e.get_ref();
            let field = format!("[[evidence]] {:?}", re.label);
            let o = &re.observed;
            let v = [o.yes, o.no, o.abstain, o.absent];
            if v.iter().any(|&x| x < 0) {
                self.problem(line, format!("{field}: observed"), "counts must be ≥ 0");
                continue;
            }
            let total: i64 = v.iter().sum();
            if total != n as i64 {
                self.problem(
                    line,
                    format!("{field}: observed"),
                    format!(
                        "yes + no + abstain + absent = {total}, but the scenario has {n} members"
                    ),
                );
            }
            let shift = re.shift.unwrap_or(0.0);
            if !(shift.is_finite() && shift.abs() <= MAX_PULL) {
                self.problem(
                    line,
                    format!("{field}: shift"),
                    format!("must be in [−{MAX_PULL}, {MAX_PULL}], got {shift}"),
                );
            }
            if let Some(a) = re.absent
                && !(a.is_finite() && (0.0..1.0).contains(&a))
            {
                self.problem(
                    line,
                    format!("{field}: absent"),
                    format!("must be in [0, 1), got {a}"),
                );
            }
            out.push(Evidence {
                label: re.label.clone(),
                observed: v.map(|x| x as u64),
                shift,
                absent: re.absent,
            });
        }
        out
    }
}

fn valid_iso3(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Leader → follower adjacency lists (followers of each state, in bloc order).
pub fn leader_edges(blocs: &[Bloc], n: usize) -> Vec<Vec<usize>> {
    let mut followers = vec![Vec::new(); n];
    // (leader, follower) pairs already listed: linear time even for blocs of 10^5 members.
    let mut seen: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    for b in blocs {
        if let Some(l) = b.leader {
            for &m in &b.members {
                if m != l && seen.insert((l, m)) {
                    followers[l].push(m);
                }
            }
        }
    }
    followers
}

/// A cycle in a directed graph given as adjacency lists, if there is one.
fn find_cycle(adj: &[Vec<usize>]) -> Option<Vec<usize>> {
    // 0 = unseen, 1 = on stack, 2 = done. Iterative DFS to survive large inputs.
    let mut mark = vec![0u8; adj.len()];
    let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
    for start in 0..adj.len() {
        if mark[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        mark[start] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = adj[v].get(*next) {
                *next += 1;
                match mark[w] {
                    0 => {
                        mark[w] = 1;
                        parent.insert(w, v);
                        stack.push((w, 0));
                    }
                    1 => {
                        // Path w → … → v follows tree edges; v → w closes the cycle.
                        let mut back = Vec::new();
                        let mut x = v;
                        while x != w {
                            back.push(x);
                            x = parent[&x];
                        }
                        back.reverse();
                        let mut cycle = vec![w];
                        cycle.extend(back);
                        cycle.push(w);
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                mark[v] = 2;
                stack.pop();
            }
        }
    }
    None
}

/// Scenarios for the library's unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;

    use super::{Evidence, Scenario};

    /// The shipped example scenario.
    pub fn example() -> Scenario {
        super::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml"))
            .expect("example scenario loads")
    }

    /// The example scenario with one piece of evidence, labelled "earlier": observed yes,
    /// no, abstain and absent totals, no shift.
    pub fn example_with_evidence(observed: [u64; 4]) -> Scenario {
        let mut s = example();
        s.evidence.push(Evidence {
            label: "earlier".into(),
            observed,
            shift: 0.0,
            absent: None,
        });
        s
    }
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

    #[test]
    fn rules() {
        assert!(Rule::TwoThirds.adopted(10, 5));
        assert!(!Rule::TwoThirds.adopted(9, 5));
        assert!(!Rule::TwoThirds.adopted(0, 0));
        assert!(Rule::Simple.adopted(6, 5));
        assert!(!Rule::Simple.adopted(5, 5));
    }

    #[test]
    fn cycles_are_found() {
        let adj = vec![vec![1], vec![2], vec![0]];
        let c = find_cycle(&adj).unwrap();
        assert_eq!(c, vec![0, 1, 2, 0]);
        assert!(find_cycle(&[vec![1], vec![2], vec![]]).is_none());
    }

    #[test]
    fn field_at_names_table_and_key() {
        let t = "[simulation]\nballots = \"x\"\n[[state]]\niso3 = 1\n";
        assert_eq!(field_at(t, t.find("\"x").unwrap()), "[simulation].ballots");
        assert_eq!(field_at(t, t.find("1").unwrap()), "[[state]].iso3");
        assert_eq!(field_at(t, 0), "[simulation]");
        assert_eq!(field_at("# c\nx", 0), "");
        assert_eq!(field_at(t, 10_000), "[[state]]");
        assert_eq!(field_at(t, t.find("state").unwrap()), "[[state]]");
    }

    #[test]
    fn line_of_counts_newlines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}
