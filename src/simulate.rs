//! Chunked, parallel, reproducible simulation of ballots with streaming tallies.
//!
//! A run of `N` ballots is cut into chunks of [`CHUNK_BALLOTS`] (the last may be shorter).
//! Chunk `k` draws from its own stream ([`crate::rng::chunk_rng`]), so its ballots do not
//! depend on the thread count. Each ballot consumes exactly `1 + n_blocs + n_states` 32-bit
//! numbers — the global shock, one shock per bloc (even with cohesion 0), one uniform per state
//! — whatever the parameters, so runs that differ only in parameter values use *common random
//! numbers* ballot by ballot.
//!
//! Conditional on a ballot's global and bloc shocks (and leaders' votes), states are
//! independent: each state's one uniform decides absence and, rescaled, gives its idiosyncratic
//! normal shock by inverse CDF ([`crate::normal::FastInvNormal`]).
//!
//! Tallies are integers (histograms of each count, per-state outcome counts, adoptions), so
//! combining chunks is exact and order-free: memory does not grow with `N`, and the result is
//! bit-identical for any thread count.

use rand::Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::normal::{FastInvNormal, unit_open};
use crate::rng::chunk_rng;
use crate::scenario::{MAX_BALLOTS, RngKind, Rule};
use crate::vote::Outcome;
use crate::with_chunk_rng;

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

/// Integer tallies of a set of ballots.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The model flattened for the per-ballot loop, in simulation order.
struct Kernel {
    n_blocs: usize,
    rule: Rule,
    state: Vec<usize>,
    /// Upper ends of the u-segments: absent, mobilised yes, mobilised abstain, mobilised no
    /// (the last equals the base absence probability, where the latent part starts).
    seg: Vec<[f64; 4]>,
    inv_present: Vec<f64>,
    cut_no: Vec<f64>,
    cut_yes: Vec<f64>,
    global: Vec<f64>,
    idio: Vec<f64>,
    bloc_start: Vec<u32>,
    bloc_factor: Vec<u32>,
    bloc_load: Vec<f64>,
    lead_start: Vec<u32>,
    lead_pos: Vec<u32>,
    lead_infl: Vec<f64>,
    lead_centre: Vec<f64>,
    inv: FastInvNormal,
}

impl Kernel {
    fn new(m: &Model) -> Kernel {
        let mut pos_of = vec![0u32; m.len()];
        for (p, &i) in m.order.iter().enumerate() {
            pos_of[i] = p as u32;
        }
        let mut k = Kernel {
            n_blocs: m.n_blocs,
            rule: m.rule,
            state: m.order.clone(),
            seg: Vec::new(),
            inv_present: Vec::new(),
            cut_no: Vec::new(),
            cut_yes: Vec::new(),
            global: Vec::new(),
            idio: Vec::new(),
            bloc_start: vec![0],
            bloc_factor: Vec::new(),
            bloc_load: Vec::new(),
            lead_start: vec![0],
            lead_pos: Vec::new(),
            lead_infl: Vec::new(),
            lead_centre: Vec::new(),
            inv: FastInvNormal::new(),
        };
        for &i in &m.order {
            let s = &m.states[i];
            let [y, _, a] = s.mobilised;
            k.seg.push([
                s.p_absent,
                s.p_absent + y,
                s.p_absent + y + a,
                s.base_absent,
            ]);
            k.inv_present.push(if s.base_absent < 1.0 {
                1.0 / (1.0 - s.base_absent)
            } else {
                0.0
            });
            k.cut_no.push(s.cut_no);
            k.cut_yes.push(s.cut_yes);
            k.global.push(s.loadings.global);
            k.idio.push(s.loadings.idio);
            for &(b, l) in &s.loadings.blocs {
                k.bloc_factor.push(b as u32);
                k.bloc_load.push(l);
            }
            k.bloc_start.push(k.bloc_factor.len() as u32);
            for &(l, infl, centre) in &s.leaders {
                k.lead_pos.push(pos_of[l]);
                k.lead_infl.push(infl);
                k.lead_centre.push(centre);
            }
            k.lead_start.push(k.lead_pos.len() as u32);
        }
        k
    }

