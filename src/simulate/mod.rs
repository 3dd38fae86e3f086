//! Chunked, parallel, reproducible simulation of ballots with streaming tallies.
//!
//! A run of `N` ballots is cut into chunks of [`CHUNK_BALLOTS`] (the last may be shorter).
//! Chunk `k` draws from its own stream ([`crate::rng::chunk_rng`]), so its ballots do not
//! depend on the thread count. Each ballot consumes exactly `1 + n_blocs + n_states` 32-bit
//! numbers — the global shock, one shock per bloc (even with cohesion 0), one uniform per state
//! — whatever the parameters, so runs that differ only in parameter values use *common random
//! numbers* ballot by ballot.
//!
//! The global and bloc shocks are standard normal variates by inverse CDF
//! ([`crate::normal::InvNormalF32`]) of [`shock_uniform`]s. Conditional on them (and on
//! leaders' votes), states are independent: each state's one uniform decides absence and
//! mobilisation (by segments of [0, 1)) and, rescaled, gives its idiosyncratic normal shock by
//! the same inverse CDF. The conditional mean of the latent score is computed once per
//! *pattern* of loadings and leaders. The results are defined by f32 arithmetic with fused
//! multiply-adds (the reference, [`visit_chunk`]). The per-state pass is one portable source
//! over blocks of 16 states ([`BLOCK`]) that compilers vectorise: it decides each state with a
//! gather-free approximation of the quantile and a tolerance, and decides again exactly the
//! rare states within their tolerance of a cut-point (`pass.rs`), so outputs are bit-identical
//! whatever the instruction set — the portable build (SSE2, NEON), AVX2 + FMA or AVX-512,
//! chosen at run time ([`Simd`]). Realised outcome probabilities are within
//! [`MAX_PROB_ERROR`] of the model's. `docs/performance.md` describes the kernel and its
//! measured speed.
//!
//! Files: `mod.rs` the public API; `layout.rs` the states' parameters in blocks and the packed
//! counters; `kernel.rs` the per-chunk loop (shocks, pattern means, leaders, tallies);
//! `pass.rs` the per-state pass; `x86.rs` all the unsafe SIMD code (the entry points compiled
//! for AVX2 and AVX-512, and the steps written with intrinsics); `reference.rs` the
//! straightforward implementation the kernel is tested against.
//!
//! Tallies are integers (histograms of each count, per-state outcome counts, adoptions), so
//! combining chunks is exact and order-free: memory does not grow with `N`, and the result is
//! bit-identical for any thread count. Within a chunk, per-state counts are kept packed
//! ([`PACKED_INC`]) and added to the tally every [`PACKED_MAX`] ballots.

mod kernel;
mod layout;
mod pass;
mod reference;
#[cfg(target_arch = "x86_64")]
mod x86;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::rng::{ChunkWords, Keystream};
use crate::scenario::{MAX_BALLOTS, RngKind};

pub use crate::cpu::Simd;
pub use layout::{BLOCK, PACKED_INC, PACKED_MAX};
pub use reference::{Ballot, visit_chunk};

use kernel::{Kernel, Scratch};
/// Ballots per chunk. Part of the reproducibility contract: changing it changes results.
pub const CHUNK_BALLOTS: u64 = 4096;

/// What to simulate: how many ballots, from which seed, with which generator, on how many
/// threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunConfig {
    /// Number of ballots, 1..=[`MAX_BALLOTS`].
    pub ballots: u64,
    /// Master seed.
    pub seed: u64,
    /// Generator.
    pub rng: RngKind,
    /// Worker threads; `None` uses all cores. Never changes results.
    pub threads: Option<usize>,
}

impl RunConfig {
    /// Number of chunks the run is cut into.
    pub fn chunks(&self) -> u64 {
        self.ballots.div_ceil(CHUNK_BALLOTS)
    }

    /// Number of ballots in chunk `k`.
    pub fn chunk_len(&self, k: u64) -> u64 {
        let start = k * CHUNK_BALLOTS;
        CHUNK_BALLOTS.min(self.ballots - start)
    }
}

/// Integer tallies of a set of ballots (serialised as is in shard files, see [`crate::shard`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    /// Number of ballots tallied.
    pub ballots: u64,
    /// `hist[o][k]`: ballots in which exactly `k` states had outcome `o` (outcome order yes, no,
    /// abstain, absent; `k` in 0..=n).
    pub hist: [Vec<u64>; 4],
    /// `states[i][o]`: ballots in which state `i` had outcome `o`.
    pub states: Vec<[u64; 4]>,
    /// Ballots in which the resolution was adopted under the scenario's rule.
    pub adopted: u64,
}

impl Tally {
    /// An empty tally for `n` states.
    pub fn new(n: usize) -> Tally {
        Tally {
            ballots: 0,
            hist: std::array::from_fn(|_| vec![0; n + 1]),
            states: vec![[0; 4]; n],
            adopted: 0,
        }
    }

