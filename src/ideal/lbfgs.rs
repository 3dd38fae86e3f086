//! Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, *Numerical
//! Optimization*, algorithms 7.4, 3.5 and 3.6), for objectives that return their value and
//! gradient together.
//!
//! Why not argmin's `LBFGS` (which the first version of the fit used): its cost and gradient
//! are separate calls (an objective that computes both at once has to cache them), every
//! vector operation allocates, and its only stopping rule is the change of one iteration,
//! which on this model's long, flat tail either stops early by chance or runs thousands of
//! iterations. Here the rule is the mean decrease over the last [`WINDOW`] iterations; see
//! `docs/ideal.md` for the measured comparison. Everything is sequential, so the iterates are
//! exactly reproducible.

/// Iterations over which the mean decrease of the objective is measured for convergence.
pub const WINDOW: usize = 20;
/// Sufficient-decrease constant of the Wolfe conditions.
const C1: f64 = 1e-4;
/// Curvature constant of the Wolfe conditions.
const C2: f64 = 0.9;
/// Largest number of evaluations in one line search.
const MAX_LINE_EVALS: usize = 30;

/// Settings of a minimisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Correction pairs kept.
    pub memory: usize,
    /// Largest number of iterations.
    pub max_iterations: u64,
    /// Converged when the objective fell by less than this per iteration, on average over the
    /// last [`WINDOW`] iterations (absolute, in objective units).
    pub tolerance: f64,
}

/// How a minimisation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The last accepted point.
    pub x: Vec<f64>,
    /// Objective there.
    pub f: f64,
    /// Gradient there.
    pub g: Vec<f64>,
    /// Iterations done.
    pub iterations: u64,
    /// Objective evaluations (each with its gradient).
    pub evaluations: u64,
    /// Why it stopped.
    pub reason: String,
    /// Whether the convergence criterion was met.
    pub converged: bool,
}

