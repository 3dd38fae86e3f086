//! Exact count distributions, for checking the simulation and for scenarios simple enough to
//! need none.
//!
//! **When it applies.** Without bloc cohesion and without leaders (a scenario that has neither,
//! or any scenario compiled with `--without-blocs`), the latent score of state `i` is
//! `z_i = √g·G + σ·ε_i` with `σ = √(1 − g)` (see [`crate::model`]). Given the global shock
//! `G = x`, states are independent and each has closed-form probabilities
//!
//! ```text
//! P(absent | x) = a_i
//! P(no | x)     = n_i + (1 − p_i)·Φ((t1_i − √g·x) / σ)
//! P(yes | x)    = y_i + (1 − p_i)·Φ((√g·x − t2_i) / σ)
//! P(abstain | x) = 1 − a_i − P(no | x) − P(yes | x)
//! ```
//!
//! with `t1_i`, `t2_i` the effective cut-points ([`crate::model::StateModel::cut_no`],
//! [`crate::model::StateModel::cut_yes`]), `p_i` the base probability of not voting, `a_i` what
//! remains of it after mobilisation and `y_i`, `n_i` the mobilised masses
//! ([`crate::model::StateModel::conditional`]).
//!
//! **How.** For one value of `x`, the distribution of each count (yes, no, abstain, absent) is
//! Poisson-binomial — the sum of independent indicators — computed by the convolution
//! [`crate::stats::poisson_binomial`] in `O(n²)`; the joint distribution of (yes, no), needed
//! for the probability of adoption, is a two-dimensional convolution over the states in
//! `O(n³/6)` time and `O(n²)` memory. With `g = 0` one evaluation is exact (method
//! `independent`). With `g > 0` the conditional distributions are averaged over
//! `G ~ N(0, 1)` by Gauss–Hermite quadrature of order `N`: `E[f(G)] ≈ Σ_j w_j f(x_j)`, exact
//! when `f` is a polynomial of degree `< 2N`. Nodes and weights are computed here
//! ([`gauss_hermite`]). Nodes whose weight is below [`NEGLIGIBLE_WEIGHT`] (far tails of `G`)
//! are skipped and their total weight is added to the error estimate; an order-`N` rule then
//! costs about `2.7·√N` node evaluations of `4·n²/2 + n³/6` floating-point updates each. At
//! most [`MAX_EXACT_STATES`] states are accepted.
//!
//! **Order.** By default the order is chosen adaptively: [`ORDERS`] = 25, 50, 100, 200, 400
//! in turn, stopping at the first order whose answer differs from the previous one by at most
//! [`QUADRATURE_TOLERANCE`] (10⁻⁷) in total variation, for every count. The conditional pmfs
//! are analytic in `x` but, with many states and a strong global shock, vary on a scale of a
//! few tenths of a standard deviation, so large assemblies need high orders (the 193-state
//! test scenario with `g = 0.2` stops at 400). `lobbysim exact --order N` fixes the order.
//!
//! **Accuracy.** Every step is a convex combination of probabilities, so rounding errors stay
//! near `n·10⁻¹⁶` per entry. The quadrature error is *estimated* as the largest total-variation
//! distance, over the four counts, between the answer and the answer of the previous (about
//! half) order ([`Exact::quadrature_error`]): this measures the error of the coarser rule, so
//! it is conservative for the reported one (Gauss–Hermite converges geometrically for these
//! integrands; e.g. for the 193-state scenario the order-100 answer is within 5·10⁻⁵ of the
//! order-400 one and the order-200 answer within 6·10⁻⁹). The engine's own simulation realises
//! each state's conditional outcome probabilities within [`crate::simulate::MAX_PROB_ERROR`]
//! = 10⁻⁶ (24-bit uniforms, f32 quantile), a difference no Monte Carlo run of practical
//! size can detect.

mod quadrature;

use serde::Serialize;

pub use quadrature::{GaussHermite, MAX_ORDER, gauss_hermite};

