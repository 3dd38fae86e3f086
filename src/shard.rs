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
//! **Precision.** [`forecast_to_precision`] simulates the prefix of chunks `0..16`, then doubles
//! the number of chunks (`0..32`, `0..64`, …; chunks already simulated are kept, never redrawn)
//! until the Monte Carlo standard error `√(p(1−p)/N)` of P(adoption) and of every reference
//! probability is below the target, or the ballot cap is reached. The schedule depends on
//! nothing but the tallies, so the result is deterministic for a given seed, independent of
//! the thread count, and identical to a plain run with the number of ballots it reports
//! (including the conditioned forecast of a scenario with evidence, computed once at the end).
//! (A probability estimated as exactly 0 or 1 has standard error 0 by this formula.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::RunOptions;
use crate::error::{Error, MergeError, Problem, Result};
use crate::evidence::{self, Conditioned, WeightedNode, WeightedTally, chunk_tree};
use crate::model::Model;
use crate::report::{Forecast, Format};
use crate::scenario::{MAX_BALLOTS, RngKind, Scenario};
use crate::simulate::{CHUNK_BALLOTS, RunConfig, Tally, simulate_chunks};
use crate::tune::{TuneFormat, sweep};

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

/// Runs one shard of the forecast of `s` with `opts`.
pub fn run_shard(s: &Scenario, opts: &RunOptions, shard: Shard) -> Result<ShardFile> {
    let cfg = opts.config(s);
    let model = Model::with_options(s, opts.compile());
    let range = shard.chunks(cfg.chunks());
    let tally = if range.is_empty() {
        Tally::new(model.len())
    } else {
        simulate_chunks(&model, &cfg, range.clone())?
    };
    let evidence = evidence::weighted_nodes(s, &model, &cfg, range.clone())?;
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
        tally,
        evidence,
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
    fn header(&self) -> Header<'_> {
        Header {
            format: &self.format,
            expected_format: SHARD_FORMAT,
            rng: &self.rng,
            chunk_ballots: self.chunk_ballots,
            shard: self.shard,
            shards: self.shards,
            identity: identity(
                &self.version,
                &self.scenario_sha256,
                self.seed,
                self.ballots,
                &self.rng,
                self.chunk_ballots,
                self.without_blocs,
                Vec::new(),
                self.shards,
            ),
        }
    }

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

/// Shards checked and combined: the header of the first and the total tally.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The first shard's identification (shared by all, tally = the sum).
    pub header: ShardFile,
}

/// What every shard file of one job carries: its format tag, generator, chunk size, position
/// and the identity fields all shards of the job must share (as text, in report order).
struct Header<'a> {
    format: &'a str,
    expected_format: &'static str,
    rng: &'a str,
    chunk_ballots: u64,
    shard: u64,
    shards: u64,
    identity: Vec<(&'static str, String)>,
}

/// The identity fields shared by run and sweep shards, then `extra`, then the shard count.
#[allow(clippy::too_many_arguments)]
fn identity(
    version: &str,
    sha256: &str,
    seed: u64,
    ballots: u64,
    rng: &str,
    chunk_ballots: u64,
    without_blocs: bool,
    extra: Vec<(&'static str, String)>,
    shards: u64,
) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("version", version.to_string()),
        ("scenario_sha256", sha256.to_string()),
        ("seed", seed.to_string()),
        ("ballots", ballots.to_string()),
        ("rng", rng.to_string()),
        ("chunk_ballots", chunk_ballots.to_string()),
        ("without_blocs", without_blocs.to_string()),
    ];
    v.extend(extra);
    v.push(("shards", shards.to_string()));
    v
}

