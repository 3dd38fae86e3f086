//! The validator: a raw scenario file ([`super::raw`]) checked value by value and turned into a
//! [`Scenario`], every problem collected so that `lobbysim validate` can list them at once. Each
//! problem names the file, the line where known, and the field or state at fault. Ranges come
//! from [`super::bounds`], shared with parameter paths; files are read through the
//! [`super::source`] log, and `[prior]` estimates come from its prior model.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod blocs;
mod states;

use super::bounds::{self, Bounds, MAX_BALLOTS};
use super::location::Locator;
use super::raw::{self, RawScenario};
use super::source::{BaseSource, InputLog};
use super::types::*;
use crate::error::{Error, Problem, Result};

/// Checks a raw scenario and builds the [`Scenario`], collecting every problem.
pub(super) struct Validator<'a> {
    file: PathBuf,
    base: PathBuf,
    loc: Locator<'a>,
    problems: Vec<Problem>,
    /// Where the base positions came from.
    source: BaseSource,
    /// Every file read for the scenario, read once each.
    inputs: InputLog,
    /// The members file or `[prior]` could not be read: later checks would only repeat that
    /// every state is unknown.
    states_failed: bool,
}

impl<'a> Validator<'a> {
    /// A validator for `text`, read from `path` (relative paths in it start from its folder).
    pub(super) fn new(text: &'a str, path: &Path) -> Validator<'a> {
        let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
        Validator {
            file: path.to_path_buf(),
            base: base.clone(),
            loc: Locator::new(text),
            problems: Vec::new(),
            source: BaseSource::Inline,
            inputs: InputLog::new(base),
            states_failed: false,
        }
    }

    fn problem(&mut self, line: Option<usize>, field: impl Into<String>, msg: impl Into<String>) {
        self.problems
            .push(Problem::new(&self.file, line, field, msg));
    }

    fn line(&self, span: std::ops::Range<usize>) -> Option<usize> {
        self.loc.line(span)
    }

    /// Records `bounds.check(v)`'s message, if any, as a problem at `line` about `field`.
    fn check(&mut self, line: Option<usize>, field: impl Into<String>, bounds: Bounds, v: f64) {
        if let Err(m) = bounds.check(v) {
            self.problem(line, field, m);
        }
    }

    fn absorb(&mut self, e: Error) {
        match e {
            Error::Invalid(ps) => self.problems.extend(ps),
            other => self.problem(None, "", other.to_string()),
        }
    }

    /// Checks `raw` (whose file has SHA-256 `sha256`) and builds the scenario, or returns every
    /// problem found.
    pub(super) fn build(mut self, raw: RawScenario, sha256: String) -> Result<Scenario> {
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
        if !self.problems.is_empty() {
            return Err(Error::Invalid(self.problems));
        }
        Ok(Scenario::validated(Contents {
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
            source: self.source,
            inputs: self.inputs.into_files(),
        }))
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
        let line = m
            .global_correlation
            .as_ref()
            .and_then(|g| self.line(g.span()));
        self.check(
            line,
            "[model].global_correlation",
            bounds::GLOBAL_CORRELATION,
            g,
        );
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
            self.check(
                line,
                format!("{field}: strength"),
                bounds::STRENGTH,
                rc.strength,
            );
            let turnout = rc.turnout.unwrap_or(0.0);
            self.check(line, format!("{field}: turnout"), bounds::TURNOUT, turnout);
            let mut targets = Vec::new();
            for (k, t) in rc.targets.iter().enumerate() {
                let tf = format!("{field}: targets[{k}]");
                self.check(line, format!("{tf}.effort"), bounds::EFFORT, t.effort);
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
                        if let Some(m) = bounds::counts_total_problem(v, n) {
                            self.problem(line, format!("{field}: actual"), m);
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
            let evidence = Evidence {
                label: re.label.clone(),
                observed: v.map(|x| x as u64),
                shift: re.shift.unwrap_or(0.0),
                absent: re.absent,
            };
            for (sub, m) in bounds::evidence_problems(&evidence, n) {
                self.problem(line, format!("{field}: {sub}"), m);
            }
            out.push(evidence);
        }
        out
    }
}
