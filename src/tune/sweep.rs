//! Parameter sweeps: the forecast over a one- or two-parameter grid, with common random numbers.
//!
//! Every grid point is simulated with the same seed and ballot count. Each ballot consumes a
//! fixed number of random numbers whatever the parameter values (see [`crate::simulate`]), so
//! ballot `b` of every point sees the same shocks: a point differs from its neighbour only by
//! the parameter change. Where the model is monotone in a parameter ballot by ballot (e.g. the
//! strength of a yes campaign whose targets lead no bloc), the swept mean yes count is
//! monotone at every grid point, not just on average.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ParamPath, RunInfo};
use crate::engine::{Run, RunOptions, Workers};
use crate::error::{Error, Result, TuneError};
use crate::prec::GRID_END_TOLERANCE;
use crate::report::{Forecast, ReferenceTag};
use crate::scenario::{Claim, MAX_BALLOTS, Scenario};
use crate::simulate::Tally;
use crate::stats::Quantiles;

/// Largest number of grid points in one sweep.
pub const MAX_POINTS: usize = 10_000;

/// One axis of a grid: a parameter and the values it takes, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The parameter.
    pub path: ParamPath,
    /// Its values, each within the parameter's bounds.
    pub values: Vec<f64>,
}

/// Parses a grid specification: `START:END:STEP` (START ≤ END, STEP > 0; END is included when
/// it lies on the grid within 10⁻⁹·STEP), a comma-separated list `a,b,c`, or one value.
pub fn parse_values(spec: &str) -> std::result::Result<Vec<f64>, String> {
    let num = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{:?} is not a finite number", t.trim()))
    };
    let parts: Vec<&str> = spec.split(':').collect();
    match parts.as_slice() {
        [start, end, step] => {
            let (a, b, h) = (num(start)?, num(end)?, num(step)?);
            if h <= 0.0 {
                return Err(format!("STEP must be > 0, got {h}"));
            }
            if b < a {
                return Err(format!("END ({b}) must not be below START ({a})"));
            }
            let n = ((b - a) / h + GRID_END_TOLERANCE).floor();
            if n + 1.0 > MAX_POINTS as f64 {
                return Err(format!(
                    "{a}:{b}:{h} has {} points; at most {MAX_POINTS}",
                    n + 1.0
                ));
            }
            Ok((0..=n as usize)
                .map(|k| {
                    let x = a + k as f64 * h;
                    if (x - b).abs() <= GRID_END_TOLERANCE * h {
                        b
                    } else {
                        x
                    }
                })
                .collect())
        }
        [_] => spec.split(',').map(num).collect(),
        _ => Err(format!(
            "{spec:?} is not START:END:STEP, a list a,b,c or a single value"
        )),
    }
}

/// Parses `PATH=SPEC` against scenario `s` (the last `=` splits path from values) and checks
/// every value against the parameter's bounds.
pub fn parse_axis(s: &Scenario, arg: &str) -> Result<Axis> {
    let (p, spec) = arg.rsplit_once('=').ok_or_else(|| {
        Error::argument(
            "--set",
            arg,
            "expected PATH=START:END:STEP, e.g. campaign.\"US outreach\".strength=0:2:0.25",
        )
    })?;
    let path = ParamPath::parse(s, p, "--set")?;
    let values = parse_values(spec).map_err(|m| Error::argument("--set", path.text.clone(), m))?;
    let b = path.bounds();
    if let Some(v) = values.iter().find(|&&v| !b.contains(v)) {
        let mut t = s.clone();
        // `set` produces the range message.
        path.set(&mut t, *v).map_err(|e| match e {
            Error::Parameter { path, message } => Error::argument("--set", path, message),
            other => other,
        })?;
    }
    Ok(Axis { path, values })
}

/// The yes count at one grid point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YesSummary {
    /// Mean yes count over ballots.
    pub mean: f64,
    /// Standard deviation of the yes count over ballots.
    pub sd: f64,
    /// Quantiles of the yes count (type-1).
    pub quantiles: Quantiles,
}

/// A reference's probability at one grid point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointReference {
    /// The reference's label.
    pub label: String,
    /// Whether the reference is a claim or an actual result (not written out: the claim says
    /// it).
    #[serde(skip)]
    pub kind: ReferenceTag,
    /// Its claim (for an actual result, `yes = N`), written as text.
    #[serde(serialize_with = "crate::report::as_text")]
    pub claim: Claim,
    /// Probability the claim holds (for an actual result, P(yes = actual yes)).
    pub probability: f64,
    /// Monte Carlo standard error of `probability` (for one point alone; differences between
    /// points have far smaller error thanks to common random numbers).
    pub mc_se: f64,
}

