//! Sharded runs that merge exactly, and runs to a target precision.
//!
//! **Shards.** A run of `C` chunks (see [`crate::simulate`]) split into `n` shards gives shard
//! `i` (1-based, `1 ≤ i ≤ n`) the *contiguous* chunk range `[⌊C·(i−1)/n⌋, ⌊C·i/n⌋)`. Every chunk
//! belongs to exactly one shard and its ballots depend only on (generator, seed, chunk index),
//! so the integer tallies of the shards add up to exactly the tally of the single run, and the
//! forecast built from them is byte-for-byte the one a single run prints. A shard's output is
//! a [`ShardFile`] (JSON, layout below); [`merge`] checks that the files belong together —
//! same format version, scenario SHA-256, seed, ballots, generator, chunk size, `without_blocs`
//! and shard count — and that every shard index appears exactly once with the chunk range it
//! must have, then adds the tallies. For a scenario with `[[evidence]]` a shard also carries
//! the weighted tallies of the maximal [`crate::evidence::chunk_tree`] nodes inside its chunk
//! range; `merge` checks that they are exactly those nodes and rebuilds the conditioned
//! forecast with the single run's additions, so it too is identical to the single run's.
//!
//! **Sweep shards.** `sweep --shard i/n` splits the sweep's *grid points* (not the chunks of
//! each point) the same way: shard `i` of a grid of `P` points simulates the contiguous block
//! `[⌊P·(i−1)/n⌋, ⌊P·i/n⌋)`, each point in full, and writes a [`SweepShardFile`] with one
//! integer tally per point. A point's tally depends only on the scenario, the point's values
//! and the run settings, so [`merge_sweep`] (same checks as for runs, plus the `--set`
//! arguments and the grid size) rebuilds exactly the sweep a single `lobbysim sweep` computes.
//! Splitting points keeps a sweep shard an ordinary sweep of fewer points; a grid with fewer
//! points than shards leaves some shards empty. [`AnyShard`] tells the two kinds apart by
//! their `format` field, and [`merge_any`] refuses to mix them.
//!
//! [`merge`] (module `merge.rs`) checks and combines the files; the forecast or sweep is then
//! rebuilt by the run pipeline ([`crate::engine`]) and the sweep module, exactly as a single
//! run builds it.

mod merge;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::{Run, RunOptions, Workers};
use crate::error::{Error, Result};
use crate::evidence::WeightedNode;
use crate::scenario::{RngKind, Scenario};
use crate::simulate::{CHUNK_BALLOTS, RunConfig, Tally};
use crate::tune::sweep;

pub use merge::{Merged, MergedAny, MergedSweep, merge, merge_any, merge_sweep};

/// Value of [`ShardFile::format`]: the kind tag of a `run` shard.
pub const SHARD_FORMAT: &str = "lobbysim-shard-1";
/// Value of [`SweepShardFile::format`]: the kind tag of a `sweep` shard.
pub const SWEEP_SHARD_FORMAT: &str = "lobbysim-sweep-shard-1";

/// Shard `index` of `count` (1-based), as written `i/n` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1..=count.
    pub index: u64,
    /// Number of shards, ≥ 1.
    pub count: u64,
}

