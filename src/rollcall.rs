//! Recorded roll calls: CSV files `iso3,country,vote` with votes `Y`, `N`, `A` (abstain) and
//! `X` (not voting), as in `data/rollcalls/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Result};
use crate::scenario::members::read_text;
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
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(problems))
        }
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
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| Error::invalid(path, Some(1), "", format!("malformed CSV: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(ci), Some(cc), Some(cv)) = (col("iso3"), col("country"), col("vote")) else {
        return Err(Error::invalid(
            path,
            Some(1),
            "header",
            format!(
                "expected columns iso3,country,vote; found {}",
                headers.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    };
    let mut problems = Vec::new();
    let mut votes: Vec<RecordedVote> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                problems.push(Problem::new(path, line, "", format!("malformed CSV: {e}")));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let iso3 = rec.get(ci).unwrap_or("").to_string();
        let letter = rec.get(cv).unwrap_or("");
        if !(iso3.len() == 3 && iso3.bytes().all(|b| b.is_ascii_uppercase())) {
            problems.push(Problem::new(
                path,
                Some(line),
                "iso3",
                format!("{iso3:?} is not a 3-letter upper-case code"),
            ));
            continue;
        }
        let Some(vote) = Outcome::from_letter(letter) else {
            problems.push(Problem::new(
                path,
                Some(line),
                format!("vote of {iso3}"),
                format!("{letter:?} is not a vote; use Y, N, A (abstain) or X (not voting)"),
            ));
            continue;
        };
        if let Some(prev) = seen.insert(iso3.clone(), line) {
            problems.push(Problem::new(
                path,
                Some(line),
                format!("state {iso3}"),
                format!("duplicate row (first at line {prev})"),
            ));
            continue;
        }
        votes.push(RecordedVote {
            iso3,
            country: rec.get(cc).unwrap_or("").to_string(),
            vote,
            line,
        });
    }
    if votes.is_empty() && problems.is_empty() {
        problems.push(Problem::new(path, None, "", "roll call has no votes"));
    }
    if problems.is_empty() {
        Ok(RollCall {
            file: path.to_path_buf(),
            votes,
        })
    } else {
        Err(Error::Invalid(problems))
    }
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