use crate::error::{Error, ExactError, Result};
use crate::model::{CompileOptions, Model, StateModel};
use crate::report::ScenarioInfo;
use crate::scenario::{Claim, ReferenceKind, Rule, Scenario};
use crate::stats::{
    ChiSquare, chi_square_gof, pmf_mean, pmf_sd, poisson_binomial, quantile, total_variation,
};
use crate::vote::{Outcome, VoteProbs};

/// Gauss–Hermite orders tried in turn when no order is given.
pub const ORDERS: [usize; 5] = [25, 50, 100, 200, 400];

pub use crate::prec::QUADRATURE_TOLERANCE;

/// Quadrature nodes with a smaller weight are skipped (their total weight is counted in the
/// error estimate).
pub const NEGLIGIBLE_WEIGHT: f64 = 1e-20;

/// Largest number of member states an exact solution is attempted for (the joint (yes, no)
/// convolution costs `n³/6` per quadrature node).
pub const MAX_EXACT_STATES: usize = 1000;

/// How an exact distribution was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Method {
    /// States are independent (no global shock): one convolution, exact up to rounding.
    Independent,
    /// Convolutions averaged over the global shock by Gauss–Hermite quadrature.
    GaussHermite {
        /// Number of quadrature nodes.
        order: usize,
    },
}

/// The exact distribution of the four counts of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Exact {
    /// How it was computed.
    pub method: Method,
    /// `pmf[o][k]`: probability that exactly `k` states have outcome `o` (outcome order yes,
    /// no, abstain, absent; `k` in 0..=n). Each sums to 1 up to rounding.
    pub pmf: [Vec<f64>; 4],
    /// Probability that the resolution is adopted under the scenario's rule.
    pub adoption: f64,
    /// Estimated quadrature error: the largest total-variation distance over the four counts
    /// between this answer and the answer of order `⌈N/2⌉` (0 for [`Method::Independent`]).
    pub quadrature_error: f64,
    /// Each state's marginal probabilities (closed form), in scenario order.
    pub marginals: Vec<VoteProbs>,
}