impl Shard {
    /// Parses `i/n` with `1 ≤ i ≤ n`.
    pub fn parse(s: &str) -> std::result::Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not of the form i/n (e.g. 3/8)"))?;
        let num = |t: &str| {
            t.trim()
                .parse::<u64>()
                .map_err(|_| format!("{t:?} in {s:?} is not a whole number"))
        };
        let (index, count) = (num(i)?, num(n)?);
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {s:?}: need 1 ≤ i ≤ n"));
        }
        Ok(Shard { index, count })
    }

    /// The chunks of a run of `chunks` chunks that this shard computes (may be empty when there
    /// are more shards than chunks).
    pub fn chunks(&self, chunks: u64) -> std::ops::Range<u64> {
        self.range(chunks)
    }

    /// This shard's contiguous block `[⌊m·(i−1)/n⌋, ⌊m·i/n⌋)` of `m` items (chunks of a run,
    /// points of a sweep grid); empty when there are more shards than items.
    pub fn range(&self, items: u64) -> std::ops::Range<u64> {
        let at = |i: u64| (u128::from(items) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

/// The output of `lobbysim run --shard i/n`: run identification plus the shard's integer tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardFile {
    /// Always [`SHARD_FORMAT`].
    pub format: String,
    /// Crate version that produced the shard (results depend on it).
    pub version: String,
    /// Scenario file as given on the command line (used by `merge` unless `--scenario`).
    pub scenario_file: PathBuf,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Master seed.
    pub seed: u64,
    /// Ballots of the whole (unsharded) run.
    pub ballots: u64,
    /// Generator (`chacha8`, `chacha12`, `chacha20`).
    pub rng: String,
    /// Ballots per chunk.
    pub chunk_ballots: u64,
    /// Whether bloc cohesion and leaders were dropped.
    pub without_blocs: bool,
    /// This shard's index, 1..=shards.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// Chunk range `[start, end)` computed by this shard.
    pub chunks: [u64; 2],
    /// Integer tallies of the shard's ballots (states in scenario order).
    pub tally: Tally,
    /// Only for a scenario with `[[evidence]]`: the weighted tallies of the maximal nodes of
    /// the evidence chunk tree inside `chunks` (see [`crate::evidence::chunk_tree`]), from
    /// which `merge` rebuilds the conditioned forecast exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<WeightedNode>>,
}

/// Runs one shard of the forecast of `s` with `opts`: the run pipeline's pass over the
/// shard's chunks (checked like a whole run, memory included).
pub fn run_shard(s: &Scenario, opts: &RunOptions, shard: Shard) -> Result<ShardFile> {
    run_shard_with_progress(s, opts, shard, &|_| {})
}

/// As [`run_shard`], calling `progress(ballots)` after each simulated chunk.
pub fn run_shard_with_progress(
    s: &Scenario,
    opts: &RunOptions,
    shard: Shard,
    progress: crate::engine::Progress<'_>,
) -> Result<ShardFile> {
    let workers = Workers::new(opts.threads)?;
    let run = Run::new(s, opts, &workers)?;
    let cfg = *run.config();
    let range = shard.chunks(cfg.chunks());
    let t = run.tallies(range.clone(), progress)?;
    Ok(ShardFile {
        format: SHARD_FORMAT.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: s.file.clone(),
        scenario_sha256: s.sha256.clone(),
        seed: cfg.seed,
        ballots: cfg.ballots,
        rng: cfg.rng.name().into(),
        chunk_ballots: CHUNK_BALLOTS,
        without_blocs: opts.without_blocs,
        shard: shard.index,
        shards: shard.count,
        chunks: [range.start, range.end],
        tally: t.tally,
        evidence: t.evidence,
    })
}

/// `value` as compact JSON with a trailing newline; `what` names it in errors.
fn json_line<T: Serialize>(what: &str, value: &T) -> Result<String> {
    let mut s = serde_json::to_string(value).map_err(|e| Error::Output {
        what: what.into(),
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}

impl ShardFile {
    /// Compact JSON with a trailing newline.
    pub fn to_json(&self) -> Result<String> {
        json_line("shard file", self)
    }

    /// The run configuration the shard belongs to (threads unset).
    pub fn config(&self) -> RunConfig {
        RunConfig {
            ballots: self.ballots,
            seed: self.seed,
            rng: RngKind::parse(&self.rng).unwrap_or(RngKind::ChaCha8),
            threads: None,
        }
    }
}

/// The output of `lobbysim sweep --shard i/n`: sweep identification plus one integer tally per
/// grid point of the shard's block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepShardFile {
    /// Always [`SWEEP_SHARD_FORMAT`].
    pub format: String,
    /// Crate version that produced the shard (results depend on it).
    pub version: String,
    /// Scenario file as given on the command line (used by `merge` unless `--scenario`).
    pub scenario_file: PathBuf,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Master seed (the same at every grid point).
    pub seed: u64,
    /// Ballots per grid point.
    pub ballots: u64,
    /// Generator (`chacha8`, `chacha12`, `chacha20`).
    pub rng: String,
    /// Ballots per chunk.
    pub chunk_ballots: u64,
    /// Whether bloc cohesion and leaders were dropped.
    pub without_blocs: bool,
    /// The `--set PATH=VALUES` arguments, verbatim, in order: the grid specification.
    pub set: Vec<String>,
    /// Number of points of the whole grid.
    pub grid_points: u64,
    /// This shard's index, 1..=shards.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// Grid point range `[start, end)` computed by this shard (grid order, outer axis slowest).
    pub points: [u64; 2],
    /// Integer tallies of the points in `points`, in order (states in scenario order).
    pub tallies: Vec<Tally>,
}

/// Computes shard `shard` of the sweep of `s` over the grid given by the `--set` arguments
/// `set` (see the module docs).
pub fn sweep_shard(
    s: &Scenario,
    set: &[String],
    opts: &RunOptions,
    shard: Shard,
) -> Result<SweepShardFile> {
    let axes = set
        .iter()
        .map(|a| sweep::parse_axis(s, a))
        .collect::<Result<Vec<_>>>()?;
    let grid = sweep::grid(s, &axes, opts)?;
    let range = shard.range(grid.len() as u64);
    let workers = Workers::new(opts.threads)?;
    let tallies = grid[range.start as usize..range.end as usize]
        .iter()
        .map(|values| sweep::point_tally(s, &axes, values, opts, &workers))
        .collect::<Result<Vec<_>>>()?;
    let cfg = opts.config(s);
    Ok(SweepShardFile {
        format: SWEEP_SHARD_FORMAT.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: s.file.clone(),
        scenario_sha256: s.sha256.clone(),
        seed: cfg.seed,
        ballots: cfg.ballots,
        rng: cfg.rng.name().into(),
        chunk_ballots: CHUNK_BALLOTS,
        without_blocs: opts.without_blocs,
        set: set.to_vec(),
        grid_points: grid.len() as u64,
        shard: shard.index,
        shards: shard.count,
        points: [range.start, range.end],
        tallies,
    })
}

impl SweepShardFile {
    /// Compact JSON with a trailing newline.
    pub fn to_json(&self) -> Result<String> {
        json_line("sweep shard file", self)
    }

    /// The run options every grid point was simulated with (threads unset).
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            ballots: Some(self.ballots),
            seed: Some(self.seed),
            threads: None,
            without_blocs: self.without_blocs,
        }
    }
}

