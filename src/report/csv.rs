//! CSV output (RFC 4180, written with the `csv` crate, header row first).
//!
//! - [`states`] (`--format csv`): the per-state table, `iso3,name,p_yes,p_no,p_abstain,p_absent`
//!   — one row per member state in scenario order, probabilities as shares of ballots in
//!   [0, 1].
//! - [`histogram`] (`--format csv-histogram`): the count distributions in long form,
//!   `outcome,count,ballots` — for each outcome (`yes`, `no`, `abstain`, `absent`) and each
//!   count `0..=members`, the number of simulated ballots with exactly that many states having
//!   that outcome. Each outcome's `ballots` column sums to the run's ballots.
//! - [`document`]: any table as CSV (sweeps use it too).
//!
//! Floats are written in shortest round-trip form, so the bytes are a pure function of the
//! result.

use super::Forecast;
use crate::error::{Error, Result};
use crate::vote::Outcome;

/// CSV text of `records` (the header first); `what` names the document in errors.
pub fn document<R, F>(what: &str, records: impl IntoIterator<Item = R>) -> Result<String>
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let err = |message: String| Error::Output {
        what: what.to_string(),
        message,
    };
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for r in records {
        w.write_record(r).map_err(|e| err(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| err(e.to_string()))
}

/// The per-state table.
pub fn states(f: &Forecast) -> Result<String> {
    let head = ["iso3", "name", "p_yes", "p_no", "p_abstain", "p_absent"].map(String::from);
    let rows = f.states.iter().map(|s| {
        [
            s.iso3.clone(),
            s.name.clone(),
            s.p_yes.to_string(),
            s.p_no.to_string(),
            s.p_abstain.to_string(),
            s.p_absent.to_string(),
        ]
    });
    document("CSV state table", std::iter::once(head).chain(rows))
}

/// The count histograms, `outcome,count,ballots`.
pub fn histogram(f: &Forecast) -> Result<String> {
    let head = ["outcome", "count", "ballots"].map(String::from);
    let rows = Outcome::ALL.iter().flat_map(|&o| {
        f.counts
            .get(o)
            .histogram
            .iter()
            .enumerate()
            .map(move |(k, b)| [o.name().to_string(), k.to_string(), b.to_string()])
    });
    document("CSV histogram", std::iter::once(head).chain(rows))
}
