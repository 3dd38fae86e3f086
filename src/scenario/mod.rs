//! Scenario files: the TOML format (see `docs/scenario-format.md`) turned into a validated,
//! immutable [`Scenario`].
//!
//! Loading is two-stage, as in ripgrep's low-level and high-level arguments: [`raw`] mirrors
//! the file (`deny_unknown_fields`, no derived work), then the validator
//! (`validate.rs`) resolves states, blocs and targets and checks every value, collecting *all*
//! problems so that `lobbysim validate` can list them at once. Each problem names the file,
//! the line where known ([`location`]), and the field or state at fault.
//!
//! * [`types`]: the validated model ([`Scenario`], read through its [`Contents`]).
//! * [`bounds`]: the range every number must lie in, shared by the validator and [`param`].
//! * [`source`]: where base positions come from (members CSV, prior model) and the log of
//!   files read; the files themselves are read by [`crate::input`].
//! * [`param`]: names for numeric parameters, to read and change them one at a time (sweeps,
//!   fits) under the validator's rules.

pub mod bounds;
pub mod location;
pub mod param;
pub mod raw;
pub mod source;
pub mod types;
mod validate;

use std::path::Path;

use crate::error::{Error, Result};
use crate::input::read_text;

pub use bounds::{
    DEFAULT_LEADER_INFLUENCE, MAX_BALLOTS, MAX_EFFORT, MAX_PULL, MAX_STATES, MAX_STRENGTH,
};
pub use param::ParamPath;
pub use source::{BaseSource, PriorModel};
pub use types::{
    Bloc, Campaign, Claim, CmpOp, Contents, Direction, Evidence, InputFile, Meta, ModelParams,
    Reference, ReferenceKind, RngKind, Rule, Scenario, Simulation, State, Target, TargetKind,
};

/// Reads, parses and validates a scenario file. Paths inside it are relative to its folder.
pub fn load(path: &Path) -> Result<Scenario> {
    let text = read_text(path)?;
    parse(&text, path)
}

/// Parses and validates scenario text as if read from `path` (used for messages, for the
/// folder that relative paths start from, and for the recorded file name).
pub fn parse(text: &str, path: &Path) -> Result<Scenario> {
    let sha256 = source::sha256_hex(text.as_bytes());
    let raw: raw::RawScenario = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| location::line_of(text, s.start));
        let field = e
            .span()
            .map(|s| location::field_at(text, s.start))
            .unwrap_or_default();
        Error::invalid(path, line, field, e.message().trim().to_string())
    })?;
    validate::Validator::new(text, path).build(raw, sha256)
}

/// Scenarios for the library's unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;

    use super::{Evidence, Scenario};

    /// The shipped example scenario.
    pub fn example() -> Scenario {
        super::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml"))
            .expect("example scenario loads")
    }

    /// The example scenario with one piece of evidence, labelled "earlier": observed yes,
    /// no, abstain and absent totals, no shift.
    pub fn example_with_evidence(observed: [u64; 4]) -> Scenario {
        example()
            .with_evidence(Evidence {
                label: "earlier".into(),
                observed,
                shift: 0.0,
                absent: None,
            })
            .expect("valid evidence")
    }
}
