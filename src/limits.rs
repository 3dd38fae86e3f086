//! Resource limits checked before a run starts, so that a run that would need absurd memory is
//! refused up front with a clear message instead of failing (or swapping) half-way.
//!
//! Memory of a run does not grow with the number of ballots: tallies are integer histograms of
//! size `O(states)`. What grows is the number of tallies alive at once, which is proportional
//! to the number of worker threads (rayon's fold keeps one accumulator per thread plus the
//! partial results waiting to be merged, at most one per level of its split tree, about
//! `log₂(chunks)`). Counters are `u64` throughout: 10^10 ballots (the maximum) cannot overflow
//! any of them.

use crate::error::{Error, Result};
use crate::model::Model;

/// Largest estimated memory of one run, in bytes (8 GiB).
pub const MAX_RUN_MEMORY: u64 = 8 * 1024 * 1024 * 1024;

/// Bytes of one tally of `n` states: four histograms of `n + 1` counters and four counters per
/// state, all `u64`.
pub fn tally_bytes(n: u64) -> u64 {
    n.saturating_add(1)
        .saturating_mul(32)
        .saturating_add(n.saturating_mul(32))
        .saturating_add(64)
}

/// Estimated peak memory of a run of `model` on `threads` threads cut into `chunks` chunks:
/// the compiled model and its flattened copy, per-thread scratch, and the tallies alive at once
/// (`threads · (2 + ⌈log₂ chunks⌉) + 1`). Saturates instead of overflowing.
pub fn estimate_run_bytes(model: &Model, threads: u64, chunks: u64) -> u64 {
    let n = model.len() as u64;
    let links: u64 = model
        .states
        .iter()
        .map(|s| (s.loadings.blocs.len() + s.leaders.len()) as u64)
        .sum();
    // StateModel ≈ 200 bytes + kernel ≈ 100 bytes per state; 16–24 bytes per bloc or leader link.
    let model_bytes = n
        .saturating_mul(300)
        .saturating_add(links.saturating_mul(48));
    let scratch = (model.n_blocs as u64 * 8 + n).saturating_mul(threads);
    let depth = 64 - chunks.max(1).leading_zeros() as u64;
    let tallies = threads.saturating_mul(2 + depth).saturating_add(1);
    model_bytes
        .saturating_add(scratch)
        .saturating_add(tallies.saturating_mul(tally_bytes(n)))
}

/// Refuses a run of `model` in `chunks` chunks on `threads` threads whose estimated memory
/// ([`estimate_run_bytes`]) exceeds [`MAX_RUN_MEMORY`].
pub fn check_run_memory(model: &Model, threads: u64, chunks: u64) -> Result<()> {
    let threads = threads.max(1);
    let bytes = estimate_run_bytes(model, threads, chunks);
    if bytes > MAX_RUN_MEMORY {
        return Err(Error::Memory {
            bytes,
            states: model.len(),
            threads,
            limit: MAX_RUN_MEMORY,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use std::fmt::Write;
    use std::path::Path;

    fn scenario_with_states(n: usize) -> scenario::Scenario {
        let mut t =
            String::from("[scenario]\nname = \"big\"\n[simulation]\nballots = 1\nseed = 1\n");
        for i in 0..n {
            let code: String = [i / 676, (i / 26) % 26, i % 26]
                .iter()
                .map(|&d| (b'A' + d as u8) as char)
                .collect();
            let _ = write!(
                t,
                "[[state]]\niso3 = \"{code}\"\np_yes = 0.5\np_no = 0.2\np_abstain = 0.2\np_absent = 0.1\n"
            );
        }
        scenario::parse(&t, Path::new("big.toml")).unwrap()
    }

    #[test]
    fn estimate_grows_with_threads_not_ballots() {
        let m = Model::new(&scenario_with_states(193));
        let a = estimate_run_bytes(&m, 2, 1);
        let b = estimate_run_bytes(&m, 2, 2_441_407); // 10^10 ballots in 4096-ballot chunks
        assert!(b < 20 * a, "{a} {b}");
        assert!(estimate_run_bytes(&m, 8, 1) > a);
        assert!(
            b < 10 << 20,
            "193 states on 2 threads should need well under 10 MiB: {b}"
        );
    }

    #[test]
    fn absurd_runs_are_refused_sane_ones_accepted() {
        let m = Model::new(&scenario_with_states(17_000));
        let chunks = 10_000_000_000u64.div_ceil(crate::simulate::CHUNK_BALLOTS);
        assert!(check_run_memory(&m, 2, chunks).is_ok());
        let e = check_run_memory(&m, 1024, chunks).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Memory {
                    threads: 1024,
                    states: 17_000,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(
            e.contains("GiB of memory") && e.contains("--threads"),
            "{e}"
        );
    }

    /// Counters at the largest run (10^10 ballots) cannot overflow: chunk arithmetic, tally
    /// merging and every summary of the report, checked on a tally of 10^10 ballots.
    #[test]
    fn ten_billion_ballots_do_not_overflow() {
        use crate::report::Forecast;
        use crate::scenario::MAX_BALLOTS;
        use crate::simulate::{CHUNK_BALLOTS, RunConfig, Tally};
        let sc = scenario_with_states(193);
        let cfg = RunConfig {
            ballots: MAX_BALLOTS,
            seed: 1,
            rng: scenario::RngKind::ChaCha8,
            threads: Some(2),
        };
        let chunks = cfg.chunks();
        assert_eq!(chunks, MAX_BALLOTS.div_ceil(CHUNK_BALLOTS));
        let covered: u64 = (0..chunks).map(|k| cfg.chunk_len(k)).sum();
        assert_eq!(covered, MAX_BALLOTS);
        // Half the ballots have 193 yes votes, half 0: two halves merged.
        let n = sc.states.len();
        let mut half = Tally::new(n);
        half.ballots = MAX_BALLOTS / 2;
        half.hist[0][n] = MAX_BALLOTS / 4;
        half.hist[0][0] = MAX_BALLOTS / 4;
        half.hist[1][0] = MAX_BALLOTS / 2;
        half.hist[2][0] = MAX_BALLOTS / 2;
        half.hist[3][n] = MAX_BALLOTS / 4;
        half.hist[3][0] = MAX_BALLOTS / 4;
        for st in &mut half.states {
            st[0] = MAX_BALLOTS / 4;
            st[3] = MAX_BALLOTS / 4;
        }
        half.adopted = MAX_BALLOTS / 4;
        let mut t = half.clone();
        t.merge(&half);
        assert_eq!(t.ballots, MAX_BALLOTS);
        let f = Forecast::new(&sc, &cfg, &t, false, None);
        assert_eq!(f.ballots, MAX_BALLOTS);
        assert!((f.counts.yes.mean - 96.5).abs() < 1e-9);
        assert!((f.counts.yes.sd - 96.5).abs() < 1e-9);
        assert_eq!(f.counts.yes.histogram.iter().sum::<u64>(), MAX_BALLOTS);
        assert!((f.adoption.probability - 0.5).abs() < 1e-15);
        assert!((f.states[0].p_yes - 0.5).abs() < 1e-15);
    }

    #[test]
    fn estimate_saturates() {
        let m = Model::new(&scenario_with_states(3));
        assert!(estimate_run_bytes(&m, u64::MAX, u64::MAX) == u64::MAX);
    }
}
