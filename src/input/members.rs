//! Member lists: the members CSV with base probabilities (`[members] file`), bloc membership
//! lists (`members_file` of a `[[bloc]]`) and members with their groups (`[prior] members`,
//! `lobbysim prior --members`).

use std::path::Path;

use super::{Csv, Seen, all_or_problems, check_iso3, read_text};
use crate::error::{Error, Problem, Result};
use crate::vote::VoteProbs;

/// One row of a members CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    /// 1-based line in the CSV file.
    pub line: usize,
    /// ISO 3166-1 alpha-3 code (unchecked here: the scenario validator checks it with file and
    /// line, with the other per-state rules).
    pub iso3: String,
    /// Display name.
    pub name: String,
    /// Base probabilities (unchecked here: the scenario validator checks them with file and line).
    pub probs: VoteProbs,
    /// Lobbying susceptibility, if the column is present.
    pub susceptibility: Option<f64>,
}

const MEMBER_COLUMNS: [&str; 7] = [
    "iso3",
    "name",
    "p_yes",
    "p_no",
    "p_abstain",
    "p_absent",
    "susceptibility",
];

/// Parses the text of a members CSV with header `iso3,name,p_yes,p_no,p_abstain,p_absent` and
/// an optional `susceptibility` column (any order); `path` is only used in error messages.
/// Reports every malformed cell with its line and column.
pub fn parse_members_csv(text: &str, path: &Path) -> Result<Vec<MemberRow>> {
    let mut csv = Csv::new(text, path, true)?;
    let mut problems = Vec::new();
    let mut col = [None; 7];
    for (i, h) in csv.headers().iter().enumerate() {
        match MEMBER_COLUMNS.iter().position(|c| *c == h) {
            Some(k) if col[k].is_none() => col[k] = Some(i),
            Some(_) => problems.push(Problem::new(
                path,
                Some(1),
                h,
                "column appears twice in the header",
            )),
            None => problems.push(Problem::new(
                path,
                Some(1),
                h,
                format!(
                    "unknown column; expected {} (susceptibility optional)",
                    MEMBER_COLUMNS.join(",")
                ),
            )),
        }
    }
    for (k, c) in MEMBER_COLUMNS.iter().enumerate().take(6) {
        if col[k].is_none() {
            problems.push(Problem::new(path, Some(1), *c, "required column missing"));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let idx = |k: usize| col[k].unwrap_or(usize::MAX);
    let mut rows = Vec::new();
    csv.each_record(&mut problems, |line, rec, problems| {
        let mut num = |k: usize| -> f64 {
            let cell = rec.get(idx(k)).unwrap_or("");
            match cell.parse::<f64>() {
                Ok(v) => v,
                Err(_) => {
                    problems.push(Problem::new(
                        path,
                        Some(line),
                        MEMBER_COLUMNS[k],
                        format!("expected a number, got {cell:?}"),
                    ));
                    f64::NAN
                }
            }
        };
        let probs = VoteProbs {
            p_yes: num(2),
            p_no: num(3),
            p_abstain: num(4),
            p_absent: num(5),
        };
        let susceptibility = col[6].map(|_| num(6));
        rows.push(MemberRow {
            line,
            iso3: rec.get(idx(0)).unwrap_or("").to_string(),
            name: rec.get(idx(1)).unwrap_or("").to_string(),
            probs,
            susceptibility,
        });
    });
    all_or_problems(rows, problems)
}

/// Parses the text of a bloc-membership CSV: an `iso3` column, and optionally a `bloc` column,
/// in which case only rows whose `bloc` equals `bloc_name` are kept. Returns `(line, iso3)`
/// pairs; `path` is only used in error messages.
pub fn parse_bloc_members_csv(
    text: &str,
    path: &Path,
    bloc_name: &str,
) -> Result<Vec<(usize, String)>> {
    let mut csv = Csv::new(text, path, true)?;
    let iso_col = csv.column("iso3").ok_or_else(|| {
        Error::invalid(path, Some(1), "iso3", "required column missing from header")
    })?;
    let bloc_col = csv.column("bloc");
    let mut out = Vec::new();
    let mut problems = Vec::new();
    csv.each_record(&mut problems, |line, r, _| {
        if bloc_col.is_none_or(|b| r.get(b) == Some(bloc_name)) {
            out.push((line, r.get(iso_col).unwrap_or("").to_string()));
        }
    });
    all_or_problems(out, problems)
}

/// A member state as listed in a members file with groups (`iso3,name,un_region`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// 1-based line in the members file.
    pub line: usize,
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    /// Display name.
    pub name: String,
    /// Group the state is shrunk toward (its UN regional group in `data/members.csv`).
    pub group: String,
}

/// Reads a members file with groups: header with `iso3`, `name` and `un_region` (or `group`).
pub fn read_group_members(path: &Path) -> Result<Vec<Member>> {
    parse_group_members(&read_text(path)?, path)
}

/// Parses the text of a members file with groups; `path` is used in messages.
pub fn parse_group_members(text: &str, path: &Path) -> Result<Vec<Member>> {
    let mut csv = Csv::new(text, path, true)?;
    // `group` is accepted for `un_region`.
    let group = if csv.column("un_region").is_some() {
        "un_region"
    } else {
        "group"
    };
    let [ci, cn, cg] = csv.require(["iso3", "name", group], "iso3,name,un_region (or group)")?;
    let mut problems = Vec::new();
    let mut out: Vec<Member> = Vec::new();
    let mut seen = Seen::default();
    csv.each_record(&mut problems, |line, rec, problems| {
        let iso3 = rec.get(ci).unwrap_or("").to_string();
        if let Some(msg) = check_iso3(&iso3) {
            problems.push(Problem::new(path, Some(line), "iso3", msg));
            return;
        }
        let group = rec.get(cg).unwrap_or("").to_string();
        if group.is_empty() {
            problems.push(Problem::new(
                path,
                Some(line),
                format!("group of {iso3}"),
                "empty; every state needs a group to be shrunk toward",
            ));
        }
        if let Some(p) = seen.duplicate(path, line, &iso3) {
            problems.push(p);
            return;
        }
        out.push(Member {
            line,
            name: rec.get(cn).unwrap_or("").to_string(),
            iso3,
            group,
        });
    });
    if out.is_empty() && problems.is_empty() {
        problems.push(Problem::new(path, None, "", "members file lists no states"));
    }
    all_or_problems(out, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_members_with_optional_column() {
        let t = "iso3,name,p_yes,p_no,p_abstain,p_absent\nFRA,France,0.9,0.0,0.05,0.05\n";
        let rows = parse_members_csv(t, Path::new("m.csv")).unwrap();
        assert_eq!(rows[0].iso3, "FRA");
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].susceptibility, None);
    }

    #[test]
    fn bad_cell_names_line_and_column() {
        let t = "iso3,name,p_yes,p_no,p_abstain,p_absent\nFRA,France,0.9,0.0,0.05,0.05\nDEU,Germany,x,0,0,0\n";
        let e = parse_members_csv(t, Path::new("m.csv")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "m.csv:3: p_yes: expected a number, got \"x\""
        );
    }

    #[test]
    fn missing_and_unknown_columns() {
        let t = "iso3,name,p_yes,p_no,p_abstain,colour\n";
        let e = parse_members_csv(t, Path::new("m.csv")).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("colour: unknown column"), "{s}");
        assert!(s.contains("p_absent: required column missing"), "{s}");
    }

    #[test]
    fn bloc_lists_filter_on_the_bloc_column() {
        let t = "bloc,iso3\nEU,FRA\nAU,NGA\nEU,DEU\n";
        let rows = parse_bloc_members_csv(t, Path::new("b.csv"), "EU").unwrap();
        assert_eq!(rows, vec![(2, "FRA".into()), (4, "DEU".into())]);
        let e = parse_bloc_members_csv("bloc\nEU\n", Path::new("b.csv"), "EU").unwrap_err();
        assert!(e.to_string().starts_with("b.csv:1: iso3:"), "{e}");
    }

    #[test]
    fn group_members_errors_name_lines() {
        let t = "iso3,name,un_region\nAAA,A,G1\nAAA,A,G1\nbad,B,G1\nCCC,C,\n";
        let e = parse_group_members(t, Path::new("m.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.csv:3: state AAA: duplicate row"), "{e}");
        assert!(e.contains("m.csv:4: iso3"), "{e}");
        assert!(e.contains("m.csv:5: group of CCC: empty"), "{e}");
        let e = parse_group_members("iso3,name\n", Path::new("m.csv")).unwrap_err();
        assert!(e.to_string().contains("m.csv:1: header"), "{e}");
    }
}
