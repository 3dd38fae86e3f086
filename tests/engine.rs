//! Engine-level tests of the foundation's statistical and determinism contracts.
//!
//! Tolerances: Monte Carlo comparisons use fixed seeds, so they are deterministic; the bounds
//! are chosen so that a correct engine would fail them with small probability over seeds
//! (stated per test), and an engine off by more than the Monte Carlo error fails them.

use std::path::Path;

use lobbysim::model::Model;
use lobbysim::report::Render;
use lobbysim::scenario::{self, ParamPath, Scenario};
use lobbysim::simulate::{RunConfig, simulate};
use lobbysim::stats::{chi_square_gof, poisson_binomial, total_variation};
use lobbysim::{RunOptions, forecast};

fn example() -> Scenario {
    scenario::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/example.toml"
    )))
    .expect("example scenario loads")
}

/// A scenario of `n` states with deterministic, varied probabilities.
fn synthetic(n: usize, global: f64, blocs: &str) -> Scenario {
    let mut t = format!(
        "[scenario]\nname = \"synthetic\"\n[simulation]\nballots = 1000\nseed = 1\n[model]\nglobal_correlation = {global}\n"
    );
    for i in 0..n {
        let x = (i as f64 * 0.618_033_988_75).fract();
        let absent = 0.02 + 0.1 * ((i * 7 % 11) as f64 / 11.0);
        let yes = (1.0 - absent) * (0.1 + 0.8 * x);
        let no = (1.0 - absent - yes) * 0.4;
        let abstain = 1.0 - absent - yes - no;
        let code: String = [
            b'A' + (i / 676) as u8,
            b'A' + (i / 26 % 26) as u8,
            b'A' + (i % 26) as u8,
        ]
        .iter()
        .map(|&b| b as char)
        .collect();
        t.push_str(&format!(
            "[[state]]\niso3 = \"{code}\"\np_yes = {yes}\np_no = {no}\np_abstain = {abstain}\np_absent = {absent}\n"
        ));
    }
    t.push_str(blocs);
    scenario::parse(&t, Path::new("synthetic.toml")).expect("synthetic scenario is valid")
}

fn json(s: &Scenario, opts: &RunOptions) -> String {
    forecast(s, opts).unwrap().json().unwrap()
}

#[test]
fn output_is_identical_for_1_2_and_7_threads() {
    let s = example();
    let run = |t| {
        json(
            &s,
            &RunOptions {
                ballots: Some(50_000),
                seed: Some(99),
                threads: Some(t),
                without_blocs: false,
            },
        )
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(7));
}

/// Value stability: exact figures for a fixed seed. Any change to the random stream, the
/// chunking or the model changes them — which must then be deliberate and noted in the
/// CHANGELOG (update the numbers here together with the golden files).
#[test]
fn fixed_seed_golden_numbers() {
    let s = example();
    let cfg = RunConfig {
        ballots: 20_000,
        seed: 7,
        rng: s.simulation.rng,
        threads: Some(2),
    };
    let t = simulate(&Model::new(&s), &cfg).unwrap();
    assert_eq!(t.ballots, 20_000);
    assert_eq!(
        t.hist[0],
        GOLDEN_YES_HIST.to_vec(),
        "yes histogram changed: {:?}",
        t.hist[0]
    );
    assert_eq!(t.adopted, GOLDEN_ADOPTED, "adoptions changed");
    assert_eq!(t.states[0], GOLDEN_STATE0, "state AAA counts changed");
}

const GOLDEN_YES_HIST: [u64; 13] = [
    22, 118, 318, 862, 1941, 3630, 4600, 4321, 2370, 1036, 488, 225, 69,
];
const GOLDEN_ADOPTED: u64 = 14206;
const GOLDEN_STATE0: [u64; 4] = [18945, 0, 668, 387];

