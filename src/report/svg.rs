//! The forecast's chart: the distribution of the yes count as bars ([`yes_distribution`], what
//! `lobbysim plot` writes and the HTML report inlines), with the 80% and 95% central intervals
//! shaded, the scenario's references and the adoption threshold marked. Drawn with `plotters`
//! like the generic charts of [`super::chart`]; its bytes are a pure function of the forecast.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart::{FONT, THRESHOLD, draw_err, render_svg, text_width};
use super::{Forecast, ReferenceTag};
use crate::error::Result;
use crate::scenario::{Claim, CmpOp, Rule};
use crate::stats::quantile;
use crate::vote::Outcome;

const BAR: RGBColor = RGBColor(66, 107, 160);
const SHADE_95: RGBColor = RGBColor(222, 232, 244);
const SHADE_80: RGBColor = RGBColor(188, 209, 234);
const CLAIM: RGBColor = RGBColor(196, 105, 0);
const ACTUAL: RGBColor = RGBColor(190, 30, 45);
/// What a vertical marker on the yes chart stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// A claim about the yes count (`yes >= 110`); the line is drawn at the claim's boundary.
    Claim,
    /// An actual result's yes count; the line goes through that count's bar.
    Actual,
    /// The adoption threshold (see [`adoption_threshold`]).
    Threshold,
}

/// A vertical marker on the yes-count chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Position on the yes-count axis (votes; half-integers mark the boundary between counts).
    pub x: f64,
    /// Label drawn beside the line, e.g. `Western diplomats: yes ≥ 110`.
    pub label: String,
    /// What the marker stands for.
    pub kind: MarkerKind,
}

/// The yes count needed for adoption when the no count is `no`: `max(1, 2·no)` under the
/// two-thirds rule (yes ≥ 2·no), `no + 1` under a simple majority (yes > no).
pub fn adoption_threshold(rule: Rule, no: u64) -> u64 {
    match rule {
        Rule::TwoThirds => (2 * no).max(1),
        Rule::Simple => no + 1,
    }
}

/// Where a claim about the yes count is marked (the boundary between the counts it includes
/// and excludes, or the count itself for `=`) and the claim with a typographic operator;
/// `None` for a claim about another count.
fn yes_claim(c: &Claim) -> Option<(f64, String)> {
    if c.outcome != Outcome::Yes {
        return None;
    }
    let v = c.value as f64;
    let (x, sym) = match c.op {
        CmpOp::Ge => (v - 0.5, "≥"),
        CmpOp::Gt => (v + 0.5, ">"),
        CmpOp::Le => (v + 0.5, "≤"),
        CmpOp::Lt => (v - 0.5, "<"),
        CmpOp::Eq => (v, "="),
    };
    Some((x, format!("yes {sym} {v}")))
}

/// The markers of the yes chart: every reference about the yes count (claims on other counts
/// are left out), then the adoption threshold given the median no count.
pub fn yes_markers(f: &Forecast) -> Vec<Marker> {
    let mut v: Vec<Marker> = f
        .references
        .iter()
        .filter_map(|r| match r.kind {
            ReferenceTag::Actual => Some(Marker {
                x: r.claim.value as f64,
                label: format!("{}: {} yes", r.label, r.claim.value),
                kind: MarkerKind::Actual,
            }),
            ReferenceTag::Claim => yes_claim(&r.claim).map(|(x, c)| Marker {
                x,
                label: format!("{}: {c}", r.label),
                kind: MarkerKind::Claim,
            }),
        })
        .collect();
    let no_median = f.counts.no.quantiles.p50;
    let rule = f.scenario.rule;
    let t = adoption_threshold(rule, no_median);
    let how = match rule {
        Rule::TwoThirds => format!("2 × median no ({no_median})"),
        Rule::Simple => format!("median no ({no_median}) + 1"),
    };
    v.push(Marker {
        x: t as f64 - 0.5,
        label: format!("adoption threshold: yes ≥ {t} = {how}"),
        kind: MarkerKind::Threshold,
    });
    v
}

/// Title line of the yes chart: scenario name, seed and ballots.
pub fn yes_title(f: &Forecast) -> String {
    format!(
        "{} — yes votes (seed {}, {} ballots)",
        f.scenario.name, f.seed, f.ballots
    )
}

