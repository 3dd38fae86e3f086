//! Recorded roll calls: CSV files `iso3,country,vote` with votes `Y`, `N`, `A` (abstain) and
//! `X` (not voting), as in `data/rollcalls/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Csv, Seen, all_or_problems, check_iso3, read_text};
use crate::error::{Problem, Result};
use crate::vote::Outcome;

/// One state's recorded vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedVote {
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    /// Country name as the record spells it.
    pub country: String,
    /// The vote.
    pub vote: Outcome,
    /// 1-based line in the file.
    pub line: usize,
}

/// A recorded roll call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollCall {
    /// File it was read from.
    pub file: PathBuf,
    /// Votes in file order, one per state, no duplicates.
    pub votes: Vec<RecordedVote>,
}

impl RollCall {
    /// Counts of yes, no, abstain, not voting.
    pub fn tally(&self) -> [u64; 4] {
        let mut t = [0u64; 4];
        for v in &self.votes {
            t[v.vote.index()] += 1;
        }
        t
    }

    /// The vote of a state, if recorded.
    pub fn vote_of(&self, iso3: &str) -> Option<Outcome> {
        self.votes.iter().find(|v| v.iso3 == iso3).map(|v| v.vote)
    }

    /// Checks that the roll call covers exactly the given states (no unknown, none missing);
    /// problems name this file and, for unknown states, the line.
    pub fn check_covers(&self, iso3s: &[&str]) -> Result<()> {
        let known: HashMap<&str, ()> = iso3s.iter().map(|&c| (c, ())).collect();
        let mut problems: Vec<Problem> = self
            .votes
            .iter()
            .filter(|v| !known.contains_key(v.iso3.as_str()))
            .map(|v| {
                Problem::new(
                    &self.file,
                    Some(v.line),
                    "iso3",
                    format!("unknown state {:?} (not among the members)", v.iso3),
                )
            })
            .collect();
        let have: HashMap<&str, ()> = self.votes.iter().map(|v| (v.iso3.as_str(), ())).collect();
        let missing: Vec<&str> = iso3s
            .iter()
            .copied()
            .filter(|c| !have.contains_key(c))
            .collect();
        if !missing.is_empty() {
            problems.push(Problem::new(
                &self.file,
                None,
                "iso3",
                format!(
                    "{} member state(s) missing from the roll call: {}",
                    missing.len(),
                    missing.join(", ")
                ),
            ));
        }
        all_or_problems((), problems)
    }
}

/// Reads a roll-call CSV. Every malformed row (unknown vote letter, bad code, duplicate state,
/// wrong number of fields) is reported with its line.
pub fn read(path: &Path) -> Result<RollCall> {
    let text = read_text(path)?;
    parse(&text, path)
}

/// Parses roll-call CSV text; `path` is used in messages and recorded in the result.
pub fn parse(text: &str, path: &Path) -> Result<RollCall> {
    let mut csv = Csv::new(text, path, false)?;
    let [ci, cc, cv] = csv.require(["iso3", "country", "vote"], "iso3,country,vote")?;
    let mut problems = Vec::new();
    let mut votes: Vec<RecordedVote> = Vec::new();
    let mut seen = Seen::default();
    csv.each_record(&mut problems, |line, rec, problems| {
        let iso3 = rec.get(ci).unwrap_or("").to_string();
        let letter = rec.get(cv).unwrap_or("");
        if let Some(msg) = check_iso3(&iso3) {
            problems.push(Problem::new(path, Some(line), "iso3", msg));
            return;
        }
        let Some(vote) = Outcome::from_letter(letter) else {
            problems.push(Problem::new(
                path,
                Some(line),
                format!("vote of {iso3}"),
                format!("{letter:?} is not a vote; use Y, N, A (abstain) or X (not voting)"),
            ));
            return;
        };
        if let Some(p) = seen.duplicate(path, line, &iso3) {
            problems.push(p);
            return;
        }
        votes.push(RecordedVote {
            iso3,
            country: rec.get(cc).unwrap_or("").to_string(),
            vote,
            line,
        });
    });
    if votes.is_empty() && problems.is_empty() {
        problems.push(Problem::new(path, None, "", "roll call has no votes"));
    }
    all_or_problems(
        RollCall {
            file: path.to_path_buf(),
            votes,
        },
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_tallies() {
        let t = "iso3,country,vote\nAAA,A,Y\nBBB,B,N\nCCC,C,A\nDDD,D,X\nEEE,E,Y\n";
        let r = parse(t, Path::new("r.csv")).unwrap();
        assert_eq!(r.tally(), [2, 1, 1, 1]);
        assert_eq!(r.vote_of("CCC"), Some(Outcome::Abstain));
        assert!(r.check_covers(&["AAA", "BBB", "CCC", "DDD", "EEE"]).is_ok());
        let e = r
            .check_covers(&["AAA", "BBB", "CCC", "DDD", "FFF"])
            .unwrap_err();
        let s = e.to_string();
        assert!(s.contains("r.csv:6: iso3: unknown state \"EEE\""), "{s}");
        assert!(s.contains("missing from the roll call: FFF"), "{s}");
    }

    #[test]
    fn bad_rows_name_lines() {
        let t = "iso3,country,vote\nAAA,A,Y\nAAA,A,N\nBBB,B,Q\nxx,C,Y\n";
        let e = parse(t, Path::new("r.csv")).unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("r.csv:3: state AAA: duplicate row (first at line 2)"),
            "{s}"
        );
        assert!(
            s.contains("r.csv:4: vote of BBB: \"Q\" is not a vote"),
            "{s}"
        );
        assert!(s.contains("r.csv:5: iso3"), "{s}");
    }
}
