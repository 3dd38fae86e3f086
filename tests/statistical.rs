//! Statistical tests of the simulation against exact distributions ([`lobbysim::exact`]).
//!
//! For each case, the simulated histogram of every count (yes, no, abstain, absent) must pass
//! a Pearson chi-square goodness-of-fit test against the exact pmf (cells pooled to at least
//! [`MIN_EXPECTED`] expected ballots), and the simulated adoption frequency must agree with the
//! exact adoption probability (two-sided z-test). Tolerances are in [`lobbysim::prec`].
//!
//! **False-alarm rate.** Each test is at significance [`TEST_ALPHA`] = 0.001: if the engine is
//! right, a given test fails with probability 0.001, so the 5 tests per case and the whole file
//! (currently 4 cases, 20 tests) raise a false alarm with probability 1 − 0.999²⁰ ≈ 2%. Seeds are fixed,
//! so a run is deterministic: a failure after a change means the change moved the sample into
//! the rejection region — rerun with other seeds before believing a false alarm, and never
//! tune a seed until a real failure passes.
//!
//! **Approximations that do not matter here.** The engine realises each state's conditional
//! outcome probabilities within 10⁻⁶ (`lobbysim::simulate::MAX_PROB_ERROR`: 24-bit uniforms,
//! a piecewise-polynomial f32 quantile with CDF error ≤ 10⁻⁷,
//! `lobbysim::normal::MAX_F32_CDF_ERROR`), and the
//! exact side integrates the global shock by Gauss–Hermite quadrature whose estimated error is
//! checked below to be under 10⁻⁶. Both are orders of magnitude below what 2·10⁵ ballots can
//! detect (Monte Carlo error of a probability ≈ 10⁻³).
//!
//! **Power.** `detects_a_wrong_model` checks that the same machinery rejects a histogram
//! simulated from a slightly different model, so these tests can fail.
//!
//! To add a scenario (e.g. the real one), add one [`Case`] to [`CASES`].

use std::path::Path;

use lobbysim::exact::{self, Exact};
use lobbysim::model::CompileOptions;
use lobbysim::scenario::{ParamPath, Scenario};
use lobbysim::stats::chi_square_gof;
use lobbysim::vote::Outcome;
use lobbysim::{Forecast, RunOptions, scenario};

use lobbysim::prec::{MAX_QUADRATURE_ERROR, MIN_EXPECTED, TEST_ALPHA};

/// One scenario checked against its exact counterpart.
struct Case {
    /// Scenario file, relative to the crate root.
    path: &'static str,
    /// Solve and simulate with `--without-blocs`.
    without_blocs: bool,
    /// Ballots to simulate.
    ballots: u64,
    /// Seed of the simulation.
    seed: u64,
}

const CASES: &[Case] = &[
    // The shipped ES-11/4 forecast with bloc cohesion dropped (priors, campaigns, g = 0.05).
    Case {
        path: "scenarios/unga-es11-4-2022.toml",
        without_blocs: true,
        ballots: 100_000,
        seed: 4,
    },
    // The shipped example, blocs dropped (discipline pulls, campaigns, global shock g = 0.1).
    Case {
        path: "scenarios/example.toml",
        without_blocs: true,
        ballots: 200_000,
        seed: 1,
    },
    // No blocs at all: a strong global shock (g = 0.45), a turnout campaign, chacha12.
    Case {
        path: "tests/scenarios/global_shock.toml",
        without_blocs: false,
        ballots: 200_000,
        seed: 2,
    },
    // 193 synthetic members with blocs (dropped), discipline, campaigns, zero probabilities.
    Case {
        path: "tests/scenarios/synthetic193.toml",
        without_blocs: true,
        ballots: 200_000,
        seed: 3,
    },
];