/// The yes-count distribution of a forecast as an SVG bar chart (share of ballots, in percent,
/// per yes count), with the 80% and 95% central intervals shaded, reference markers and the
/// adoption threshold given the median no count.
pub fn yes_distribution(f: &Forecast) -> Result<String> {
    const WHAT: &str = "yes-distribution chart";
    let yes = &f.counts.yes;
    let hist = &yes.histogram;
    let n = f.ballots.max(1) as f64;
    let markers = yes_markers(f);
    let members = hist.len().saturating_sub(1) as f64;
    let mut lo = quantile(hist, 0.0005) as f64;
    let mut hi = quantile(hist, 0.9995) as f64;
    for m in &markers {
        lo = lo.min(m.x.floor());
        hi = hi.max(m.x.ceil());
    }
    let lo = (lo - 2.0).max(-0.5);
    let hi = (hi + 2.0).min(members + 0.5);
    let peak = hist.iter().copied().max().unwrap_or(0) as f64 / n * 100.0;
    // Headroom above the tallest bar for the marker labels (one 24-pixel row each in a plot
    // area about 400 pixels high).
    let label_rows = markers.len() as f64;
    let y_max = (peak * (1.1 + 0.07 * label_rows)).max(1e-9);
    let [a80, b80] = yes.intervals.central_80;
    let [a95, b95] = yes.intervals.central_95;

    render_svg(WHAT, |root| {
        let e = draw_err(WHAT);
        // Title, then a band for the legend, then the chart.
        let area = root
            .margin(16, 16, 16, 16)
            .titled(&yes_title(f), (FONT, 28))
            .map_err(&e)?;
        let (_, plot) = area.split_vertically(34);
        let mut chart = ChartBuilder::on(&plot)
            .x_label_area_size(52)
            .y_label_area_size(68)
            .build_cartesian_2d(lo..hi, 0.0..y_max)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_desc("yes votes")
            .y_desc("share of ballots (%)")
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 15))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.1}"))
            .draw()
            .map_err(&e)?;
        for (a, b, c) in [(a95, b95, SHADE_95), (a80, b80, SHADE_80)] {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a as f64 - 0.5, 0.0), (b as f64 + 0.5, y_max)],
                    c.filled(),
                )))
                .map_err(&e)?;
        }
        let bars = hist
            .iter()
            .enumerate()
            .filter(|&(k, &h)| h > 0 && (k as f64) >= lo && (k as f64) <= hi)
            .map(|(k, &h)| {
                let k = k as f64;
                Rectangle::new(
                    [(k - 0.4, 0.0), (k + 0.4, h as f64 / n * 100.0)],
                    BAR.filled(),
                )
            });
        chart.draw_series(bars).map_err(&e)?;
        for m in &markers {
            let line = [(m.x, 0.0), (m.x, y_max)];
            let style = marker_color(m.kind).stroke_width(2);
            if m.kind == MarkerKind::Threshold {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(line, 6, 4, style)))
                    .map_err(&e)?;
            } else {
                chart
                    .draw_series(std::iter::once(PathElement::new(line, style)))
                    .map_err(&e)?;
            }
        }
        // Legend in the band between the title and the plot.
        let (px, py) = chart.plotting_area().get_pixel_range();
        let legend = [
            (format!("simulated ballots (mean {:.1} yes)", yes.mean), BAR),
            (format!("80% interval: {a80}–{b80}"), SHADE_80),
            (format!("95% interval: {a95}–{b95}"), SHADE_95),
        ];
        let mut lx = px.start;
        let ly = py.start - 26;
        for (label, c) in legend {
            root.draw(&Rectangle::new([(lx, ly), (lx + 14, ly + 14)], c.filled()))
                .map_err(&e)?;
            root.draw(&Rectangle::new(
                [(lx, ly), (lx + 14, ly + 14)],
                BLACK.mix(0.3),
            ))
            .map_err(&e)?;
            let w = text_width(&label, LEGEND_PX);
            root.draw(&Text::new(label, (lx + 20, ly), (FONT, LEGEND_PX * 1.24)))
                .map_err(&e)?;
            lx += 20 + w + 28;
        }
        // Marker labels, one row each, on a light background so that lines do not hide them.
        let mid = (lo + hi) / 2.0;
        for (i, m) in markers.iter().enumerate() {
            let color = marker_color(m.kind);
            let x = chart.backend_coord(&(m.x, 0.0)).0;
            let y = py.start + 8 + 24 * i as i32;
            let w = text_width(&m.label, MARKER_PX);
            let (x0, h, left) = if m.x <= mid {
                (x + 6, HPos::Left, x + 6)
            } else {
                (x - 6, HPos::Right, x - 6 - w)
            };
            root.draw(&Rectangle::new(
                [(left - 3, y - 2), (left + w + 3, y + MARKER_PX as i32 + 4)],
                WHITE.mix(0.88).filled(),
            ))
            .map_err(&e)?;
            let style = TextStyle::from((FONT, MARKER_PX * 1.24))
                .color(&color)
                .pos(Pos::new(h, VPos::Top));
            root.draw(&Text::new(m.label.clone(), (x0, y), style))
                .map_err(&e)?;
        }
        Ok(())
    })
}

