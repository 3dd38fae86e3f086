//! The General Assembly's voting history: reading and validating `rollcalls.csv` and
//! `votes.csv` (the format of `data/unga/`), and selecting a date window.
//!
//! * `rollcalls.csv`: `record,symbol,date,yes,no,abstain,absent,title` — one row per roll call,
//!   in chronological order (dates never decrease; roll calls of one day by increasing record
//!   number, which is the order they are taken as having been held in),
//!   unique record numbers and symbols, tallies equal to the counts in `votes.csv`.
//! * `votes.csv`: `record,iso3,vote` — one row per state per roll call (a state without a row
//!   was not a member, or not seated, that day); `vote` ∈ `Y` yes, `N` no, `A` abstain, `X` not
//!   voting; ISO 3166-1 alpha-3 codes (three upper-case letters); at most one row per
//!   (record, iso3); every record listed in `rollcalls.csv` and every roll call with at least
//!   one row. Rows may come in any order (the shipped file groups them by roll call in the
//!   order of `rollcalls.csv`).
//!
//! Both files are checked completely (whatever the window) and the first problem found is
//! reported with file, line and field. The SHA-256 of the bytes read is kept for the model file.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::date::Date;
use super::error::{IdealError, Result};
pub use super::iso3::Iso3;
use crate::vote::Outcome;

/// Largest history file read, in bytes (256 MiB; the 1991–2022 `votes.csv` is 6 MB).
pub const MAX_HISTORY_BYTES: u64 = 256 * 1024 * 1024;
/// Header of `rollcalls.csv`.
pub const ROLLCALLS_HEADER: [&str; 8] = [
    "record", "symbol", "date", "yes", "no", "abstain", "absent", "title",
];
/// Header of `votes.csv`.
pub const VOTES_HEADER: [&str; 3] = ["record", "iso3", "vote"];

/// A date window `[since, until]` (both inclusive, both optional).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// First date included (none: from the start of the files).
    pub since: Option<Date>,
    /// Last date included (none: to the end of the files).
    pub until: Option<Date>,
}

impl Window {
    /// The window `[since, until]`; refuses `since > until`.
    pub fn new(since: Option<Date>, until: Option<Date>) -> Result<Window> {
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            return Err(IdealError::options(
                "since",
                format!("since ({s}) is after until ({u})"),
            ));
        }
        Ok(Window { since, until })
    }

    /// Whether `d` is inside the window.
    pub fn contains(&self, d: Date) -> bool {
        self.since.is_none_or(|s| d >= s) && self.until.is_none_or(|u| d <= u)
    }
}

/// The SHA-256 digests (lower-case hex) of the two history files as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryDigest {
    /// SHA-256 of `rollcalls.csv`.
    pub rollcalls_sha256: String,
    /// SHA-256 of `votes.csv`.
    pub votes_sha256: String,
}

/// One state's vote in one roll call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateVote {
    /// Index into [`History::states`].
    pub state: u16,
    /// The recorded vote.
    pub vote: Outcome,
}

/// One recorded roll call with its votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollCall {
    /// UN Digital Library record number (unique).
    pub record: u64,
    /// Document symbol, e.g. `A/RES/ES-11/1` (unique).
    pub symbol: String,
    /// Date of the vote.
    pub date: Date,
    /// Title of the resolution or decision.
    pub title: String,
    /// Votes of the states that were members that day, sorted by state index.
    pub votes: Vec<StateVote>,
}

impl RollCall {
    /// Counts of yes, no, abstain and not voting.
    pub fn tally(&self) -> [u32; 4] {
        let mut t = [0u32; 4];
        for v in &self.votes {
            t[v.vote.index()] += 1;
        }
        t
    }

    /// The vote of state `state` (an index into [`History::states`]), if it was a member.
    pub fn vote_of(&self, state: u16) -> Option<Outcome> {
        self.votes
            .binary_search_by_key(&state, |v| v.state)
            .ok()
            .map(|k| self.votes[k].vote)
    }
}