/// Checks one shard's header against the first shard's (read from `first_path`) and this
/// version: format, generator, identity, chunk size, and that its index is within the `slots`
/// shards expected. Reports each problem through `bad`; true when the shard can be used.
fn check_header(
    h: &Header<'_>,
    first: &Header<'_>,
    first_path: &Path,
    slots: usize,
    bad: &mut impl FnMut(&str, String),
) -> bool {
    if h.format != h.expected_format {
        bad(
            "format",
            format!("expected {:?}, got {:?}", h.expected_format, h.format),
        );
        return false;
    }
    if RngKind::parse(h.rng).is_none() {
        bad("rng", format!("unknown generator {:?}", h.rng));
    }
    let mut consistent = true;
    for ((field, got), (_, want)) in h.identity.iter().zip(&first.identity) {
        if got != want {
            bad(
                field,
                format!("{got} differs from {want} in {}", first_path.display()),
            );
            consistent = false;
        }
    }
    if !consistent {
        return false;
    }
    if h.chunk_ballots != CHUNK_BALLOTS {
        bad(
            "chunk_ballots",
            format!(
                "{} ballots per chunk; this version uses {CHUNK_BALLOTS}",
                h.chunk_ballots
            ),
        );
        return false;
    }
    if h.shard == 0 || h.shard > h.shards || slots as u64 != h.shards {
        bad(
            "shard",
            format!("shard {} of {} is out of range", h.shard, h.shards),
        );
        return false;
    }
    true
}

