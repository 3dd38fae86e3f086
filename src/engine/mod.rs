//! The run pipeline: validated scenario → compiled model → checks → chunked simulation (with
//! evidence weighting in the same pass) → [`Forecast`]. Every command that simulates calls it:
//! `run`, `plot`, `report`, shard runs and merges, `run --precision`, `sweep`, `optimize`,
//! `calibrate`, `explain` and `backtest`.
//!
//! * [`RunOptions`]: what a command line may override (ballots, seed, threads, blocs).
//! * [`Workers`]: the worker threads of one command — one rayon pool for the whole command,
//!   however many runs it makes.
//! * [`Run`]: one prepared run — its model compiled, its settings and memory checked — that
//!   simulates any range of its chunks in one pass ([`Run::tallies`]) and turns tallies into
//!   a forecast ([`Run::forecast`], [`assemble`]).
//! * [`precision`]: `run --precision`, doubling the chunks until the Monte Carlo error is
//!   small enough.
//!
//! **One pass.** For a scenario without `[[evidence]]` a pass is the fast kernel
//! ([`crate::simulate::simulate_chunks_with_progress`]). With evidence, every ballot is needed
//! with its shocks and votes to weight it, so the pass replays each chunk with the reference
//! visitor ([`crate::simulate::visit_chunk`], which draws the same numbers and casts the same
//! votes as the kernel) and builds the integer tally and the weighted tally together, combined
//! along the fixed [`crate::evidence::chunk_tree`] so that every digit is independent of the
//! thread count and of how a run is split into shards.

mod pass;
pub mod precision;

use std::collections::BTreeMap;
use std::ops::Range;

use crate::error::{Error, Result};
use crate::evidence::{Conditioned, EvidenceModel, WeightedNode, WeightedTally, chunk_tree};
use crate::limits;
use crate::model::{CompileOptions, Model};
use crate::report::Forecast;
use crate::scenario::{MAX_BALLOTS, Scenario};
use crate::simulate::{RunConfig, Tally};

pub use precision::{PrecisionRun, forecast_to_precision};

/// A progress hook: called with the number of ballots of each simulated chunk, from worker
/// threads, in no particular order. It cannot change results.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Overrides of a scenario's simulation settings for one run (all optional).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Ballots instead of `[simulation].ballots`.
    pub ballots: Option<u64>,
    /// Seed instead of `[simulation].seed`.
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Never changes results.
    pub threads: Option<usize>,
    /// Drop bloc cohesion and leaders, keeping discipline pulls.
    pub without_blocs: bool,
}

impl RunOptions {
    /// The run configuration for `s` with these overrides.
    pub fn config(&self, s: &Scenario) -> RunConfig {
        RunConfig {
            ballots: self.ballots.unwrap_or(s.simulation.ballots),
            seed: self.seed.unwrap_or(s.simulation.seed),
            rng: s.simulation.rng,
            threads: self.threads,
        }
    }

    /// Compile options implied by these run options.
    pub fn compile(&self) -> CompileOptions {
        CompileOptions {
            without_blocs: self.without_blocs,
        }
    }
}

/// The worker threads of one command: a rayon pool of the requested size, started when first
/// used (so that a run refused up front, e.g. for memory, starts no thread) and then used by
/// every run of the command (`None`: rayon's global pool, all cores).
pub struct Workers {
    threads: Option<usize>,
    pool: std::sync::OnceLock<std::result::Result<rayon::ThreadPool, String>>,
}

impl Workers {
    /// Workers for `threads` threads (`None`: the global pool). Refuses zero threads.
    pub fn new(threads: Option<usize>) -> Result<Workers> {
        if threads == Some(0) {
            return Err(Error::ZeroThreads);
        }
        Ok(Workers {
            threads,
            pool: std::sync::OnceLock::new(),
        })
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(rayon::current_num_threads)
    }

    /// Runs `work` on these workers (parallel iterators inside it use them), starting the pool
    /// on first use.
    pub fn install<T: Send>(&self, work: impl FnOnce() -> T + Send) -> Result<T> {
        let Some(t) = self.threads else {
            return Ok(work());
        };
        let pool = self.pool.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| e.to_string())
        });
        match pool {
            Ok(pool) => Ok(pool.install(work)),
            Err(message) => Err(Error::ThreadPool {
                threads: t,
                message: message.clone(),
            }),
        }
    }
}

/// What one pass over a range of chunks produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Tallies {
    /// Integer tallies of the range's ballots.
    pub tally: Tally,
    /// For a scenario with evidence: the weighted tallies of the maximal nodes of the chunk
    /// tree (over the run's chunks) inside the range, in chunk order.
    pub evidence: Option<Vec<WeightedNode>>,
}

