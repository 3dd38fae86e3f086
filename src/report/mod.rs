//! The output layer: every result kind renders through one trait, [`Render`], here.
//!
//! A result is a `Serialize` struct computed by the library (a [`Forecast`], an exact
//! distribution, a sweep, a lobbying plan, a calibration, an explanation, a backtest) and
//! renders as readable text and as JSON, plus whichever of CSV, Markdown, SVG and HTML it has.
//! The command line decides which syntax to ask for (its one `--format` enum lives in the
//! binary) and where to write it.
//!
//! * [`forecast`]: the [`Forecast`] and the files spelling it — [`text`], [`markdown`],
//!   [`html`], [`csv`], [`json`], [`svg`] (the yes-count chart).
//! * [`markup`]: the forecast's sections laid out once (tables of cells), spelled by Markdown
//!   and HTML; text uses the same cells in its column layout.
//! * [`chart`]: generic SVG charts (lines, reliability diagrams).
//! * [`exact`], [`sweep`], [`optimize`], [`calibrate`], [`explain`], [`backtest`]: the other
//!   result kinds.
//!
//! **Adding an output syntax**: a method on [`Render`] (default: not available), implemented
//! by the results that have it, and a variant of the binary's format enum mapped to it.

pub mod backtest;
pub mod calibrate;
pub mod chart;
pub mod csv;
pub mod exact;
pub mod explain;
pub mod forecast;
pub mod html;
pub mod json;
pub mod markdown;
pub mod markup;
pub mod optimize;
pub mod svg;
pub mod sweep;
pub mod text;

use serde::Serialize;

use crate::error::Result;

pub use forecast::{
    ActualPositions, Adoption, ComparisonRow, CountPosition, Counts, EngineInfo, Forecast,
    ReferenceResult, ReferenceTag, SWING_STATES, ScenarioInfo, StateResult, SwingState,
    conditioned_rows, swing_states,
};

/// How text output is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStyle {
    /// Whether headings carry ANSI bold (for a terminal that allows colour).
    pub color: bool,
}

/// A result that can be written out: as text and JSON always, and in the other syntaxes it
/// has (`None`: not available for this kind of result).
pub trait Render: Serialize {
    /// What the result is, for messages (`forecast`, `sweep`, …).
    fn what(&self) -> &'static str;

    /// Readable text.
    fn text(&self, style: TextStyle) -> String;

    /// Pretty-printed JSON with a trailing newline (floats in shortest round-trip form, so
    /// the bytes are a pure function of the result); the layout is the `Serialize` one.
    fn json(&self) -> Result<String> {
        json::pretty(self, self.what())
    }

    /// CSV (a header row, then one row per state, grid point, …).
    fn csv(&self) -> Option<Result<String>> {
        None
    }

    /// A second CSV table: count histograms, `outcome,count,ballots`.
    fn csv_histogram(&self) -> Option<Result<String>> {
        None
    }

    /// Markdown ready to paste.
    fn markdown(&self) -> Option<Result<String>> {
        None
    }

    /// An SVG chart.
    fn svg(&self) -> Option<Result<String>> {
        None
    }

    /// A self-contained HTML document.
    fn html(&self) -> Option<Result<String>> {
        None
    }
}

/// Serialises a value as its `Display` text (claims in JSON, e.g. `"yes >= 110"`).
pub fn as_text<T: std::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
}
