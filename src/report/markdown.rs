//! Markdown summary (`--format md`): a short document ready to paste into a briefing, an issue
//! or a notebook — run metadata, adoption probability, count summaries, references, the
//! forecast conditioned on the scenario's evidence (if it has any) and swing states as
//! GitHub-flavoured Markdown tables. The full per-state table is left to
//! `--format csv` and the HTML report.

use std::fmt::Write;

use super::Forecast;
use super::markup::{self, Align, Markup, Table};
use crate::evidence::Conditioned;

/// Markdown's spelling of the shared layout.
pub struct Markdown;

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

impl Markup for Markdown {
    fn escape(&self, s: &str) -> String {
        escape(s)
    }

    /// `| a | b |`, a divider row (`---:` for right-aligned columns), then one row per line.
    fn table(&self, t: &Table) -> String {
        let row = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
        let mut o = row(t.head.iter().map(|(h, _)| h.to_string()).collect());
        let divider: Vec<&str> = t
            .head
            .iter()
            .map(|(_, a)| match a {
                Align::Left => "---",
                Align::Right => "---:",
            })
            .collect();
        let _ = writeln!(o, "|{}|", divider.join("|"));
        for r in &t.rows {
            o.push_str(&row(r.iter().map(|c| escape(c)).collect()));
        }
        o
    }
}

/// The forecast as Markdown.
pub fn render(f: &Forecast) -> String {
    let md = Markdown;
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
    o.push_str(&md.table(&markup::counts(f)));
    if !f.references.is_empty() {
        o.push_str("\n### References\n\n");
        o.push_str(&md.table(&markup::references(f)));
        if let Some(t) = markup::actual_positions(f, false) {
            o.push_str("\nWhere the actual counts fall in the forecast distributions:\n\n");
            o.push_str(&md.table(&t));
        }
    }
    if let Some(c) = &f.conditioned {
        conditioned(&mut o, f, c);
    }
    if !f.swing_states.is_empty() {
        o.push_str("\n### Swing states (most uncertain yes vote)\n\n");
        let swing = Table {
            id: None,
            head: vec![
                ("state", Align::Left),
                ("P(yes)", Align::Right),
                ("P(no)", Align::Right),
                ("P(abstain)", Align::Right),
                ("P(absent)", Align::Right),
            ],
            rows: f
                .swing_states
                .iter()
                .map(|sw| {
                    let [_, no, ab, ax] = markup::state_probs(f, &sw.iso3);
                    vec![
                        format!("{} ({})", sw.name, sw.iso3),
                        format!("{:.3}", sw.p_yes),
                        format!("{no:.3}"),
                        format!("{ab:.3}"),
                        format!("{ax:.3}"),
                    ]
                })
                .collect(),
        };
        o.push_str(&md.table(&swing));
    }
    o
}

/// The "Conditioned on evidence" section: the evidence used, the effective sample size, the
/// low-ESS warning if any, and the prior and conditioned figures side by side.
fn conditioned(o: &mut String, f: &Forecast, c: &Conditioned) {
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
    o.push_str(&Markdown.table(&markup::conditioned(f, c)));
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

    #[test]
    fn tables_align_numbers_right() {
        let t = Table {
            id: None,
            head: vec![("name", Align::Left), ("p", Align::Right)],
            rows: vec![vec!["a|b".into(), "0.5".into()]],
        };
        assert_eq!(
            Markdown.table(&t),
            "| name | p |\n|---|---:|\n| a\\|b | 0.5 |\n"
        );
    }
}
