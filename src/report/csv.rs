//! CSV exporters (RFC 4180, written with the `csv` crate, header row first).
//!
//! - [`CsvExporter`] (`--format csv`): the per-state table,
//!   `iso3,name,p_yes,p_no,p_abstain,p_absent` — one row per member state in scenario order,
//!   probabilities as shares of ballots in [0, 1].
//! - [`HistogramCsvExporter`] (`--format csv-histogram`): the count distributions in long form,
//!   `outcome,count,ballots` — for each outcome (`yes`, `no`, `abstain`, `absent`) and each
//!   count `0..=members`, the number of simulated ballots with exactly that many states having
//!   that outcome. Each outcome's `ballots` column sums to the run's ballots.
//!
//! Floats are written in shortest round-trip form, so the bytes are a pure function of the
//! forecast.

use super::{Exporter, Forecast};
use crate::error::{Error, Result};
use crate::vote::Outcome;

/// The per-state table as CSV.
pub struct CsvExporter;

/// The count histograms as CSV (`outcome,count,ballots`).
pub struct HistogramCsvExporter;

fn csv_err(what: &str) -> impl Fn(::csv::Error) -> Error + '_ {
    move |e| Error::Output {
        what: what.to_string(),
        message: e.to_string(),
    }
}

fn finish(w: ::csv::Writer<Vec<u8>>, what: &str) -> Result<String> {
    let bytes = w.into_inner().map_err(|e| Error::Output {
        what: what.to_string(),
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| Error::Output {
        what: what.to_string(),
        message: e.to_string(),
    })
}

impl Exporter for CsvExporter {
    fn render(&self, f: &Forecast) -> Result<String> {
        const WHAT: &str = "CSV state table";
        let e = csv_err(WHAT);
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(["iso3", "name", "p_yes", "p_no", "p_abstain", "p_absent"])
            .map_err(&e)?;
        for s in &f.states {
            w.write_record([
                s.iso3.as_str(),
                s.name.as_str(),
                &s.p_yes.to_string(),
                &s.p_no.to_string(),
                &s.p_abstain.to_string(),
                &s.p_absent.to_string(),
            ])
            .map_err(&e)?;
        }
        finish(w, WHAT)
    }
}

impl Exporter for HistogramCsvExporter {
    fn render(&self, f: &Forecast) -> Result<String> {
        const WHAT: &str = "CSV histogram";
        let e = csv_err(WHAT);
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(["outcome", "count", "ballots"])
            .map_err(&e)?;
        for o in Outcome::ALL {
            for (k, b) in f.counts.get(o).histogram.iter().enumerate() {
                w.write_record([o.name(), &k.to_string(), &b.to_string()])
                    .map_err(&e)?;
            }
        }
        finish(w, WHAT)
    }
}