/// Why a compiled model cannot be solved exactly, as readable reasons (empty if it can).
fn unsolvable_reasons(s: &Scenario, m: &Model) -> Vec<String> {
    let mut reasons = Vec::new();
    let cohesive: Vec<&str> = s
        .blocs
        .iter()
        .enumerate()
        .filter(|(bi, _)| {
            m.states
                .iter()
                .any(|st| st.loadings.blocs.iter().any(|(b, _)| b == bi))
        })
        .map(|(_, b)| b.name.as_str())
        .collect();
    if !cohesive.is_empty() {
        reasons.push(format!(
            "bloc cohesion > 0 in {}",
            cohesive
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if m.has_leaders() {
        let led: Vec<String> = s
            .blocs
            .iter()
            .filter(|b| b.leader.is_some())
            .map(|b| format!("{:?}", b.name))
            .collect();
        reasons.push(format!("bloc leaders in {}", led.join(", ")));
    }
    reasons
}

/// Checks that the scenario, compiled with `opts`, can be solved exactly: no bloc cohesion, no
/// leaders, at most [`MAX_EXACT_STATES`] states. The error names the file and what to do.
pub fn check_solvable(s: &Scenario, opts: CompileOptions) -> Result<Model> {
    let m = Model::with_options(s, opts);
    let reasons = unsolvable_reasons(s, &m);
    if !reasons.is_empty() {
        return Err(ExactError::NotIndependent {
            file: s.file.clone(),
            reasons,
        }
        .into());
    }
    if m.len() > MAX_EXACT_STATES {
        return Err(ExactError::TooManyStates {
            file: s.file.clone(),
            states: m.len(),
            max: MAX_EXACT_STATES,
        }
        .into());
    }
    if m.states.iter().any(|st| st.loadings.idio <= 0.0) {
        return Err(ExactError::NoIdiosyncraticVariance {
            file: s.file.clone(),
        }
        .into());
    }
    Ok(m)
}

/// Solves a scenario exactly (see the module docs). `order` fixes the Gauss–Hermite order
/// used if the scenario has a global shock; `None` chooses it adaptively from [`ORDERS`].
pub fn solve(s: &Scenario, opts: CompileOptions, order: Option<usize>) -> Result<Exact> {
    let m = check_solvable(s, opts)?;
    let rule = m.rule;
    let marginals = m.marginals();
    if m.states.iter().all(|st| st.loadings.global == 0.0) {
        let (pmf, adoption) = conditional(&m.states, 0.0, Some(rule));
        return Ok(Exact {
            method: Method::Independent,
            pmf,
            adoption,
            quadrature_error: 0.0,
            marginals,
        });
    }
    let distance = |a: &Integrated, b: &Integrated| {
        a.pmf
            .iter()
            .zip(&b.pmf)
            .map(|(x, y)| total_variation(x, y))
            .fold(0.0, f64::max)
            + a.skipped.max(b.skipped)
    };
    // The joint (yes, no) convolution, needed only for adoption, is done at the final order.
    let pmfs_only = |n: usize| Ok::<_, Error>(integrate(&m.states, &gauss_hermite(n)?, None));
    let (order, error) = match order {
        Some(n) => (n, distance(&pmfs_only(n)?, &pmfs_only(n.div_ceil(2))?)),
        None => {
            let mut prev = pmfs_only(ORDERS[0])?;
            let mut chosen = (ORDERS[ORDERS.len() - 1], f64::INFINITY);
            for &n in &ORDERS[1..] {
                let next = pmfs_only(n)?;
                let error = distance(&next, &prev);
                if error <= QUADRATURE_TOLERANCE || n == ORDERS[ORDERS.len() - 1] {
                    chosen = (n, error);
                    break;
                }
                prev = next;
            }
            chosen
        }
    };
    let fine = integrate(&m.states, &gauss_hermite(order)?, Some(rule));
    Ok(Exact {
        method: Method::GaussHermite { order },
        pmf: fine.pmf,
        adoption: fine.adoption,
        quadrature_error: error,
        marginals,
    })
}

/// Count pmfs and adoption probability averaged over a quadrature rule.
struct Integrated {
    pmf: [Vec<f64>; 4],
    adoption: f64,
    /// Total weight of the skipped (negligible) nodes.
    skipped: f64,
}

/// Averages the conditional pmfs over `gh`; with a rule, also the adoption probability
/// (the costly joint convolution), else `adoption` is 0.
fn integrate(states: &[StateModel], gh: &GaussHermite, rule: Option<Rule>) -> Integrated {
    let n = states.len();
    let mut pmf: [Vec<f64>; 4] = std::array::from_fn(|_| vec![0.0; n + 1]);
    let mut adoption = 0.0;
    let mut skipped = 0.0;
    for (&x, &w) in gh.nodes.iter().zip(&gh.weights) {
        if w < NEGLIGIBLE_WEIGHT {
            skipped += w;
            continue;
        }
        let (p, a) = conditional(states, x, rule);
        for (acc, c) in pmf.iter_mut().zip(&p) {
            for (s, v) in acc.iter_mut().zip(c) {
                *s += w * v;
            }
        }
        adoption += w * a;
    }
    Integrated {
        pmf,
        adoption,
        skipped,
    }
}

/// One state's outcome probabilities given the global shock `x`.
pub fn conditional_probs(s: &StateModel, x: f64) -> VoteProbs {
    s.conditional(s.loadings.global * x, s.loadings.idio)
}

/// Count pmfs given the global shock `x` and, with a rule, the probability of adoption.
fn conditional(states: &[StateModel], x: f64, rule: Option<Rule>) -> ([Vec<f64>; 4], f64) {
    let probs: Vec<VoteProbs> = states.iter().map(|s| conditional_probs(s, x)).collect();
    let pmf = std::array::from_fn(|o| {
        let ps: Vec<f64> = probs.iter().map(|p| p.to_array()[o]).collect();
        poisson_binomial(&ps)
    });
    let Some(rule) = rule else {
        return (pmf, 0.0);
    };
    let joint = yes_no_joint(&probs);
    let n = states.len();
    let mut adoption = 0.0;
    for y in 0..=n {
        for k in 0..=n - y {
            if rule.adopted(y as u32, k as u32) {
                adoption += joint[y * (n + 1) + k];
            }
        }
    }
    (pmf, adoption)
}

/// Joint distribution of (yes, no) counts of independent states: entry `y·(n+1) + k` is
/// P(yes = y, no = k), zero unless `y + k ≤ n`. Convolution in place, `O(n³/6)`.
pub fn yes_no_joint(probs: &[VoteProbs]) -> Vec<f64> {
    let n = probs.len();
    let stride = n + 1;
    let mut j = vec![0.0; stride * stride];
    j[0] = 1.0;
    for (i, p) in probs.iter().enumerate() {
        let other = 1.0 - p.p_yes - p.p_no;
        let m = i + 1; // after state i, y + k ≤ m
        // Rows in descending y, so row y − 1 still holds the values before state i.
        for y in (0..=m).rev() {
            let (before, rest) = j.split_at_mut(y * stride);
            let row = &mut rest[..=m - y];
            for k in (1..row.len()).rev() {
                row[k] = row[k] * other + row[k - 1] * p.p_no;
            }
            row[0] *= other;
            if y > 0 {
                let prev = &before[(y - 1) * stride..(y - 1) * stride + row.len()];
                for (r, q) in row.iter_mut().zip(prev) {
                    *r += q * p.p_yes;
                }
            }
        }
    }
    j
}

/// Exact summary of one count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactCount {
    /// Mean count.
    pub mean: f64,
    /// Standard deviation of the count.
    pub sd: f64,
    /// 95% central interval [2.5% quantile, 97.5% quantile], inclusive.
    pub central_95: [u64; 2],
    /// `pmf[k]`: probability that the count is exactly `k` (k = 0..=members).
    pub pmf: Vec<f64>,
}

impl ExactCount {
    fn new(pmf: &[f64]) -> ExactCount {
        ExactCount {
            mean: pmf_mean(pmf),
            sd: pmf_sd(pmf),
            central_95: [quantile(pmf, 0.025), quantile(pmf, 0.975)],
            pmf: pmf.to_vec(),
        }
    }
}

/// Exact distributions of the four counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactCounts {
    /// Yes votes.
    pub yes: ExactCount,
    /// No votes.
    pub no: ExactCount,
    /// Abstentions.
    pub abstain: ExactCount,
    /// Not voting.
    pub absent: ExactCount,
}

/// Engine identification of an exact report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactEngine {
    /// Always `lobbysim`.
    pub name: &'static str,
    /// Crate version that produced the report.
    pub version: &'static str,
}