/// Checks that `files` (path, content) are all the shards of one run and adds their tallies.
pub fn merge(files: &[(PathBuf, ShardFile)]) -> Result<Merged> {
    let Some((_, first)) = files.first() else {
        return Err(MergeError::NoShards.into());
    };
    let mut problems = Vec::new();
    let mut seen: Vec<Option<&Path>> = vec![None; first.shards.min(1 << 20) as usize];
    let n = first.tally.n_states();
    let mut total = Tally::new(n);
    let mut nodes: Vec<WeightedNode> = Vec::new();
    let expected_chunks = first.config().chunks();
    for (path, f) in files {
        let mut bad = |field: &str, msg: String| {
            problems.push(Problem::new(path, None, field, msg));
        };
        if !check_header(
            &f.header(),
            &first.header(),
            &files[0].0,
            seen.len(),
            &mut bad,
        ) {
            continue;
        }
        let shard = Shard {
            index: f.shard,
            count: f.shards,
        };
        let want = shard.chunks(expected_chunks);
        if f.chunks != [want.start, want.end] {
            bad(
                "chunks",
                format!(
                    "{:?} but shard {}/{} must cover chunks {want:?}",
                    f.chunks, f.shard, f.shards
                ),
            );
            continue;
        }
        let want_ballots: u64 = want.clone().map(|k| f.config().chunk_len(k)).sum();
        if f.tally.ballots != want_ballots
            || f.tally.n_states() != n
            || f.tally.hist.iter().any(|h| h.len() != n + 1)
        {
            bad(
                "tally",
                format!(
                    "{} ballots for {} states; expected {want_ballots} for {n}",
                    f.tally.ballots,
                    f.tally.n_states()
                ),
            );
            continue;
        }
        if let Some(msg) = evidence_problem(f, first, want.clone(), expected_chunks, n) {
            bad("evidence", msg);
            continue;
        }
        let slot = &mut seen[(f.shard - 1) as usize];
        if let Some(prev) = slot {
            bad(
                "shard",
                format!(
                    "shard {}/{} also given as {}",
                    f.shard,
                    f.shards,
                    prev.display()
                ),
            );
            continue;
        }
        *slot = Some(path);
        total.merge(&f.tally);
        nodes.extend(f.evidence.iter().flatten().cloned());
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{}/{}", i + 1, first.shards))
        .collect();
    if problems.is_empty() && !missing.is_empty() {
        return Err(MergeError::Missing {
            missing,
            unit: "chunk",
        }
        .into());
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut header = first.clone();
    header.tally = total;
    header.shard = 1;
    header.shards = 1;
    header.chunks = [0, expected_chunks];
    nodes.sort_by_key(|x| x.chunks);
    header.evidence = first.evidence.is_some().then_some(nodes);
    Ok(Merged { header })
}

/// What is wrong with shard `f`'s evidence tallies, if anything: present in some shards of a
/// run but not others, not exactly the chunk-tree cover of the shard's chunks `want`, or with
/// the wrong numbers of ballots or states.
fn evidence_problem(
    f: &ShardFile,
    first: &ShardFile,
    want: std::ops::Range<u64>,
    chunks: u64,
    n: usize,
) -> Option<String> {
    let nodes = match (&f.evidence, &first.evidence) {
        (None, None) => return None,
        (Some(nodes), Some(_)) => nodes,
        (got, _) => {
            return Some(format!(
                "{} evidence tallies, unlike the first shard",
                if got.is_some() { "has" } else { "has no" }
            ));
        }
    };
    let cover = chunk_tree::cover(want, chunks);
    let ranges: Vec<[u64; 2]> = nodes.iter().map(|x| x.chunks).collect();
    if ranges != cover {
        return Some(format!(
            "covers chunk-tree nodes {ranges:?}; the shard's chunks need {cover:?}"
        ));
    }
    let cfg = f.config();
    for x in nodes {
        let ballots: u64 = (x.chunks[0]..x.chunks[1]).map(|k| cfg.chunk_len(k)).sum();
        let t = &x.tally;
        if t.ballots != ballots || t.states.len() != n || t.hist.iter().any(|h| h.len() != n + 1) {
            return Some(format!(
                "node {:?} has {} ballots for {} states; expected {ballots} for {n}",
                x.chunks,
                t.ballots,
                t.states.len()
            ));
        }
    }
    None
}

impl Merged {
    /// The forecast of the merged run, built from the scenario the shards were made from
    /// (checked by SHA-256).
    pub fn forecast(&self, s: &Scenario) -> Result<Forecast> {
        check_scenario(s, &self.header.scenario_sha256)?;
        if s.states.len() != self.header.tally.n_states() {
            return Err(MergeError::States {
                shards: self.header.tally.n_states(),
                scenario: s.states.len(),
            }
            .into());
        }
        let cfg = self.header.config();
        let mut f = Forecast::new(s, &cfg, &self.header.tally, self.header.without_blocs);
        match (&self.header.evidence, s.evidence.is_empty()) {
            (None, true) => {}
            (Some(nodes), false) => {
                let map: BTreeMap<[u64; 2], WeightedTally> =
                    nodes.iter().map(|x| (x.chunks, x.tally.clone())).collect();
                let total = chunk_tree::combine(cfg.chunks(), &map)?;
                f.conditioned = Some(Conditioned::new(s, &total));
            }
            (None, false) => {
                return Err(MergeError::EvidenceMissing {
                    file: s.file.clone(),
                }
                .into());
            }
            (Some(_), true) => {
                return Err(MergeError::EvidenceUnexpected {
                    file: s.file.clone(),
                }
                .into());
            }
        }
        Ok(f)
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
    let tallies = grid[range.start as usize..range.end as usize]
        .iter()
        .map(|values| sweep::point_tally(s, &axes, values, opts))
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
    fn header(&self) -> Header<'_> {
        Header {
            format: &self.format,
            expected_format: SWEEP_SHARD_FORMAT,
            rng: &self.rng,
            chunk_ballots: self.chunk_ballots,
            shard: self.shard,
            shards: self.shards,
            identity: identity(
                &self.version,
                &self.scenario_sha256,
                self.seed,
                self.ballots,
                &self.rng,
                self.chunk_ballots,
                self.without_blocs,
                vec![
                    ("set", format!("{:?}", self.set)),
                    ("grid_points", self.grid_points.to_string()),
                ],
                self.shards,
            ),
        }
    }

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

/// Merged shards of either kind.
#[derive(Debug, Clone)]
pub enum MergedAny {
    /// The shards of one `run`.
    Run(Merged),
    /// The shards of one `sweep`.
    Sweep(MergedSweep),
}

/// Merges shard files of one kind (see [`merge`] and [`merge_sweep`]); refuses a mix of run
/// and sweep shards, naming a file of each kind.
pub fn merge_any(files: &[(PathBuf, AnyShard)]) -> Result<MergedAny> {
    let Some((first_path, first)) = files.first() else {
        return Err(MergeError::NoShards.into());
    };
    if let Some((p, f)) = files.iter().find(|(_, f)| f.command() != first.command()) {
        return Err(MergeError::MixedKinds {
            first: first_path.clone(),
            first_command: first.command(),
            other: p.clone(),
            other_command: f.command(),
        }
        .into());
    }
    let run: Vec<(PathBuf, ShardFile)> = files
        .iter()
        .filter_map(|(p, f)| match f {
            AnyShard::Run(r) => Some((p.clone(), r.clone())),
            AnyShard::Sweep(_) => None,
        })
        .collect();
    if !run.is_empty() {
        return merge(&run).map(MergedAny::Run);
    }
    let sweep: Vec<(PathBuf, SweepShardFile)> = files
        .iter()
        .filter_map(|(p, f)| match f {
            AnyShard::Sweep(w) => Some((p.clone(), w.clone())),
            AnyShard::Run(_) => None,
        })
        .collect();
    merge_sweep(&sweep).map(MergedAny::Sweep)
}

/// Sweep shards checked and combined: the first shard's identification with every grid point's
/// tally, in grid order.
#[derive(Debug, Clone)]
pub struct MergedSweep {
    /// The first shard's identification, with `tallies` = all points' tallies in grid order
    /// (and `shard`, `shards`, `points` those of a single, whole shard).
    pub header: SweepShardFile,
}

/// Checks that `files` (path, content) are all the shards of one sweep — same format version,
/// scenario SHA-256, seed, ballots, generator, chunk size, `without_blocs`, `--set` arguments,
/// grid size and shard count; every shard exactly once with the point range it must have and
/// one tally of the run's ballots per point — and puts the tallies in grid order.
pub fn merge_sweep(files: &[(PathBuf, SweepShardFile)]) -> Result<MergedSweep> {
    let Some((_, first)) = files.first() else {
        return Err(MergeError::NoShards.into());
    };
    let mut problems = Vec::new();
    let mut slots: Vec<Option<(&Path, &SweepShardFile)>> =
        vec![None; first.shards.min(1 << 20) as usize];
    // States per tally, from the first shard that has a point (some may be empty).
    let n = files
        .iter()
        .find_map(|(_, f)| f.tallies.first())
        .map(Tally::n_states);
    for (path, f) in files {
        let mut bad = |field: &str, msg: String| {
            problems.push(Problem::new(path, None, field, msg));
        };
        if !check_header(
            &f.header(),
            &first.header(),
            &files[0].0,
            slots.len(),
            &mut bad,
        ) {
            continue;
        }
        let want = Shard {
            index: f.shard,
            count: f.shards,
        }
        .range(f.grid_points);
        if f.points != [want.start, want.end] {
            bad(
                "points",
                format!(
                    "{:?} but shard {}/{} of a {}-point grid must cover points {want:?}",
                    f.points, f.shard, f.shards, f.grid_points
                ),
            );
            continue;
        }
        let wrong = f.tallies.len() as u64 != want.end - want.start
            || f.tallies.iter().any(|t| {
                t.ballots != f.ballots
                    || Some(t.n_states()) != n
                    || t.hist.iter().any(|h| h.len() != t.n_states() + 1)
            });
        if wrong {
            bad(
                "tallies",
                format!(
                    "expected {} tallies of {} ballots each, for {} states",
                    want.end - want.start,
                    f.ballots,
                    n.unwrap_or(0)
                ),
            );
            continue;
        }
        let slot = &mut slots[(f.shard - 1) as usize];
        if let Some((prev, _)) = slot {
            bad(
                "shard",
                format!(
                    "shard {}/{} also given as {}",
                    f.shard,
                    f.shards,
                    prev.display()
                ),
            );
            continue;
        }
        *slot = Some((path, f));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let missing: Vec<String> = slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{}/{}", i + 1, first.shards))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            missing,
            unit: "grid point",
        }
        .into());
    }
    let mut header = first.clone();
    header.tallies = slots
        .iter()
        .flatten()
        .flat_map(|(_, f)| f.tallies.iter().cloned())
        .collect();
    header.shard = 1;
    header.shards = 1;
    header.points = [0, first.grid_points];
    Ok(MergedSweep { header })
}

impl MergedSweep {
    /// The sweep of the merged shards, built from the scenario they were made from (checked by
    /// SHA-256): byte for byte what `lobbysim sweep` with the same arguments renders.
    pub fn sweep(&self, s: &Scenario) -> Result<sweep::Sweep> {
        let h = &self.header;
        check_scenario(s, &h.scenario_sha256)?;
        if h.rng != s.simulation.rng.name() {
            return Err(MergeError::Generator {
                shards: h.rng.clone(),
                scenario: s.simulation.rng.name().into(),
            }
            .into());
        }
        let axes = h
            .set
            .iter()
            .map(|a| sweep::parse_axis(s, a))
            .collect::<Result<Vec<_>>>()?;
        let opts = h.run_options();
        let grid = sweep::grid(s, &axes, &opts)?;
        if grid.len() as u64 != h.grid_points || h.tallies.len() != grid.len() {
            return Err(MergeError::Grid {
                held: h.tallies.len(),
                points: h.grid_points,
                set: h.set.clone(),
                grid: grid.len(),
            }
            .into());
        }
        if let Some(t) = h.tallies.iter().find(|t| t.n_states() != s.states.len()) {
            return Err(MergeError::States {
                shards: t.n_states(),
                scenario: s.states.len(),
            }
            .into());
        }
        let points = grid
            .iter()
            .zip(&h.tallies)
            .map(|(values, t)| sweep::point_from_tally(s, &axes, values, &opts, t))
            .collect::<Result<Vec<_>>>()?;
        Ok(sweep::assemble(s, &axes, &opts, points))
    }
}

/// Refuses a scenario whose SHA-256 is not the one the shards were made from.
fn check_scenario(s: &Scenario, sha256: &str) -> Result<()> {
    if s.sha256 != sha256 {
        return Err(MergeError::ScenarioChanged {
            file: s.file.clone(),
            actual: s.sha256.clone(),
            expected: sha256.to_string(),
        }
        .into());
    }
    Ok(())
}

/// Output formats of `lobbysim merge`: those of `run` for run shards, those of `sweep` for
/// sweep shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MergeFormat {
    /// Readable text (run or sweep).
    Text,
    /// JSON (run or sweep).
    Json,
    /// CSV: the per-state table of a run, or one row per grid point of a sweep.
    Csv,
    /// Count histograms as CSV (run shards only).
    CsvHistogram,
    /// Markdown summary (run shards only).
    #[value(name = "md", alias = "markdown")]
    Md,
    /// SVG line chart (sweep shards only).
    Svg,
}

