//! The binary's output: the one `--format` enum of every command, rendering a result in a
//! format through the library's [`Render`] trait, and writing it — the one place output is
//! written, to a file or to standard output (`-` or no `--output`).

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use lobbysim::report::{Render, TextStyle};

/// Output formats (`--format`). Each command accepts the formats its result has (see the
/// lists below); asking for another is a usage error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text.
    Text,
    /// JSON (layouts in docs/json-schema.md and docs/tuning.md).
    Json,
    /// CSV: a forecast's per-state table, or one row per grid point of a sweep.
    Csv,
    /// Count histograms of a forecast as CSV: `outcome,count,ballots`.
    CsvHistogram,
    /// Markdown summary of a forecast, ready to paste.
    #[value(name = "md", alias = "markdown")]
    Md,
    /// SVG line chart of a sweep.
    Svg,
    /// Self-contained HTML report of a forecast (what `lobbysim report` writes).
    #[value(skip)]
    Html,
}

impl Format {
    /// A forecast's formats (`run`, and `merge` of run shards).
    pub const FORECAST: &[Format] = &[
        Format::Text,
        Format::Json,
        Format::Csv,
        Format::CsvHistogram,
        Format::Md,
    ];
    /// A sweep's formats (`sweep`, and `merge` of sweep shards).
    pub const SWEEP: &[Format] = &[Format::Text, Format::Json, Format::Csv, Format::Svg];
    /// The formats of `exact`, `calibrate`, `optimize`, `explain` and `backtest`.
    pub const TEXT_JSON: &[Format] = &[Format::Text, Format::Json];
    /// `merge`: those of the kind of shards merged, checked once the files are read.
    pub const MERGE: &[Format] = &[
        Format::Text,
        Format::Json,
        Format::Csv,
        Format::CsvHistogram,
        Format::Md,
        Format::Svg,
    ];

    /// The name as written on the command line (`csv-histogram`, `md`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::CsvHistogram => "csv-histogram",
            Format::Md => "md",
            Format::Svg => "svg",
            Format::Html => "html",
        }
    }

    /// A command-line parser that accepts only the formats in `allowed` (with their help and
    /// aliases).
    pub fn parser(allowed: &'static [Format]) -> impl TypedValueParser<Value = Format> {
        PossibleValuesParser::new(allowed.iter().filter_map(Format::to_possible_value)).map(
            |name| Format::from_str(&name, false).unwrap_or(Format::Text), // only listed names parse
        )
    }

    /// The formats of `list` as `text, json or csv`.
    pub fn names(list: &[Format]) -> String {
        let names: Vec<&str> = list.iter().map(|f| f.name()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

/// `result` rendered in `format`; text is coloured with `color`.
pub fn render(result: &impl Render, format: Format, color: bool) -> anyhow::Result<String> {
    let out = match format {
        Format::Text => Some(Ok(result.text(TextStyle { color }))),
        Format::Json => Some(result.json()),
        Format::Csv => result.csv(),
        Format::CsvHistogram => result.csv_histogram(),
        Format::Md => result.markdown(),
        Format::Svg => result.svg(),
        Format::Html => result.html(),
    };
    match out {
        Some(text) => Ok(text?),
        None => anyhow::bail!("the {} has no {} output", result.what(), format.name()),
    }
}

/// Renders `result` in `format` and writes it to `path` (standard output for `None` or `-`);
/// text is coloured when it goes to a terminal and `NO_COLOR` allows it.
pub fn emit(result: &impl Render, format: Format, path: Option<&Path>) -> anyhow::Result<()> {
    let color = to_stdout(path)
        && std::io::stdout().is_terminal()
        && lobbysim::progress::color_allowed(std::env::var_os("NO_COLOR").as_deref());
    write(path, &render(result, format, color)?)
}

fn to_stdout(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p == Path::new("-"))
}

/// Writes `text` to the file `path`, or to standard output for `None` or `-`: the one place the
/// binary writes output.
pub fn write(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) if !to_stdout(Some(p)) => {
            std::fs::write(p, text).with_context(|| format!("could not write {}", p.display()))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lobbysim::report::Forecast;

    #[test]
    fn format_lists_read_as_prose() {
        assert_eq!(
            Format::names(Format::FORECAST),
            "text, json, csv, csv-histogram or md"
        );
        assert_eq!(Format::names(Format::TEXT_JSON), "text or json");
        for f in Format::MERGE {
            assert_eq!(Format::from_str(f.name(), false), Ok(*f));
        }
    }

    /// Every format a command offers is one its result renders in, and only those.
    #[test]
    fn offered_formats_are_rendered() {
        let s = lobbysim::scenario::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/example.toml"
        )))
        .unwrap();
        let opts = lobbysim::RunOptions {
            ballots: Some(4096),
            ..Default::default()
        };
        let f: Forecast = lobbysim::forecast(&s, &opts).unwrap();
        for &format in Format::FORECAST.iter().chain([&Format::Svg, &Format::Html]) {
            assert!(render(&f, format, false).is_ok(), "{format:?}");
        }
        let e = lobbysim::tune::explain::explain(&s, "EEE", &opts).unwrap();
        for &format in Format::TEXT_JSON {
            assert!(render(&e, format, false).is_ok(), "{format:?}");
        }
        let e = render(&e, Format::Csv, false).unwrap_err().to_string();
        assert_eq!(e, "the explanation has no csv output");
    }
}
