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
//! must have, then adds the tallies.
//!
//! **Precision.** [`forecast_to_precision`] simulates the prefix of chunks `0..16`, then doubles
//! the number of chunks (`0..32`, `0..64`, …; chunks already simulated are kept, never redrawn)
//! until the Monte Carlo standard error `√(p(1−p)/N)` of P(adoption) and of every reference
//! probability is below the target, or the ballot cap is reached. The schedule depends on
//! nothing but the tallies, so the result is deterministic for a given seed, independent of
//! the thread count, and identical to a plain run with the number of ballots it reports.
//! (A probability estimated as exactly 0 or 1 has standard error 0 by this formula.)

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::RunOptions;
use crate::error::{Error, Problem, Result};
use crate::model::Model;
use crate::report::Forecast;
use crate::scenario::{MAX_BALLOTS, RngKind, Scenario};
use crate::simulate::{CHUNK_BALLOTS, RunConfig, Tally, simulate_chunks};

/// Value of [`ShardFile::format`].
pub const SHARD_FORMAT: &str = "lobbysim-shard-1";

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
        let at = |i: u64| (u128::from(chunks) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

/// The output of `lobbysim run --shard i/n`: run identification plus the shard's integer tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    })
}

impl ShardFile {
    /// Compact JSON with a trailing newline.
    pub fn to_json(&self) -> Result<String> {
        let mut s = serde_json::to_string(self).map_err(|e| Error::Output {
            what: "shard file".into(),
            message: e.to_string(),
        })?;
        s.push('\n');
        Ok(s)
    }

    /// Reads a shard file.
    pub fn read(path: &Path) -> Result<ShardFile> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.into(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| {
            Error::invalid(
                path,
                Some(e.line()),
                "",
                format!("not a lobbysim shard file: {e}"),
            )
        })
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

/// Checks that `files` (path, content) are all the shards of one run and adds their tallies.
pub fn merge(files: &[(PathBuf, ShardFile)]) -> Result<Merged> {
    let Some((_, first)) = files.first() else {
        return Err(Error::Refused("merge needs at least one shard file".into()));
    };
    let mut problems = Vec::new();
    let mut seen: Vec<Option<&Path>> = vec![None; first.shards.min(1 << 20) as usize];
    let n = first.tally.n_states();
    let mut total = Tally::new(n);
    let expected_chunks = first.config().chunks();
    for (path, f) in files {
        let mut bad = |field: &str, msg: String| {
            problems.push(Problem::new(path, None, field, msg));
        };
        if f.format != SHARD_FORMAT {
            bad(
                "format",
                format!("expected {SHARD_FORMAT:?}, got {:?}", f.format),
            );
            continue;
        }
        if RngKind::parse(&f.rng).is_none() {
            bad("rng", format!("unknown generator {:?}", f.rng));
        }
        let checks: [(&str, String, String); 8] = [
            ("version", f.version.clone(), first.version.clone()),
            (
                "scenario_sha256",
                f.scenario_sha256.clone(),
                first.scenario_sha256.clone(),
            ),
            ("seed", f.seed.to_string(), first.seed.to_string()),
            ("ballots", f.ballots.to_string(), first.ballots.to_string()),
            ("rng", f.rng.clone(), first.rng.clone()),
            (
                "chunk_ballots",
                f.chunk_ballots.to_string(),
                first.chunk_ballots.to_string(),
            ),
            (
                "without_blocs",
                f.without_blocs.to_string(),
                first.without_blocs.to_string(),
            ),
            ("shards", f.shards.to_string(), first.shards.to_string()),
        ];
        let mut consistent = true;
        for (field, got, want) in checks {
            if got != want {
                bad(
                    field,
                    format!("{got} differs from {want} in {}", files[0].0.display()),
                );
                consistent = false;
            }
        }
        if !consistent {
            continue;
        }
        if f.chunk_ballots != CHUNK_BALLOTS {
            bad(
                "chunk_ballots",
                format!(
                    "{} ballots per chunk; this version uses {CHUNK_BALLOTS}",
                    f.chunk_ballots
                ),
            );
            continue;
        }
        let shard = Shard {
            index: f.shard,
            count: f.shards,
        };
        if f.shard == 0 || f.shard > f.shards || seen.len() as u64 != f.shards {
            bad(
                "shard",
                format!("shard {} of {} is out of range", f.shard, f.shards),
            );
            continue;
        }
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
        let want_ballots: u64 = want.map(|k| f.config().chunk_len(k)).sum();
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
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{}/{}", i + 1, first.shards))
        .collect();
    if problems.is_empty() && !missing.is_empty() {
        return Err(Error::Refused(format!(
            "missing shard(s): {} (every chunk must be covered exactly once)",
            missing.join(", ")
        )));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut header = first.clone();
    header.tally = total;
    header.shard = 1;
    header.shards = 1;
    header.chunks = [0, expected_chunks];
    Ok(Merged { header })
}

impl Merged {
    /// The forecast of the merged run, built from the scenario the shards were made from
    /// (checked by SHA-256).
    pub fn forecast(&self, s: &Scenario) -> Result<Forecast> {
        if s.sha256 != self.header.scenario_sha256 {
            return Err(Error::Refused(format!(
                "{} has SHA-256 {}, but the shards were made from a file with SHA-256 {}",
                s.file.display(),
                s.sha256,
                self.header.scenario_sha256
            )));
        }
        if s.states.len() != self.header.tally.n_states() {
            return Err(Error::Refused(
                "shards and scenario disagree on the number of states".into(),
            ));
        }
        Ok(Forecast::new(
            s,
            &self.header.config(),
            &self.header.tally,
            self.header.without_blocs,
        ))
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
        return Err(Error::Refused(format!(
            "--precision must be a standard error in (0, 0.5], got {target}"
        )));
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
        let forecast = Forecast::new(s, &cfg, &tally, opts.without_blocs);
        let max_se = max_standard_error(&forecast);
        let reached = max_se < target;
        if reached || ballots >= cap {
            return Ok(PrecisionRun {
                forecast,
                max_se,
                reached,
            });
        }
        chunks *= 2;
    }
}
