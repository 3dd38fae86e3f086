//! Nelder–Mead minimisation of a cost over a vector of real coordinates, through `argmin`.
//!
//! Both of lobbysim's derivative-free searches use it: calibration of scenario parameters
//! ([`crate::tune`]) and the tuning of the ideal-point forecaster's pooling weights
//! ([`crate::ideal`]). The starting simplex is the start point and one vertex per coordinate,
//! moved by a fixed step along that coordinate.
//!
//! The point type is [`Point`], a vector with exactly the element-wise arithmetic that
//! `argmin-math`'s `vec` feature gives `Vec<f64>` (sum, difference, product by a scalar, in the
//! same order of operations, so the search visits the same points bit for bit). Implementing
//! those three operations here keeps that feature, and with it a second copy of `rand` and
//! `rand_chacha` (0.9, which the feature always pulls in), out of the build.

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use argmin_math::{ArgminAdd, ArgminMul, ArgminSub};

/// A vertex of the simplex: coordinates in the searched space (unbounded reals).
#[derive(Clone, Debug, PartialEq)]
pub struct Point(pub Vec<f64>);

impl ArgminAdd<Point, Point> for Point {
    fn add(&self, other: &Point) -> Point {
        assert_eq!(self.0.len(), other.0.len(), "points of different dimension");
        Point(self.0.iter().zip(&other.0).map(|(a, b)| a + b).collect())
    }
}

impl ArgminSub<Point, Point> for Point {
    fn sub(&self, other: &Point) -> Point {
        assert_eq!(self.0.len(), other.0.len(), "points of different dimension");
        Point(self.0.iter().zip(&other.0).map(|(a, b)| a - b).collect())
    }
}

impl ArgminMul<f64, Point> for Point {
    fn mul(&self, factor: &f64) -> Point {
        Point(self.0.iter().map(|a| a * factor).collect())
    }
}

/// How the search is started and stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Search {
    /// Distance of each initial vertex from the start, along its coordinate (> 0).
    pub step: f64,
    /// The search stops when the standard deviation of the costs at the vertices falls
    /// below this (> 0, in units of the cost).
    pub sd_tolerance: f64,
    /// The search stops after this many iterations at most.
    pub max_iters: u64,
}

/// Where a search ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// The best vertex found (same dimension as the start).
    pub point: Vec<f64>,
    /// Iterations done.
    pub iterations: u64,
}

struct Cost<F>(F);

impl<F: Fn(&[f64]) -> f64> CostFunction for Cost<F> {
    type Param = Point;
    type Output = f64;
    fn cost(&self, p: &Point) -> Result<f64, argmin::core::Error> {
        Ok((self.0)(&p.0))
    }
}

/// Minimises `cost` from `start` (at least one coordinate). A point where the cost cannot be
/// evaluated should be given a very large finite cost by the caller. Errors (from `argmin`,
/// as its message) only for an invalid set-up: an empty start or a non-positive tolerance.
pub fn minimise<F>(cost: F, start: &[f64], search: Search) -> Result<Minimum, String>
where
    F: Fn(&[f64]) -> f64,
{
    if start.is_empty() {
        return Err("nothing to search: the start point has no coordinate".into());
    }
    let start = start.to_vec();
    let simplex: Vec<Point> = std::iter::once(Point(start.clone()))
        .chain((0..start.len()).map(|k| {
            let mut v = start.clone();
            v[k] += search.step;
            Point(v)
        }))
        .collect();
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(search.sd_tolerance)
        .map_err(|e| e.to_string())?;
    let res = Executor::new(Cost(cost), solver)
        .configure(|s| s.max_iters(search.max_iters))
        .timer(false)
        .run()
        .map_err(|e| e.to_string())?;
    let st = res.state();
    Ok(Minimum {
        point: st.get_best_param().map_or(start, |p| p.0.clone()),
        iterations: st.get_iter(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shifted, scaled quadratic bowl: the minimum is found to within the tolerance's
    /// reach (1e-4 in each coordinate for sd tolerance 1e-12 on the cost).
    #[test]
    fn finds_the_minimum_of_a_quadratic() {
        let cost = |x: &[f64]| (x[0] - 1.5).powi(2) + 4.0 * (x[1] + 0.25).powi(2) + 2.0;
        let search = Search {
            step: 0.5,
            sd_tolerance: 1e-12,
            max_iters: 2000,
        };
        let m = minimise(cost, &[0.0, 0.0], search).unwrap();
        assert!((m.point[0] - 1.5).abs() < 1e-4, "{:?}", m.point);
        assert!((m.point[1] + 0.25).abs() < 1e-4, "{:?}", m.point);
        assert!(m.iterations > 10 && m.iterations < 2000);
    }

    #[test]
    fn arithmetic_is_element_wise() {
        let a = Point(vec![1.0, 2.0]);
        let b = Point(vec![0.5, -1.0]);
        assert_eq!(a.add(&b), Point(vec![1.5, 1.0]));
        assert_eq!(a.sub(&b), Point(vec![0.5, 3.0]));
        assert_eq!(a.mul(&2.0), Point(vec![2.0, 4.0]));
    }

    #[test]
    fn an_empty_start_is_an_error_not_a_panic() {
        let search = Search {
            step: 0.5,
            sd_tolerance: 1e-9,
            max_iters: 10,
        };
        assert!(minimise(|_| 0.0, &[], search).is_err());
    }
}
