//! Base positions estimated from recorded roll calls: weighted counts with hierarchical
//! Dirichlet shrinkage toward the state's regional group (see `docs/prior.md`).
//!
//! For state `i` in group `g` (its UN regional group), roll calls `k` with weights `w_k ≥ 0`
//! (total `W = Σ w_k`) give weighted counts `n_i[o] = Σ_k w_k · 1[state i voted o in k]` for the
//! four outcomes `o` ∈ {yes, no, abstain, not voting}. Three levels of estimates:
//!
//! ```text
//! assembly  π₀[o]  = (Σ_i n_i[o] + ½) / (N·W + 2)                 (Jeffreys: ½ vote per outcome)
//! group     π_g[o] = (Σ_{i∈g} n_i[o] + β·π₀[o]) / (N_g·W + β)
//! state     p_i[o] = (n_i[o] + α_g·π_g[o]) / (W + α_g)
//! ```
//!
//! Each level is the posterior mean of a multinomial under a Dirichlet prior centred on the level
//! above: `α_g` (the *strength*) is the number of pseudo-votes, in roll-call-weight units, that
//! group `g` contributes to the estimate of each of its states, and `β` (the *group strength*)
//! the pseudo-votes the whole Assembly contributes to a group's. Groups differ in how much their
//! members agree (the Western group votes as one, the African group splits), so each group has
//! its own `α_g`. Every probability is strictly positive (the model
//! treats zero probabilities as hard constraints, which no finite record justifies), and they sum
//! to 1. A state that always voted yes gets `p_yes = (W + α·π_g[yes]) / (W + α)`: high, never 1.
//!
//! **Choosing α and β.** Either fixed numbers (one α for every group), or `auto`:
//! leave-one-roll-call-out cross-validation. For each roll call `k` with `w_k > 0`, the estimator
//! is refitted on the other roll calls and scored by the log loss of the states' recorded votes
//! in `k`; the values on the grid [`strength_grid`] (0.01 … 1000, ten points per decade) with the
//! smallest `w_k`-weighted mean log loss are chosen (ties: the smaller values). Given β the loss
//! is a sum over groups, each depending only on its own `α_g`, so every `α_g` is minimised
//! separately for each β on the grid, and the β with the smallest total is kept. This asks exactly the
//! question the prior must answer: how far a state's own record predicts its vote on a *new*,
//! related resolution, versus its group's.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

mod selection;

use selection::{Data, choose, group_probs, pooled};
pub use selection::{shrink, strength_grid};

use crate::error::{Error, Problem, Result};
use crate::input::members::{Member, parse_group_members};
use crate::input::read_text;
use crate::input::rollcall::{self, RollCall};
use crate::vote::VoteProbs;

/// Pseudo-votes spread evenly over the four outcomes at the Assembly level (Jeffreys prior,
/// ½ per outcome).
pub const ASSEMBLY_PSEUDO_VOTES: f64 = 2.0;

/// Smallest strength on the `auto` grid, in pseudo-votes.
pub const GRID_MIN: f64 = 0.01;

/// Largest strength on the `auto` grid, in pseudo-votes.
pub const GRID_MAX: f64 = 1000.0;

/// Grid points per decade of the `auto` grid.
pub const GRID_PER_DECADE: u32 = 10;

/// Largest accepted fixed strength or roll-call weight.
pub const MAX_STRENGTH: f64 = 1e6;

/// A recorded roll call and the weight it gets in the estimate (≥ 0; relative, any scale).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedRollCall {
    /// The roll call.
    pub rollcall: RollCall,
    /// Weight: how many "votes' worth" of evidence each state's recorded vote counts for.
    pub weight: f64,
}

/// A shrinkage strength: a fixed number of pseudo-votes (> 0) or chosen by cross-validation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Chosen by leave-one-roll-call-out cross-validation on [`strength_grid`].
    Auto,
    /// This many pseudo-votes, in roll-call-weight units (> 0).
    Fixed(f64),
}

impl Strength {
    /// Parses `auto` or a positive number.
    pub fn parse(s: &str) -> std::result::Result<Strength, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Strength::Auto);
        }
        let v: f64 = s
            .parse()
            .map_err(|_| format!("{s:?} is neither \"auto\" nor a number"))?;
        Strength::fixed(v)
    }

    /// A fixed strength, checked to be finite and in (0, [`MAX_STRENGTH`]].
    pub fn fixed(v: f64) -> std::result::Result<Strength, String> {
        if v.is_finite() && v > 0.0 && v <= MAX_STRENGTH {
            Ok(Strength::Fixed(v))
        } else {
            Err(format!(
                "must be \"auto\" or a number in (0, {MAX_STRENGTH}], got {v}"
            ))
        }
    }
}

