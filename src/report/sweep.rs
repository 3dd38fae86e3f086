//! The sweep (`lobbysim sweep`, and `merge` of sweep shards): text, CSV (one row per grid
//! point) and an SVG line chart; JSON is its `Serialize` layout.

use std::fmt::Write;

use super::{ReferenceTag, Render, TextStyle};
use crate::error::Result;
use crate::tune::sweep::{Sweep, SweepPoint};

impl Render for Sweep {
    fn what(&self) -> &'static str {
        "sweep"
    }

    fn text(&self, _: TextStyle) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "lobbysim {} — sweep of {}\n{} ballots per point · seed {} (common random numbers at every point)\n",
            self.run.version, self.run.scenario, self.run.ballots, self.run.seed
        );
        let mut head: Vec<String> = self.parameters.clone();
        head.extend(
            ["E[yes]", "sd", "5%", "50%", "95%", "P(adopted)"]
                .iter()
                .map(|s| s.to_string()),
        );
        if let Some(p) = self.points.first() {
            head.extend(p.references.iter().map(|r| format!("P({})", r.claim)));
        }
        let rows: Vec<Vec<String>> = self
            .points
            .iter()
            .map(|p| {
                let mut r: Vec<String> = self
                    .parameters
                    .iter()
                    .map(|k| format!("{}", p.params[k]))
                    .collect();
                let q = &p.yes.quantiles;
                r.push(format!("{:.3}", p.yes.mean));
                r.push(format!("{:.3}", p.yes.sd));
                r.push(q.p05.to_string());
                r.push(q.p50.to_string());
                r.push(q.p95.to_string());
                r.push(format!("{:.4}", p.adoption_probability));
                r.extend(p.references.iter().map(|x| format!("{:.4}", x.probability)));
                r
            })
            .collect();
        let widths: Vec<usize> = (0..head.len())
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].chars().count())
                    .chain([head[c].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        };
        let _ = writeln!(o, "{}", line(&head));
        for r in &rows {
            let _ = writeln!(o, "{}", line(r));
        }
        if let Some(p) = self.points.first().filter(|p| !p.references.is_empty()) {
            let _ = writeln!(o, "\nReferences");
            for r in &p.references {
                let _ = writeln!(o, "  P({}): {}", r.claim, r.label);
            }
        }
        o
    }

    /// One parameter: a line per claim reference (`P(claim)`) and one for P(adopted), against
    /// the parameter. Two parameters: the first claim reference's probability (or P(adopted)
    /// if there is none) against the first parameter, one line per value of the second.
    fn svg(&self) -> Option<Result<String>> {
        Some(chart(self))
    }

    /// One row per grid point: the parameters, the yes count's summary, P(adopted) and each
    /// reference's probability.
    fn csv(&self) -> Option<Result<String>> {
        Some(table(self))
    }
}

/// The sweep's line chart (see [`Render::svg`]).
fn chart(this: &Sweep) -> Result<String> {
    let x_path = &this.parameters[0];
    let x = |p: &SweepPoint| p.params[x_path];
    let claims: Vec<usize> = this.points.first().map_or_else(Vec::new, |p| {
        (0..p.references.len())
            .filter(|&k| p.references[k].kind == ReferenceTag::Claim)
            .collect()
    });
    let series: Vec<super::chart::Series> = match this.parameters.get(1) {
        None => {
            let mut v: Vec<super::chart::Series> = claims
                .iter()
                .map(|&k| {
                    let label = format!(
                        "P({}) {}",
                        this.points[0].references[k].claim, this.points[0].references[k].label
                    );
                    let pts = this
                        .points
                        .iter()
                        .map(|p| (x(p), p.references[k].probability))
                        .collect();
                    (label, pts)
                })
                .collect();
            v.push((
                "P(adopted)".into(),
                this.points
                    .iter()
                    .map(|p| (x(p), p.adoption_probability))
                    .collect(),
            ));
            v
        }
        Some(y_path) => {
            let mut values: Vec<f64> = this.points.iter().map(|p| p.params[y_path]).collect();
            values.dedup();
            values.sort_by(f64::total_cmp);
            values.dedup();
            values
                .iter()
                .map(|&v| {
                    let pts = this
                        .points
                        .iter()
                        .filter(|p| p.params[y_path] == v)
                        .map(|p| {
                            let y = claims
                                .first()
                                .map_or(p.adoption_probability, |&k| p.references[k].probability);
                            (x(p), y)
                        })
                        .collect();
                    (format!("{y_path} = {v}"), pts)
                })
                .collect()
        }
    };
    let y_label = match (this.parameters.len(), claims.first()) {
        (2, Some(&k)) => format!("P({})", this.points[0].references[k].claim),
        (2, None) => "P(adopted)".to_string(),
        _ => "probability".to_string(),
    };
    super::chart::line_chart(
        &format!(
            "{} — sweep ({} ballots per point, seed {})",
            this.run.scenario, this.run.ballots, this.run.seed
        ),
        x_path,
        &y_label,
        &series,
    )
}

/// The CSV table of a sweep (see [`Render::csv`]).
fn table(sweep: &Sweep) -> Result<String> {
    let mut head: Vec<String> = sweep.parameters.clone();
    head.extend(
        [
            "yes_mean",
            "yes_sd",
            "yes_p05",
            "yes_p25",
            "yes_p50",
            "yes_p75",
            "yes_p95",
            "adoption_probability",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    if let Some(p) = sweep.points.first() {
        head.extend(p.references.iter().map(|r| format!("ref:{}", r.label)));
    }
    let rows = sweep.points.iter().map(|p| {
        let q = &p.yes.quantiles;
        let mut r: Vec<String> = sweep
            .parameters
            .iter()
            .map(|k| p.params[k].to_string())
            .collect();
        r.push(p.yes.mean.to_string());
        r.push(p.yes.sd.to_string());
        for x in [q.p05, q.p25, q.p50, q.p75, q.p95] {
            r.push(x.to_string());
        }
        r.push(p.adoption_probability.to_string());
        r.extend(p.references.iter().map(|x| x.probability.to_string()));
        r
    });
    super::csv::document("CSV sweep", std::iter::once(head).chain(rows))
}
