//! The fitted model and its file: JSON, one line, every number in the shortest form that
//! reads back to the same `f64` (so writing, reading and writing again gives the same bytes).
//!
//! The file holds the options, the history's SHA-256 digests and window, the engine version,
//! convergence information, every parameter, and each roll call's recorded votes (one
//! character per state, so that `prior` can pool a state's own record without the history).
//! Nothing in it depends on the thread count or the clock: the same history, options and
//! version give the same bytes.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::date::Date;
use super::error::{IdealError, Result};
use super::history::{HistoryDigest, Iso3};
use super::model::FitOptions;
use crate::vote::Outcome;

/// Value of the `format` field.
pub const FORMAT: &str = "lobbysim-ideal";
/// Current `format_version`.
pub const FORMAT_VERSION: u32 = 1;
/// Largest model file read (256 MiB).
pub const MAX_MODEL_BYTES: u64 = 256 * 1024 * 1024;

/// The history a model was fitted to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryInfo {
    /// SHA-256 of the two history files (absent for a history built in memory).
    pub digest: Option<HistoryDigest>,
    /// `since` of the window (inclusive), if given.
    pub since: Option<Date>,
    /// `until` of the window (inclusive), if given.
    pub until: Option<Date>,
    /// Date of the first roll call fitted.
    pub first_date: Date,
    /// Date of the last roll call fitted.
    pub last_date: Date,
    /// Number of roll calls fitted.
    pub rollcalls: usize,
    /// Number of state votes fitted (rows, not voting included).
    pub votes: usize,
}

/// How the optimiser ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Convergence {
    /// L-BFGS iterations.
    pub iterations: u64,
    /// Evaluations of the objective and its gradient.
    pub evaluations: u64,
    /// Final negative log posterior (nats, up to a constant).
    pub objective: f64,
    /// Final log-likelihood of the fitted votes (nats).
    pub log_likelihood: f64,
    /// Euclidean norm of the final gradient.
    pub gradient_norm: f64,
    /// Why the optimiser stopped.
    pub termination: String,
    /// Whether it stopped by its convergence criterion (not the iteration limit or a failure).
    pub converged: bool,
}

/// One state's fitted parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFit {
    /// ISO 3166-1 alpha-3 code.
    pub iso3: Iso3,
    /// First session with parameters (its first session with a vote in the window).
    pub first_session: i32,
    /// Last session with parameters.
    pub last_session: i32,
    /// Position `x_{i,t}` (D numbers) for each session `first_session..=last_session`.
    pub positions: Vec<Vec<f64>>,
    /// Absence propensity `a_{i,t}` (log-odds) for each session.
    pub absence: Vec<f64>,
    /// Absence interaction loadings `u_i` (K numbers).
    pub absence_loading: Vec<f64>,
}

impl StateFit {
    /// The position in `session`, if the state has parameters for it.
    pub fn position(&self, session: i32) -> Option<&[f64]> {
        let k = session.checked_sub(self.first_session)?;
        usize::try_from(k)
            .ok()
            .and_then(|k| self.positions.get(k))
            .map(Vec::as_slice)
    }
}

/// One roll call's fitted parameters and recorded votes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollCallFit {
    /// UN Digital Library record number.
    pub record: u64,
    /// Document symbol.
    pub symbol: String,
    /// Date of the vote.
    pub date: Date,
    /// Session it was held in (see [`Date::session`]).
    pub session: i32,
    /// Title.
    pub title: String,
    /// Discrimination `β_j` (D numbers).
    pub discrimination: Vec<f64>,
    /// Lower cut-point `c₁` (no | abstain).
    pub cut_no: f64,
    /// Upper cut-point `c₂ > c₁` (abstain | yes).
    pub cut_yes: f64,
    /// Absence level `μ_j` (log-odds).
    pub absence_level: f64,
    /// Absence interaction loadings `v_j` (K numbers).
    pub absence_loading: Vec<f64>,
    /// Recorded votes, one character per model state in order: `Y`, `N`, `A`, `X` (not
    /// voting) or `.` (not a member that day).
    pub votes: String,
}

impl RollCallFit {
    /// The recorded vote of model state `i` (`None`: not a member).
    pub fn vote_of(&self, i: usize) -> Option<Outcome> {
        match self.votes.as_bytes().get(i)? {
            b'Y' => Some(Outcome::Yes),
            b'N' => Some(Outcome::No),
            b'A' => Some(Outcome::Abstain),
            b'X' => Some(Outcome::Absent),
            _ => None,
        }
    }
}

/// A fitted ideal-point model (the content of a model file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdealModel {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// lobbysim version that fitted the model.
    pub engine_version: String,
    /// The history fitted.
    pub history: HistoryInfo,
    /// The fit options.
    pub options: FitOptions,
    /// How the optimiser ended.
    pub convergence: Convergence,
    /// States, sorted by code.
    pub states: Vec<StateFit>,
    /// Roll calls, chronological.
    pub rollcalls: Vec<RollCallFit>,
}