/// With cohesion and a global shock but no campaigns, discipline or leaders, each state's
/// simulated probabilities reproduce the stated ones. Tolerance: 5 binomial standard errors
/// per probability (48 comparisons; a correct engine exceeds it with probability < 3e-5 per
/// seed, ignoring the ballot correlation that only affects counts, not per-state shares).
#[test]
fn cohesion_preserves_stated_marginals() {
    let blocs = "[[bloc]]\nname = \"A\"\nmembers = [\"AAA\", \"AAB\", \"AAC\", \"AAD\", \"AAE\"]\ncohesion = 0.8\n\
                 [[bloc]]\nname = \"B\"\nmembers = [\"AAE\", \"AAF\", \"AAG\", \"AAH\"]\ncohesion = 0.5\n\
                 [[bloc]]\nname = \"C\"\nmembers = [\"AAI\", \"AAJ\", \"AAK\", \"AAL\", \"AAA\"]\ncohesion = 0.3\n";
    let s = synthetic(12, 0.4, blocs);
    let m = Model::new(&s);
    for (st, p) in s.states.iter().zip(m.marginals()) {
        for (a, b) in st.base.to_array().iter().zip(p.to_array()) {
            // Φ(Φ⁻¹(p)) round trip through statrs: ≈ 1e-11.
            assert!(
                (a - b).abs() < 1e-9,
                "closed-form marginal of {}: {a} vs {b}",
                st.iso3
            );
        }
    }
    let n = 200_000u64;
    let cfg = RunConfig {
        ballots: n,
        seed: 2024,
        rng: s.simulation.rng,
        threads: None,
    };
    let t = simulate(&m, &cfg).unwrap();
    for (st, counts) in s.states.iter().zip(&t.states) {
        for (k, &p) in st.base.to_array().iter().enumerate() {
            let got = counts[k] as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt().max(1e-9);
            assert!(
                (got - p).abs() <= lobbysim::prec::MC_SIGMAS * se,
                "{} outcome {k}: simulated {got}, stated {p} ({:.1} s.e.)",
                st.iso3,
                (got - p) / se
            );
        }
    }
    // Correlation is real: the yes count is overdispersed relative to independent voting.
    let pb = poisson_binomial(&s.states.iter().map(|x| x.base.p_yes).collect::<Vec<_>>());
    let var_indep: f64 = s
        .states
        .iter()
        .map(|x| x.base.p_yes * (1.0 - x.base.p_yes))
        .sum();
    let mean: f64 = pb.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
    let h = &t.hist[0];
    let sim_var: f64 = h
        .iter()
        .enumerate()
        .map(|(k, &c)| (k as f64 - mean).powi(2) * c as f64)
        .sum::<f64>()
        / n as f64;
    assert!(
        sim_var > 1.5 * var_indep,
        "var {sim_var} vs independent {var_indep}"
    );
}

/// Independent voters (no blocs, no global shock): the yes-count histogram follows the exact
/// Poisson-binomial distribution. Pearson chi-square with cells pooled to ≥ 5 expected; the
/// test rejects at significance 0.001 (false-alarm rate 0.1% over seeds; the seed is fixed).
/// Also the total-variation distance must be below 0.01 (MC noise at 200k ballots ≈ 0.003).
#[test]
fn independent_yes_count_matches_poisson_binomial() {
    let s = synthetic(40, 0.0, "");
    let n = 200_000u64;
    let cfg = RunConfig {
        ballots: n,
        seed: 11,
        rng: s.simulation.rng,
        threads: None,
    };
    let t = simulate(&Model::new(&s), &cfg).unwrap();
    let exact = poisson_binomial(&s.states.iter().map(|x| x.base.p_yes).collect::<Vec<_>>());
    let chi = chi_square_gof(&t.hist[0], &exact, 5.0);
    assert!(chi.p_value > lobbysim::prec::TEST_ALPHA, "{chi:?}");
    let sim: Vec<f64> = t.hist[0].iter().map(|&c| c as f64 / n as f64).collect();
    let tv = total_variation(&sim, &exact);
    assert!(tv < 0.01, "total variation {tv}");
}