impl MergeFormat {
    /// The `run` format, or an error for a sweep-only format.
    pub fn for_run(self) -> Result<Format> {
        match self {
            MergeFormat::Text => Ok(Format::Text),
            MergeFormat::Json => Ok(Format::Json),
            MergeFormat::Csv => Ok(Format::Csv),
            MergeFormat::CsvHistogram => Ok(Format::CsvHistogram),
            MergeFormat::Md => Ok(Format::Md),
            MergeFormat::Svg => Err(Error::Refused(
                "--format svg is only for sweep shards; run shards merge to text, json, csv, \
                 csv-histogram or md (draw a run's chart with `lobbysim plot`)"
                    .into(),
            )),
        }
    }

    /// The `sweep` format, or an error for a run-only format.
    pub fn for_sweep(self) -> Result<TuneFormat> {
        match self {
            MergeFormat::Text => Ok(TuneFormat::Text),
            MergeFormat::Json => Ok(TuneFormat::Json),
            MergeFormat::Csv => Ok(TuneFormat::Csv),
            MergeFormat::Svg => Ok(TuneFormat::Svg),
            MergeFormat::CsvHistogram | MergeFormat::Md => Err(Error::Refused(format!(
                "--format {} is only for run shards; sweep shards merge to text, json, csv or svg",
                if self == MergeFormat::Md {
                    "md"
                } else {
                    "csv-histogram"
                }
            ))),
        }
    }
}

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