/// The exact probability of one reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactReference {
    /// The reference's label.
    pub label: String,
    /// The claim (`yes >= 110`), or for an actual result `yes = <actual yes>`; written as text.
    #[serde(serialize_with = "crate::report::as_text")]
    pub claim: Claim,
    /// Probability that the claim holds, in [0, 1].
    pub probability: f64,
}

/// The `lobbysim exact` report (JSON layout: this struct's fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactReport {
    /// Engine identification.
    pub engine: ExactEngine,
    /// Scenario identification.
    pub scenario: ScenarioInfo,
    /// How the distribution was computed (`independent` or `gauss-hermite` with its order).
    pub method: Method,
    /// Estimated quadrature error (total-variation distance, see [`Exact::quadrature_error`]).
    pub quadrature_error: f64,
    /// Exact distributions of the counts.
    pub counts: ExactCounts,
    /// Exact probability of adoption under the rule, in [0, 1].
    pub adoption_probability: f64,
    /// Exact probabilities of the scenario's references.
    pub references: Vec<ExactReference>,
}

impl ExactReport {
    /// Builds the report of `scenario` solved as `exact`.
    pub fn new(scenario: &Scenario, exact: &Exact, without_blocs: bool) -> ExactReport {
        let c = |o: Outcome| ExactCount::new(&exact.pmf[o.index()]);
        let references = scenario
            .references
            .iter()
            .map(|r| {
                let claim = match r.kind {
                    ReferenceKind::Claim(cl) => cl,
                    ReferenceKind::Actual(a) => Claim::actual_yes(a),
                };
                let probability = exact.pmf[claim.outcome.index()]
                    .iter()
                    .enumerate()
                    .filter(|&(k, _)| claim.op.holds(k as u64, claim.value))
                    .map(|(_, p)| p)
                    .sum();
                ExactReference {
                    label: r.label.clone(),
                    claim,
                    probability,
                }
            })
            .collect();
        ExactReport {
            engine: ExactEngine {
                name: "lobbysim",
                version: env!("CARGO_PKG_VERSION"),
            },
            scenario: ScenarioInfo::new(scenario, without_blocs),
            method: exact.method,
            quadrature_error: exact.quadrature_error,
            counts: ExactCounts {
                yes: c(Outcome::Yes),
                no: c(Outcome::No),
                abstain: c(Outcome::Abstain),
                absent: c(Outcome::Absent),
            },
            adoption_probability: exact.adoption,
            references,
        }
    }
}