/// Lobbying toward yes never lowers any state's yes probability. With common random numbers
/// (same seed; each ballot consumes the same random numbers whatever the parameters) it holds
/// ballot by ballot, so the simulated yes counts must be non-decreasing exactly — including for
/// followers of a lobbied leader and with mobilisation of absentees.
#[test]
fn yes_lobbying_never_lowers_yes_counts() {
    let base = example();
    let cfg = RunConfig {
        ballots: 20_000,
        seed: 5,
        rng: base.simulation.rng,
        threads: None,
    };
    let mut prev: Option<Vec<u64>> = None;
    for (strength, turnout) in [(0.0, 0.0), (0.3, 0.0), (0.6, 0.3), (1.2, 0.6), (3.0, 1.0)] {
        assert_eq!(
            base.campaigns[0].direction,
            lobbysim::scenario::Direction::Yes
        );
        let name = &base.campaigns[0].name;
        let set = |s: Scenario, path: &str, v: f64| {
            let p = ParamPath::parse(&s, &format!("campaign.{name:?}.{path}"), "test").unwrap();
            s.with_param(&p, v).unwrap()
        };
        let mut s = set(base.clone(), "strength", strength);
        s = set(s, "turnout", turnout);
        // Also lobby both bloc leaders (not targets of the campaign yet, so each gets one new
        // direct target of effort 1), so leader effects are exercised.
        for iso in ["AAA", "KKK"] {
            let i = s.state_index(iso).unwrap();
            let direct = lobbysim::scenario::TargetKind::State(i);
            assert!(s.campaigns[0].targets.iter().all(|t| t.kind != direct));
            s = set(s, &format!("effort.{iso}"), 1.0);
        }
        let t = simulate(&Model::new(&s), &cfg).unwrap();
        let yes: Vec<u64> = t.states.iter().map(|c| c[0]).collect();
        if let Some(p) = &prev {
            for (i, (a, b)) in p.iter().zip(&yes).enumerate() {
                assert!(
                    b >= a,
                    "state {i}: yes count fell from {a} to {b} at strength {strength}"
                );
            }
        }
        prev = Some(yes);
    }
}

#[test]
fn more_ballots_for_an_existing_seed_extend_the_same_stream() {
    // Chunk k's ballots depend only on (seed, k): a longer run contains the shorter one's chunks.
    let s = example();
    let m = Model::new(&s);
    let cfg = |b| RunConfig {
        ballots: b,
        seed: 3,
        rng: s.simulation.rng,
        threads: Some(2),
    };
    let first = lobbysim::simulate::simulate_chunk(&m, &cfg(8192), 1);
    let again = lobbysim::simulate::simulate_chunk(&m, &cfg(100_000), 1);
    assert_eq!(first, again);
}

/// Evidence conditioning: with a strong global shock, observing an earlier vote with many yes
/// votes (relative to the forecast) must move the conditioned yes mean up, and observing few
/// must move it down; the conditioned output is identical for 1 and 3 threads.
#[test]
fn evidence_moves_the_forecast_toward_what_was_observed() {
    let base = synthetic(60, 0.5, "");
    let plain = forecast(
        &base,
        &RunOptions {
            ballots: Some(20_000),
            seed: Some(4),
            ..Default::default()
        },
    )
    .unwrap();
    let prior_mean = plain.counts.yes.mean;
    assert!(plain.conditioned.is_none());
    let run = |yes: u64, threads: usize| {
        let absent = 4;
        let no = (60 - yes - absent) / 2;
        let s = base
            .with_evidence(lobbysim::scenario::Evidence {
                label: "earlier vote".into(),
                observed: [yes, no, 60 - yes - absent - no, absent],
                shift: 0.0,
                absent: Some(absent as f64 / 60.0),
            })
            .unwrap();
        let opts = RunOptions {
            ballots: Some(20_000),
            seed: Some(4),
            threads: Some(threads),
            without_blocs: false,
        };
        (forecast(&s, &opts).unwrap(), json(&s, &opts))
    };
    let (high, high_json) = run(40, 1);
    let (low, _) = run(15, 1);
    let h = high.conditioned.unwrap();
    let l = low.conditioned.unwrap();
    // Same ballots: the unconditioned part is unchanged.
    assert_eq!(high.counts.yes.histogram, plain.counts.yes.histogram);
    assert!(
        h.yes_mean > prior_mean + 2.0,
        "{} vs {prior_mean}",
        h.yes_mean
    );
    assert!(
        l.yes_mean < prior_mean - 2.0,
        "{} vs {prior_mean}",
        l.yes_mean
    );
    assert!(h.effective_sample_size > 100.0 && h.effective_sample_size < 20_000.0);
    assert_eq!(high_json, run(40, 3).1, "thread invariance with evidence");
}
