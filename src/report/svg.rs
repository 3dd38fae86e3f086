//! SVG charts drawn with `plotters` (SVG backend only, so no system fonts are needed: text is
//! written as `<text font-family="sans-serif">` and laid out by whatever displays the file).
//!
//! - [`yes_distribution`]: the forecast distribution of the yes count as bars, with the 80% and
//!   95% central intervals shaded, the scenario's references and the adoption threshold marked.
//! - [`line_chart`]: generic lines (e.g. a sweep's objective against a parameter, one line per
//!   value of a second parameter).
//! - [`reliability_diagram`] and [`reliability_chart`]: observed frequency against mean
//!   predicted probability per bin, for one forecaster or several (a backtest's calibration).
//!
//! Every function returns the SVG document as a string; its bytes are a pure function of the
//! inputs.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Exporter, Forecast};
use crate::error::{Error, Result};
use crate::scenario::Rule;
use crate::stats::quantile;

/// Chart width in SVG user units (pixels).
pub const WIDTH: u32 = 960;
/// Chart height in SVG user units (pixels).
pub const HEIGHT: u32 = 540;

const FONT: &str = "sans-serif";
const BAR: RGBColor = RGBColor(66, 107, 160);
const SHADE_95: RGBColor = RGBColor(222, 232, 244);
const SHADE_80: RGBColor = RGBColor(188, 209, 234);
const CLAIM: RGBColor = RGBColor(196, 105, 0);
const ACTUAL: RGBColor = RGBColor(190, 30, 45);
const THRESHOLD: RGBColor = RGBColor(60, 60, 60);
/// Line colours for [`line_chart`] series, reused cyclically (colour-blind-safe Okabe–Ito).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

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

/// The decision rule named in a forecast (`two-thirds` or `simple`).
fn rule_of(f: &Forecast) -> Rule {
    if f.scenario.rule == Rule::Simple.name() {
        Rule::Simple
    } else {
        Rule::TwoThirds
    }
}

/// Parses a yes claim rendered as `yes <op> <value>` into the boundary position and the
/// claim with a typographic operator.
fn yes_claim(claim: &str) -> Option<(f64, String)> {
    let mut it = claim.split_whitespace();
    if it.next()? != "yes" {
        return None;
    }
    let op = it.next()?;
    let v: u64 = it.next()?.parse().ok()?;
    let v = v as f64;
    let (x, sym) = match op {
        ">=" => (v - 0.5, "≥"),
        ">" => (v + 0.5, ">"),
        "<=" => (v + 0.5, "≤"),
        "<" => (v - 0.5, "<"),
        "=" => (v, "="),
        _ => return None,
    };
    Some((x, format!("yes {sym} {v}")))
}

/// The markers of the yes chart: every reference about the yes count (claims on other counts
/// are left out), then the adoption threshold given the median no count.
pub fn yes_markers(f: &Forecast) -> Vec<Marker> {
    let mut v: Vec<Marker> = f
        .references
        .iter()
        .filter_map(|r| match &r.actual {
            Some(a) => Some(Marker {
                x: a.yes.actual as f64,
                label: format!("{}: {} yes", r.label, a.yes.actual),
                kind: MarkerKind::Actual,
            }),
            None => yes_claim(&r.claim).map(|(x, c)| Marker {
                x,
                label: format!("{}: {c}", r.label),
                kind: MarkerKind::Claim,
            }),
        })
        .collect();
    let no_median = f.counts.no.quantiles.p50;
    let rule = rule_of(f);
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

fn draw_err<E: std::fmt::Debug>(what: &str) -> impl Fn(E) -> Error + '_ {
    move |e| Error::Output {
        what: what.to_string(),
        message: format!("{e:?}"),
    }
}

/// Renders with a drawing closure on a fresh white SVG canvas and returns the document.
fn render_svg<F>(what: &str, draw: F) -> Result<String>
where
    F: FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<()>,
{
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err(what))?;
        draw(&root)?;
        root.present().map_err(draw_err(what))?;
    }
    buf.push('\n');
    Ok(buf)
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

