//! Reading user files: the one place lobbysim opens an input file, and the CSV readers.
//!
//! Every input — scenario TOML, members CSVs, bloc lists, roll calls, shard files — is read by
//! [`read_text`] (or [`read_text_limited`] with a larger cap for shard files), which refuses a
//! file larger than its cap and names the file in every error. The CSV formats share one
//! reader ([`Csv`]): header first, fields trimmed, `#` comment lines where the format allows
//! them, every malformed record reported with its line; ISO 3166-1 alpha-3 codes are checked by
//! one function ([`check_iso3`]).
//!
//! * [`members`]: members with base probabilities (`[members] file`), bloc membership lists
//!   (`members_file`), and members with their groups (`[prior] members`).
//! * [`rollcall`]: recorded roll calls (`iso3,country,vote`).

pub mod members;
pub mod rollcall;

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Problem, Result};

/// Largest CSV or scenario file read, in bytes (16 MiB); larger files are refused up front.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Largest shard file read, in bytes (4 GiB): a sweep shard holds one tally per grid point.
pub const MAX_SHARD_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Reads a file of at most [`MAX_FILE_BYTES`] as UTF-8 text, with errors naming the file.
pub fn read_text(path: &Path) -> Result<String> {
    read_text_limited(path, MAX_FILE_BYTES)
}

/// Reads a file of at most `limit` bytes as UTF-8 text, with errors naming the file (and, for
/// invalid UTF-8, the line).
pub fn read_text_limited(path: &Path, limit: u64) -> Result<String> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > limit {
        return Err(Error::invalid(
            path,
            None,
            "",
            format!(
                "file is {} bytes; lobbysim reads files of at most {limit} bytes ({})",
                meta.len(),
                human_bytes(limit)
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(io)?;
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

/// `16 MiB`, `4 GiB`: a power-of-two size in its largest whole unit.
fn human_bytes(n: u64) -> String {
    match n.trailing_zeros() {
        30.. => format!("{} GiB", n >> 30),
        20.. => format!("{} MiB", n >> 20),
        10.. => format!("{} KiB", n >> 10),
        _ => format!("{n} bytes"),
    }
}

/// Why `code` is not an ISO 3166-1 alpha-3 code as lobbysim writes them (three upper-case
/// ASCII letters), or `None` if it is one.
pub fn check_iso3(code: &str) -> Option<String> {
    let ok = code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase());
    (!ok).then(|| format!("{code:?} is not a 3-letter upper-case code"))
}

/// A CSV file being read: its header, then its records with their 1-based lines. Fields are
/// trimmed; with `comments`, lines starting with `#` are skipped.
pub struct Csv<'a> {
    path: &'a Path,
    text: &'a str,
    comments: bool,
    reader: csv::Reader<&'a [u8]>,
    headers: csv::StringRecord,
}

impl<'a> Csv<'a> {
    /// Starts reading `text` (read from `path`, which errors name) and reads its header.
    pub fn new(text: &'a str, path: &'a Path, comments: bool) -> Result<Csv<'a>> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(comments.then_some(b'#'))
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| Error::Invalid(vec![malformed(path, &e, None)]))?
            .clone();
        Ok(Csv {
            path,
            text,
            comments,
            reader,
            headers,
        })
    }

    /// The header's column names, in order.
    pub fn headers(&self) -> &csv::StringRecord {
        &self.headers
    }

    /// Position of the column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The header as written, `a,b,c` (for messages).
    pub fn header_text(&self) -> String {
        self.headers.iter().collect::<Vec<_>>().join(",")
    }

    /// The positions of the `required` columns, or a problem at the header listing what is
    /// expected (`expected`, e.g. `iso3,country,vote`) and what was found.
    pub fn require<const N: usize>(
        &self,
        required: [&str; N],
        expected: &str,
    ) -> Result<[usize; N]> {
        let found = required.map(|c| self.column(c));
        found
            .iter()
            .all(Option::is_some)
            .then(|| found.map(|c| c.unwrap_or_default()))
            .ok_or_else(|| {
                Error::invalid(
                    self.path,
                    Some(1),
                    "header",
                    format!("expected columns {expected}; found {}", self.header_text()),
                )
            })
    }

    /// Calls `f(line, record, problems)` for each well-formed record in order; a malformed
    /// record is added to `problems` (naming the file and line) in its place.
    pub fn each_record(
        &mut self,
        problems: &mut Vec<Problem>,
        mut f: impl FnMut(usize, &csv::StringRecord, &mut Vec<Problem>),
    ) {
        for rec in self.records() {
            match rec {
                Ok((line, r)) => f(line, &r, problems),
                Err(p) => problems.push(p),
            }
        }
    }

    /// The records with their lines; a malformed record is a problem naming the file and line.
    pub fn records(
        &mut self,
    ) -> impl Iterator<Item = std::result::Result<(usize, csv::StringRecord), Problem>> + '_ {
        let (path, text, comments) = (self.path, self.text, self.comments);
        self.reader.records().map(move |r| match r {
            Ok(rec) => Ok((
                rec.position().map_or(0, |p| line_of(text, p, comments)),
                rec,
            )),
            Err(e) => Err(malformed(path, &e, Some((text, comments)))),
        })
    }
}

