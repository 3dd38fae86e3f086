//! Runs to a target precision (`lobbysim run --precision P`).
//!
//! [`forecast_to_precision`] simulates the prefix of chunks `0..16`, then doubles the number
//! of chunks (`0..32`, `0..64`, …; chunks already simulated are kept, never redrawn) until the
//! Monte Carlo standard error `√(p(1−p)/N)` of P(adoption) and of every reference probability
//! is below the target, or the ballot cap is reached. The schedule depends on nothing but the
//! tallies, so the result is deterministic for a given seed, independent of the thread count,
//! and identical to a plain run with the number of ballots it reports. (A probability estimated
//! as exactly 0 or 1 has standard error 0 by this formula.)
//!
//! For a scenario with evidence each batch `[done, end)` is weighted in the same pass as it is
//! tallied. Batches of `16·2^k` chunks are nodes of the final chunk tree, so their weighted
//! tallies combine into exactly the single run's conditioned forecast. Only when the ballot
//! cap ends the run at another chunk count are the earlier chunks' weights recomputed along
//! that run's tree.

use std::collections::BTreeMap;

use super::{Progress, Run, RunOptions, Workers, pass};
use crate::error::{Error, Result};
use crate::evidence::{WeightedNode, WeightedTally, chunk_tree};
use crate::report::Forecast;
use crate::scenario::{MAX_BALLOTS, Scenario};
use crate::simulate::{CHUNK_BALLOTS, RunConfig, Tally};

/// Chunks in the first batch of a precision run (65,536 ballots).
pub const PRECISION_FIRST_CHUNKS: u64 = 16;

/// Result of [`forecast_to_precision`].
#[derive(Debug, Clone)]
pub struct PrecisionRun {
    /// The forecast (its `ballots` field is the number of ballots used).
    pub forecast: Forecast,
    /// Largest Monte Carlo standard error among P(adoption) and the reference probabilities.
    pub max_se: f64,
    /// Whether `max_se` is below the target (false if the ballot cap stopped the run).
    pub reached: bool,
}

/// Largest standard error among P(adoption) and the references of `f`.
pub fn max_standard_error(f: &Forecast) -> f64 {
    f.references
        .iter()
        .map(|r| r.mc_se)
        .fold(f.adoption.mc_se, f64::max)
}

/// Simulates until every reference probability and P(adoption) has Monte Carlo standard error
/// below `target` (see the module docs), using at most `opts.ballots` ballots if given, else
/// [`MAX_BALLOTS`].
pub fn forecast_to_precision(s: &Scenario, opts: &RunOptions, target: f64) -> Result<PrecisionRun> {
    forecast_to_precision_with_progress(s, opts, target, &|_| {})
}

/// As [`forecast_to_precision`], calling `progress(ballots)` after each simulated chunk.
pub fn forecast_to_precision_with_progress(
    s: &Scenario,
    opts: &RunOptions,
    target: f64,
    progress: Progress<'_>,
) -> Result<PrecisionRun> {
    if !(target.is_finite() && target > 0.0 && target <= 0.5) {
        return Err(Error::argument(
            "--precision",
            "",
            format!("must be a standard error in (0, 0.5], got {target}"),
        ));
    }
    let cap = opts.ballots.unwrap_or(MAX_BALLOTS);
    let workers = Workers::new(opts.threads)?;
    // Prepared (and checked) for the largest run it may become.
    let run = Run::new(
        s,
        &RunOptions {
            ballots: Some(cap),
            ..*opts
        },
        &workers,
    )?;
    let base = *run.config();
    let mut tally = Tally::new(run.model.len());
    let mut weighted: BTreeMap<[u64; 2], WeightedTally> = BTreeMap::new();
    let mut done = 0u64;
    let mut chunks = PRECISION_FIRST_CHUNKS;
    loop {
        let ballots = (chunks * CHUNK_BALLOTS).min(cap);
        let cfg = RunConfig { ballots, ..base };
        let end = cfg.chunks();
        match &run.evidence {
            None => tally.merge(&pass::kernel(&run, &cfg, done..end, progress)?),
            Some(em) => {
                let nodes = chunk_tree::cover(done..end, end);
                let (t, w) = pass::weighted(&run, em, &cfg, &nodes, progress)?;
                tally.merge(&t);
                weighted.extend(w.into_iter().map(|x| (x.chunks, x.tally)));
            }
        }
        let prev = done;
        done = end;
        let plain = Forecast::new(s, &cfg, &tally, run.without_blocs, None);
        let max_se = max_standard_error(&plain);
        let reached = max_se < target;
        if reached || ballots >= cap {
            let forecast = match &run.evidence {
                None => plain,
                Some(em) => {
                    // Nodes of this run's tree over the earlier batches not yet weighted
                    // (only when the cap ended the run off the doubling schedule).
                    let missing: Vec<[u64; 2]> = chunk_tree::cover(0..prev, end)
                        .into_iter()
                        .filter(|r| !weighted.contains_key(r))
                        .collect();
                    if !missing.is_empty() {
                        let (_, w) = pass::weighted(&run, em, &cfg, &missing, &|_| {})?;
                        weighted.extend(w.into_iter().map(|x| (x.chunks, x.tally)));
                    }
                    // Any node of this run's tree found among them has its single-run value.
                    let nodes: Vec<WeightedNode> = weighted
                        .into_iter()
                        .map(|(chunks, tally)| WeightedNode { chunks, tally })
                        .collect();
                    super::assemble(s, &cfg, &tally, Some(&nodes), run.without_blocs)?
                }
            };
            return Ok(PrecisionRun {
                forecast,
                max_se,
                reached,
            });
        }
        chunks *= 2;
    }
}
