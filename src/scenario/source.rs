//! Where a scenario's base positions come from, and the files a scenario reads.
//!
//! A scenario's members and their base probabilities come from one [`BaseSource`]: a members
//! CSV (`[members] file`), a prior model estimated from recorded roll calls (`[prior]`), or only
//! the `[[state]]` entries of the file. A prior model is a [`PriorModel`]: the validator checks
//! the `[prior]` section, this module reads what it names and [`PriorModel::estimate`] turns it
//! into members-CSV rows, which the validator then checks like any members file. A new prior
//! model is a new variant of [`PriorModel`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::types::InputFile;
use crate::error::Result;
use crate::input::members::MemberRow;
use crate::input::read_text;
use crate::prior;

/// Where a scenario's members and base positions come from.
#[derive(Debug, Clone, PartialEq)]
pub enum BaseSource {
    /// Only the `[[state]]` entries of the scenario file.
    Inline,
    /// A members CSV (`[members] file`), as joined to the scenario's folder.
    MembersFile(PathBuf),
    /// Estimated from recorded roll calls by a prior model (`[prior]`).
    Prior(PriorModel),
}

impl BaseSource {
    /// What `[prior]` estimated from, if the positions were estimated.
    pub fn prior(&self) -> Option<&prior::Inputs> {
        match self {
            BaseSource::Prior(m) => Some(m.inputs()),
            BaseSource::Inline | BaseSource::MembersFile(_) => None,
        }
    }
}

/// A model that estimates the members' base positions from recorded votes.
#[derive(Debug, Clone, PartialEq)]
pub enum PriorModel {
    /// Weighted vote counts shrunk toward each state's group ([`crate::prior`]), with the
    /// members, roll calls and settings it was estimated from (shared: cloning a scenario does
    /// not copy the roll calls).
    Shrinkage(Arc<prior::Inputs>),
}

impl PriorModel {
    /// The members, roll calls and settings the model was estimated from.
    pub fn inputs(&self) -> &prior::Inputs {
        match self {
            PriorModel::Shrinkage(inputs) => inputs,
        }
    }

    /// The base positions the model estimates, as the rows of a members CSV (lines of the
    /// members file), for the validator to check like any members file.
    pub fn estimate(&self) -> Result<Vec<MemberRow>> {
        match self {
            PriorModel::Shrinkage(inputs) => {
                let est = prior::estimate(inputs)?;
                Ok(est
                    .states
                    .into_iter()
                    .zip(&inputs.members)
                    .map(|(s, m)| MemberRow {
                        line: m.line,
                        iso3: s.iso3,
                        name: s.name,
                        probs: s.probs,
                        susceptibility: None,
                    })
                    .collect())
            }
        }
    }
}

/// The files a scenario reads, each read once: their text (reused when several sections name
/// the same file) and, in the order first read, their [`InputFile`] records, hashed from the
/// very bytes that were parsed.
pub(super) struct InputLog {
    /// The scenario's folder, which relative paths in it start from.
    base: PathBuf,
    texts: HashMap<PathBuf, String>,
    files: Vec<InputFile>,
}

impl InputLog {
    pub(super) fn new(base: PathBuf) -> InputLog {
        InputLog {
            base,
            texts: HashMap::new(),
            files: Vec::new(),
        }
    }

    /// The text of `path` (a path joined to the scenario's folder), read on first use.
    pub(super) fn read(&mut self, path: &Path) -> Result<String> {
        if let Some(text) = self.texts.get(path) {
            return Ok(text.clone());
        }
        let text = read_text(path)?;
        let written = path.strip_prefix(&self.base).unwrap_or(path);
        self.files.push(InputFile {
            file: written.display().to_string(),
            sha256: sha256_hex(text.as_bytes()),
        });
        self.texts.insert(path.to_path_buf(), text.clone());
        Ok(text)
    }

    /// The records of the files read, in the order first read.
    pub(super) fn into_files(self) -> Vec<InputFile> {
        self.files
    }
}

/// Reads what a `[prior]` section names (its members file and weighted roll calls, through
/// `log`) and sets up the prior model; the rows it estimates, or why it cannot.
pub(super) fn prior_model(
    log: &mut InputLog,
    members_file: &Path,
    rollcalls: &[(PathBuf, f64)],
    settings: prior::Settings,
) -> Result<(PriorModel, Vec<MemberRow>)> {
    let inputs = prior::Inputs::read_with(members_file, rollcalls, settings, |p| log.read(p))?;
    let model = PriorModel::Shrinkage(Arc::new(inputs));
    let rows = model.estimate()?;
    Ok((model, rows))
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