/// Font size of legend text, in pixels.
const LEGEND_PX: f64 = 13.0;
/// Font size of marker labels, in pixels.
const MARKER_PX: f64 = 14.0;

fn marker_color(k: MarkerKind) -> RGBColor {
    match k {
        MarkerKind::Claim => CLAIM,
        MarkerKind::Actual => ACTUAL,
        MarkerKind::Threshold => THRESHOLD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::tests::texts;
    use crate::{RunOptions, forecast, scenario};

    fn example(ballots: u64) -> Forecast {
        let s = scenario::test_support::example();
        let opts = RunOptions {
            ballots: Some(ballots),
            seed: Some(7),
            threads: Some(1),
            without_blocs: false,
        };
        forecast(&s, &opts).expect("forecast runs")
    }

    #[test]
    fn thresholds_follow_the_rules() {
        assert_eq!(adoption_threshold(Rule::TwoThirds, 5), 10);
        assert_eq!(adoption_threshold(Rule::TwoThirds, 0), 1);
        assert_eq!(adoption_threshold(Rule::Simple, 5), 6);
        // The threshold is exactly the smallest yes count the rule adopts with.
        for no in 0..50u32 {
            for rule in [Rule::TwoThirds, Rule::Simple] {
                let t = adoption_threshold(rule, u64::from(no)) as u32;
                assert!(rule.adopted(t, no), "{rule:?} {no}");
                assert!(!rule.adopted(t - 1, no), "{rule:?} {no}");
            }
        }
    }

    #[test]
    fn claims_are_marked_at_their_boundary() {
        let yes_claim = |t: &str| Claim::parse(t).ok().and_then(|c| yes_claim(&c));
        assert_eq!(yes_claim("yes >= 110"), Some((109.5, "yes ≥ 110".into())));
        assert_eq!(yes_claim("yes < 97"), Some((96.5, "yes < 97".into())));
        assert_eq!(yes_claim("yes <= 97"), Some((97.5, "yes ≤ 97".into())));
        assert_eq!(yes_claim("yes > 3"), Some((3.5, "yes > 3".into())));
        assert_eq!(yes_claim("no >= 3"), None);
        assert_eq!(yes_claim("yes >= x"), None);
    }

    #[test]
    fn example_markers() {
        let f = example(4096);
        let m = yes_markers(&f);
        assert_eq!(m.len(), 3, "{m:?}");
        assert_eq!(m[0].kind, MarkerKind::Claim);
        assert_eq!(m[0].x, 7.5);
        assert_eq!(m[0].label, "Optimists' forecast: yes ≥ 8");
        assert_eq!(m[1].kind, MarkerKind::Actual);
        assert_eq!(m[1].x, 7.0);
        assert_eq!(m[2].kind, MarkerKind::Threshold);
        let t = 2 * f.counts.no.quantiles.p50.max(1);
        assert_eq!(m[2].x, t as f64 - 0.5);
        assert!(m[2].label.contains("median no"), "{}", m[2].label);
    }

    #[test]
    fn yes_chart_is_well_formed_and_labelled() {
        let f = example(20_000);
        let svg = yes_distribution(&f).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let t = texts(&doc);
        assert!(
            t.iter()
                .any(|s| s.contains("Example: twelve-state assembly")
                    && s.contains("seed 7")
                    && s.contains("20000 ballots"))
        );
        assert!(
            t.iter().any(|s| s == "Optimists' forecast: yes ≥ 8"),
            "{t:?}"
        );
        assert!(
            t.iter().any(|s| s == "Hypothetical outcome: 7 yes"),
            "{t:?}"
        );
        assert!(t.iter().any(|s| s.starts_with("adoption threshold: yes ≥")));
        let [a, b] = f.counts.yes.intervals.central_80;
        assert!(
            t.iter().any(|s| *s == format!("80% interval: {a}–{b}")),
            "{t:?}"
        );
        assert!(t.iter().any(|s| s.starts_with("95% interval: ")));
        // Same forecast, same bytes.
        assert_eq!(svg, yes_distribution(&f).unwrap());
    }

    #[test]
    fn scenario_names_are_escaped() {
        let mut f = example(4096);
        f.scenario.name = "A <b>&</b> \"B\"".into();
        let svg = yes_distribution(&f).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        assert!(
            texts(&doc)
                .iter()
                .any(|s| s.starts_with("A <b>&</b> \"B\" —"))
        );
    }
}
