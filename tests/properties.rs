//! Invariants of the engine, checked by property-based tests (proptest) over random valid
//! scenarios built in code: a few states with random base positions (including hard zeros),
//! blocs with random cohesion, discipline, position and (acyclic) leaders, campaigns in every
//! direction with turnout effects, a random global correlation and rule.
//!
//! Case counts are small so that the whole file runs in a few seconds in release mode; the
//! proptest seed is fixed, so every run checks the same cases (change [`SEED`] to explore).

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use lobbysim::RunOptions;
use lobbysim::model::{CompileOptions, Model};
use lobbysim::scenario::{self, ParamPath, RngKind, Scenario};
use lobbysim::simulate::{self, CHUNK_BALLOTS, RunConfig, Tally};

/// Seed of proptest's case generator.
const SEED: u64 = 0x10bb_5173;

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(SEED),
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    }
}

#[derive(Debug, Clone)]
struct BlocSpec {
    members: Vec<usize>,
    cohesion: f64,
    discipline: f64,
    position: Option<&'static str>,
    leader: bool,
}

#[derive(Debug, Clone)]
struct CampaignSpec {
    direction: &'static str,
    strength: f64,
    turnout: f64,
    targets: Vec<(usize, f64)>,
}

#[derive(Debug, Clone)]
struct Spec {
    probs: Vec<[f64; 4]>,
    susceptibility: Vec<f64>,
    global: f64,
    simple: bool,
    blocs: Vec<BlocSpec>,
    campaigns: Vec<CampaignSpec>,
}

fn code(i: usize) -> String {
    format!(
        "S{}{}",
        (b'A' + (i / 26) as u8) as char,
        (b'A' + (i % 26) as u8) as char
    )
}

impl Spec {
    fn toml(&self) -> String {
        let mut t = String::from(
            "[scenario]\nname = \"property\"\n[simulation]\nballots = 1000\nseed = 1\n",
        );
        let _ = writeln!(t, "[model]\nglobal_correlation = {:?}", self.global);
        let rule = if self.simple { "simple" } else { "two-thirds" };
        let _ = writeln!(t, "[rule]\nmajority = \"{rule}\"");
        for (i, (p, s)) in self.probs.iter().zip(&self.susceptibility).enumerate() {
            let _ = writeln!(
                t,
                "[[state]]\niso3 = \"{}\"\np_yes = {:?}\np_no = {:?}\np_abstain = {:?}\np_absent = {:?}\nsusceptibility = {s:?}",
                code(i),
                p[0],
                p[1],
                p[2],
                p[3]
            );
        }
        for (b, spec) in self.blocs.iter().enumerate() {
            let members: Vec<String> = spec
                .members
                .iter()
                .map(|&i| format!("\"{}\"", code(i)))
                .collect();
            let _ = writeln!(
                t,
                "[[bloc]]\nname = \"B{b}\"\nmembers = [{}]\ncohesion = {:?}\ndiscipline = {:?}",
                members.join(", "),
                spec.cohesion,
                spec.discipline
            );
            if let Some(p) = spec.position {
                let _ = writeln!(t, "position = \"{p}\"");
            }
            // The leader is the member with the smallest index: leadership edges then always
            // go from lower to higher indices, so they cannot form a cycle.
            if spec.leader && spec.members.len() >= 2 {
                let l = *spec.members.iter().min().unwrap();
                let _ = writeln!(t, "leader = \"{}\"\nleader_influence = 0.6", code(l));
            }
        }
        for (c, spec) in self.campaigns.iter().enumerate() {
            let targets: Vec<String> = spec
                .targets
                .iter()
                .map(|(i, e)| format!("{{ state = \"{}\", effort = {e:?} }}", code(*i)))
                .collect();
            let _ = writeln!(
                t,
                "[[campaign]]\nname = \"C{c}\"\nactor = \"X\"\ndirection = \"{}\"\nstrength = {:?}\nturnout = {:?}\ntargets = [{}]",
                spec.direction,
                spec.strength,
                spec.turnout,
                targets.join(", ")
            );
        }
        t
    }