    /// Adds another tally of the same states (exact, commutative).
    pub fn merge(&mut self, o: &Tally) {
        self.ballots += o.ballots;
        self.adopted += o.adopted;
        for (h, oh) in self.hist.iter_mut().zip(&o.hist) {
            for (a, b) in h.iter_mut().zip(oh) {
                *a += b;
            }
        }
        for (a, b) in self.states.iter_mut().zip(&o.states) {
            for k in 0..4 {
                a[k] += b[k];
            }
        }
    }

    /// Number of member states.
    pub fn n_states(&self) -> usize {
        self.states.len()
    }
}

/// Resolution of the per-state uniforms: a state's 32-bit number `x` is read as
/// `u = ⌊x / 2⁸⌋ · 2⁻²⁴`, in [0, 1 − 2⁻²⁴] and exact in f32 ([`uniform24`]). Comparing `u` with a
/// threshold `t` realises the probability `P(u ≥ t)` within `2⁻²⁴` (≈ 6·10⁻⁸) of `1 − t`,
/// exactly 1 for `t = 0` and exactly 0 for `t = 1`.
pub const UNIFORM_RESOLUTION: f64 = 1.0 / 16_777_216.0;

/// Bound on the difference between any outcome probability the engine realises for a state,
/// given a ballot's shocks and leaders' votes, and the model's exact value
/// ([`crate::model::StateModel::conditional`]): the CDF error of the f32 quantile
/// ([`crate::normal::MAX_F32_CDF_ERROR`]) at each of the two cut-points, the f32 rounding of
/// the rescaled uniform and of the latent score, and the uniforms' resolution. Probabilities
/// the model makes exactly 0 (infinite cut-points, zero segments, equal cut-points) stay
/// exactly 0.
pub const MAX_PROB_ERROR: f64 = 1e-6;

/// A state's uniform in [0, 1) from its 32-bit number: the top 24 bits times 2⁻²⁴ (exact in
/// f32; see [`UNIFORM_RESOLUTION`]).
#[inline(always)]
pub fn uniform24(x: u32) -> f32 {
    uniform_steps(x) * UNIFORM_RESOLUTION as f32
}

/// The same uniform in steps of 2⁻²⁴: `⌊x / 2⁸⌋`, an integer in [0, 2²⁴) held exactly in f32.
/// The per-state decision works on this scale (thresholds are stored times 2²⁴, exactly).
#[inline(always)]
pub fn uniform_steps(x: u32) -> f32 {
    (x >> 8) as i32 as f32
}

/// A global or bloc shock's uniform from its 32-bit number: `(⌊x/2⁹⌋ + ½)·2⁻²³`, the
/// midpoints of 2²³ equal intervals of (0, 1) — exact in f32, symmetric about ½, within
/// [2⁻²⁴, 1 − 2⁻²⁴], the range [`crate::normal::InvNormalF32`] resolves.
#[inline(always)]
pub fn shock_uniform(x: u32) -> f32 {
    ((x >> 9) as f32 + 0.5) * (1.0 / 8_388_608.0)
}

fn check_config(cfg: &RunConfig) -> Result<()> {
    if cfg.ballots == 0 || cfg.ballots > MAX_BALLOTS {
        return Err(Error::Ballots {
            ballots: cfg.ballots,
            max: MAX_BALLOTS,
        });
    }
    if cfg.threads == Some(0) {
        return Err(Error::ZeroThreads);
    }
    Ok(())
}

/// Simulates chunk `k` of the run alone (for tests, sharding and merging).
pub fn simulate_chunk(model: &Model, cfg: &RunConfig, k: u64) -> Tally {
    let kernel = Kernel::new(model);
    let mut t = Tally::new(model.len());
    chunk_into(&kernel, cfg, k, &mut t, &mut kernel.scratch());
    t
}

fn chunk_into(kernel: &Kernel, cfg: &RunConfig, k: u64, t: &mut Tally, sc: &mut Scratch) {
    let len = cfg.chunk_len(k);
    let mut words = ChunkWords::new(cfg.rng, cfg.seed, k, Keystream::Cipher);
    kernel.run(&mut words, len, t, sc);
}

/// Simulates chunks `range` of the run in parallel and returns their combined tally.
pub fn simulate_chunks(
    model: &Model,
    cfg: &RunConfig,
    range: std::ops::Range<u64>,
) -> Result<Tally> {
    simulate_chunks_with_progress(model, cfg, range, &|_| {})
}