/// Chunks in the first batch of a precision run (65,536 ballots).
pub const PRECISION_FIRST_CHUNKS: u64 = 16;

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
    if !(target.is_finite() && target > 0.0 && target <= 0.5) {
        return Err(Error::argument(
            "--precision",
            "",
            format!("must be a standard error in (0, 0.5], got {target}"),
        ));
    }
    let cap = opts.ballots.unwrap_or(MAX_BALLOTS);
    let model = Model::with_options(s, opts.compile());
    let base = opts.config(s);
    let mut tally = Tally::new(model.len());
    let mut done = 0u64;
    let mut chunks = PRECISION_FIRST_CHUNKS;
    loop {
        let ballots = (chunks * CHUNK_BALLOTS).min(cap);
        let cfg = RunConfig { ballots, ..base };
        let end = cfg.chunks();
        tally.merge(&simulate_chunks(&model, &cfg, done..end)?);
        done = end;
        let mut forecast = Forecast::new(s, &cfg, &tally, opts.without_blocs);
        let max_se = max_standard_error(&forecast);
        let reached = max_se < target;
        if reached || ballots >= cap {
            // As in a plain run with these ballots (the weighting is done once, at the end).
            forecast.conditioned = evidence::conditioned(s, &model, &cfg)?;
            return Ok(PrecisionRun {
                forecast,
                max_se,
                reached,
            });
        }
        chunks *= 2;
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