    /// Simulates `len` ballots from `rng` into `t`.
    fn run<R: Rng>(&self, rng: &mut R, len: u64, t: &mut Tally) {
        let n = self.state.len();
        let mut shocks = vec![0.0f64; self.n_blocs];
        let mut out = vec![Outcome::Absent; n];
        for _ in 0..len {
            let global = self.inv.inv(unit_open(rng.next_u32()));
            for s in shocks.iter_mut() {
                *s = self.inv.inv(unit_open(rng.next_u32()));
            }
            let mut counts = [0u32; 4];
            for p in 0..n {
                let u = unit_open(rng.next_u32());
                let seg = &self.seg[p];
                let o = if u < seg[3] {
                    if u < seg[0] {
                        Outcome::Absent
                    } else if u < seg[1] {
                        Outcome::Yes
                    } else if u < seg[2] {
                        Outcome::Abstain
                    } else {
                        Outcome::No
                    }
                } else {
                    let v = (u - seg[3]) * self.inv_present[p];
                    let mut z = self.global[p] * global + self.idio[p] * self.inv.inv(v);
                    let (b0, b1) = (self.bloc_start[p] as usize, self.bloc_start[p + 1] as usize);
                    for j in b0..b1 {
                        z += self.bloc_load[j] * shocks[self.bloc_factor[j] as usize];
                    }
                    let (l0, l1) = (self.lead_start[p] as usize, self.lead_start[p + 1] as usize);
                    for j in l0..l1 {
                        let lv = out[self.lead_pos[j] as usize].score();
                        z += self.lead_infl[j] * (lv - self.lead_centre[j]);
                    }
                    if z < self.cut_no[p] {
                        Outcome::No
                    } else if z < self.cut_yes[p] {
                        Outcome::Abstain
                    } else {
                        Outcome::Yes
                    }
                };
                out[p] = o;
                counts[o.index()] += 1;
                t.states[self.state[p]][o.index()] += 1;
            }
            for (h, &c) in t.hist.iter_mut().zip(&counts) {
                h[c as usize] += 1;
            }
            t.adopted += u64::from(self.rule.adopted(counts[0], counts[1]));
        }
        t.ballots += len;
    }
}

fn check_config(cfg: &RunConfig) -> Result<()> {
    if cfg.ballots == 0 || cfg.ballots > MAX_BALLOTS {
        return Err(Error::Refused(format!(
            "ballots must be between 1 and {MAX_BALLOTS}, got {}",
            cfg.ballots
        )));
    }
    if cfg.threads == Some(0) {
        return Err(Error::Refused("threads must be at least 1".into()));
    }
    Ok(())
}

/// Simulates chunk `k` of the run alone (for tests, sharding and merging).
pub fn simulate_chunk(model: &Model, cfg: &RunConfig, k: u64) -> Tally {
    let kernel = Kernel::new(model);
    let mut t = Tally::new(model.len());
    chunk_into(&kernel, cfg, k, &mut t);
    t
}

fn chunk_into(kernel: &Kernel, cfg: &RunConfig, k: u64, t: &mut Tally) {
    let len = cfg.chunk_len(k);
    with_chunk_rng!(chunk_rng(cfg.rng, cfg.seed, k), |r| kernel
        .run(&mut r, len, t));
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
    check_config(cfg)?;
    let kernel = Kernel::new(model);
    let n = model.len();
    let work = || {
        range
            .clone()
            .into_par_iter()
            .fold(
                || Tally::new(n),
                |mut t, k| {
                    chunk_into(&kernel, cfg, k, &mut t);
                    progress(cfg.chunk_len(k));
                    t
                },
            )
            .reduce(
                || Tally::new(n),
                |mut a, b| {
                    a.merge(&b);
                    a
                },
            )
    };
    match cfg.threads {
        None => Ok(work()),
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::Refused(format!("could not start {t} threads: {e}")))?;
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