/// As [`simulate_chunks`], calling `progress(ballots)` after each chunk with the number of
/// ballots it simulated (from worker threads, in no particular order). Progress reporting
/// never changes results.
pub fn simulate_chunks_with_progress(
    model: &Model,
    cfg: &RunConfig,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Tally> {
    chunks_with(&Kernel::new(model), model, cfg, range, progress)
}

/// As [`simulate_chunks`], with the engine's instruction set capped at `simd` (the widest
/// the CPU has at most; `LOBBYSIM_SIMD` caps it further): for benchmarks and comparisons of
/// the implementations, which give identical results.
pub fn simulate_chunks_with_simd(
    model: &Model,
    cfg: &RunConfig,
    range: std::ops::Range<u64>,
    simd: Simd,
) -> Result<Tally> {
    chunks_with(&Kernel::with_simd(model, simd), model, cfg, range, &|_| {})
}

fn chunks_with(
    kernel: &Kernel,
    model: &Model,
    cfg: &RunConfig,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Tally> {
    check_config(cfg)?;
    let n = model.len();
    let work = || {
        range
            .clone()
            .into_par_iter()
            .fold(
                || (Tally::new(n), kernel.scratch()),
                |(mut t, mut sc), k| {
                    chunk_into(kernel, cfg, k, &mut t, &mut sc);
                    progress(cfg.chunk_len(k));
                    (t, sc)
                },
            )
            .map(|(t, _)| t)
            .reduce(
                || Tally::new(n),
                |mut a, b| {
                    a.merge(&b);
                    a
                },
            )
    };
    in_pool(cfg.threads, work)
}

/// Runs `work` on a pool of `threads` workers (`None`: rayon's global pool, all cores).
pub fn in_pool<T: Send>(threads: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T> {
    match threads {
        None => Ok(work()),
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::ThreadPool {
                    threads: t,
                    message: e.to_string(),
                })?;
            Ok(pool.install(work))
        }
    }
}

/// Simulates the whole run.
pub fn simulate(model: &Model, cfg: &RunConfig) -> Result<Tally> {
    simulate_chunks(model, cfg, 0..cfg.chunks())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    pub(crate) fn synthetic(n: usize) -> Scenario {
        crate::scenario::parse(
            &crate::synthetic::assembly(n, 10_000, 3),
            std::path::Path::new("synthetic.toml"),
        )
        .unwrap()
    }

    /// Same results on 1 and 2 threads.
    #[test]
    fn thread_count_does_not_change_results() {
        let m = Model::new(&synthetic(50));
        let mut cfg = RunConfig {
            ballots: 5 * CHUNK_BALLOTS + 7,
            seed: 5,
            rng: RngKind::ChaCha12,
            threads: Some(1),
        };
        let one = simulate(&m, &cfg).unwrap();
        cfg.threads = Some(2);
        assert_eq!(one, simulate(&m, &cfg).unwrap());
    }

    /// With cohesion and global correlation but no campaigns, discipline or leaders, every
    /// state's simulated outcome frequencies match its stated probabilities: each of the
    /// 4 × 193 frequencies is within 5 binomial standard errors (plus the documented
    /// engine's approximation error [`MAX_PROB_ERROR`]) of the stated value, at 200,704 ballots
    /// with a fixed seed. (A 5-SE excursion in any of 772 cells has probability < 5·10⁻⁴.)
    #[test]
    fn marginals_are_exact_without_shifts() {
        let text = crate::synthetic::assembly(193, 10_000, 3)
            .replace("discipline = ", "discipline = 0.0 # ")
            .replace("leader = ", "# leader = ")
            .replace("leader_influence = ", "# leader_influence = ");
        let text = text.split("[[campaign]]").next().unwrap().to_string();
        let s = crate::scenario::parse(&text, "marginals.toml".as_ref()).unwrap();
        assert!(s.campaigns.is_empty() && s.blocs.iter().all(|b| b.leader.is_none()));
        let m = Model::new(&s);
        assert!(!m.is_independent());
        let cfg = RunConfig {
            ballots: 49 * CHUNK_BALLOTS,
            seed: 2024,
            rng: RngKind::ChaCha8,
            threads: None,
        };
        let t = simulate(&m, &cfg).unwrap();
        let n = t.ballots as f64;
        let mut worst: f64 = 0.0;
        for (st, c) in s.states.iter().zip(&t.states) {
            for (o, &p) in st.base.to_array().iter().enumerate() {
                let se = (p * (1.0 - p) / n).sqrt().max(1e-12);
                let dev = ((c[o] as f64 / n - p).abs() - MAX_PROB_ERROR).max(0.0);
                worst = worst.max(dev / se);
            }
        }
        assert!(worst < 5.0, "largest deviation {worst:.2} standard errors");
    }

    #[test]
    fn chunking() {
        let cfg = RunConfig {
            ballots: 10_000,
            seed: 1,
            rng: RngKind::ChaCha8,
            threads: Some(1),
        };
        assert_eq!(cfg.chunks(), 3);
        assert_eq!(cfg.chunk_len(0), 4096);
        assert_eq!(cfg.chunk_len(2), 10_000 - 8192);
    }

    #[test]
    fn merge_adds() {
        let mut a = Tally::new(2);
        a.ballots = 3;
        a.hist[0][1] = 3;
        a.states[1][2] = 3;
        let b = a.clone();
        a.merge(&b);
        assert_eq!(a.ballots, 6);
        assert_eq!(a.hist[0][1], 6);
        assert_eq!(a.states[1][2], 6);
    }
}