/// A validated voting history: roll calls in chronological order and the states that voted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// Digests of the files read (`None` for a history built in memory).
    pub digest: Option<HistoryDigest>,
    /// The window the roll calls were selected with.
    pub window: Window,
    /// States with at least one row in the selected roll calls, sorted by code.
    pub states: Vec<Iso3>,
    /// The selected roll calls, chronological (same-day roll calls by record number).
    pub rollcalls: Vec<RollCall>,
}

impl History {
    /// Reads and validates `dir/rollcalls.csv` and `dir/votes.csv` and keeps the roll calls
    /// dated inside `window`.
    pub fn read(dir: &Path, window: Window) -> Result<History> {
        let rc_path = dir.join("rollcalls.csv");
        let v_path = dir.join("votes.csv");
        let rc_bytes = read_bytes(&rc_path)?;
        let v_bytes = read_bytes(&v_path)?;
        let digest = HistoryDigest {
            rollcalls_sha256: hex(&Sha256::digest(&rc_bytes)),
            votes_sha256: hex(&Sha256::digest(&v_bytes)),
        };
        let full = parse(&rc_path, &rc_bytes, &v_path, &v_bytes)?;
        let mut h = full.select(window);
        h.digest = Some(digest);
        Ok(h)
    }

    /// A history from roll calls built in memory (e.g. simulated), checked as files are:
    /// chronological order, unique records and symbols, at least one vote per roll call, state
    /// indices in range and strictly increasing within a roll call. `states` must be sorted
    /// and unique.
    pub fn from_parts(states: Vec<Iso3>, rollcalls: Vec<RollCall>) -> Result<History> {
        let here = Path::new("<memory>");
        if states.windows(2).any(|w| w[0] >= w[1]) {
            return Err(IdealError::input(
                here,
                None,
                "states",
                "must be sorted and unique",
            ));
        }
        if states.len() > usize::from(u16::MAX) {
            return Err(IdealError::input(here, None, "states", "too many states"));
        }
        let mut records = HashMap::new();
        let mut symbols = HashMap::new();
        for (k, rc) in rollcalls.iter().enumerate() {
            let field = format!("rollcalls[{k}]");
            if k > 0 && rc.date < rollcalls[k - 1].date {
                return Err(IdealError::input(here, None, field, "dates out of order"));
            }
            if records.insert(rc.record, k).is_some() || symbols.insert(&rc.symbol, k).is_some() {
                return Err(IdealError::input(
                    here,
                    None,
                    field,
                    "duplicate record or symbol",
                ));
            }
            if rc.votes.is_empty() {
                return Err(IdealError::input(
                    here,
                    None,
                    field,
                    "roll call with no votes",
                ));
            }
            if rc.votes.windows(2).any(|w| w[0].state >= w[1].state)
                || rc
                    .votes
                    .iter()
                    .any(|v| usize::from(v.state) >= states.len())
            {
                return Err(IdealError::input(
                    here,
                    None,
                    field,
                    "votes must name each state index once, in increasing order",
                ));
            }
        }
        Ok(History {
            digest: None,
            window: Window::default(),
            states,
            rollcalls,
        })
    }

    /// The roll calls dated inside `window`, with the state list reduced to the states that
    /// appear in them (indices renumbered). The digest is kept.
    pub fn select(&self, window: Window) -> History {
        let chosen: Vec<&RollCall> = self
            .rollcalls
            .iter()
            .filter(|r| window.contains(r.date))
            .collect();
        let mut used = vec![false; self.states.len()];
        for r in &chosen {
            for v in &r.votes {
                used[usize::from(v.state)] = true;
            }
        }
        let mut remap = vec![u16::MAX; self.states.len()];
        let mut states = Vec::new();
        for (k, &u) in used.iter().enumerate() {
            if u {
                remap[k] = states.len() as u16;
                states.push(self.states[k]);
            }
        }
        let rollcalls = chosen
            .into_iter()
            .map(|r| RollCall {
                votes: r
                    .votes
                    .iter()
                    .map(|v| StateVote {
                        state: remap[usize::from(v.state)],
                        vote: v.vote,
                    })
                    .collect(),
                ..r.clone()
            })
            .collect();
        History {
            digest: self.digest.clone(),
            window,
            states,
            rollcalls,
        }
    }