fn root(p: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn simulate_and_solve(case: &Case) -> (Forecast, Exact) {
    let s = scenario::load(&root(case.path)).unwrap();
    let opts = RunOptions {
        ballots: Some(case.ballots),
        seed: Some(case.seed),
        threads: None,
        without_blocs: case.without_blocs,
    };
    let f = lobbysim::forecast(&s, &opts).unwrap();
    let e = exact::solve(&s, opts.compile(), None).unwrap();
    (f, e)
}

/// Failures of the five tests of one case, as messages (empty if all pass).
fn check(case: &Case, f: &Forecast, e: &Exact) -> Vec<String> {
    let mut failures = Vec::new();
    assert!(
        e.quadrature_error <= MAX_QUADRATURE_ERROR,
        "{}: quadrature error {}",
        case.path,
        e.quadrature_error
    );
    for o in Outcome::ALL {
        let hist = &f.counts.get(o).histogram;
        let pmf = &e.pmf[o.index()];
        let sum: f64 = pmf.iter().sum();
        assert!((sum - 1.0).abs() < 1e-9, "{}: pmf sums to {sum}", case.path);
        let chi = chi_square_gof(hist, pmf, MIN_EXPECTED);
        assert!(chi.df >= 2, "{}: too few cells ({chi:?})", case.path);
        eprintln!(
            "{} {}: chi-square {:.2} on {} df, p = {:.4}",
            case.path,
            o.name(),
            chi.statistic,
            chi.df,
            chi.p_value
        );
        if chi.p_value < TEST_ALPHA {
            failures.push(format!("{} {}: {chi:?}", case.path, o.name()));
        }
    }
    let p = e.adoption;
    let se = (p * (1.0 - p) / case.ballots as f64).sqrt();
    let z = if se > 0.0 {
        (f.adoption.probability - p) / se
    } else {
        0.0
    };
    eprintln!("{} adoption: z = {z:.2}", case.path);
    // Two-sided z-test at TEST_ALPHA = 0.001: |z| < 3.29.
    if z.abs() > lobbysim::normal::quantile(1.0 - TEST_ALPHA / 2.0) {
        failures.push(format!(
            "{} adoption: simulated {} vs exact {p} (z = {z:.2})",
            case.path, f.adoption.probability
        ));
    }
    failures
}

#[test]
fn simulated_counts_fit_exact_distributions() {
    let mut failures = Vec::new();
    for case in CASES {
        let (f, e) = simulate_and_solve(case);
        failures.extend(check(case, &f, &e));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The test has power: a histogram simulated from the example (blocs dropped) is rejected when
/// compared with the exact distribution of the same scenario with a different global
/// correlation (0.2 instead of 0.1) or with one campaign half as strong.
#[test]
fn detects_a_wrong_model() {
    let case = &CASES[0];
    let (f, _) = simulate_and_solve(case);
    let s = scenario::load(&root(case.path)).unwrap();
    let opts = CompileOptions {
        without_blocs: true,
    };
    let more_correlated = set(&s, "model.global_correlation", 0.2);
    let strength = format!("campaign.{:?}.strength", s.campaigns[0].name);
    let weaker = set(&s, &strength, s.campaigns[0].strength * 0.5);
    for wrong in [more_correlated, weaker] {
        let e = exact::solve(&wrong, opts, None).unwrap();
        let failures = check(case, &f, &e);
        assert!(!failures.is_empty(), "a wrong model was not detected");
    }
}

/// `s` with the parameter at `path` set to `v`.
fn set(s: &Scenario, path: &str, v: f64) -> Scenario {
    let p = ParamPath::parse(s, path, "test").unwrap();
    s.with_param(&p, v).unwrap()
}

/// The exact answer does not depend on the quadrature order once converged, and the
/// independent case (no global shock) needs no quadrature.
#[test]
fn exact_answers_are_stable() {
    let s = scenario::load(&root("scenarios/example.toml")).unwrap();
    let opts = CompileOptions {
        without_blocs: true,
    };
    let a = exact::solve(&s, opts, Some(100)).unwrap();
    let b = exact::solve(&s, opts, Some(300)).unwrap();
    for (x, y) in a.pmf.iter().zip(&b.pmf) {
        assert!(lobbysim::stats::total_variation(x, y) < 1e-10);
    }
    assert!((a.adoption - b.adoption).abs() < 1e-10);
    let flat = set(&s, "model.global_correlation", 0.0);
    let e = exact::solve(&flat, opts, None).unwrap();
    assert_eq!(e.method, exact::Method::Independent);
    // With no global shock the yes count is Poisson-binomial in the closed-form marginals.
    let pb =
        lobbysim::stats::poisson_binomial(&e.marginals.iter().map(|m| m.p_yes).collect::<Vec<_>>());
    assert!(lobbysim::stats::total_variation(&pb, &e.pmf[0]) < 1e-14);
}
