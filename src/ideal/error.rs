//! The error type of the ideal-point module: every problem a user can cause names the file and,
//! where known, the line and the field at fault.

use std::fmt;
use std::path::PathBuf;

/// Where a problem in an input file is: file, 1-based line (if known) and field (column, JSON
/// path or option name; may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file concerned.
    pub file: PathBuf,
    /// 1-based line number, where known.
    pub line: Option<usize>,
    /// Column, field or JSON path at fault (empty when the whole file or line is at fault).
    pub field: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        Ok(())
    }
}

/// Errors of [`crate::ideal`]. Variants a caller can match: a file that cannot be read or
/// written, a bad input file (with location), an unknown roll call in a request, invalid
/// options, and a fit that failed numerically.
#[derive(Debug, thiserror::Error)]
pub enum IdealError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An input file (history, model, blocs or members file) is malformed or inconsistent.
    #[error("{at}: {message}")]
    Input {
        /// File, line and field at fault.
        at: Location,
        /// What is wrong and, where useful, what is expected instead.
        message: String,
    },
    /// A roll call named in a request (`like`) is not in the model's history.
    #[error("unknown roll call {name:?}: {message}")]
    UnknownRollCall {
        /// The symbol or record number as given.
        name: String,
        /// Why it is unknown (e.g. the model's date range).
        message: String,
    },
    /// An option or request value is out of range or inconsistent.
    #[error("invalid option {field}: {message}")]
    Options {
        /// The option, e.g. `dims` or `date`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The fit could not be carried out (e.g. no roll calls in the window, a non-finite
    /// objective).
    #[error("ideal-point fit failed: {0}")]
    Fit(String),
}

impl IdealError {
    /// An [`IdealError::Input`] at `file`, `line`, `field`.
    pub fn input(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        IdealError::Input {
            at: Location {
                file: file.into(),
                line,
                field: field.into(),
            },
            message: message.into(),
        }
    }

    /// An [`IdealError::Options`] about `field`.
    pub fn options(field: impl Into<String>, message: impl Into<String>) -> Self {
        IdealError::Options {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The location of an [`IdealError::Input`], if this is one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            IdealError::Input { at, .. } => Some(at),
            _ => None,
        }
    }
}

/// Result alias of the ideal-point module.
pub type Result<T, E = IdealError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_error_names_file_line_and_field() {
        let e = IdealError::input("votes.csv", Some(7), "vote", "unknown code \"Q\"");
        assert_eq!(e.to_string(), "votes.csv:7: vote: unknown code \"Q\"");
        let e = IdealError::input("m.json", None, "", "not JSON");
        assert_eq!(e.to_string(), "m.json: not JSON");
    }
}
