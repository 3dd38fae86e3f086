//! The forecast's sections laid out once, as tables of plain-text cells, for every syntax to
//! spell: Markdown ([`super::markdown`]) and HTML ([`super::html`]) implement [`Markup`] (how a
//! table and an escaped string are written); text ([`super::text`]) lays the same cells out in
//! aligned columns. A section's content — which columns, which numbers, to how many decimals —
//! is decided here, once.

use super::forecast::{
    ActualPositions, CountPosition, Forecast, ReferenceResult, conditioned_rows,
};
use crate::evidence::Conditioned;
use crate::vote::Outcome;

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text: left.
    Left,
    /// Numbers: right.
    Right,
}

/// A table: an optional identifier (HTML `id`), headings with their alignment, and rows of
/// unescaped cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Identifier of the table, where the syntax has one.
    pub id: Option<&'static str>,
    /// Column headings and alignments.
    pub head: Vec<(&'static str, Align)>,
    /// Rows of cells (plain text; each syntax escapes them).
    pub rows: Vec<Vec<String>>,
}

/// One output syntax's spelling of the shared layout.
pub trait Markup {
    /// `s` escaped so that it shows literally.
    fn escape(&self, s: &str) -> String;

    /// The table, cells escaped.
    fn table(&self, t: &Table) -> String;
}

/// The four counts' summaries: mean, sd, 5%, median, 95% and the central intervals.
pub fn counts(f: &Forecast) -> Table {
    use Align::{Left, Right};
    Table {
        id: Some("counts"),
        head: vec![
            ("count", Left),
            ("mean", Right),
            ("sd", Right),
            ("5%", Right),
            ("median", Right),
            ("95%", Right),
            ("80% interval", Right),
            ("95% interval", Right),
        ],
        rows: Outcome::ALL
            .iter()
            .map(|&o| {
                let c = f.counts.get(o);
                let (q, i) = (&c.quantiles, &c.intervals);
                vec![
                    o.name().to_string(),
                    format!("{:.2}", c.mean),
                    format!("{:.2}", c.sd),
                    q.p05.to_string(),
                    q.p50.to_string(),
                    q.p95.to_string(),
                    format!("{}–{}", i.central_80[0], i.central_80[1]),
                    format!("{}–{}", i.central_95[0], i.central_95[1]),
                ]
            })
            .collect(),
    }
}

/// What a reference claims, as the tables show it: the claim, or for an actual result its
/// counts and the claim scored (`actual 143-5-35 (10 not voting): P(yes = 143)`).
pub fn claim_text(r: &ReferenceResult) -> String {
    match &r.actual {
        Some(a) => format!(
            "actual {}-{}-{} ({} not voting): P({})",
            a.yes.actual, a.no.actual, a.abstain.actual, a.absent.actual, r.claim
        ),
        None => r.claim.to_string(),
    }
}

/// The references with their forecast probability and its Monte Carlo standard error.
pub fn references(f: &Forecast) -> Table {
    use Align::{Left, Right};
    Table {
        id: None,
        head: vec![
            ("reference", Left),
            ("claim", Left),
            ("forecast probability", Right),
            ("± s.e.", Right),
        ],
        rows: f
            .references
            .iter()
            .map(|r| {
                vec![
                    r.label.clone(),
                    claim_text(r),
                    format!("{:.4}", r.probability),
                    format!("{:.4}", r.mc_se),
                ]
            })
            .collect(),
    }
}

/// An actual result's four counts with where each falls, in outcome order.
pub fn actual_counts(a: &ActualPositions) -> [(&'static str, &CountPosition); 4] {
    [
        ("yes", &a.yes),
        ("no", &a.no),
        ("abstain", &a.abstain),
        ("absent", &a.absent),
    ]
}

/// `log P(= actual)` to three decimals, or `never simulated`.
pub fn log_probability(p: &CountPosition) -> String {
    p.log_probability
        .map_or("never simulated".to_string(), |l| format!("{l:.3}"))
}

/// Where each actual count falls in the forecast distribution of that count (`None` without
/// actual results); with `log_p`, also the log probability of the actual count.
pub fn actual_positions(f: &Forecast, log_p: bool) -> Option<Table> {
    use Align::{Left, Right};
    let mut head = vec![
        ("reference", Left),
        ("count", Left),
        ("actual", Right),
        ("percentile", Right),
        ("P(≤ actual)", Right),
        ("P(≥ actual)", Right),
    ];
    if log_p {
        head.push(("log P(= actual)", Right));
    }
    let rows: Vec<Vec<String>> = f
        .references
        .iter()
        .filter_map(|r| r.actual.as_ref().map(|a| (r, a)))
        .flat_map(|(r, a)| {
            actual_counts(a).map(|(name, p)| {
                let mut row = vec![
                    r.label.clone(),
                    name.to_string(),
                    p.actual.to_string(),
                    format!("{:.2}", p.percentile),
                    format!("{:.4}", p.p_le),
                    format!("{:.4}", p.p_ge),
                ];
                if log_p {
                    row.push(log_probability(p));
                }
                row
            })
        })
        .collect();
    (!rows.is_empty()).then_some(Table {
        id: None,
        head,
        rows,
    })
}

/// The prior and the evidence-conditioned figures side by side (see [`conditioned_rows`]).
pub fn conditioned(f: &Forecast, c: &Conditioned) -> Table {
    use Align::{Left, Right};
    Table {
        id: None,
        head: vec![
            ("quantity", Left),
            ("prior", Right),
            ("conditioned on evidence", Right),
        ],
        rows: conditioned_rows(f, c)
            .into_iter()
            .map(|r| vec![r.label, r.prior, r.conditioned])
            .collect(),
    }
}

/// A state's four simulated probabilities, in outcome order (zeros for a state not found).
pub fn state_probs(f: &Forecast, iso3: &str) -> [f64; 4] {
    f.states
        .iter()
        .find(|s| s.iso3 == iso3)
        .map_or([0.0; 4], |s| [s.p_yes, s.p_no, s.p_abstain, s.p_absent])
}