    /// Index of a state's code in [`History::states`].
    pub fn state_index(&self, iso3: Iso3) -> Option<u16> {
        self.states.binary_search(&iso3).ok().map(|k| k as u16)
    }

    /// Index in [`History::rollcalls`] of the roll call with this symbol (e.g.
    /// `A/RES/ES-11/1`) or, if `name` is all digits, this record number.
    pub fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            let rec: u64 = name.parse().ok()?;
            return self.rollcalls.iter().position(|r| r.record == rec);
        }
        self.rollcalls.iter().position(|r| r.symbol == name)
    }

    /// Total number of state votes (rows) in the selected roll calls.
    pub fn vote_count(&self) -> usize {
        self.rollcalls.iter().map(|r| r.votes.len()).sum()
    }
}

/// Lower-case hexadecimal of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let io = |source| IdealError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_HISTORY_BYTES {
        return Err(IdealError::input(
            path,
            None,
            "",
            format!(
                "file is {} bytes; at most {MAX_HISTORY_BYTES} bytes are read",
                meta.len()
            ),
        ));
    }
    std::fs::read(path).map_err(io)
}

/// One row of `rollcalls.csv` before the votes are attached.
struct RawRollCall {
    line: usize,
    rollcall: RollCall,
    tally: [u32; 4],
}

fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

fn check_header(
    path: &Path,
    reader: &mut csv::Reader<&[u8]>,
    row: &mut csv::ByteRecord,
    expected: &[&str],
) -> Result<()> {
    let got = reader
        .read_byte_record(row)
        .map_err(|e| csv_error(path, &e))?;
    let ok = got
        && row.len() == expected.len()
        && row.iter().zip(expected).all(|(a, b)| a == b.as_bytes());
    if !ok {
        return Err(IdealError::input(
            path,
            Some(1),
            "header",
            format!("expected the header {:?}", expected.join(",")),
        ));
    }
    Ok(())
}

fn csv_error(path: &Path, e: &csv::Error) -> IdealError {
    let line = e.position().map(|p| p.line() as usize);
    IdealError::input(path, line, "", format!("malformed CSV: {e}"))
}

fn field_str<'a>(path: &Path, line: usize, name: &str, b: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(b).map_err(|_| IdealError::input(path, Some(line), name, "not valid UTF-8"))
}