/// Minimises `eval` (which returns the objective at `x` and writes its gradient to `g`) from
/// `x0`.
pub fn minimise(
    eval: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    x0: Vec<f64>,
    settings: &Settings,
) -> Minimum {
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut f = eval(&x, &mut g);
    let mut evaluations = 1u64;
    let mut s_hist: Vec<Vec<f64>> = Vec::with_capacity(settings.memory);
    let mut y_hist: Vec<Vec<f64>> = Vec::with_capacity(settings.memory);
    let mut rho: Vec<f64> = Vec::with_capacity(settings.memory);
    let mut f_hist: Vec<f64> = vec![f];
    let mut d = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut gt = vec![0.0; n];
    let mut alpha_buf = vec![0.0; settings.memory];
    let mut reason = "iteration limit reached".to_string();
    let mut converged = false;
    let mut iterations = 0u64;
    if !f.is_finite() {
        return Minimum {
            x,
            f,
            g,
            iterations,
            evaluations,
            reason: "non-finite objective at the start".into(),
            converged,
        };
    }
    while iterations < settings.max_iterations {
        let gnorm = norm(&g);
        if gnorm == 0.0 {
            reason = "zero gradient".into();
            converged = true;
            break;
        }
        // Direction d = −H g by the two-loop recursion.
        d.copy_from_slice(&g);
        let m = s_hist.len();
        for k in (0..m).rev() {
            let a = rho[k] * dot(&s_hist[k], &d);
            alpha_buf[k] = a;
            axpy(-a, &y_hist[k], &mut d);
        }
        let gamma = if m > 0 {
            dot(&s_hist[m - 1], &y_hist[m - 1]) / dot(&y_hist[m - 1], &y_hist[m - 1])
        } else {
            1.0 / gnorm.max(1.0)
        };
        d.iter_mut().for_each(|v| *v *= gamma);
        for k in 0..m {
            let b = rho[k] * dot(&y_hist[k], &d);
            axpy(alpha_buf[k] - b, &s_hist[k], &mut d);
        }
        d.iter_mut().for_each(|v| *v = -*v);
        let mut dg = dot(&g, &d);
        if dg.is_nan() || dg >= 0.0 {
            // Not a descent direction: forget the memory and go down the gradient.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            let scale = 1.0 / gnorm.max(1.0);
            for (di, gi) in d.iter_mut().zip(&g) {
                *di = -scale * gi;
            }
            dg = dot(&g, &d);
        }
        let ls = line_search(eval, &x, f, dg, &d, &mut xt, &mut gt);
        evaluations += ls.evaluations;
        let Some(ft) = ls.f else {
            reason = "line search found no decrease".into();
            // Converged in practice when the direction can no longer lower the objective.
            converged = !s_hist.is_empty();
            break;
        };
        iterations += 1;
        // Update the memory with s = x_new − x, y = g_new − g.
        let mut s = if s_hist.len() == settings.memory {
            s_hist.remove(0)
        } else {
            vec![0.0; n]
        };
        let mut y = if y_hist.len() == settings.memory {
            rho.remove(0);
            y_hist.remove(0)
        } else {
            vec![0.0; n]
        };
        for k in 0..n {
            s[k] = xt[k] - x[k];
            y[k] = gt[k] - g[k];
        }
        let sy = dot(&s, &y);
        if sy > 1e-12 * norm(&s) * norm(&y) && sy > 0.0 {
            rho.push(1.0 / sy);
            s_hist.push(s);
            y_hist.push(y);
        }
        std::mem::swap(&mut x, &mut xt);
        std::mem::swap(&mut g, &mut gt);
        f = ft;
        f_hist.push(f);
        if f_hist.len() > WINDOW {
            let before = f_hist[f_hist.len() - 1 - WINDOW];
            if (before - f) / (WINDOW as f64) < settings.tolerance {
                reason = format!(
                    "converged: mean decrease over the last {WINDOW} iterations below tolerance"
                );
                converged = true;
                break;
            }
        }
    }
    Minimum {
        x,
        f,
        g,
        iterations,
        evaluations,
        reason,
        converged,
    }
}

struct LineResult {
    /// Objective at the accepted point (in `xt`, gradient in `gt`); `None` if none found.
    f: Option<f64>,
    evaluations: u64,
}