    fn scenario(&self) -> Scenario {
        let text = self.toml();
        scenario::parse(&text, Path::new("property.toml"))
            .unwrap_or_else(|e| panic!("generated scenario is invalid: {e}\n{text}"))
    }
}

/// Base probabilities: four weights, each zero with probability ¼, normalised.
fn probs() -> impl Strategy<Value = [f64; 4]> {
    let w = || prop_oneof![1 => Just(0.0), 3 => 0.01f64..10.0];
    (w(), w(), w(), w()).prop_map(|(a, b, c, d)| {
        let a = if a + b + c + d == 0.0 { 1.0 } else { a };
        let s = a + b + c + d;
        [a / s, b / s, c / s, d / s]
    })
}

fn spec(max_states: usize, leaders: bool) -> impl Strategy<Value = Spec> {
    (2..=max_states).prop_flat_map(move |n| {
        let bloc = (
            proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 1..=n),
            prop_oneof![Just(0.0), 0.0f64..0.95],
            prop_oneof![Just(0.0), 0.0f64..2.0],
            prop_oneof![
                Just(None),
                Just(Some("yes")),
                Just(Some("no")),
                Just(Some("abstain"))
            ],
            any::<bool>(),
        )
            .prop_map(
                move |(members, cohesion, discipline, position, leader)| BlocSpec {
                    members,
                    cohesion,
                    discipline,
                    position,
                    leader: leader && leaders,
                },
            );
        let campaign = (
            prop_oneof![Just("yes"), Just("no"), Just("abstain")],
            0.0f64..3.0,
            prop_oneof![Just(0.0), 0.0f64..1.0],
            proptest::collection::vec((0..n, 0.0f64..4.0), 1..=n),
        )
            .prop_map(|(direction, strength, turnout, targets)| CampaignSpec {
                direction,
                strength,
                turnout,
                targets,
            });
        (
            proptest::collection::vec(probs(), n),
            proptest::collection::vec(0.0f64..2.0, n),
            prop_oneof![Just(0.0), 0.0f64..0.9],
            any::<bool>(),
            proptest::collection::vec(bloc, 0..=3),
            proptest::collection::vec(campaign, 0..=3),
        )
            .prop_map(
                |(probs, susceptibility, global, simple, blocs, campaigns)| Spec {
                    probs,
                    susceptibility,
                    global,
                    simple,
                    blocs,
                    campaigns,
                },
            )
    })
}

fn run_config(ballots: u64, seed: u64, threads: Option<usize>) -> RunConfig {
    RunConfig {
        ballots,
        seed,
        rng: RngKind::ChaCha8,
        threads,
    }
}

fn sim(m: &Model, ballots: u64, seed: u64, threads: Option<usize>) -> Tally {
    simulate::simulate(m, &run_config(ballots, seed, threads)).unwrap()
}

