//! Members and base positions: the members file or `[prior]` estimate, then the `[[state]]`
//! entries, then the per-state rules (ISO3 codes, probabilities, susceptibility).

use std::collections::HashMap;
use std::path::PathBuf;

use super::Validator;
use crate::error::{Error, Problem, Result};
use crate::input::check_iso3;
use crate::input::members::{self, MemberRow};
use crate::prior::{self, Strength};
use crate::scenario::bounds::{self, MAX_STATES};
use crate::scenario::raw::{self, RawScenario};
use crate::scenario::source::{self, BaseSource};
use crate::scenario::types::State;
use crate::vote::VoteProbs;

impl Validator<'_> {
    /// Checks the `[prior]` section and estimates base positions from it: the rows of a
    /// members CSV, with the members file as their path. Problems are recorded; `None` if the
    /// section itself is invalid.
    pub(super) fn prior_rows(
        &mut self,
        p: &toml::Spanned<raw::RawPrior>,
    ) -> Option<(PathBuf, Result<Vec<MemberRow>>)> {
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
            self.check(
                line,
                format!("[prior].rollcalls[{k}].weight"),
                bounds::PRIOR_WEIGHT,
                weight,
            );
            files.push((self.base.join(&r.file), weight));
        }
        if files.is_empty() {
            self.problem(line, "[prior].rollcalls", "list at least one roll call");
        }
        if !self.problems.is_empty() {
            return None;
        }
        let members_file = self.base.join(&rp.members);
        let rows = source::prior_model(&mut self.inputs, &members_file, &files, settings).map(
            |(model, rows)| {
                self.source = BaseSource::Prior(model);
                rows
            },
        );
        Some((members_file, rows))
    }

    pub(super) fn states(&mut self, raw: &RawScenario) -> Vec<State> {
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
                self.source = BaseSource::MembersFile(path.clone());
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
                        if let Some(m) = check_iso3(&row.iso3) {
                            self.problems
                                .push(Problem::new(&path, Some(row.line), "iso3", m));
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
                    let line = self.loc.key_line("members", "file");
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
                    if let Some(m) = check_iso3(&s.iso3) {
                        self.problem(line, "[[state]] iso3", m);
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
            if let Err(m) = bounds::SUSCEPTIBILITY.check(st.susceptibility) {
                self.problems.push(Problem::new(
                    file,
                    *line,
                    format!("state {}: susceptibility", st.iso3),
                    m,
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
}
