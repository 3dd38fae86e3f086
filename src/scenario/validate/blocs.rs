//! Blocs and leadership: members (listed or from a file), cohesion, discipline, position,
//! leader and influence, and the check that leadership has no cycle.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::Validator;
use crate::alliance;
use crate::error::Problem;
use crate::input::members;
use crate::scenario::bounds::{self, DEFAULT_LEADER_INFLUENCE};
use crate::scenario::raw::RawScenario;
use crate::scenario::types::{Bloc, State};
use crate::vote::Outcome;

impl Validator<'_> {
    pub(super) fn blocs(&mut self, raw: &RawScenario, index: &HashMap<String, usize>) -> Vec<Bloc> {
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
            self.check(
                line,
                format!("{field}: cohesion"),
                bounds::COHESION,
                cohesion,
            );
            let discipline = rb.discipline.unwrap_or(0.0);
            self.check(
                line,
                format!("{field}: discipline"),
                bounds::DISCIPLINE,
                discipline,
            );
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
            self.check(
                line,
                format!("{field}: leader_influence"),
                bounds::LEADER_INFLUENCE,
                leader_influence,
            );
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
    pub(super) fn check_leader_cycles(
        &mut self,
        raw: &RawScenario,
        blocs: &[Bloc],
        states: &[State],
    ) {
        let followers = alliance::followers(blocs, states.len());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_found() {
        let adj = vec![vec![1], vec![2], vec![0]];
        let c = find_cycle(&adj).unwrap();
        assert_eq!(c, vec![0, 1, 2, 0]);
        assert!(find_cycle(&[vec![1], vec![2], vec![]]).is_none());
    }
}