/// The forecast at one grid point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// Parameter values at this point, path → value.
    pub params: BTreeMap<String, f64>,
    /// The yes count.
    pub yes: YesSummary,
    /// P(adopted) under the scenario's rule.
    pub adoption_probability: f64,
    /// Monte Carlo standard error of `adoption_probability`.
    pub adoption_mc_se: f64,
    /// The scenario's references.
    pub references: Vec<PointReference>,
}

/// A whole sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    /// Scenario and run settings (one seed for all points: common random numbers).
    pub run: RunInfo,
    /// The swept paths, outer axis first.
    pub parameters: Vec<String>,
    /// Grid points, outer axis slowest.
    pub points: Vec<SweepPoint>,
}

fn point(params: BTreeMap<String, f64>, f: &Forecast) -> SweepPoint {
    SweepPoint {
        params,
        yes: YesSummary {
            mean: f.counts.yes.mean,
            sd: f.counts.yes.sd,
            quantiles: f.counts.yes.quantiles,
        },
        adoption_probability: f.adoption.probability,
        adoption_mc_se: f.adoption.mc_se,
        references: f
            .references
            .iter()
            .map(|r| PointReference {
                label: r.label.clone(),
                kind: r.kind,
                claim: r.claim,
                probability: r.probability,
                mc_se: r.mc_se,
            })
            .collect(),
    }
}

/// The grid spanned by `axes` (one or two), checked against the run options: every point's
/// values, outer axis slowest. Refuses zero or more than two axes, the same parameter twice,
/// more than [`MAX_POINTS`] points, and more than `MAX_BALLOTS` ballots in total.
pub fn grid(s: &Scenario, axes: &[Axis], opts: &RunOptions) -> Result<Vec<Vec<f64>>> {
    if axes.is_empty() || axes.len() > 2 {
        return Err(TuneError::Axes(axes.len()).into());
    }
    if axes.len() == 2 && axes[0].path == axes[1].path {
        return Err(TuneError::SweptTwice(axes[0].path.text.clone()).into());
    }
    let grid: Vec<Vec<f64>> = match axes {
        [a] => a.values.iter().map(|&x| vec![x]).collect(),
        [a, b] => a
            .values
            .iter()
            .flat_map(|&x| b.values.iter().map(move |&y| vec![x, y]))
            .collect(),
        _ => unreachable!("checked above"),
    };
    let cfg = opts.config(s);
    if grid.len() > MAX_POINTS {
        return Err(TuneError::GridPoints {
            points: grid.len(),
            max: MAX_POINTS,
        }
        .into());
    }
    if (grid.len() as u128) * u128::from(cfg.ballots) > u128::from(MAX_BALLOTS) {
        return Err(TuneError::GridBallots {
            points: grid.len(),
            ballots: cfg.ballots,
            max: MAX_BALLOTS,
        }
        .into());
    }
    Ok(grid)
}

/// The scenario at one grid point (`values` in axis order) and its parameter map.
fn at_point(
    s: &Scenario,
    axes: &[Axis],
    values: &[f64],
) -> Result<(Scenario, BTreeMap<String, f64>)> {
    let mut t = s.clone();
    let mut params = BTreeMap::new();
    for (axis, &v) in axes.iter().zip(values) {
        axis.path.set(&mut t, v)?;
        params.insert(axis.path.text.clone(), v);
    }
    Ok((t, params))
}

/// Simulates one grid point (`values` in axis order) with `opts` and returns its integer
/// tally: the ballots [`crate::forecast`] would simulate there. (Evidence weighting is not
/// computed: a sweep reports only unconditioned figures.)
pub fn point_tally(
    s: &Scenario,
    axes: &[Axis],
    values: &[f64],
    opts: &RunOptions,
    workers: &Workers,
) -> Result<Tally> {
    let (t, _) = at_point(s, axes, values)?;
    Run::new(&t, opts, workers)?.tally_all()
}

/// The summary of one grid point from its tally (see [`point_tally`]).
pub fn point_from_tally(
    s: &Scenario,
    axes: &[Axis],
    values: &[f64],
    opts: &RunOptions,
    tally: &Tally,
) -> Result<SweepPoint> {
    let (t, params) = at_point(s, axes, values)?;
    let f = Forecast::new(&t, &opts.config(&t), tally, opts.without_blocs, None);
    Ok(point(params, &f))
}

/// The sweep result from its points (in grid order).
pub fn assemble(s: &Scenario, axes: &[Axis], opts: &RunOptions, points: Vec<SweepPoint>) -> Sweep {
    let cfg = opts.config(s);
    Sweep {
        run: super::RunInfo::new(s, cfg.seed, cfg.ballots),
        parameters: axes.iter().map(|a| a.path.text.clone()).collect(),
        points,
    }
}

