//! Readable text summary with a terminal histogram of the yes count.

use std::fmt::Write;

use super::{Exporter, Forecast};
use crate::error::Result;
use crate::stats::{CountSummary, quantile};
use crate::vote::Outcome;

/// Most rows in the terminal histogram.
const MAX_ROWS: u64 = 30;
/// Width of the longest histogram bar, in characters.
const BAR_WIDTH: f64 = 50.0;

/// The text exporter. `color` adds ANSI bold to headings (off when `NO_COLOR` is set or the
/// output is not a terminal).
pub struct TextExporter {
    /// Whether to emit ANSI styling.
    pub color: bool,
}

impl TextExporter {
    fn heading(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn row(name: &str, c: &CountSummary) -> String {
    let q = &c.quantiles;
    let i = &c.intervals;
    format!(
        "{name:<8} {:>7.2} {:>6.2} {:>5} {:>5} {:>5} {:>5} {:>5}   [{}, {}]{:w1$}[{}, {}]\n",
        c.mean,
        c.sd,
        q.p05,
        q.p25,
        q.p50,
        q.p75,
        q.p95,
        i.central_80[0],
        i.central_80[1],
        "",
        i.central_95[0],
        i.central_95[1],
        w1 = 13usize.saturating_sub(format!("[{}, {}]", i.central_80[0], i.central_80[1]).len()),
    )
}

/// Markers to place in the yes histogram: (yes count, label).
fn yes_markers(f: &Forecast) -> Vec<(u64, String)> {
    f.references
        .iter()
        .filter_map(|r| match &r.actual {
            Some(a) => Some((
                a.yes.actual,
                format!("{} (yes = {})", r.label, a.yes.actual),
            )),
            None => r
                .claim
                .strip_prefix("yes ")
                .and_then(|rest| rest.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .map(|v| (v, format!("{} ({})", r.label, r.claim))),
        })
        .collect()
}

/// The yes-count histogram as text rows, with reference markers.
pub fn yes_histogram(f: &Forecast) -> String {
    let hist = &f.counts.yes.histogram;
    let markers = yes_markers(f);
    let mut lo = quantile(hist, 0.0005);
    let mut hi = quantile(hist, 0.9995);
    for (v, _) in &markers {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    hi = hi.min(hist.len() as u64 - 1);
    let width = (hi - lo + 1).div_ceil(MAX_ROWS).max(1);
    let total = f.ballots as f64;
    let rows: Vec<(u64, u64, f64)> = (lo..=hi)
        .step_by(width as usize)
        .map(|a| {
            let b = (a + width - 1).min(hi);
            let mass: u64 = hist[a as usize..=b as usize].iter().sum();
            (a, b, mass as f64 / total)
        })
        .collect();
    let peak = rows.iter().map(|r| r.2).fold(0.0, f64::max).max(1e-300);
    let mut out = String::new();
    for (a, b, p) in rows {
        let label = if a == b {
            format!("{a}")
        } else {
            format!("{a}–{b}")
        };
        let len = (p / peak * BAR_WIDTH).round() as usize;
        let bar = if len == 0 && p > 0.0 {
            "▏".to_string()
        } else {
            "█".repeat(len)
        };
        let _ = write!(out, "{label:>9} │{bar:<50} {:>6.2}%", 100.0 * p);
        for (v, m) in &markers {
            if (a..=b).contains(v) {
                let _ = write!(out, "  ◀ {m}");
            }
        }
        out.push('\n');
    }
    out
}

impl Exporter for TextExporter {
    fn render(&self, f: &Forecast) -> Result<String> {
        let mut o = String::new();
        let s = &f.scenario;
        let _ = writeln!(
            o,
            "{}",
            self.heading(&format!(
                "lobbysim {} — {}{}",
                f.engine.version,
                s.name,
                s.date
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ))
        );
        let _ = writeln!(
            o,
            "{} members, {} rule · {} ballots · seed {} · {}{}\n",
            s.members,
            s.rule,
            f.ballots,
            f.seed,
            f.engine.rng,
            if s.without_blocs {
                " · without blocs"
            } else {
                ""
            }
        );
        let _ = writeln!(
            o,
            "{}",
            self.heading(
                "count       mean     sd    5%   25%   50%   75%   95%   80% interval 95% interval"
            )
        );
        for out in Outcome::ALL {
            o.push_str(&row(out.name(), f.counts.get(out)));
        }
        let _ = writeln!(
            o,
            "\nP(adopted) = {:.4} (± {:.4} Monte Carlo s.e.)",
            f.adoption.probability, f.adoption.mc_se
        );
        if !f.references.is_empty() {
            let _ = writeln!(o, "\n{}", self.heading("References"));
            for r in &f.references {
                match &r.actual {
                    None => {
                        let _ = writeln!(
                            o,
                            "  {}: P({}) = {:.4} (± {:.4})",
                            r.label, r.claim, r.probability, r.mc_se
                        );
                    }
                    Some(a) => {
                        let _ = writeln!(
                            o,
                            "  {}: {}-{}-{} ({} not voting)",
                            r.label, a.yes.actual, a.no.actual, a.abstain.actual, a.absent.actual
                        );
                        for (name, p) in [
                            ("yes", &a.yes),
                            ("no", &a.no),
                            ("abstain", &a.abstain),
                            ("absent", &a.absent),
                        ] {
                            let lp = p
                                .log_probability
                                .map_or("never simulated".to_string(), |l| format!("{l:.3}"));
                            let _ = writeln!(
                                o,
                                "    {name:<8} {:>4}: percentile {:>6.2}  P(≤) = {:.4}  P(≥) = {:.4}  log P(=) = {lp}",
                                p.actual, p.percentile, p.p_le, p.p_ge
                            );
                        }
                    }
                }
            }
        }
        let _ = writeln!(o, "\n{}", self.heading("Yes votes (share of ballots)"));
        o.push_str(&yes_histogram(f));
        if let Some(c) = &f.conditioned {
            let _ = writeln!(
                o,
                "\n{}",
                self.heading(&format!(
                    "Conditioned on evidence: {}",
                    c.evidence.join("; ")
                ))
            );
            let _ = writeln!(
                o,
                "  effective sample size {:.0} of {} ballots",
                c.effective_sample_size, c.ballots
            );
            if let Some(w) = &c.warning {
                let _ = writeln!(o, "  warning: {w}");
            }
            let [q05, q50, q95] = c.yes_quantiles;
            let _ = writeln!(
                o,
                "  yes: mean {:.2}, median {q50}, 90% interval [{q05}, {q95}]; P(adopted) = {:.4}",
                c.yes_mean, c.adoption_probability
            );
            for (label, p) in &c.references {
                let _ = writeln!(o, "  {label}: P = {p:.4}");
            }
        }
        let _ = writeln!(
            o,
            "\n{}",
            self.heading("Swing states (most uncertain yes vote)")
        );
        for sw in &f.swing_states {
            let st = f.states.iter().find(|s| s.iso3 == sw.iso3);
            let (no, ab, ax) = st.map_or((0.0, 0.0, 0.0), |s| (s.p_no, s.p_abstain, s.p_absent));
            let _ = writeln!(
                o,
                "  {} {:<32} P(yes) {:.3}  no {:.3}  abstain {:.3}  absent {:.3}",
                sw.iso3, sw.name, sw.p_yes, no, ab, ax
            );
        }
        Ok(o)
    }
}