/// Strong-Wolfe line search along `d` from `x` (objective `f0`, slope `dg0 < 0`), starting
/// at step 1. On success `xt`, `gt` hold the accepted point and its gradient.
fn line_search(
    eval: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    f0: f64,
    dg0: f64,
    d: &[f64],
    xt: &mut [f64],
    gt: &mut [f64],
) -> LineResult {
    let mut evals = 0u64;
    let mut try_step = |a: f64, xt: &mut [f64], gt: &mut [f64], evals: &mut u64| -> (f64, f64) {
        for k in 0..x.len() {
            xt[k] = x[k] + a * d[k];
        }
        let f = eval(xt, gt);
        *evals += 1;
        let f = if f.is_finite() { f } else { f64::INFINITY };
        (f, dot(gt, d))
    };
    let (mut a_prev, mut f_prev, mut dg_prev) = (0.0, f0, dg0);
    let mut a = 1.0;
    let (mut lo, mut hi);
    let mut i = 0;
    loop {
        let (ft, dgt) = try_step(a, xt, gt, &mut evals);
        if ft > f0 + C1 * a * dg0 || (i > 0 && ft >= f_prev) {
            lo = (a_prev, f_prev, dg_prev);
            hi = (a, ft, dgt);
            break;
        }
        if dgt.abs() <= -C2 * dg0 {
            return LineResult {
                f: Some(ft),
                evaluations: evals,
            };
        }
        if dgt >= 0.0 {
            lo = (a, ft, dgt);
            hi = (a_prev, f_prev, dg_prev);
            break;
        }
        a_prev = a;
        f_prev = ft;
        dg_prev = dgt;
        a *= 2.0;
        i += 1;
        if evals as usize >= MAX_LINE_EVALS {
            // Accept the last point: it satisfies sufficient decrease.
            return LineResult {
                f: Some(ft),
                evaluations: evals,
            };
        }
    }
    // Zoom between lo (sufficient decrease holds) and hi.
    let mut best: Option<(f64, f64)> = None;
    while (evals as usize) < MAX_LINE_EVALS {
        let a = interpolate(lo, hi);
        let (ft, dgt) = try_step(a, xt, gt, &mut evals);
        if ft > f0 + C1 * a * dg0 || ft >= lo.1 {
            hi = (a, ft, dgt);
        } else {
            if dgt.abs() <= -C2 * dg0 {
                return LineResult {
                    f: Some(ft),
                    evaluations: evals,
                };
            }
            best = Some((a, ft));
            if dgt * (hi.0 - lo.0) >= 0.0 {
                hi = lo;
            }
            lo = (a, ft, dgt);
        }
        if (hi.0 - lo.0).abs() < 1e-14 * lo.0.abs().max(1e-300) {
            break;
        }
    }
    // Out of evaluations: take the best point with sufficient decrease, if any.
    match best.or((lo.0 > 0.0 && lo.1 < f0).then_some((lo.0, lo.1))) {
        Some((a, _)) => {
            let (ft, _) = try_step(a, xt, gt, &mut evals);
            LineResult {
                f: Some(ft),
                evaluations: evals,
            }
        }
        None => LineResult {
            f: None,
            evaluations: evals,
        },
    }
}

/// Minimiser of the cubic through two points with values and slopes, kept inside the
/// middle 80% of the interval (bisection when the cubic has no usable minimum).
fn interpolate(lo: (f64, f64, f64), hi: (f64, f64, f64)) -> f64 {
    let (a0, f0, d0) = lo;
    let (a1, f1, d1) = hi;
    let (left, right) = (a0.min(a1), a0.max(a1));
    let width = right - left;
    let mid = 0.5 * (a0 + a1);
    if !f1.is_finite() {
        return a0 + 0.25 * (a1 - a0);
    }
    let d1_ = d0 + d1 - 3.0 * (f0 - f1) / (a0 - a1);
    let disc = d1_ * d1_ - d0 * d1;
    if disc < 0.0 {
        return mid;
    }
    let d2 = (a1 - a0).signum() * disc.sqrt();
    let a = a1 - (a1 - a0) * (d1 + d2 - d1_) / (d1 - d0 + 2.0 * d2);
    if a.is_finite() {
        a.clamp(left + 0.1 * width, right - 0.1 * width)
    } else {
        mid
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_the_rosenbrock_function() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let m = minimise(
            &mut f,
            vec![-1.2, 1.0],
            &Settings {
                memory: 5,
                max_iterations: 500,
                tolerance: 1e-14,
            },
        );
        assert!(
            (m.x[0] - 1.0).abs() < 1e-5 && (m.x[1] - 1.0).abs() < 1e-5,
            "{m:?}"
        );
        assert!(m.converged, "{m:?}");
    }

    #[test]
    fn minimises_an_ill_conditioned_quadratic_exactly_enough() {
        let n = 50;
        let mut f = |x: &[f64], g: &mut [f64]| {
            let mut v = 0.0;
            for k in 0..n {
                let c = (1.0 + k as f64).powi(2);
                g[k] = c * (x[k] - 1.0);
                v += 0.5 * c * (x[k] - 1.0).powi(2);
            }
            v
        };
        let m = minimise(
            &mut f,
            vec![0.0; n],
            &Settings {
                memory: 10,
                max_iterations: 2000,
                tolerance: 1e-16,
            },
        );
        assert!(m.x.iter().all(|x| (x - 1.0).abs() < 1e-6), "{m:?}");
    }
}
