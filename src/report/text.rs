//! Readable text summary with a terminal histogram of the yes count.

use std::fmt::Write;

use super::markup::{self, claim_text};
use super::{Forecast, ReferenceTag, TextStyle};
use crate::stats::{CountSummary, quantile};
use crate::vote::Outcome;

/// Most rows in the terminal histogram.
const MAX_ROWS: u64 = 30;
/// Width of the longest histogram bar, in characters.
const BAR_WIDTH: f64 = 50.0;

/// A heading, in ANSI bold with `style.color`.
fn heading(style: TextStyle, s: &str) -> String {
    if style.color {
        format!("\x1b[1m{s}\x1b[0m")
    } else {
        s.to_string()
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

/// Markers to place in the yes histogram: (yes count, label) for every reference about the
/// yes count.
fn yes_markers(f: &Forecast) -> Vec<(u64, String)> {
    f.references
        .iter()
        .filter(|r| r.claim.outcome == Outcome::Yes)
        .map(|r| match r.kind {
            ReferenceTag::Actual => (r.claim.value, format!("{} ({})", r.label, r.claim)),
            ReferenceTag::Claim => (r.claim.value, format!("{} ({})", r.label, r.claim)),
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

/// The forecast as readable text.
pub fn render(f: &Forecast, style: TextStyle) -> String {
    let mut o = String::new();
    let s = &f.scenario;
    let _ = writeln!(
        o,
        "{}",
        heading(
            style,
            &format!(
                "lobbysim {} — {}{}",
                f.engine.version,
                s.name,
                s.date
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            )
        )
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
        heading(
            style,
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
        let _ = writeln!(o, "\n{}", heading(style, "References"));
        for r in &f.references {
            match &r.actual {
                None => {
                    let _ = writeln!(
                        o,
                        "  {}: P({}) = {:.4} (± {:.4})",
                        r.label,
                        claim_text(r),
                        r.probability,
                        r.mc_se
                    );
                }
                Some(a) => {
                    let _ = writeln!(
                        o,
                        "  {}: {}-{}-{} ({} not voting)",
                        r.label, a.yes.actual, a.no.actual, a.abstain.actual, a.absent.actual
                    );
                    for (name, p) in markup::actual_counts(a) {
                        let _ = writeln!(
                            o,
                            "    {name:<8} {:>4}: percentile {:>6.2}  P(≤) = {:.4}  P(≥) = {:.4}  log P(=) = {}",
                            p.actual,
                            p.percentile,
                            p.p_le,
                            p.p_ge,
                            markup::log_probability(p)
                        );
                    }
                }
            }
        }
    }
    let _ = writeln!(o, "\n{}", heading(style, "Yes votes (share of ballots)"));
    o.push_str(&yes_histogram(f));
    if let Some(c) = &f.conditioned {
        let _ = writeln!(
            o,
            "\n{}",
            heading(
                style,
                &format!("Conditioned on evidence: {}", c.evidence.join("; "))
            )
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
        heading(style, "Swing states (most uncertain yes vote)")
    );
    for sw in &f.swing_states {
        let [_, no, ab, ax] = markup::state_probs(f, &sw.iso3);
        let _ = writeln!(
            o,
            "  {} {:<32} P(yes) {:.3}  no {:.3}  abstain {:.3}  absent {:.3}",
            sw.iso3, sw.name, sw.p_yes, no, ab, ax
        );
    }
    o
}