/// Rough width in pixels of `s` in a sans-serif font of `px` pixels (0.53 em per character):
/// only used to size label backgrounds and space legend entries.
fn text_width(s: &str, px: f64) -> i32 {
    (s.chars().count() as f64 * px * 0.53).ceil() as i32
}

fn marker_color(k: MarkerKind) -> RGBColor {
    match k {
        MarkerKind::Claim => CLAIM,
        MarkerKind::Actual => ACTUAL,
        MarkerKind::Threshold => THRESHOLD,
    }
}

/// One line of a [`line_chart`]: its legend label and its `(x, y)` points (drawn in the order
/// given; non-finite points are refused).
pub type Series = (String, Vec<(f64, f64)>);

/// Padded axis range covering `values`; a single value gets a unit-wide range.
fn axis_range(values: impl Iterator<Item = f64>) -> Option<std::ops::Range<f64>> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return None;
    }
    let pad = if hi > lo { (hi - lo) * 0.05 } else { 0.5 };
    Some(lo - pad..hi + pad)
}

/// A line chart: one line with point markers per series, a legend with the series labels, and
/// the given title and axis labels. Meant for sweeps: the objective (y) against a parameter
/// (x), one series per value of a second parameter.
///
/// Errors if there are no points at all or a coordinate is not finite.
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<String> {
    const WHAT: &str = "line chart";
    let refuse = |m: &str| Error::Output {
        what: WHAT.into(),
        message: m.into(),
    };
    let points = || series.iter().flat_map(|(_, p)| p.iter().copied());
    if points().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
        return Err(refuse("a point has a non-finite coordinate"));
    }
    let xr = axis_range(points().map(|p| p.0)).ok_or_else(|| refuse("no points to plot"))?;
    let yr = axis_range(points().map(|p| p.1)).ok_or_else(|| refuse("no points to plot"))?;
    render_svg(WHAT, |root| {
        let e = draw_err(WHAT);
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(xr, yr)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .axis_desc_style((FONT, 16))
            .label_style((FONT, 13))
            .draw()
            .map_err(&e)?;
        for (i, (label, pts)) in series.iter().enumerate() {
            let c = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))
                .map_err(&e)?
                .label(label.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], c.stroke_width(2)));
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())))
                .map_err(&e)?;
        }
        if series.iter().any(|(l, _)| !l.is_empty()) {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .label_font((FONT, 13))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .draw()
                .map_err(&e)?;
        }
        Ok(())
    })
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReliabilityBin {
    /// Mean forecast probability of the events in the bin, in [0, 1].
    pub mean_predicted: f64,
    /// Share of those events that happened, in [0, 1].
    pub observed_freq: f64,
    /// Number of events in the bin (≥ 1; empty bins are left out by the caller).
    pub count: u64,
}

/// A reliability (calibration) diagram: observed frequency against mean predicted probability,
/// one point per bin with area proportional to its count, joined by a line, and the diagonal
/// of perfect calibration. Both axes run over [0, 1]. (One forecaster; see
/// [`reliability_chart`] for several.)
///
/// Errors if there are no bins, a bin is empty, or a value is outside [0, 1].
pub fn reliability_diagram(title: &str, bins: &[ReliabilityBin]) -> Result<String> {
    reliability_chart(
        title,
        "",
        &[ReliabilitySeries {
            label: "forecast (point area ∝ events in bin)".into(),
            bins: bins.to_vec(),
        }],
    )
}

/// One forecaster's bins in a [`reliability_chart`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilitySeries {
    /// Legend label, e.g. `lobbysim forecast (ECE 0.041)`.
    pub label: String,
    /// Its non-empty bins, in increasing order of predicted probability.
    pub bins: Vec<ReliabilityBin>,
}

/// Plotters font size at which `s` fits in `width` pixels, at most `max` and at least 11
/// (plotters writes a size `S` as an SVG font size of `S / 1.24` pixels).
fn fitting_font(s: &str, width: u32, max: f64) -> f64 {
    let per_px = (s.chars().count() as f64 * 0.53).max(1.0);
    (f64::from(width) * 1.24 / per_px).floor().clamp(11.0, max)
}