/// A shard file of either kind, told apart by its `format` field.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyShard {
    /// Written by `run --shard`.
    Run(ShardFile),
    /// Written by `sweep --shard`.
    Sweep(SweepShardFile),
}

impl AnyShard {
    /// Reads a shard file of either kind: a `format` of [`SWEEP_SHARD_FORMAT`] is a sweep shard,
    /// anything else is read (and checked) as a run shard.
    pub fn read(path: &Path) -> Result<AnyShard> {
        #[derive(Deserialize)]
        struct Kind {
            format: Option<serde_json::Value>,
        }
        let text = crate::input::read_text_limited(path, crate::input::MAX_SHARD_BYTES)?;
        let bad = |e: serde_json::Error| {
            Error::invalid(
                path,
                Some(e.line()),
                "",
                format!("not a lobbysim shard file: {e}"),
            )
        };
        let kind: Option<Kind> = serde_json::from_str(&text).ok();
        let is_sweep = kind
            .and_then(|k| k.format)
            .is_some_and(|f| f == SWEEP_SHARD_FORMAT);
        if is_sweep {
            serde_json::from_str(&text)
                .map(AnyShard::Sweep)
                .map_err(bad)
        } else {
            serde_json::from_str(&text).map(AnyShard::Run).map_err(bad)
        }
    }

    /// The command that writes this kind of shard (`run` or `sweep`).
    pub fn command(&self) -> &'static str {
        match self {
            AnyShard::Run(_) => "run",
            AnyShard::Sweep(_) => "sweep",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_support::example;

    /// Shard ranges are contiguous, cover every item exactly once, in order, and differ in
    /// size by at most one.
    #[test]
    fn ranges_partition_the_items() {
        for items in 0..40u64 {
            for count in 1..9u64 {
                let ranges: Vec<_> = (1..=count)
                    .map(|index| Shard { index, count }.range(items))
                    .collect();
                assert_eq!(ranges[0].start, 0);
                assert_eq!(ranges[ranges.len() - 1].end, items);
                for w in ranges.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                }
                let sizes: Vec<u64> = ranges.iter().map(|r| r.end - r.start).collect();
                let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(hi - lo <= 1, "{items} items, {count} shards: {sizes:?}");
            }
        }
    }

    /// A 2-point sweep in 3 shards (the first one empty) merges, in any file order, into the
    /// sweep computed in one go; a file is read back as the kind it was written as.
    #[test]
    fn sweep_shards_with_an_empty_one_merge_exactly() {
        let s = example();
        let set = vec!["state.LLL.p_yes=0.2,0.6".to_string()];
        let opts = RunOptions {
            ballots: Some(3000),
            seed: Some(8),
            threads: Some(1),
            without_blocs: false,
        };
        let files: Vec<(PathBuf, SweepShardFile)> = (1..=3)
            .rev()
            .map(|index| {
                let f = sweep_shard(&s, &set, &opts, Shard { index, count: 3 }).unwrap();
                (PathBuf::from(format!("{index}.json")), f)
            })
            .collect();
        assert_eq!(files[2].1.points, [0, 0]);
        assert!(files[2].1.tallies.is_empty());
        let merged = merge_sweep(&files).unwrap().sweep(&s).unwrap();
        let axes = [sweep::parse_axis(&s, &set[0]).unwrap()];
        assert_eq!(merged, sweep::sweep(&s, &axes, &opts).unwrap());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.json");
        std::fs::write(&path, files[0].1.to_json().unwrap()).unwrap();
        assert_eq!(
            AnyShard::read(&path).unwrap(),
            AnyShard::Sweep(files[0].1.clone())
        );
        let run = run_shard(&s, &opts, Shard { index: 1, count: 2 }).unwrap();
        std::fs::write(&path, run.to_json().unwrap()).unwrap();
        assert_eq!(AnyShard::read(&path).unwrap(), AnyShard::Run(run));
    }
}
