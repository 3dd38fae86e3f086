//! The two ways a run simulates a range of its chunks: the kernel alone, or — for a scenario
//! with evidence — the reference visitor, which yields every ballot's shocks and votes so that
//! the integer tally and the weighted tally are built in the same pass.

use rayon::prelude::*;

use super::{Progress, Run};
use crate::error::Result;
use crate::evidence::{EvidenceModel, WeightedNode, WeightedTally, chunk_tree};
use crate::simulate::{RunConfig, Tally, simulate_chunks_with_progress, visit_chunk};

/// The integer tally of chunks `range` of `cfg` (whose `threads` is unset), by the kernel, on
/// the run's workers.
pub(super) fn kernel(
    run: &Run<'_>,
    cfg: &RunConfig,
    range: std::ops::Range<u64>,
    progress: Progress<'_>,
) -> Result<Tally> {
    run.workers
        .install(|| simulate_chunks_with_progress(&run.model, cfg, range, progress))?
}

/// The integer tally of the chunks of `nodes` (chunk-tree nodes `[lo, hi)`, disjoint) and the
/// weighted tally of each node, in one pass of the visitor on the run's workers.
pub(super) fn weighted(
    run: &Run<'_>,
    em: &EvidenceModel,
    cfg: &RunConfig,
    nodes: &[[u64; 2]],
    progress: Progress<'_>,
) -> Result<(Tally, Vec<WeightedNode>)> {
    let pass = Pass {
        run,
        em,
        cfg,
        progress,
    };
    run.workers.install(|| {
        let parts: Vec<(Tally, WeightedTally)> = nodes
            .par_iter()
            .map(|&[lo, hi]| pass.node(lo, hi))
            .collect();
        let mut tally = Tally::new(run.model.len());
        let mut out = Vec::with_capacity(parts.len());
        for (&chunks, (t, w)) in nodes.iter().zip(parts) {
            tally.merge(&t);
            out.push(WeightedNode { chunks, tally: w });
        }
        (tally, out)
    })
}

/// One visitor pass: what it needs to weight and tally chunks.
struct Pass<'a, 'r> {
    run: &'a Run<'r>,
    em: &'a EvidenceModel,
    cfg: &'a RunConfig,
    progress: Progress<'a>,
}

impl Pass<'_, '_> {
    /// Tallies of chunk-tree node `[lo, hi)` (`hi > lo`), children in parallel, combined in the
    /// tree's fixed order.
    fn node(&self, lo: u64, hi: u64) -> (Tally, WeightedTally) {
        if hi - lo <= 1 {
            return self.chunk(lo);
        }
        let m = chunk_tree::split(lo, hi);
        let ((mut t, mut w), (t2, w2)) = rayon::join(|| self.node(lo, m), || self.node(m, hi));
        t.merge(&t2);
        w.merge(&w2);
        (t, w)
    }

    /// The integer and weighted tallies of chunk `k`.
    fn chunk(&self, k: u64) -> (Tally, WeightedTally) {
        let model = &self.run.model;
        let n = model.len();
        let mut t = Tally::new(n);
        let mut w = WeightedTally::new(n);
        visit_chunk(model, self.cfg, k, |b| {
            let lw = self.em.log_weight(model, b.global, b.blocs, |i| b.votes[i]);
            let adopted = model.rule.adopted(b.counts[0], b.counts[1]);
            w.add(lw, b.counts, b.votes, adopted);
            for (s, o) in t.states.iter_mut().zip(b.votes) {
                s[o.index()] += 1;
            }
            for (h, &c) in t.hist.iter_mut().zip(&b.counts) {
                h[c as usize] += 1;
            }
            t.adopted += u64::from(adopted);
            t.ballots += 1;
        });
        (self.progress)(self.cfg.chunk_len(k));
        (t, w)
    }
}