/// Reliability diagram of several forecasters on one set of axes: for each series, one point
/// per bin (observed frequency against mean forecast probability) joined by a line in the
/// series' colour, point area proportional to the bin's count (on one scale for all series),
/// the diagonal of perfect calibration and a legend. `title` is shrunk to fit the width;
/// `subtitle`, if not empty, is drawn below it in a smaller font.
///
/// Errors if there is no series, a series has no bins, a bin is empty, or a value is outside
/// [0, 1].
pub fn reliability_chart(
    title: &str,
    subtitle: &str,
    series: &[ReliabilitySeries],
) -> Result<String> {
    const WHAT: &str = "reliability diagram";
    let refuse = |m: String| Error::Output {
        what: WHAT.into(),
        message: m,
    };
    if series.is_empty() {
        return Err(refuse("no bins to plot".into()));
    }
    for s in series {
        if s.bins.is_empty() {
            return Err(refuse(format!("no bins to plot for {:?}", s.label)));
        }
        for (i, b) in s.bins.iter().enumerate() {
            let ok = |v: f64| (0.0..=1.0).contains(&v);
            if !ok(b.mean_predicted) || !ok(b.observed_freq) || b.count == 0 {
                return Err(refuse(format!(
                    "bin {i} of {:?} is invalid: mean_predicted {}, observed_freq {}, count {} \
                     (probabilities must be in [0, 1], count at least 1)",
                    s.label, b.mean_predicted, b.observed_freq, b.count
                )));
            }
        }
    }
    let max_count = series
        .iter()
        .flat_map(|s| s.bins.iter().map(|b| b.count))
        .max()
        .unwrap_or(1) as f64;
    render_svg(WHAT, |root| {
        let e = draw_err(WHAT);
        let area = root
            .margin(16, 16, 16, 16)
            .titled(title, (FONT, fitting_font(title, WIDTH - 32, 22.0)))
            .map_err(&e)?;
        let area = if subtitle.is_empty() {
            area
        } else {
            area.titled(subtitle, (FONT, fitting_font(subtitle, WIDTH - 32, 15.0)))
                .map_err(&e)?
        };
        let mut chart = ChartBuilder::on(&area)
            .margin(8)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_desc("mean forecast probability")
            .y_desc("observed frequency")
            .axis_desc_style((FONT, 16))
            .label_style((FONT, 13))
            .draw()
            .map_err(&e)?;
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                [(0.0, 0.0), (1.0, 1.0)],
                6,
                4,
                THRESHOLD.stroke_width(1),
            )))
            .map_err(&e)?
            .label("perfect calibration")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], THRESHOLD.stroke_width(1)));
        for (k, s) in series.iter().enumerate() {
            let c = PALETTE[k % PALETTE.len()];
            let pts: Vec<(f64, f64)> = s
                .bins
                .iter()
                .map(|b| (b.mean_predicted, b.observed_freq))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))
                .map_err(&e)?
                .label(s.label.as_str())
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
            chart
                .draw_series(s.bins.iter().map(|b| {
                    let r = 3.0 + 9.0 * (b.count as f64 / max_count).sqrt();
                    Circle::new(
                        (b.mean_predicted, b.observed_freq),
                        r.round() as i32,
                        c.mix(0.6).filled(),
                    )
                }))
                .map_err(&e)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FONT, 13))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(&e)?;
        Ok(())
    })
}

/// The yes-distribution chart as an [`Exporter`] (what `lobbysim plot` writes).
pub struct SvgExporter;

