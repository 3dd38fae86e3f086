//! Error types of the library boundary.
//!
//! Every error a user can cause names the file it came from and, where known, the line and the
//! field or state at fault, so that it can be acted on without reading the source.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a user's input: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File the problem was found in (a scenario, members CSV, roll call, …).
    pub file: PathBuf,
    /// 1-based line number in `file`, where known.
    pub line: Option<usize>,
    /// The field, table or state at fault, e.g. `[[state]] FRA: p_yes` or `[simulation].ballots`.
    pub field: String,
    /// What is wrong and, where useful, what is expected instead.
    pub message: String,
}

impl Problem {
    /// A problem at a known (or unknown) line of `file` about `field`.
    pub fn new(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            line,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.field, self.message)
        }
    }
}

/// The error type of the `lobbysim` library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// One or more problems in user input (scenario, CSV, roll call, command-line values).
    /// `validate` reports all of them at once.
    #[error("{}", format_problems(.0))]
    Invalid(Vec<Problem>),
    /// A run was asked for that the engine refuses to do, e.g. one needing absurd memory.
    #[error("{0}")]
    Refused(String),
    /// An output could not be serialised.
    #[error("could not write {what}: {message}")]
    Output {
        /// What was being written (e.g. "JSON report").
        what: String,
        /// The underlying message.
        message: String,
    },
}

impl Error {
    /// A single-problem [`Error::Invalid`].
    pub fn invalid(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Invalid(vec![Problem::new(file, line, field, message)])
    }

    /// The problems carried by an [`Error::Invalid`] (empty for other kinds).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(p) => p,
            _ => &[],
        }
    }
}

fn format_problems(problems: &[Problem]) -> String {
    match problems {
        [one] => one.to_string(),
        many => {
            let mut s = format!("{} problems found:", many.len());
            for p in many {
                s.push_str("\n  ");
                s.push_str(&p.to_string());
            }
            s
        }
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_display_names_file_line_and_field() {
        let p = Problem::new(
            "s.toml",
            Some(12),
            "[[state]] FRA: p_yes",
            "must be in [0, 1]",
        );
        assert_eq!(
            p.to_string(),
            "s.toml:12: [[state]] FRA: p_yes: must be in [0, 1]"
        );
    }

    #[test]
    fn several_problems_are_listed() {
        let e = Error::Invalid(vec![
            Problem::new("a.toml", None, "x", "bad"),
            Problem::new("a.toml", Some(3), "y", "worse"),
        ]);
        let s = e.to_string();
        assert!(s.starts_with("2 problems found:"), "{s}");
        assert!(s.contains("a.toml:3: y: worse"));
    }
}
