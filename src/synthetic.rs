//! A realistic synthetic assembly of any size, for benchmarks and engine tests.
//!
//! [`assembly`] writes scenario TOML for `n` states (2 ≤ n ≤ 17,576) shaped like the General
//! Assembly of 2022: about 70% of states lean yes, 20% lean abstain, 5% lean no, the rest are
//! mixed; twelve overlapping blocs with the 2022 memberships' sizes scaled by `n/193` (an AU of
//! 54 states, NATO 30, EU 27, Arab League 21, CARICOM 14, ASEAN 10, ALBA 10, CIS 9, SCO 8,
//! CSTO 6, GCC 6, BRICS 5) with cohesion 0.25–0.7 and discipline 0.1–0.4; two bloc leaders;
//! and two campaigns (one toward yes, one toward abstention) reaching about 100 states for
//! `n = 193`. Values come from fixed low-discrepancy sequences, not from a random generator,
//! so the text is a pure function of `n`.

use std::fmt::Write;

/// (name, size at 193 states, start offset at 193, cohesion, discipline, position).
type BlocSpec = (&'static str, usize, usize, f64, f64, Option<&'static str>);

const BLOCS: [BlocSpec; 12] = [
    ("AU", 54, 0, 0.30, 0.15, None),
    ("NATO", 30, 60, 0.60, 0.30, Some("yes")),
    ("EU", 27, 70, 0.70, 0.40, Some("yes")),
    ("ArabLeague", 21, 40, 0.45, 0.20, None),
    ("CARICOM", 14, 100, 0.40, 0.20, None),
    ("ASEAN", 10, 120, 0.35, 0.10, None),
    ("ALBA", 10, 110, 0.55, 0.30, Some("no")),
    ("CIS", 9, 140, 0.50, 0.25, None),
    ("SCO", 8, 145, 0.50, 0.25, Some("abstain")),
    ("CSTO", 6, 147, 0.55, 0.30, None),
    ("GCC", 6, 50, 0.65, 0.35, None),
    ("BRICS", 5, 150, 0.40, 0.10, None),
];

/// Largest supported `n` (three-letter codes).
pub const MAX_SYNTHETIC_STATES: usize = 26 * 26 * 26;

/// Three upper-case letters for state `i` (`AAA`, `AAB`, …).
pub fn code(i: usize) -> String {
    let l = |k: usize| char::from(b'A' + (k % 26) as u8);
    [l(i / 676), l(i / 26), l(i)].iter().collect()
}

/// Fractional part of `i·α` for the golden ratio (a well-spread sequence in [0, 1)).
fn spread(i: usize, salt: f64) -> f64 {
    (i as f64 * 0.618_033_988_749_895 + salt).fract()
}