proptest! {
    #![proptest_config(config(24))]

    /// Each ballot gives every state exactly one outcome (so the four counts of a ballot sum to
    /// the number of members), each count's histogram sums to the ballots, and the mean counts
    /// sum to n. Every probability is in [0, 1] and each state's four sum to 1.
    #[test]
    fn counts_and_probabilities_are_consistent(s in spec(12, true), seed in any::<u64>()) {
        let sc = s.scenario();
        let n = sc.states.len() as u64;
        let ballots = 2 * CHUNK_BALLOTS + 123;
        let m = Model::new(&sc);
        let t = sim(&m, ballots, seed, Some(2));
        prop_assert_eq!(t.ballots, ballots);
        for st in &t.states {
            prop_assert_eq!(st.iter().sum::<u64>(), ballots);
        }
        let mut total_votes = 0u128;
        for h in &t.hist {
            prop_assert_eq!(h.iter().sum::<u64>(), ballots);
            total_votes += h.iter().enumerate().map(|(k, &c)| k as u128 * c as u128).sum::<u128>();
        }
        prop_assert_eq!(total_votes, n as u128 * ballots as u128);
        for p in m.marginals() {
            for x in p.to_array() {
                prop_assert!((0.0..=1.0).contains(&x), "{p:?}");
            }
            prop_assert!((p.to_array().iter().sum::<f64>() - 1.0).abs() < 1e-12, "{p:?}");
        }
        let f = lobbysim::forecast(&sc, &RunOptions { ballots: Some(ballots), seed: Some(seed), threads: Some(1), without_blocs: false }).unwrap();
        let mean_sum = f.counts.yes.mean + f.counts.no.mean + f.counts.abstain.mean + f.counts.absent.mean;
        prop_assert!((mean_sum - n as f64).abs() < 1e-9, "{mean_sum}");
        prop_assert!((0.0..=1.0).contains(&f.adoption.probability));
        for st in &f.states {
            let ps = [st.p_yes, st.p_no, st.p_abstain, st.p_absent];
            prop_assert!(ps.iter().all(|p| (0.0..=1.0).contains(p)));
            prop_assert!((ps.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    /// Results do not depend on the thread count (1, 2, 5), and a run split into chunk ranges
    /// simulated separately and merged equals the single run.
    #[test]
    fn threads_and_chunk_splits_do_not_change_results(
        s in spec(10, true),
        seed in any::<u64>(),
        extra in 1..CHUNK_BALLOTS,
        cut in 1u64..4,
    ) {
        let m = Model::new(&s.scenario());
        let ballots = 4 * CHUNK_BALLOTS + extra;
        let one = sim(&m, ballots, seed, Some(1));
        prop_assert_eq!(&one, &sim(&m, ballots, seed, Some(2)));
        prop_assert_eq!(&one, &sim(&m, ballots, seed, Some(5)));
        let cfg = run_config(ballots, seed, Some(2));
        let chunks = cfg.chunks();
        let mut merged = simulate::simulate_chunks(&m, &cfg, cut..chunks).unwrap();
        merged.merge(&simulate::simulate_chunks(&m, &cfg, 0..cut).unwrap());
        prop_assert_eq!(&one, &merged);
        let mut by_chunk = Tally::new(m.len());
        for k in (0..chunks).rev() {
            by_chunk.merge(&simulate::simulate_chunk(&m, &cfg, k));
        }
        prop_assert_eq!(&one, &by_chunk);
    }

    /// The same seed reproduces a run; a different seed gives a different one.
    #[test]
    fn seeds_reproduce_and_differ(s in spec(10, true), seed in 0u64..u64::MAX) {
        let m = Model::new(&s.scenario());
        let a = sim(&m, 3000, seed, None);
        prop_assert_eq!(&a, &sim(&m, 3000, seed, None));
        // Per-state counts over 3000 ballots coincide for two seeds only if no state has any
        // uncertainty; require some before asserting a difference.
        let uncertain = a.states.iter().any(|c| c.iter().filter(|&&x| x > 0).count() > 1);
        if uncertain {
            prop_assert_ne!(&a, &sim(&m, 3000, seed + 1, None));
        }
    }

    /// Lobbying toward yes never lowers the yes count, ballot by ballot: with common random
    /// numbers (same seed, same stream layout), adding a yes campaign on states that lead no
    /// one can only move each target toward yes (its latent score rises; a turnout effect
    /// lowers absence and raises the rescaled uniform that drives its idiosyncratic shock).
    /// Checked exactly on 64 single-ballot runs, state by state, and on the total.
    ///
    /// Targets are restricted to states that lead no bloc because the property is *false* for
    /// leaders: a leader's followers are swayed by `λ·(v_L − E[v_L])`, and lobbying the leader
    /// raises its centre `E[v_L]` too, so in a ballot where the leader's vote does not change
    /// the followers are pushed toward no. In expectation this can lower E[yes]: a leader with
    /// p_no = 0.97 and 30 followers with p_yes = 0.97 (leader_influence 3) has E[yes] ≈ 28.9;
    /// a yes campaign of strength 2.5 on the leader alone drops it to ≈ 20.7 (seen with
    /// 100 000 ballots). That is the model as specified (`crate::alliance` docs), not a bug of
    /// the engine, and is reported to the model's owners.
    #[test]
    fn lobbying_toward_yes_never_lowers_yes(
        s in spec(10, true),
        strength in 0.0f64..3.0,
        turnout in 0.0f64..1.0,
        effort in 0.1f64..4.0,
        pick in proptest::collection::vec(any::<bool>(), 10),
    ) {
        let base = s.scenario();
        let leaders: Vec<usize> = base.blocs.iter().filter_map(|b| b.leader).collect();
        let targets: Vec<(usize, f64)> = (0..base.states.len())
            .filter(|i| pick[*i] && !leaders.contains(i))
            .map(|i| (i, effort))
            .collect();
        prop_assume!(!targets.is_empty());
        let mut lobbied = s.clone();
        lobbied.campaigns.push(CampaignSpec { direction: "yes", strength, turnout, targets });
        let (m0, m1) = (Model::new(&base), Model::new(&lobbied.scenario()));
        let mut sum0 = 0u64;
        let mut sum1 = 0u64;
        for seed in 0..64 {
            let (a, b) = (sim(&m0, 1, seed, Some(1)), sim(&m1, 1, seed, Some(1)));
            for (i, (x, y)) in a.states.iter().zip(&b.states).enumerate() {
                prop_assert!(y[0] >= x[0], "state {i} lost its yes at seed {seed}");
            }
            let yes = |t: &Tally| t.hist[0].iter().position(|&c| c == 1).unwrap() as u64;
            prop_assert!(yes(&b) >= yes(&a), "seed {seed}");
            sum0 += yes(&a);
            sum1 += yes(&b);
        }
        prop_assert!(sum1 >= sum0);
    }

    /// Cohesion (bloc shocks) changes how states move together, never their marginals: without
    /// leaders, each state's simulated frequencies match the closed-form marginals, whatever
    /// the cohesions. Tolerance: 5 binomial standard errors (+1e-4) per probability; over the
    /// ≤ 48 probabilities of each of 16 cases the chance of a false alarm is < 10⁻⁴.
    #[test]
    fn cohesion_preserves_marginals(s in spec(12, false), seed in any::<u64>()) {
        let sc = s.scenario();
        let m = Model::new(&sc);
        let mut flat = sc.clone();
        for b in &sc.blocs {
            let p = ParamPath::parse(&flat, &format!("bloc.{:?}.cohesion", b.name), "test").unwrap();
            flat = flat.with_param(&p, 0.0).unwrap();
        }
        // Marginals in closed form do not depend on cohesion at all…
        prop_assert_eq!(m.marginals(), Model::new(&flat).marginals());
        // …and the simulation agrees with them.
        let ballots = 40_000u64;
        let t = sim(&m, ballots, seed, None);
        for (i, p) in m.marginals().iter().enumerate() {
            for (o, &q) in p.to_array().iter().enumerate() {
                let f = t.states[i][o] as f64 / ballots as f64;
                let se = (q * (1.0 - q) / ballots as f64).sqrt();
                prop_assert!((f - q).abs() <= lobbysim::prec::MC_SIGMAS * se + 1e-4,
                    "state {i} outcome {o}: simulated {f}, closed form {q}");
            }
        }
    }
}

/// `--without-blocs` compiles to independent voters given the global shock whatever the
/// scenario (checked on generated scenarios with blocs and leaders).
#[test]
fn without_blocs_is_always_solvable() {
    let mut runner = proptest::test_runner::TestRunner::new(config(16));
    runner
        .run(&spec(10, true), |s| {
            let sc = s.scenario();
            let m = Model::with_options(
                &sc,
                CompileOptions {
                    without_blocs: true,
                },
            );
            prop_assert!(!m.has_leaders());
            prop_assert!(m.states.iter().all(|st| st.loadings.blocs.is_empty()));
            let e = lobbysim::exact::solve(
                &sc,
                CompileOptions {
                    without_blocs: true,
                },
                Some(40),
            )
            .unwrap();
            for pmf in &e.pmf {
                prop_assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-9);
                prop_assert!(pmf.iter().all(|p| *p >= 0.0));
            }
            prop_assert!((0.0..=1.0 + 1e-12).contains(&e.adoption));
            Ok(())
        })
        .unwrap();
}