/// How the estimator shrinks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Settings {
    /// α: pseudo-votes of the group in each state's estimate (`auto`: one per group).
    pub strength: Strength,
    /// β: pseudo-votes of the Assembly in each group's estimate.
    pub group_strength: Strength,
}

impl Default for Settings {
    /// Both strengths `auto`.
    fn default() -> Self {
        Settings {
            strength: Strength::Auto,
            group_strength: Strength::Auto,
        }
    }
}

/// Everything the estimator reads: members with groups, weighted roll calls and settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    /// Members file it was read from.
    pub members_file: PathBuf,
    /// Members in file order.
    pub members: Vec<Member>,
    /// Roll calls in the order given (the last is taken as the most recent by baselines).
    pub rollcalls: Vec<WeightedRollCall>,
    /// Shrinkage settings.
    pub settings: Settings,
}

impl Inputs {
    /// Reads the members file and roll calls (each `(path, weight)`), checking every roll call
    /// covers exactly the members. All problems found are reported together.
    pub fn read(members: &Path, rollcalls: &[(PathBuf, f64)], settings: Settings) -> Result<Self> {
        Self::read_with(members, rollcalls, settings, read_text)
    }

    /// As [`Inputs::read`], obtaining each file's text from `read` (which may, for instance,
    /// record what it read).
    pub fn read_with(
        members: &Path,
        rollcalls: &[(PathBuf, f64)],
        settings: Settings,
        mut read: impl FnMut(&Path) -> Result<String>,
    ) -> Result<Self> {
        let mut problems = Vec::new();
        let mem = parse_group_members(&read(members)?, members)?;
        let codes: Vec<&str> = mem.iter().map(|m| m.iso3.as_str()).collect();
        let mut rcs = Vec::new();
        for (path, weight) in rollcalls {
            let rc = read(path).and_then(|text| rollcall::parse(&text, path));
            match rc.and_then(|r| r.check_covers(&codes).map(|()| r)) {
                Ok(r) => rcs.push(WeightedRollCall {
                    rollcall: r,
                    weight: *weight,
                }),
                Err(Error::Invalid(ps)) => problems.extend(ps),
                Err(Error::Io { source, .. }) => problems.push(Problem::new(
                    path,
                    None,
                    "",
                    format!("cannot read roll call: {source}"),
                )),
                Err(e) => problems.push(Problem::new(path, None, "", e.to_string())),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(Inputs {
            members_file: members.to_path_buf(),
            members: mem,
            rollcalls: rcs,
            settings,
        })
    }
}

/// The estimate for one state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatePrior {
    /// ISO code.
    pub iso3: String,
    /// Name (from the members file).
    pub name: String,
    /// Group it was shrunk toward.
    pub group: String,
    /// Weighted counts of its recorded votes (yes, no, abstain, not voting), summing to `W`.
    pub counts: [f64; 4],
    /// Estimated probabilities; each in (0, 1), summing to 1.
    pub probs: VoteProbs,
}

/// The estimate for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupPrior {
    /// Group name.
    pub name: String,
    /// Number of member states in it.
    pub members: usize,
    /// α_g: pseudo-votes of this group in each of its states' estimates.
    pub strength: f64,
    /// Shrunk group probabilities `π_g`.
    pub probs: VoteProbs,
}

/// How the strengths were chosen, when any was `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Selection {
    /// Roll calls held out in turn (those with positive weight).
    pub folds: usize,
    /// Weighted mean log loss (nats per state vote) of the held-out votes at the chosen values.
    pub cv_log_loss: f64,
}

/// The fitted estimator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prior {
    /// Per-state estimates, in members-file order.
    pub states: Vec<StatePrior>,
    /// Per-group estimates, sorted by name.
    pub groups: Vec<GroupPrior>,
    /// Assembly-wide estimate `π₀`.
    pub assembly: VoteProbs,
    /// Total roll-call weight `W` behind each state's counts.
    pub total_weight: f64,
    /// β used.
    pub group_strength: f64,
    /// Cross-validation result, if a strength was `auto`.
    pub selection: Option<Selection>,
}