/// Runs the forecast at every point of the grid spanned by `axes` (one or two), each with the
/// same seed and ballots.
pub fn sweep(s: &Scenario, axes: &[Axis], opts: &RunOptions) -> Result<Sweep> {
    let grid = grid(s, axes, opts)?;
    let workers = Workers::new(opts.threads)?;
    let mut points = Vec::with_capacity(grid.len());
    for values in &grid {
        let tally = point_tally(s, axes, values, opts, &workers)?;
        points.push(point_from_tally(s, axes, values, opts, &tally)?);
    }
    Ok(assemble(s, axes, opts, points))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Render, TextStyle};
    use crate::scenario::test_support::example;

    #[test]
    fn grid_specs() {
        assert_eq!(
            parse_values("0:1:0.25").unwrap(),
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
        // 0.1 steps do not accumulate rounding error and END is hit exactly.
        let v = parse_values("0:0.3:0.1").unwrap();
        assert_eq!(v.len(), 4);
        assert_eq!(v[3], 0.3);
        assert_eq!(parse_values("0:1:0.3").unwrap().len(), 4);
        assert_eq!(parse_values("0.2,0.5").unwrap(), vec![0.2, 0.5]);
        assert_eq!(parse_values("0.7").unwrap(), vec![0.7]);
        assert!(parse_values("1:0:0.1").is_err());
        assert!(parse_values("0:1:0").is_err());
        assert!(parse_values("0:1:x").is_err());
        assert!(parse_values("0:1e9:1e-3").is_err());
        assert!(parse_values("0:1").is_err());
    }

    #[test]
    fn axis_values_are_range_checked() {
        let s = example();
        let e = parse_axis(&s, "model.global_correlation=0:1:0.5")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--set: model.global_correlation: must be in [0, 1)"),
            "{e}"
        );
        assert!(parse_axis(&s, "model.global_correlation").is_err());
        let a = parse_axis(&s, "campaign.\"Northern outreach\".strength=0:1:0.5").unwrap();
        assert_eq!(a.values, vec![0.0, 0.5, 1.0]);
    }

    /// Common random numbers make the model's monotonicity visible at every grid point: more
    /// yes-lobbying never lowers the mean yes count (nor any yes quantile). The Northern
    /// outreach's targets lead no bloc, so every ballot's yes count is non-decreasing in its
    /// strength, not just the expectation.
    #[test]
    fn crn_sweep_is_monotone_in_yes_lobbying() {
        let s = example();
        let axis = parse_axis(&s, "campaign.\"Northern outreach\".strength=0:3:0.25").unwrap();
        let opts = RunOptions {
            ballots: Some(20_000),
            seed: Some(7),
            threads: Some(2),
            without_blocs: false,
        };
        let r = sweep(&s, &[axis], &opts).unwrap();
        assert_eq!(r.points.len(), 13);
        for w in r.points.windows(2) {
            assert!(
                w[1].yes.mean >= w[0].yes.mean,
                "{:?}",
                (&w[0].params, &w[1].params)
            );
            assert!(w[1].yes.quantiles.p05 >= w[0].yes.quantiles.p05);
            assert!(w[1].yes.quantiles.p95 >= w[0].yes.quantiles.p95);
        }
        let first = r.points.first().unwrap().yes.mean;
        let last = r.points.last().unwrap().yes.mean;
        assert!(last > first + 0.3, "{first} → {last}");
    }

    #[test]
    fn two_axis_grid_and_renderings() {
        let s = example();
        let a = parse_axis(&s, "state.LLL.p_yes=0.2,0.6").unwrap();
        let b = parse_axis(&s, "bloc.\"Eastern Pact\".cohesion=0:0.8:0.4").unwrap();
        let opts = RunOptions {
            ballots: Some(5000),
            ..RunOptions::default()
        };
        let r = sweep(&s, &[a.clone(), b], &opts).unwrap();
        assert_eq!(r.points.len(), 6);
        assert_eq!(r.points[1].params["state.LLL.p_yes"], 0.2);
        assert_eq!(r.points[1].params["bloc.\"Eastern Pact\".cohesion"], 0.4);
        assert_eq!(r.points[3].params["state.LLL.p_yes"], 0.6);
        let csv = r.csv().unwrap().unwrap();
        assert_eq!(csv.lines().count(), 7);
        assert!(csv.starts_with("state.LLL.p_yes,\"bloc.\"\"Eastern Pact\"\".cohesion\",yes_mean"));
        let j: serde_json::Value = serde_json::from_str(&r.json().unwrap()).unwrap();
        assert!(j["points"][0]["yes"]["quantiles"]["p95"].is_u64());
        assert_eq!(
            j["points"][0]["references"][0]["label"],
            "Optimists' forecast"
        );
        assert!(r.text(TextStyle::default()).contains("E[yes]"));
        let svg = r.svg().unwrap().unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("Eastern Pact"), "one line per cohesion value");
        assert!(sweep(&s, &[a.clone(), a], &opts).is_err());
    }
}