impl IdealModel {
    /// The model as file bytes: compact JSON and a final newline.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of numbers and strings cannot fail.
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the model to `path` atomically (a temporary file in the same directory, then a
    /// rename), so a failed write never leaves a half-written model.
    pub fn write(&self, path: &Path) -> Result<()> {
        let io = |source| IdealError::Io {
            path: path.to_path_buf(),
            source,
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(self.to_json().as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(io)
    }

    /// Reads and validates a model file.
    pub fn read(path: &Path) -> Result<IdealModel> {
        let io = |source| IdealError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.len() > MAX_MODEL_BYTES {
            return Err(IdealError::input(
                path,
                None,
                "",
                format!(
                    "file is {} bytes; at most {MAX_MODEL_BYTES} are read",
                    meta.len()
                ),
            ));
        }
        let bytes = std::fs::read(path).map_err(io)?;
        IdealModel::from_json(&bytes, path)
    }

    /// Parses and validates model bytes; errors name `path`.
    pub fn from_json(bytes: &[u8], path: &Path) -> Result<IdealModel> {
        let m: IdealModel = serde_json::from_slice(bytes).map_err(|e| {
            IdealError::input(
                path,
                (e.line() > 0).then_some(e.line()),
                "",
                format!("not a valid model file: {e}"),
            )
        })?;
        m.validate(path)?;
        Ok(m)
    }

    /// Checks the model's internal consistency (dimensions, ordering, finiteness, votes);
    /// errors name `path` and the field.
    pub fn validate(&self, path: &Path) -> Result<()> {
        let bad = |field: String, msg: String| Err(IdealError::input(path, None, field, msg));
        if self.format != FORMAT {
            return bad(
                "format".into(),
                format!("expected {FORMAT:?}, got {:?}", self.format),
            );
        }
        if self.format_version != FORMAT_VERSION {
            return bad(
                "format_version".into(),
                format!(
                    "this lobbysim reads version {FORMAT_VERSION}, the file is version {}",
                    self.format_version
                ),
            );
        }
        self.options.validate().map_err(|e| match e {
            IdealError::Options { field, message } => {
                IdealError::input(path, None, format!("options.{field}"), message)
            }
            other => other,
        })?;
        let (dims, rank) = (self.options.dims, self.options.absence_rank);
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        for (k, s) in self.states.iter().enumerate() {
            let f = |name: &str| format!("states[{k}] ({}).{name}", s.iso3);
            if k > 0 && self.states[k - 1].iso3 >= s.iso3 {
                return bad(f("iso3"), "states must be sorted by code, each once".into());
            }
            if s.last_session < s.first_session {
                return bad(f("last_session"), "before first_session".into());
            }
            let n = (s.last_session - s.first_session + 1) as usize;
            if s.positions.len() != n || s.absence.len() != n {
                return bad(
                    f("positions"),
                    format!("expected {n} sessions of positions and absence propensities"),
                );
            }
            if let Some(t) = s
                .positions
                .iter()
                .position(|p| p.len() != dims || !finite(p))
            {
                return bad(
                    format!("{}[{t}]", f("positions")),
                    format!("expected {dims} finite numbers"),
                );
            }
            if !finite(&s.absence) || s.absence_loading.len() != rank || !finite(&s.absence_loading)
            {
                return bad(
                    f("absence"),
                    format!("expected finite numbers, {rank} loadings"),
                );
            }
        }
        let mut records = HashMap::new();
        let mut symbols = HashMap::new();
        for (j, r) in self.rollcalls.iter().enumerate() {
            let f = |name: &str| format!("rollcalls[{j}] ({}).{name}", r.symbol);
            if j > 0 && self.rollcalls[j - 1].date > r.date {
                return bad(f("date"), "roll calls must be chronological".into());
            }
            if records.insert(r.record, j).is_some() {
                return bad(f("record"), format!("duplicate record {}", r.record));
            }
            if symbols.insert(r.symbol.as_str(), j).is_some() {
                return bad(f("symbol"), "duplicate symbol".into());
            }
            if r.session != r.date.session() {
                return bad(
                    f("session"),
                    format!("a vote on {} is in session {}", r.date, r.date.session()),
                );
            }
            if r.discrimination.len() != dims || !finite(&r.discrimination) {
                return bad(
                    f("discrimination"),
                    format!("expected {dims} finite numbers"),
                );
            }
            if !(r.cut_no.is_finite() && r.cut_yes.is_finite() && r.cut_no < r.cut_yes) {
                return bad(
                    f("cut_yes"),
                    "cut-points must be finite with cut_no < cut_yes".into(),
                );
            }
            if !r.absence_level.is_finite()
                || r.absence_loading.len() != rank
                || !finite(&r.absence_loading)
            {
                return bad(
                    f("absence_loading"),
                    format!("expected a finite level and {rank} finite loadings"),
                );
            }
            if r.votes.len() != self.states.len() {
                return bad(
                    f("votes"),
                    format!("expected one character per state ({})", self.states.len()),
                );
            }
            for (i, c) in r.votes.bytes().enumerate() {
                if !b"YNAX.".contains(&c) {
                    return bad(f("votes"), format!("invalid character at position {i}"));
                }
                if c != b'.' && self.states[i].position(r.session).is_none() {
                    return bad(
                        f("votes"),
                        format!(
                            "{} voted but has no position in session {}",
                            self.states[i].iso3, r.session
                        ),
                    );
                }
            }
        }
        if self.rollcalls.is_empty() || self.states.is_empty() {
            return bad(
                "rollcalls".into(),
                "a model needs roll calls and states".into(),
            );
        }
        Ok(())
    }

    /// Index of the roll call with this symbol or (all digits) record number.
    pub fn find_rollcall(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            let rec: u64 = name.parse().ok()?;
            return self.rollcalls.iter().position(|r| r.record == rec);
        }
        self.rollcalls.iter().position(|r| r.symbol == name)
    }

    /// Index of a state.
    pub fn state_index(&self, iso3: Iso3) -> Option<usize> {
        self.states.binary_search_by_key(&iso3, |s| s.iso3).ok()
    }

    /// Last session with parameters for any state.
    pub fn last_session(&self) -> i32 {
        self.states
            .iter()
            .map(|s| s.last_session)
            .max()
            .unwrap_or(0)
    }
}