impl Prior {
    /// The per-group strengths as `group α, …` text, e.g. `African 1.26, WEOG 0.01`.
    pub fn strengths_text(&self) -> String {
        self.groups
            .iter()
            .map(|g| format!("{} {:.4}", g.name, g.strength))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn check_inputs(inputs: &Inputs) -> Result<()> {
    let mut problems = Vec::new();
    let file = &inputs.members_file;
    if inputs.rollcalls.is_empty() {
        problems.push(Problem::new(file, None, "rollcalls", "no roll calls given"));
    }
    for r in &inputs.rollcalls {
        if let Err(m) = crate::scenario::bounds::PRIOR_WEIGHT.check(r.weight) {
            problems.push(Problem::new(&r.rollcall.file, None, "weight", m));
        }
    }
    let positive = inputs.rollcalls.iter().filter(|r| r.weight > 0.0).count();
    if problems.is_empty() && positive == 0 {
        problems.push(Problem::new(
            file,
            None,
            "rollcalls",
            "every roll call has weight 0; at least one needs a positive weight",
        ));
    }
    let auto = inputs.settings.strength == Strength::Auto
        || inputs.settings.group_strength == Strength::Auto;
    if problems.is_empty() && auto && positive < 2 {
        problems.push(Problem::new(
            file,
            None,
            "strength",
            "\"auto\" holds out one roll call at a time and needs at least two with positive \
             weight; give fixed numbers instead",
        ));
    }
    let codes: Vec<&str> = inputs.members.iter().map(|m| m.iso3.as_str()).collect();
    for r in &inputs.rollcalls {
        if let Err(Error::Invalid(ps)) = r.rollcall.check_covers(&codes) {
            problems.extend(ps);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Fits the estimator (see the module docs). Errors if a weight or strength is invalid, a roll
/// call does not cover exactly the members, or `auto` has fewer than two weighted roll calls.
pub fn estimate(inputs: &Inputs) -> Result<Prior> {
    check_inputs(inputs)?;
    let data = Data::new(inputs);
    let (alphas, beta, selection) = choose(&data, inputs.settings);
    let w: f64 = data.weights.iter().sum();
    let counts = data.counts(None);
    let pool = pooled(&counts, &data.group_of, data.group_names.len(), w);
    let groups = group_probs(&pool, w, beta);
    let states = inputs
        .members
        .iter()
        .zip(&counts)
        .zip(&data.group_of)
        .map(|((m, &c), &g)| StatePrior {
            iso3: m.iso3.clone(),
            name: m.name.clone(),
            group: m.group.clone(),
            counts: c,
            probs: VoteProbs::from_array(shrink(c, w, groups[g], alphas[g])),
        })
        .collect();
    Ok(Prior {
        states,
        groups: data
            .group_names
            .iter()
            .zip(&groups)
            .zip(&pool.group_size)
            .zip(&alphas)
            .map(|(((n, &p), &s), &a)| GroupPrior {
                name: n.clone(),
                members: s as usize,
                strength: a,
                probs: VoteProbs::from_array(p),
            })
            .collect(),
        assembly: VoteProbs::from_array(pool.assembly),
        total_weight: w,
        group_strength: beta,
        selection,
    })
}

/// Renders the estimate as a members CSV (`iso3,name,p_yes,p_no,p_abstain,p_absent`, the
/// format `[members] file` reads), preceded by `#` comment lines recording how it was made.
/// Probabilities are written in shortest round-trip form, so reading the file back gives the
/// same numbers bit for bit.
pub fn members_csv(prior: &Prior, inputs: &Inputs) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Written by lobbysim {} prior: weighted roll-call counts shrunk toward each state's group.",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(o, "# members: {}", inputs.members_file.display());
    for r in &inputs.rollcalls {
        let _ = writeln!(
            o,
            "# roll call: {} (weight {})",
            r.rollcall.file.display(),
            r.weight
        );
    }
    let _ = writeln!(
        o,
        "# strength (alpha) per group: {}; group strength (beta) = {}{}",
        prior.strengths_text(),
        prior.group_strength,
        prior.selection.map_or(String::new(), |s| format!(
            "; chosen by leave-one-roll-call-out CV over {} folds, log loss {:.4}",
            s.folds, s.cv_log_loss
        ))
    );
    o.push_str("iso3,name,p_yes,p_no,p_abstain,p_absent\n");
    for s in &prior.states {
        let p = s.probs;
        let _ = writeln!(
            o,
            "{},{},{},{},{},{}",
            s.iso3,
            csv_field(&s.name),
            p.p_yes,
            p.p_no,
            p.p_abstain,
            p.p_absent
        );
    }
    o
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::selection::{Fold, cv_loss};
    use super::*;

    fn rc(name: &str, votes: &[(&str, &str)]) -> RollCall {
        let mut t = String::from("iso3,country,vote\n");
        for (c, v) in votes {
            t.push_str(&format!("{c},{c},{v}\n"));
        }
        rollcall::parse(&t, Path::new(name)).unwrap()
    }

    fn inputs(calls: &[&[(&str, &str)]], settings: Settings) -> Inputs {
        let members = parse_group_members(
            "iso3,name,un_region\nAAA,A,G1\nBBB,B,G1\nCCC,C,G1\nDDD,D,G2\nEEE,E,G2\n",
            Path::new("m.csv"),
        )
        .unwrap();
        Inputs {
            members_file: "m.csv".into(),
            members,
            rollcalls: calls
                .iter()
                .enumerate()
                .map(|(k, v)| WeightedRollCall {
                    rollcall: rc(&format!("r{k}.csv"), v),
                    weight: 1.0,
                })
                .collect(),
            settings,
        }
    }

    const R1: &[(&str, &str)] = &[
        ("AAA", "Y"),
        ("BBB", "Y"),
        ("CCC", "A"),
        ("DDD", "N"),
        ("EEE", "X"),
    ];
    const R2: &[(&str, &str)] = &[
        ("AAA", "Y"),
        ("BBB", "A"),
        ("CCC", "Y"),
        ("DDD", "N"),
        ("EEE", "A"),
    ];
    const R3: &[(&str, &str)] = &[
        ("AAA", "Y"),
        ("BBB", "N"),
        ("CCC", "A"),
        ("DDD", "A"),
        ("EEE", "Y"),
    ];

    fn fixed(a: f64, b: f64) -> Settings {
        Settings {
            strength: Strength::Fixed(a),
            group_strength: Strength::Fixed(b),
        }
    }

    #[test]
    fn hand_computed_example() {
        // W = 2; AAA counts (2,0,0,0). Assembly: totals over 5 states of R1+R2:
        // yes 4, no 2, abstain 3, absent 1 → π₀ = (t + 0.5) / (10 + 2).
        let p = estimate(&inputs(&[R1, R2], fixed(1.0, 2.0))).unwrap();
        let a0 = [4.5 / 12.0, 2.5 / 12.0, 3.5 / 12.0, 1.5 / 12.0];
        for (x, y) in p.assembly.to_array().iter().zip(a0) {
            assert!((x - y).abs() < 1e-15);
        }
        // G1 (AAA, BBB, CCC): yes 4, no 0, abstain 2, absent 0 over 6; β = 2.
        let g1: [f64; 4] = std::array::from_fn(|o| ([4.0, 0.0, 2.0, 0.0][o] + 2.0 * a0[o]) / 8.0);
        // AAA: (2,0,0,0) with α = 1, W = 2.
        let aaa = p.states[0].probs.to_array();
        for o in 0..4 {
            let want = ([2.0, 0.0, 0.0, 0.0][o] + g1[o]) / 3.0;
            assert!((aaa[o] - want).abs() < 1e-15, "{o}: {} vs {want}", aaa[o]);
        }
        assert_eq!(p.selection, None);
    }

    #[test]
    fn probabilities_sum_to_one_and_are_positive() {
        for s in [fixed(0.01, 0.01), fixed(1.0, 5.0), fixed(1000.0, 1000.0)] {
            let p = estimate(&inputs(&[R1, R2, R3], s)).unwrap();
            for st in &p.states {
                let a = st.probs.to_array();
                assert!(a.iter().all(|&x| x > 0.0 && x < 1.0), "{a:?}");
                assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                assert!(st.probs.check().is_empty());
            }
        }
    }

    #[test]
    fn shrinkage_behaves() {
        let p = estimate(&inputs(&[R1, R2, R3], fixed(1.0, 1.0))).unwrap();
        // AAA always voted yes: high but not certain.
        let aaa = p.states[0].probs;
        assert!(aaa.p_yes > 0.75 && aaa.p_yes < 1.0, "{aaa:?}");
        // BBB voted Y, A, N: mixed, no outcome above 1/2.
        let bbb = p.states[1].probs.to_array();
        assert!(bbb[..3].iter().all(|&x| x > 0.15 && x < 0.5), "{bbb:?}");
        // Weak shrinkage follows the record, strong shrinkage follows the group.
        let weak = estimate(&inputs(&[R1, R2, R3], fixed(0.01, 1.0))).unwrap();
        let strong = estimate(&inputs(&[R1, R2, R3], fixed(1000.0, 1.0))).unwrap();
        assert!(weak.states[0].probs.p_yes > 0.99);
        let g1 = strong.groups[0].probs.p_yes;
        assert!((strong.states[0].probs.p_yes - g1).abs() < 0.01);
        assert!((strong.states[1].probs.p_yes - g1).abs() < 0.01);
        // More evidence, less shrinkage: the same unanimous record over more roll calls.
        let more = estimate(&inputs(&[R1, R2, R3, R1, R2, R3], fixed(1.0, 1.0))).unwrap();
        assert!(more.states[0].probs.p_yes > aaa.p_yes);
    }

    #[test]
    fn auto_picks_grid_minimum_of_cv_loss() {
        let inp = inputs(&[R1, R2, R3], Settings::default());
        let p = estimate(&inp).unwrap();
        let sel = p.selection.unwrap();
        assert_eq!(sel.folds, 3);
        let data = Data::new(&inp);
        // The chosen pair beats every grid neighbour checked independently.
        let alphas: Vec<f64> = p.groups.iter().map(|g| g.strength).collect();
        let (_, _, again) = choose(&data, fixed(alphas[0], p.group_strength));
        assert!(again.is_none());
        let grid = strength_grid();
        assert_eq!(grid.len(), 51);
        assert!((grid[0] - GRID_MIN).abs() < 1e-15 && (grid[50] - GRID_MAX).abs() < 1e-9);
        let best = sel.cv_log_loss;
        let folds_loss = |a: &[f64], b: f64| {
            let d = Data::new(&inp);
            let w: f64 = d.weights.iter().sum();
            let folds: Vec<Fold> = (0..3)
                .map(|k| {
                    let counts = d.counts(Some(k));
                    let pooled = pooled(&counts, &d.group_of, 2, w - 1.0);
                    Fold {
                        k,
                        w: w - 1.0,
                        counts,
                        pooled,
                    }
                })
                .collect();
            cv_loss(&d, &folds, a, b)
        };
        assert!((folds_loss(&alphas, p.group_strength) - best).abs() < 1e-12);
        // No single grid change of one group's α, or of β, does better.
        for &x in &grid {
            for g in 0..alphas.len() {
                let mut a = alphas.clone();
                a[g] = x;
                assert!(folds_loss(&a, p.group_strength) >= best - 1e-12);
            }
            assert!(folds_loss(&alphas, x) >= best - 1e-12);
        }
    }

    #[test]
    fn bad_inputs_are_reported() {
        let mut inp = inputs(&[R1], Settings::default());
        let e = estimate(&inp).unwrap_err().to_string();
        assert!(e.contains("needs at least two"), "{e}");
        inp.settings = fixed(1.0, 1.0);
        inp.rollcalls[0].weight = -1.0;
        let e = estimate(&inp).unwrap_err().to_string();
        assert!(e.contains("r0.csv: weight: must be a number"), "{e}");
        let missing = rc("short.csv", &R1[..4]);
        inp.rollcalls[0] = WeightedRollCall {
            rollcall: missing,
            weight: 1.0,
        };
        let e = estimate(&inp).unwrap_err().to_string();
        assert!(
            e.contains("short.csv: iso3: 1 member state(s) missing"),
            "{e}"
        );
        assert!(Strength::parse("auto").is_ok());
        assert_eq!(Strength::parse(" 2.5").unwrap(), Strength::Fixed(2.5));
        assert!(Strength::parse("0").is_err());
        assert!(Strength::parse("lots").is_err());
    }

    #[test]
    fn csv_round_trips_exactly() {
        let inp = inputs(&[R1, R2, R3], fixed(0.7, 3.0));
        let p = estimate(&inp).unwrap();
        let text = members_csv(&p, &inp);
        let rows = crate::input::members::parse_members_csv(&text, Path::new("out.csv")).unwrap();
        assert_eq!(rows.len(), 5);
        for (r, s) in rows.iter().zip(&p.states) {
            assert_eq!(r.iso3, s.iso3);
            assert_eq!(r.probs, s.probs);
        }
    }
}