impl Exporter for SvgExporter {
    fn render(&self, f: &Forecast) -> Result<String> {
        yes_distribution(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    /// All text content of `<text>` elements.
    fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    }

    /// Asserts that every string of `want` is the whole (trimmed) text of some `<text>`.
    fn assert_texts(doc: &roxmltree::Document<'_>, want: &[&str]) {
        let t = texts(doc);
        for want in want {
            assert!(t.iter().any(|s| s == want), "missing {want:?}: {t:?}");
        }
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

    #[test]
    fn line_chart_draws_every_series() {
        let series = vec![
            (
                "cohesion = 0.2".to_string(),
                vec![(0.0, 0.1), (0.5, 0.4), (1.0, 0.8)],
            ),
            (
                "cohesion = 0.6".to_string(),
                vec![(0.0, 0.2), (0.5, 0.5), (1.0, 0.6)],
            ),
        ];
        let svg = line_chart("P(adopted) by strength", "strength", "P(adopted)", &series).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        assert_texts(
            &doc,
            &[
                "P(adopted) by strength",
                "strength",
                "P(adopted)",
                "cohesion = 0.2",
                "cohesion = 0.6",
            ],
        );
        let circles = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count();
        assert_eq!(circles, 6);
        assert!(line_chart("t", "x", "y", &[]).is_err());
        let bad = vec![("s".to_string(), vec![(0.0, f64::NAN)])];
        assert!(line_chart("t", "x", "y", &bad).is_err());
    }

    #[test]
    fn reliability_diagram_checks_and_draws_bins() {
        let bins = [
            ReliabilityBin {
                mean_predicted: 0.1,
                observed_freq: 0.15,
                count: 40,
            },
            ReliabilityBin {
                mean_predicted: 0.5,
                observed_freq: 0.45,
                count: 10,
            },
            ReliabilityBin {
                mean_predicted: 0.9,
                observed_freq: 0.85,
                count: 143,
            },
        ];
        let svg = reliability_diagram("Backtest calibration", &bins).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let t = texts(&doc);
        assert!(t.iter().any(|s| s == "Backtest calibration"));
        assert!(t.iter().any(|s| s == "perfect calibration"));
        // One circle per bin plus the legend's.
        let circles = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count();
        assert_eq!(circles, bins.len() + 1);
        assert!(reliability_diagram("t", &[]).is_err());
        let bad = [ReliabilityBin {
            mean_predicted: 1.2,
            observed_freq: 0.5,
            count: 3,
        }];
        assert!(reliability_diagram("t", &bad).is_err());
        let empty = [ReliabilityBin {
            mean_predicted: 0.2,
            observed_freq: 0.5,
            count: 0,
        }];
        assert!(reliability_diagram("t", &empty).is_err());
    }

    #[test]
    fn reliability_chart_draws_every_series_on_one_scale() {
        let bin = |m: f64, o: f64, n: u64| ReliabilityBin {
            mean_predicted: m,
            observed_freq: o,
            count: n,
        };
        let series = [
            ReliabilitySeries {
                label: "model (ECE 0.050)".into(),
                bins: vec![bin(0.05, 0.02, 400), bin(0.95, 0.9, 100)],
            },
            ReliabilitySeries {
                label: "baseline (ECE 0.100)".into(),
                bins: vec![bin(0.1, 0.2, 1), bin(0.5, 0.4, 10), bin(0.9, 1.0, 4)],
            },
        ];
        let long = "A very long scenario name ".repeat(6);
        let svg = reliability_chart(&long, "against r.csv · 100 ballots", &series).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        assert_texts(
            &doc,
            &[
                long.trim(),
                "against r.csv · 100 ballots",
                "model (ECE 0.050)",
                "baseline (ECE 0.100)",
                "perfect calibration",
                "mean forecast probability",
                "observed frequency",
            ],
        );
        // The long title is shrunk below the default (22 / 1.24 SVG pixels) to fit the width.
        let title = doc
            .descendants()
            .find(|n| n.has_tag_name("text") && n.text().is_some_and(|x| x.trim() == long.trim()))
            .unwrap();
        let size: f64 = title
            .attribute("font-size")
            .and_then(|v| v.trim_end_matches("px").parse().ok())
            .expect("font size");
        assert!((11.0 / 1.24..22.0 / 1.24).contains(&size), "{size}");
        let circles: Vec<f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .map(|n| n.attribute("r").unwrap().parse().unwrap())
            .collect();
        // Five bins plus one legend circle per series; the largest bin (400) has the largest
        // point, the 1-event bin the smallest (radius 3 + 9·√(1/400) ≈ 3).
        assert_eq!(circles.len(), 5 + 2);
        assert!(
            circles.contains(&12.0) && circles.contains(&3.0),
            "{circles:?}"
        );
        assert!(reliability_chart("t", "", &[]).is_err());
        let empty = [ReliabilitySeries {
            label: "x".into(),
            bins: vec![],
        }];
        assert!(reliability_chart("t", "", &empty).is_err());
    }
}