/// How far a simulated count histogram is from the exact pmf.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    /// Ballots simulated.
    pub ballots: u64,
    /// Total-variation distance between the simulated and exact distributions, in [0, 1].
    pub total_variation: f64,
    /// The distance Monte Carlo noise alone gives on average at this number of ballots,
    /// `½ Σ_k √(2·p_k(1 − p_k)/(π·ballots))` (a normal approximation).
    pub expected_noise: f64,
    /// Pearson chi-square goodness of fit of the histogram to the pmf (cells pooled to ≥ 5
    /// expected ballots).
    pub chi_square: ChiSquare,
}

/// Compares a simulated histogram (ballots per count) with an exact pmf.
pub fn compare(histogram: &[u64], pmf: &[f64]) -> Comparison {
    let ballots: u64 = histogram.iter().sum();
    let nb = ballots.max(1) as f64;
    let sim: Vec<f64> = histogram.iter().map(|&h| h as f64 / nb).collect();
    let expected_noise = 0.5
        * pmf
            .iter()
            .map(|&p| (2.0 * p * (1.0 - p) / (std::f64::consts::PI * nb)).sqrt())
            .sum::<f64>();
    Comparison {
        ballots,
        total_variation: total_variation(&sim, pmf),
        expected_noise,
        chi_square: chi_square_gof(histogram, pmf, 5.0),
    }
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "yes count, simulated vs exact: total variation {:.6} over {} ballots \
             (Monte Carlo noise alone gives about {:.6}); chi-square {:.2} on {} df, p = {:.4}",
            self.total_variation,
            self.ballots,
            self.expected_noise,
            self.chi_square.statistic,
            self.chi_square.df,
            self.chi_square.p_value
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joint_matches_marginals_and_brute_force() {
        let probs = [
            VoteProbs::from_array([0.5, 0.2, 0.2, 0.1]),
            VoteProbs::from_array([0.1, 0.6, 0.3, 0.0]),
            VoteProbs::from_array([0.0, 0.0, 0.5, 0.5]),
        ];
        let j = yes_no_joint(&probs);
        // Brute force over 4³ outcome combinations.
        let mut want = vec![0.0; 16];
        for a in 0..4 {
            for b in 0..4 {
                for c in 0..4 {
                    let p =
                        probs[0].to_array()[a] * probs[1].to_array()[b] * probs[2].to_array()[c];
                    let y = [a, b, c].iter().filter(|&&o| o == 0).count();
                    let k = [a, b, c].iter().filter(|&&o| o == 1).count();
                    want[y * 4 + k] += p;
                }
            }
        }
        for (g, w) in j.iter().zip(&want) {
            assert!((g - w).abs() < 1e-15, "{j:?} vs {want:?}");
        }
        let yes_marg: Vec<f64> = (0..4).map(|y| (0..4).map(|k| j[y * 4 + k]).sum()).collect();
        let pb = poisson_binomial(&[0.5, 0.1, 0.0]);
        for (a, b) in yes_marg.iter().zip(&pb) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    #[test]
    fn comparison_of_identical_distributions() {
        let c = compare(&[250, 500, 250], &[0.25, 0.5, 0.25]);
        assert_eq!(c.total_variation, 0.0);
        assert!(c.expected_noise > 0.0 && c.expected_noise < 0.05);
        assert!(c.chi_square.p_value > 0.99);
    }
}