/// Scenario TOML for a synthetic assembly of `n` states (see the module docs); `ballots` and
/// `seed` go to `[simulation]`. Panics if `n` is outside 50..=[`MAX_SYNTHETIC_STATES`] (a
/// programming error: the argument is not user input).
pub fn assembly(n: usize, ballots: u64, seed: u64) -> String {
    assert!((50..=MAX_SYNTHETIC_STATES).contains(&n), "n = {n}");
    let scale = |k: usize| (k * n).div_ceil(193).clamp(1, n);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "[scenario]\nname = \"Synthetic assembly of {n}\"\n\n[simulation]\nballots = {ballots}\n\
         seed = {seed}\nrng = \"chacha8\"\n\n[model]\nglobal_correlation = 0.1\n\n[rule]\n\
         majority = \"two-thirds\"\n"
    );
    for i in 0..n {
        let r = spread(i, 0.0);
        let j = 0.1 * spread(i, 0.3);
        let (y, no, ab) = if r < 0.70 {
            (0.80 + j, 0.02, 0.10 - j / 2.0)
        } else if r < 0.90 {
            (0.25, 0.05 + j / 2.0, 0.60 - j / 2.0)
        } else if r < 0.95 {
            (0.05, 0.80 + j, 0.10 - j)
        } else {
            (0.35, 0.25, 0.30 - j)
        };
        let absent = 1.0 - y - no - ab;
        let _ = writeln!(
            s,
            "[[state]]\niso3 = \"{}\"\nname = \"State {i}\"\np_yes = {y}\np_no = {no}\n\
             p_abstain = {ab}\np_absent = {absent}\nsusceptibility = {}\n",
            code(i),
            0.5 + spread(i, 0.7)
        );
    }
    for (b, &(name, size, start, cohesion, discipline, position)) in BLOCS.iter().enumerate() {
        let (size, start) = (scale(size).min(n), scale(start) % n);
        let members: Vec<String> = (0..size)
            .map(|k| format!("\"{}\"", code((start + k) % n)))
            .collect();
        let _ = writeln!(
            s,
            "[[bloc]]\nname = \"{name}\"\nmembers = [{}]\ncohesion = {cohesion}\n\
             discipline = {discipline}",
            members.join(", ")
        );
        if let Some(p) = position {
            let _ = writeln!(s, "position = \"{p}\"");
        }
        // Two leaders: the first members of EU and of SCO (not members of each other's bloc).
        if b == 2 || b == 8 {
            let _ = writeln!(s, "leader = {}\nleader_influence = 0.4", members[0]);
        }
        s.push('\n');
    }
    // Campaign toward yes: every other state of the first 60% (≈ 58 of 193) plus the AU bloc;
    // toward abstention: every fourth state from 40% on (≈ 29), plus CIS.
    let yes: Vec<String> = (0..n * 6 / 10)
        .step_by(2)
        .map(|i| {
            format!(
                "{{ state = \"{}\", effort = {} }}",
                code(i),
                0.5 + spread(i, 0.1)
            )
        })
        .collect();
    let abst: Vec<String> = (n * 4 / 10..n)
        .step_by(4)
        .map(|i| {
            format!(
                "{{ state = \"{}\", effort = {} }}",
                code(i),
                0.5 + spread(i, 0.9)
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "[[campaign]]\nname = \"Outreach\"\nactor = \"{}\"\ndirection = \"yes\"\nstrength = 0.6\n\
         turnout = 0.5\ntargets = [{}, {{ bloc = \"AU\", effort = 0.5 }}]\n\n\
         [[campaign]]\nname = \"Counter\"\nactor = \"{}\"\ndirection = \"abstain\"\n\
         strength = 0.4\ntargets = [{}, {{ bloc = \"CIS\", effort = 0.5 }}]\n",
        code(0),
        yes.join(", "),
        code(n - 1),
        abst.join(", ")
    );
    let _ = writeln!(
        s,
        "[[reference]]\nlabel = \"Optimists\"\nclaim = \"yes >= {}\"\n",
        n * 57 / 100
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_valid() {
        assert_eq!(code(0), "AAA");
        assert_eq!(code(27), "ABB");
        assert_eq!(code(MAX_SYNTHETIC_STATES - 1), "ZZZ");
    }

    #[test]
    fn assemblies_load() {
        for n in [50, 193, 1000] {
            let text = assembly(n, 1000, 1);
            let s = crate::scenario::parse(&text, std::path::Path::new("synthetic.toml"))
                .unwrap_or_else(|e| panic!("n = {n}: {e}"));
            assert_eq!(s.states.len(), n);
            assert_eq!(s.blocs.len(), 12);
            assert_eq!(s.campaigns.len(), 2);
        }
        let s = crate::scenario::parse(&assembly(193, 1000, 1), "x.toml".as_ref()).unwrap();
        let targeted = s.campaigns.iter().fold(vec![false; 193], |mut t, c| {
            for (i, e) in c.effort_by_state(&s).iter().enumerate() {
                t[i] |= *e > 0.0;
            }
            t
        });
        let k = targeted.iter().filter(|&&x| x).count();
        assert!((80..=130).contains(&k), "{k} states targeted");
    }
}
