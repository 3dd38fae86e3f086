//! States' fitted positions over time: tidy rows (one per state, session and dimension), the
//! points of a two-dimensional scatter for one session, and that scatter as an SVG with the
//! states labelled (plotters' SVG backend; text is left to the viewer's sans-serif font).
//!
//! Positions are in the fitted model's canonical orientation (principal axes, dimension 1 the
//! widest spread; sign fixed by the reference state, see [`mod@super::fit`]); units are latent
//! standard deviations of a roll call with unit discrimination.

use plotters::prelude::*;
use serde::Serialize;

use super::error::{IdealError, Result};
use super::file::IdealModel;
use super::history::Iso3;

/// One state's position on one dimension in one session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionRow {
    /// ISO code.
    pub iso3: Iso3,
    /// Session number.
    pub session: i32,
    /// Calendar year the session opened in (`session + 1945`).
    pub year: i32,
    /// Dimension, 1-based.
    pub dim: usize,
    /// Position on it.
    pub value: f64,
}

/// Every fitted position as tidy rows: states by code, sessions in order, dimensions in order.
pub fn position_rows(model: &IdealModel) -> Vec<PositionRow> {
    let mut out = Vec::new();
    for s in &model.states {
        for (t, x) in s.positions.iter().enumerate() {
            let session = s.first_session + t as i32;
            for (d, &v) in x.iter().enumerate() {
                out.push(PositionRow {
                    iso3: s.iso3,
                    session,
                    year: session + 1945,
                    dim: d + 1,
                    value: v,
                });
            }
        }
    }
    out
}

/// One state in a scatter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScatterPoint {
    /// ISO code (the label).
    pub iso3: Iso3,
    /// Position on the horizontal dimension.
    pub x: f64,
    /// Position on the vertical dimension.
    pub y: f64,
}

/// Positions of every state with parameters in `session` on dimensions `dims` (1-based).
pub fn scatter(model: &IdealModel, session: i32, dims: [usize; 2]) -> Result<Vec<ScatterPoint>> {
    let d = model.options.dims;
    for k in dims {
        if k == 0 || k > d {
            return Err(IdealError::options(
                "dims",
                format!("dimension {k} is not among the model's 1–{d}"),
            ));
        }
    }
    let pts: Vec<ScatterPoint> = model
        .states
        .iter()
        .filter_map(|s| {
            let x = s.position(session)?;
            Some(ScatterPoint {
                iso3: s.iso3,
                x: x[dims[0] - 1],
                y: x[dims[1] - 1],
            })
        })
        .collect();
    if pts.is_empty() {
        return Err(IdealError::options(
            "session",
            format!("no state has a position in session {session}"),
        ));
    }
    Ok(pts)
}

/// The scatter as an SVG document (900 × 700), each point labelled with its code.
pub fn scatter_svg(points: &[ScatterPoint], title: &str, dims: [usize; 2]) -> Result<String> {
    let err = |e: &dyn std::fmt::Debug| IdealError::Fit(format!("could not draw the SVG: {e:?}"));
    let range = |f: &dyn Fn(&ScatterPoint) -> f64| {
        let lo = points.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        let pad = 0.05 * (hi - lo).max(1e-9);
        (lo - pad)..(hi + pad)
    };
    if points.is_empty() || points.iter().any(|p| !p.x.is_finite() || !p.y.is_finite()) {
        return Err(IdealError::options("points", "need finite points to plot"));
    }
    let (xr, yr) = (range(&|p| p.x), range(&|p| p.y));
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, 700)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(xr, yr)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc(format!("dimension {}", dims[0]))
            .y_desc(format!("dimension {}", dims[1]))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| err(&e))?;
        let blue = RGBColor(31, 119, 180);
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.x, p.y), 3, blue.filled())),
            )
            .map_err(|e| err(&e))?;
        chart
            .draw_series(points.iter().map(|p| {
                Text::new(
                    p.iso3.to_string(),
                    (p.x, p.y),
                    ("sans-serif", 10).into_font().color(&BLACK.mix(0.8)),
                )
            }))
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    buf.push('\n');
    Ok(buf)
}