/// The 1-based line a record at `pos` starts on. The reader's position is where it started
/// reading, before any `#` comment or blank lines it skipped: those are skipped here too.
fn line_of(text: &str, pos: &csv::Position, comments: bool) -> usize {
    let mut line = pos.line() as usize;
    let mut rest = text.get(pos.byte() as usize..).unwrap_or("");
    while let Some((first, tail)) = rest.split_once('\n') {
        let skipped =
            first.trim_end_matches('\r').is_empty() || (comments && first.starts_with('#'));
        if !skipped {
            break;
        }
        line += 1;
        rest = tail;
    }
    line
}

/// A malformed-CSV problem at the error's line (the header's, line 1, if it has none);
/// `source` (the text and whether it has comments) places the line exactly.
fn malformed(path: &Path, e: &csv::Error, source: Option<(&str, bool)>) -> Problem {
    let line = match (e.position(), source) {
        (Some(p), Some((text, comments))) => line_of(text, p, comments),
        (Some(p), None) => p.line() as usize,
        (None, _) => 1,
    };
    Problem::new(path, Some(line), "", format!("malformed CSV: {e}"))
}

/// Tracks the ISO3 codes seen in a file: the second row of a state is a problem naming the
/// line of the first.
#[derive(Default)]
pub struct Seen(HashMap<String, usize>);

impl Seen {
    /// Records `iso3` at `line`; a problem if it was seen before.
    pub fn duplicate(&mut self, path: &Path, line: usize, iso3: &str) -> Option<Problem> {
        let prev = self.0.insert(iso3.to_string(), line)?;
        Some(Problem::new(
            path,
            Some(line),
            format!("state {iso3}"),
            format!("duplicate row (first at line {prev})"),
        ))
    }
}

/// `Ok(value)` when no problem was found, else every problem.
pub fn all_or_problems<T>(value: T, problems: Vec<Problem>) -> Result<T> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(Error::Invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso3_codes_are_three_upper_case_letters() {
        assert_eq!(check_iso3("FRA"), None);
        for bad in ["fra", "FR", "FRAN", "F1A", "ÉTA"] {
            assert!(check_iso3(bad).is_some(), "{bad}");
        }
        assert_eq!(
            check_iso3("aa1").unwrap(),
            "\"aa1\" is not a 3-letter upper-case code"
        );
    }

    #[test]
    fn sizes_are_named_in_whole_units() {
        assert_eq!(human_bytes(MAX_FILE_BYTES), "16 MiB");
        assert_eq!(human_bytes(MAX_SHARD_BYTES), "4 GiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }

    #[test]
    fn records_carry_their_lines_and_problems() {
        // Comment and blank lines are skipped, and counted in the lines reported.
        let t = "# made by a tool\na,b\n# note\n1,2\n\n# more\n3\n5,6\n";
        let mut csv = Csv::new(t, Path::new("x.csv"), true).unwrap();
        assert_eq!(csv.column("b"), Some(1));
        assert_eq!(csv.header_text(), "a,b");
        let rows: Vec<_> = csv.records().collect();
        assert_eq!(rows[0].as_ref().unwrap().0, 4);
        let p = rows[1].as_ref().unwrap_err();
        assert_eq!(p.line, Some(7), "{p}");
        assert_eq!(rows[2].as_ref().unwrap().0, 8);
        assert!(p.message.starts_with("malformed CSV"), "{p}");
    }
}
