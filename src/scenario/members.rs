//! CSV files referenced by a scenario: the members table and bloc membership lists.

use std::path::Path;

use crate::error::{Error, Problem, Result};
use crate::vote::VoteProbs;

/// Largest CSV or scenario file read, in bytes (16 MiB); larger files are refused up front.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One row of a members CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    /// 1-based line in the CSV file.
    pub line: usize,
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    /// Display name.
    pub name: String,
    /// Base probabilities (unchecked here: the scenario validator checks them with file and line).
    pub probs: VoteProbs,
    /// Lobbying susceptibility, if the column is present.
    pub susceptibility: Option<f64>,
}

/// Reads a file of at most [`MAX_FILE_BYTES`] as UTF-8 text, with errors naming the file.
pub fn read_text(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::invalid(
            path,
            None,
            "",
            format!(
                "file is {} bytes; lobbysim reads files of at most {} bytes (16 MiB)",
                meta.len(),
                MAX_FILE_BYTES
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::invalid(
            path,
            Some(line),
            "",
            format!("file is not valid UTF-8 (invalid byte at offset {at})"),
        )
    })
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
}

fn csv_error(path: &Path, e: &csv::Error) -> Problem {
    let line = e.position().map(|p| p.line() as usize);
    Problem::new(path, line, "", format!("malformed CSV: {e}"))
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

/// Reads a members CSV with header `iso3,name,p_yes,p_no,p_abstain,p_absent` and an optional
/// `susceptibility` column (any order). Reports every malformed cell with its line and column.
pub fn read_members_csv(path: &Path) -> Result<Vec<MemberRow>> {
    let text = read_text(path)?;
    parse_members_csv(&text, path)
}

/// Parses the text of a members CSV; `path` is only used in error messages.
pub fn parse_members_csv(text: &str, path: &Path) -> Result<Vec<MemberRow>> {
    let mut rdr = csv_reader(text);
    let headers = rdr
        .headers()
        .map_err(|e| Error::Invalid(vec![csv_error(path, &e)]))?
        .clone();
    let mut problems = Vec::new();
    let mut col = [None; 7];
    for (i, h) in headers.iter().enumerate() {
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
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(csv_error(path, &e));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
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
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Reads the iso3 codes of a bloc-membership CSV: an `iso3` column, and optionally a `bloc`
/// column, in which case only rows whose `bloc` equals `bloc_name` are kept. Returns
/// `(line, iso3)` pairs.
pub fn read_bloc_members_csv(path: &Path, bloc_name: &str) -> Result<Vec<(usize, String)>> {
    parse_bloc_members_csv(&read_text(path)?, path, bloc_name)
}

/// Parses the text of a bloc-membership CSV (see [`read_bloc_members_csv`]); `path` is only
/// used in error messages.
pub fn parse_bloc_members_csv(
    text: &str,
    path: &Path,
    bloc_name: &str,
) -> Result<Vec<(usize, String)>> {
    let mut rdr = csv_reader(text);
    let headers = rdr
        .headers()
        .map_err(|e| Error::Invalid(vec![csv_error(path, &e)]))?
        .clone();
    let iso_col = headers.iter().position(|h| h == "iso3").ok_or_else(|| {
        Error::invalid(path, Some(1), "iso3", "required column missing from header")
    })?;
    let bloc_col = headers.iter().position(|h| h == "bloc");
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                if let Some(b) = bloc_col
                    && r.get(b) != Some(bloc_name)
                {
                    continue;
                }
                out.push((line, r.get(iso_col).unwrap_or("").to_string()));
            }
            Err(e) => problems.push(csv_error(path, &e)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Invalid(problems))
    }
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
}