fn parse_rollcalls(path: &Path, bytes: &[u8]) -> Result<Vec<RawRollCall>> {
    let mut reader = csv_reader(bytes);
    let mut row = csv::ByteRecord::new();
    check_header(path, &mut reader, &mut row, &ROLLCALLS_HEADER)?;
    let mut out: Vec<RawRollCall> = Vec::new();
    let mut by_record: HashMap<u64, usize> = HashMap::new();
    let mut by_symbol: HashMap<String, usize> = HashMap::new();
    while reader
        .read_byte_record(&mut row)
        .map_err(|e| csv_error(path, &e))?
    {
        let line = row.position().map_or(0, |p| p.line() as usize);
        if row.len() != ROLLCALLS_HEADER.len() {
            return Err(IdealError::input(
                path,
                Some(line),
                "",
                format!("expected 8 fields, found {}", row.len()),
            ));
        }
        let text = |k: usize| field_str(path, line, ROLLCALLS_HEADER[k], &row[k]);
        let record_s = text(0)?;
        let record: u64 = record_s.parse().map_err(|_| {
            IdealError::input(
                path,
                Some(line),
                "record",
                format!("expected a record number, got {record_s:?}"),
            )
        })?;
        let symbol = text(1)?.trim().to_string();
        if symbol.is_empty() {
            return Err(IdealError::input(
                path,
                Some(line),
                "symbol",
                "empty symbol",
            ));
        }
        let date: Date = text(2)?.parse().map_err(|e: super::date::DateError| {
            IdealError::input(path, Some(line), "date", e.to_string())
        })?;
        let mut tally = [0u32; 4];
        for (o, t) in tally.iter_mut().enumerate() {
            let s = text(3 + o)?;
            *t = s.parse().map_err(|_| {
                IdealError::input(
                    path,
                    Some(line),
                    ROLLCALLS_HEADER[3 + o],
                    format!("expected a count, got {s:?}"),
                )
            })?;
        }
        let title = text(7)?.trim().to_string();
        if title.is_empty() {
            return Err(IdealError::input(path, Some(line), "title", "empty title"));
        }
        if let Some(prev) = out.last()
            && date < prev.rollcall.date
        {
            return Err(IdealError::input(
                path,
                Some(line),
                "date",
                format!(
                    "dates out of order: {date} comes after {} (line {}); roll calls must be \
                     listed chronologically",
                    prev.rollcall.date, prev.line
                ),
            ));
        }
        if let Some(prev) = out.last()
            && date == prev.rollcall.date
            && record < prev.rollcall.record
        {
            return Err(IdealError::input(
                path,
                Some(line),
                "record",
                format!(
                    "record {record} comes after record {} of the same day (line {}); roll calls \
                     of one day must be listed by increasing record number",
                    prev.rollcall.record, prev.line
                ),
            ));
        }
        if let Some(&k) = by_record.get(&record) {
            return Err(IdealError::input(
                path,
                Some(line),
                "record",
                format!("duplicate record {record} (first at line {})", out[k].line),
            ));
        }
        if let Some(&k) = by_symbol.get(&symbol) {
            return Err(IdealError::input(
                path,
                Some(line),
                "symbol",
                format!(
                    "duplicate symbol {symbol:?} (first at line {})",
                    out[k].line
                ),
            ));
        }
        by_record.insert(record, out.len());
        by_symbol.insert(symbol.clone(), out.len());
        out.push(RawRollCall {
            line,
            rollcall: RollCall {
                record,
                symbol,
                date,
                title,
                votes: Vec::new(),
            },
            tally,
        });
    }
    if out.is_empty() {
        return Err(IdealError::input(path, None, "", "no roll calls"));
    }
    Ok(out)
}

