//! Markdown summary (`--format md`): a short document ready to paste into a briefing, an issue
//! or a notebook — run metadata, adoption probability, count summaries, references, the
//! forecast conditioned on the scenario's evidence (if it has any) and swing states as
//! GitHub-flavoured Markdown tables. The full per-state table is left to
//! `--format csv` and the HTML report.

use std::fmt::Write;

use super::{Exporter, Forecast, conditioned_rows};
use crate::error::Result;
use crate::vote::Outcome;

/// The Markdown exporter.
pub struct MarkdownExporter;

/// Escapes text so that it shows literally in Markdown, including inside a table cell.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|') {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

impl Exporter for MarkdownExporter {
    fn render(&self, f: &Forecast) -> Result<String> {
        let mut o = String::new();
        let s = &f.scenario;
        let date = s
            .date
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let _ = writeln!(o, "## Forecast: {}{}\n", escape(&s.name), escape(&date));
        let _ = writeln!(
            o,
            "{} members · {} rule · {} ballots · seed {} · {} · lobbysim {}{}\n",
            s.members,
            s.rule,
            f.ballots,
            f.seed,
            f.engine.rng,
            f.engine.version,
            if s.without_blocs {
                " · without blocs"
            } else {
                ""
            }
        );
        let _ = writeln!(
            o,
            "**P(adopted) = {:.4}** (± {:.4} Monte Carlo s.e.)\n",
            f.adoption.probability, f.adoption.mc_se
        );
        o.push_str("| count | mean | sd | 5% | median | 95% | 80% interval | 95% interval |\n");
        o.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for out in Outcome::ALL {
            let c = f.counts.get(out);
            let (q, i) = (&c.quantiles, &c.intervals);
            let _ = writeln!(
                o,
                "| {} | {:.2} | {:.2} | {} | {} | {} | {}–{} | {}–{} |",
                out.name(),
                c.mean,
                c.sd,
                q.p05,
                q.p50,
                q.p95,
                i.central_80[0],
                i.central_80[1],
                i.central_95[0],
                i.central_95[1]
            );
        }
        if !f.references.is_empty() {
            o.push_str("\n### References\n\n");
            o.push_str("| reference | claim | forecast probability | ± s.e. |\n");
            o.push_str("|---|---|---:|---:|\n");
            for r in &f.references {
                let claim = match &r.actual {
                    Some(a) => format!(
                        "actual {}-{}-{} ({} not voting): P({})",
                        a.yes.actual, a.no.actual, a.abstain.actual, a.absent.actual, r.claim
                    ),
                    None => r.claim.clone(),
                };
                let _ = writeln!(
                    o,
                    "| {} | {} | {:.4} | {:.4} |",
                    escape(&r.label),
                    escape(&claim),
                    r.probability,
                    r.mc_se
                );
            }
            let actuals: Vec<_> = f
                .references
                .iter()
                .filter_map(|r| r.actual.as_ref().map(|a| (r, a)))
                .collect();
            if !actuals.is_empty() {
                o.push_str("\nWhere the actual counts fall in the forecast distributions:\n\n");
                o.push_str(
                    "| reference | count | actual | percentile | P(≤ actual) | P(≥ actual) |\n",
                );
                o.push_str("|---|---|---:|---:|---:|---:|\n");
                for (r, a) in actuals {
                    for (name, p) in [
                        ("yes", &a.yes),
                        ("no", &a.no),
                        ("abstain", &a.abstain),
                        ("absent", &a.absent),
                    ] {
                        let _ = writeln!(
                            o,
                            "| {} | {name} | {} | {:.2} | {:.4} | {:.4} |",
                            escape(&r.label),
                            p.actual,
                            p.percentile,
                            p.p_le,
                            p.p_ge
                        );
                    }
                }
            }
        }
        if let Some(c) = &f.conditioned {
            conditioned(&mut o, f, c);
        }
        if !f.swing_states.is_empty() {
            o.push_str("\n### Swing states (most uncertain yes vote)\n\n");
            o.push_str("| state | P(yes) | P(no) | P(abstain) | P(absent) |\n");
            o.push_str("|---|---:|---:|---:|---:|\n");
            for sw in &f.swing_states {
                let st = f.states.iter().find(|s| s.iso3 == sw.iso3);
                let (no, ab, ax) =
                    st.map_or((0.0, 0.0, 0.0), |s| (s.p_no, s.p_abstain, s.p_absent));
                let _ = writeln!(
                    o,
                    "| {} ({}) | {:.3} | {:.3} | {:.3} | {:.3} |",
                    escape(&sw.name),
                    escape(&sw.iso3),
                    sw.p_yes,
                    no,
                    ab,
                    ax
                );
            }
        }
        Ok(o)
    }
}

/// The "Conditioned on evidence" section: the evidence used, the effective sample size, the
/// low-ESS warning if any, and the prior and conditioned figures side by side.
fn conditioned(o: &mut String, f: &Forecast, c: &crate::evidence::Conditioned) {
    o.push_str("\n### Conditioned on evidence\n\n");
    let labels: Vec<String> = c.evidence.iter().map(|l| escape(l)).collect();
    let _ = writeln!(
        o,
        "Evidence: {}. The same ballots weighted by the likelihood of the evidence's observed \
         totals: effective sample size **{:.0}** of {} ballots.\n",
        labels.join("; "),
        c.effective_sample_size,
        c.ballots
    );
    if let Some(w) = &c.warning {
        let _ = writeln!(o, "> **Warning:** {}\n", escape(w));
    }
    o.push_str("| quantity | prior | conditioned on evidence |\n");
    o.push_str("|---|---:|---:|\n");
    for r in conditioned_rows(f, c) {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            escape(&r.label),
            r.prior,
            r.conditioned
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_table_and_emphasis_syntax() {
        assert_eq!(escape("a|b *c* _d_"), "a\\|b \\*c\\* \\_d\\_");
        assert_eq!(escape("x\ny"), "x y");
        assert_eq!(escape("Côte d'Ivoire"), "Côte d'Ivoire");
    }
}
