//! Self-contained HTML report (`lobbysim report`): one file with inline CSS and the
//! yes-distribution chart as inline SVG — no scripts, no external fonts, stylesheets or images,
//! nothing fetched from the network — readable when opened from disk.
//!
//! Sections: run metadata, summary (adoption probability and count summaries), the chart, the
//! references and how the forecast scores against them, the forecast conditioned on the
//! scenario's evidence (only when it has `[[evidence]]`), the swing states, and the full
//! per-state table with the four outcome probabilities.

use std::fmt::Write;

use super::markup::{self, Align, Markup, Table};
use super::{Forecast, StateResult, svg};
use crate::error::Result;
use crate::evidence::Conditioned;
use crate::vote::Outcome;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --yes: #426ba0; --no: #be1e2d; --abstain: #c46900; --absent: #9a9a9a; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0 auto; max-width: 1000px; padding: 1.5rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.meta { color: #555; margin: 0; }
.headline { font-size: 1.25rem; margin: .6rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { padding: .28rem .5rem; border-bottom: 1px solid #e6e6e6; text-align: left; }
th { background: #f4f6f9; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
figure { margin: 0; }
figure svg { width: 100%; height: auto; border: 1px solid #e6e6e6; }
figcaption { color: #555; font-size: .9rem; margin-top: .3rem; }
.stack { display: flex; width: 9rem; height: .8rem; border-radius: 2px; overflow: hidden; background: #eee; }
.stack span { display: block; height: 100%; }
.stack .yes { background: var(--yes); } .stack .no { background: var(--no); }
.stack .abstain { background: var(--abstain); } .stack .absent { background: var(--absent); }
.legend span { display: inline-block; width: .8rem; height: .8rem; vertical-align: middle; margin: 0 .25rem 0 .8rem; }
footer { margin-top: 2rem; color: #777; font-size: .8rem; word-break: break-all; }
"#;

/// The chart without an XML declaration, ready to inline.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => svg[i..].trim_end(),
        None => svg.trim_end(),
    }
}

/// HTML's spelling of the shared layout.
pub struct Html;

impl Markup for Html {
    fn escape(&self, s: &str) -> String {
        escape(s)
    }

    /// `<table>` with a head row and a body; right-aligned cells carry `class="num"`.
    fn table(&self, t: &Table) -> String {
        let class = |a: &Align| match a {
            Align::Left => "",
            Align::Right => " class=\"num\"",
        };
        let mut o = String::from("<table");
        if let Some(id) = t.id {
            let _ = write!(o, " id=\"{id}\"");
        }
        o.push_str("><thead><tr>");
        for (h, a) in &t.head {
            let _ = write!(o, "<th{}>{h}</th>", class(a));
        }
        o.push_str("</tr></thead><tbody>\n");
        for r in &t.rows {
            o.push_str("<tr>");
            for (c, (_, a)) in r.iter().zip(&t.head) {
                let _ = write!(o, "<td{}>{}</td>", class(a), escape(c));
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</tbody></table>\n");
        o
    }
}

fn references(o: &mut String, f: &Forecast) {
    o.push_str("<section id=\"references\"><h2>References</h2>\n");
    if f.references.is_empty() {
        o.push_str("<p>The scenario has no references.</p></section>\n");
        return;
    }
    o.push_str(&Html.table(&markup::references(f)));
    if let Some(t) = markup::actual_positions(f, true) {
        o.push_str(
            "<p>Where each actual count falls in the forecast distribution of that count \
             (mid-percentile; a well-calibrated forecast puts actual results anywhere from 0 \
             to 100, rarely in the extremes):</p>\n",
        );
        o.push_str(&Html.table(&t));
    }
    o.push_str("</section>\n");
}

/// The `#evidence` section (only for scenarios with evidence): the evidence used, the
/// effective sample size, the low-ESS warning if any, and the prior and conditioned figures
/// side by side. Styles are inline so that reports without evidence keep their exact bytes.
fn conditioned(o: &mut String, f: &Forecast, c: &Conditioned) {
    o.push_str("<section id=\"evidence\"><h2>Conditioned on evidence</h2>\n");
    let labels: Vec<String> = c.evidence.iter().map(|l| escape(l)).collect();
    let _ = writeln!(
        o,
        "<p>Evidence: {}. The same simulated ballots, each weighted by the likelihood of the \
         evidence's observed totals: effective sample size <strong>{:.0}</strong> of {} \
         ballots.</p>",
        labels.join("; "),
        c.effective_sample_size,
        c.ballots
    );
    if let Some(w) = &c.warning {
        let _ = writeln!(
            o,
            "<p class=\"warning\" style=\"border-left:4px solid #c46900;background:#fff6ec;\
             padding:.4rem .7rem\"><strong>Warning:</strong> {}</p>",
            escape(w)
        );
    }
    o.push_str(Html.table(&markup::conditioned(f, c)).trim_end());
    o.push_str("</section>\n");
}

fn stack(p: [f64; 4]) -> String {
    let mut s = String::from("<span class=\"stack\">");
    for (o, v) in Outcome::ALL.iter().zip(p) {
        let _ = write!(
            s,
            "<span class=\"{}\" style=\"width:{:.1}%\"></span>",
            o.name(),
            100.0 * v
        );
    }
    s.push_str("</span>");
    s
}

/// One table row per state: code, name, the four probabilities and a stacked bar.
fn prob_rows<'a>(o: &mut String, states: impl Iterator<Item = &'a StateResult>) {
    for st in states {
        let p = [st.p_yes, st.p_no, st.p_abstain, st.p_absent];
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.3}</td>\
             <td class=\"num\">{:.3}</td><td class=\"num\">{:.3}</td><td>{}</td></tr>",
            escape(&st.iso3),
            escape(&st.name),
            p[0],
            p[1],
            p[2],
            p[3],
            stack(p)
        );
    }
}

const PROB_HEAD: &str = "<thead><tr><th>ISO</th><th>state</th><th class=\"num\">P(yes)</th>\
    <th class=\"num\">P(no)</th><th class=\"num\">P(abstain)</th><th class=\"num\">P(absent)</th>\
    <th>distribution</th></tr></thead>";

const LEGEND: &str = "<p class=\"legend\">Bars:<span style=\"background:var(--yes)\"></span>yes\
    <span style=\"background:var(--no)\"></span>no<span style=\"background:var(--abstain)\"></span>abstain\
    <span style=\"background:var(--absent)\"></span>not voting</p>\n";

/// The forecast as a self-contained HTML report.
pub fn render(f: &Forecast) -> Result<String> {
    let chart = svg::yes_distribution(f)?;
    let s = &f.scenario;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"lobbysim {}\">\n\
             <title>lobbysim forecast — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        f.engine.version,
        escape(&s.name)
    );
    let mut meta: Vec<String> = s.date.iter().map(|d| escape(d)).collect();
    meta.push(format!("{} members", s.members));
    meta.push(format!("{} rule", s.rule));
    meta.push(format!("{} ballots", f.ballots));
    meta.push(format!("seed {}", f.seed));
    meta.push(f.engine.rng.to_string());
    if s.without_blocs {
        meta.push("without blocs".into());
    }
    let _ = writeln!(
        o,
        "<header><h1>{}</h1>\n<p class=\"meta\">{}</p></header>",
        escape(&s.name),
        meta.join(" · ")
    );
    o.push_str("<section id=\"summary\"><h2>Summary</h2>\n");
    let _ = writeln!(
        o,
        "<p class=\"headline\">P(adopted) = <strong>{:.4}</strong> (± {:.4} Monte Carlo s.e.) \
             under the {} rule.</p>",
        f.adoption.probability, f.adoption.mc_se, s.rule
    );
    o.push_str(&Html.table(&markup::counts(f)));
    o.push_str("</section>\n");
    let _ = writeln!(
        o,
        "<section id=\"chart\"><h2>Yes votes</h2>\n<figure>\n{}\n<figcaption>Share of {} \
             simulated ballots with each yes count; shaded: 80% and 95% central intervals; \
             lines: references and the adoption threshold given the median no count.\
             </figcaption>\n</figure></section>",
        inline_svg(&chart),
        f.ballots
    );
    references(&mut o, f);
    if let Some(c) = &f.conditioned {
        conditioned(&mut o, f, c);
    }
    o.push_str(
        "<section id=\"swing\"><h2>Swing states</h2>\n<p>The states whose yes vote is most \
             uncertain (largest P(yes)·(1 − P(yes))).</p>\n",
    );
    let _ = writeln!(o, "<table>{PROB_HEAD}<tbody>");
    let swing = f
        .swing_states
        .iter()
        .filter_map(|sw| f.states.iter().find(|x| x.iso3 == sw.iso3));
    prob_rows(&mut o, swing);
    o.push_str("</tbody></table></section>\n");
    let _ = writeln!(
        o,
        "<section id=\"states\"><h2>All member states ({})</h2>\n{LEGEND}<table>{PROB_HEAD}<tbody>",
        f.states.len()
    );
    prob_rows(&mut o, f.states.iter());
    o.push_str("</tbody></table></section>\n");
    let _ = writeln!(
        o,
        "<footer>Generated by {} {} · generator {} · {} ballots per chunk · scenario SHA-256 {}\
             </footer>\n</body>\n</html>",
        f.engine.name, f.engine.version, f.engine.rng, f.engine.chunk_ballots, s.sha256
    );
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn inline_svg_drops_xml_declaration() {
        assert_eq!(
            inline_svg("<?xml version=\"1.0\"?>\n<svg></svg>\n"),
            "<svg></svg>"
        );
    }
}