/// Parses and cross-checks both files (all roll calls).
fn parse(rc_path: &Path, rc_bytes: &[u8], v_path: &Path, v_bytes: &[u8]) -> Result<History> {
    let mut raw = parse_rollcalls(rc_path, rc_bytes)?;
    let index: HashMap<u64, usize> = raw
        .iter()
        .enumerate()
        .map(|(k, r)| (r.rollcall.record, k))
        .collect();

    // States are numbered in order of first appearance while reading, sorted at the end.
    // `code_slot` maps a code (26³ slots) to that provisional number.
    let mut code_slot = vec![u16::MAX; 26 * 26 * 26];
    let mut codes: Vec<Iso3> = Vec::new();
    let mut rows: Vec<Vec<(u16, Outcome, u32)>> = vec![Vec::new(); raw.len()];
    let mut reader = csv_reader(v_bytes);
    let mut row = csv::ByteRecord::new();
    check_header(v_path, &mut reader, &mut row, &VOTES_HEADER)?;
    // The shipped file groups rows by record: remember the last record's bytes and index.
    let mut last_rec: Vec<u8> = Vec::new();
    let mut last_k: Option<usize> = None;
    while reader
        .read_byte_record(&mut row)
        .map_err(|e| csv_error(v_path, &e))?
    {
        let line = row.position().map_or(0, |p| p.line() as usize);
        if row.len() != VOTES_HEADER.len() {
            return Err(IdealError::input(
                v_path,
                Some(line),
                "",
                format!("expected 3 fields, found {}", row.len()),
            ));
        }
        let rec_b = &row[0];
        let k = match last_k {
            Some(k) if last_rec.as_slice() == rec_b => k,
            _ => {
                let s = field_str(v_path, line, "record", rec_b)?;
                let rec: u64 = s.parse().map_err(|_| {
                    IdealError::input(
                        v_path,
                        Some(line),
                        "record",
                        format!("expected a record number, got {s:?}"),
                    )
                })?;
                let k = *index.get(&rec).ok_or_else(|| {
                    IdealError::input(
                        v_path,
                        Some(line),
                        "record",
                        format!("record {rec} is not in {}", rc_path.display()),
                    )
                })?;
                last_rec.clear();
                last_rec.extend_from_slice(rec_b);
                last_k = Some(k);
                k
            }
        };
        let iso = Iso3::from_bytes(&row[1]).ok_or_else(|| {
            IdealError::input(
                v_path,
                Some(line),
                "iso3",
                format!(
                    "expected an ISO 3166-1 alpha-3 code (three upper-case letters), got {:?}",
                    String::from_utf8_lossy(&row[1])
                ),
            )
        })?;
        let vote = std::str::from_utf8(&row[2])
            .ok()
            .and_then(Outcome::from_letter)
            .filter(|_| row[2].len() == 1)
            .ok_or_else(|| {
                IdealError::input(
                    v_path,
                    Some(line),
                    "vote",
                    format!(
                        "unknown vote code {:?}; expected Y, N, A or X",
                        String::from_utf8_lossy(&row[2])
                    ),
                )
            })?;
        let slot = iso.slot();
        if code_slot[slot] == u16::MAX {
            if codes.len() >= usize::from(u16::MAX) {
                return Err(IdealError::input(
                    v_path,
                    Some(line),
                    "iso3",
                    "too many states",
                ));
            }
            code_slot[slot] = codes.len() as u16;
            codes.push(iso);
        }
        rows[k].push((code_slot[slot], vote, line as u32));
    }

    // Sort codes, renumber, and attach votes sorted by state.
    let mut order: Vec<u16> = (0..codes.len() as u16).collect();
    order.sort_by_key(|&s| codes[usize::from(s)]);
    let mut rank = vec![0u16; codes.len()];
    for (r, &s) in order.iter().enumerate() {
        rank[usize::from(s)] = r as u16;
    }
    let states: Vec<Iso3> = order.iter().map(|&s| codes[usize::from(s)]).collect();
    for (k, votes) in rows.into_iter().enumerate() {
        let r = &mut raw[k];
        if votes.is_empty() {
            return Err(IdealError::input(
                rc_path,
                Some(r.line),
                "record",
                format!(
                    "roll call {} ({}) has no votes in {}",
                    r.rollcall.record,
                    r.rollcall.symbol,
                    v_path.display()
                ),
            ));
        }
        let mut sv: Vec<(u16, Outcome, u32)> = votes
            .into_iter()
            .map(|(s, v, l)| (rank[usize::from(s)], v, l))
            .collect();
        sv.sort_by_key(|&(s, _, l)| (s, l));
        if let Some(w) = sv.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(IdealError::input(
                v_path,
                Some(w[1].2 as usize),
                "iso3",
                format!(
                    "duplicate vote of {} in record {} (first at line {})",
                    states[usize::from(w[1].0)],
                    r.rollcall.record,
                    w[0].2
                ),
            ));
        }
        r.rollcall.votes = sv
            .into_iter()
            .map(|(state, vote, _)| StateVote { state, vote })
            .collect();
        let counted = r.rollcall.tally();
        for o in 0..4 {
            if counted[o] != r.tally[o] {
                return Err(IdealError::input(
                    rc_path,
                    Some(r.line),
                    ROLLCALLS_HEADER[3 + o],
                    format!(
                        "tally {} disagrees with {}, which has {} for record {}",
                        r.tally[o],
                        v_path.display(),
                        counted[o],
                        r.rollcall.record
                    ),
                ));
            }
        }
    }
    Ok(History {
        digest: None,
        window: Window::default(),
        states,
        rollcalls: raw.into_iter().map(|r| r.rollcall).collect(),
    })
}