/// One prepared run of a scenario: the model compiled with the run's options, the settings
/// checked (ballots in range, memory within [`limits::MAX_RUN_MEMORY`] on these workers).
pub struct Run<'a> {
    scenario: &'a Scenario,
    model: Model,
    /// The run's configuration; `threads` is left unset (the workers decide).
    cfg: RunConfig,
    without_blocs: bool,
    evidence: Option<EvidenceModel>,
    workers: &'a Workers,
}

impl<'a> Run<'a> {
    /// Prepares the run of `s` with `opts` on `workers`.
    pub fn new(s: &'a Scenario, opts: &RunOptions, workers: &'a Workers) -> Result<Run<'a>> {
        let cfg = RunConfig {
            threads: None,
            ..opts.config(s)
        };
        if !(1..=MAX_BALLOTS).contains(&cfg.ballots) {
            return Err(Error::Ballots {
                ballots: cfg.ballots,
                max: MAX_BALLOTS,
            });
        }
        let model = Model::with_options(s, opts.compile());
        limits::check_run_memory(&model, workers.threads() as u64, cfg.chunks())?;
        Ok(Run {
            evidence: EvidenceModel::new(s, &model),
            scenario: s,
            model,
            cfg,
            without_blocs: opts.without_blocs,
            workers,
        })
    }

    /// The run's configuration (`threads` unset: the workers decide, results do not depend on
    /// it).
    pub fn config(&self) -> &RunConfig {
        &self.cfg
    }

    /// The compiled model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The integer tally of chunks `range`, by the kernel (no evidence weighting: for sweeps,
    /// plans and fits, which report unconditioned figures).
    pub fn tally(&self, range: Range<u64>, progress: Progress<'_>) -> Result<Tally> {
        pass::kernel(self, &self.cfg, range, progress)
    }

    /// The tally of the whole run (see [`Run::tally`]).
    pub fn tally_all(&self) -> Result<Tally> {
        self.tally(0..self.cfg.chunks(), &|_| {})
    }

    /// One pass over chunks `range`: the integer tally and, for a scenario with evidence, the
    /// weighted tallies of the chunk-tree nodes the range covers.
    pub fn tallies(&self, range: Range<u64>, progress: Progress<'_>) -> Result<Tallies> {
        match &self.evidence {
            None => Ok(Tallies {
                tally: self.tally(range, progress)?,
                evidence: None,
            }),
            Some(em) => {
                let nodes = chunk_tree::cover(range, self.cfg.chunks());
                let (tally, nodes) = pass::weighted(self, em, &self.cfg, &nodes, progress)?;
                Ok(Tallies {
                    tally,
                    evidence: Some(nodes),
                })
            }
        }
    }

    /// Simulates the whole run and summarises it (with the conditioned forecast when the
    /// scenario has evidence).
    pub fn forecast(&self, progress: Progress<'_>) -> Result<Forecast> {
        let t = self.tallies(0..self.cfg.chunks(), progress)?;
        self.assemble(&t.tally, t.evidence.as_deref())
    }

    /// The forecast from the tally of the whole run and, with evidence, the weighted tallies
    /// of chunk-tree nodes that cover every chunk.
    pub fn assemble(&self, tally: &Tally, nodes: Option<&[WeightedNode]>) -> Result<Forecast> {
        assemble(self.scenario, &self.cfg, tally, nodes, self.without_blocs)
    }
}

/// The forecast of scenario `s` from the tally of a whole run with `cfg` and, for a scenario
/// with evidence, the weighted tallies of chunk-tree nodes covering every chunk exactly once
/// (a single run's, or the shards' of a merged run): combined along the chunk tree, bit for
/// bit the conditioned forecast a single run computes.
pub fn assemble(
    s: &Scenario,
    cfg: &RunConfig,
    tally: &Tally,
    nodes: Option<&[WeightedNode]>,
    without_blocs: bool,
) -> Result<Forecast> {
    let conditioned = match nodes {
        None => None,
        Some(nodes) => {
            let map: BTreeMap<[u64; 2], WeightedTally> =
                nodes.iter().map(|x| (x.chunks, x.tally.clone())).collect();
            let total = chunk_tree::combine(cfg.chunks(), &map)?;
            Some(Conditioned::new(s, &total))
        }
    };
    Ok(Forecast::new(s, cfg, tally, without_blocs, conditioned))
}

/// Simulates scenario `s` with `opts` and summarises the result.
pub fn forecast(s: &Scenario, opts: &RunOptions) -> Result<Forecast> {
    forecast_with_progress(s, opts, &|_| {})
}

/// As [`forecast`], calling `progress(ballots)` after each simulated chunk (from worker
/// threads, in no particular order) — e.g. to advance a [`crate::progress::Progress`] bar.
/// The callback cannot change the results: they are identical to [`forecast`]'s.
pub fn forecast_with_progress(
    s: &Scenario,
    opts: &RunOptions,
    progress: Progress<'_>,
) -> Result<Forecast> {
    let workers = Workers::new(opts.threads)?;
    Run::new(s, opts, &workers)?.forecast(progress)
}

#[cfg(test)]
mod tests;
