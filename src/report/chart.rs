//! Generic SVG charts drawn with `plotters` (SVG backend only, so no system fonts are needed:
//! text is written as `<text font-family="sans-serif">` and laid out by whatever displays the
//! file). Every function returns the SVG document as a string; its bytes are a pure function
//! of the inputs.
//!
//! - [`line_chart`]: lines (e.g. a sweep's probabilities against a parameter, one line per
//!   value of a second parameter).
//! - [`reliability_diagram`] and [`reliability_chart`]: observed frequency against mean
//!   predicted probability per bin, for one forecaster or several (a backtest's calibration).
//!
//! The forecast's own chart, the yes-count distribution, is in [`super::svg`].

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::error::{Error, Result};

/// Chart width in SVG user units (pixels).
pub const WIDTH: u32 = 960;
/// Chart height in SVG user units (pixels).
pub const HEIGHT: u32 = 540;

/// The charts' one font family.
pub(crate) const FONT: &str = "sans-serif";
/// Dark grey: thresholds and the diagonal of perfect calibration.
pub(crate) const THRESHOLD: RGBColor = RGBColor(60, 60, 60);
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

/// A plotting error as an [`Error::Output`] about `what`.
pub(crate) fn draw_err<E: std::fmt::Debug>(what: &str) -> impl Fn(E) -> Error + '_ {
    move |e| Error::Output {
        what: what.to_string(),
        message: format!("{e:?}"),
    }
}

/// Renders with a drawing closure on a fresh white SVG canvas and returns the document.
pub(crate) fn render_svg<F>(what: &str, draw: F) -> Result<String>
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

/// The chart's type: `f64` on both axes, drawn on SVG.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws the legend of `chart`'s labelled series at `position`.
fn legend<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    position: SeriesLabelPosition,
    what: &str,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(draw_err(what))
}

/// Rough width in pixels of `s` in a sans-serif font of `px` pixels (0.53 em per character):
/// only used to size label backgrounds, space legend entries and fit titles.
pub(crate) fn text_width(s: &str, px: f64) -> i32 {
    (s.chars().count() as f64 * px * 0.53).ceil() as i32
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
            legend(&mut chart, SeriesLabelPosition::UpperRight, WHAT)?;
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
        legend(&mut chart, SeriesLabelPosition::UpperLeft, WHAT)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// All text content of `<text>` elements.
    pub(crate) fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
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
