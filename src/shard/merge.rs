//! Checking that shard files belong together and combining them (see the parent module).

use std::path::{Path, PathBuf};

use super::{AnyShard, SHARD_FORMAT, SWEEP_SHARD_FORMAT, Shard, ShardFile, SweepShardFile};
use crate::engine;
use crate::error::{Error, MergeError, Problem, Result};
use crate::evidence::{WeightedNode, chunk_tree};
use crate::report::Forecast;
use crate::scenario::{RngKind, Scenario};
use crate::simulate::{CHUNK_BALLOTS, Tally};
use crate::tune::sweep;

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

/// A kind of shard file, as merging sees it.
trait ShardKind {
    /// Its identification.
    fn header(&self) -> Header<'_>;
}

/// The [`Header`] of a shard file of either kind (they share their identification fields),
/// with the kind's format tag and its own identity fields `extra`.
macro_rules! header {
    ($f:expr, $format:expr, $extra:expr) => {{
        let f = $f;
        let mut identity = vec![
            ("version", f.version.clone()),
            ("scenario_sha256", f.scenario_sha256.clone()),
            ("seed", f.seed.to_string()),
            ("ballots", f.ballots.to_string()),
            ("rng", f.rng.clone()),
            ("chunk_ballots", f.chunk_ballots.to_string()),
            ("without_blocs", f.without_blocs.to_string()),
        ];
        identity.extend($extra);
        identity.push(("shards", f.shards.to_string()));
        Header {
            format: &f.format,
            expected_format: $format,
            rng: &f.rng,
            chunk_ballots: f.chunk_ballots,
            shard: f.shard,
            shards: f.shards,
            identity,
        }
    }};
}

impl ShardKind for ShardFile {
    fn header(&self) -> Header<'_> {
        header!(self, SHARD_FORMAT, [])
    }
}

impl ShardKind for SweepShardFile {
    fn header(&self) -> Header<'_> {
        header!(
            self,
            SWEEP_SHARD_FORMAT,
            [
                ("set", format!("{:?}", self.set)),
                ("grid_points", self.grid_points.to_string()),
            ]
        )
    }
}

/// The shards of one job, in shard order: every file's header checked against the first's,
/// then by `check` (the kind's own checks, reporting through `bad`; true if the shard can be
/// used), every shard present exactly once. `unit` names what shards split (`chunk`, `grid
/// point`) in the message for missing shards.
fn shards_in_order<'a, F: ShardKind>(
    files: &'a [(PathBuf, F)],
    unit: &'static str,
    mut check: impl FnMut(&'a F, &mut dyn FnMut(&str, String)) -> bool,
) -> Result<Vec<&'a F>> {
    let Some((first_path, first)) = files.first() else {
        return Err(MergeError::NoShards.into());
    };
    let first = first.header();
    let mut problems = Vec::new();
    let mut slots: Vec<Option<(&Path, &F)>> = vec![None; first.shards.min(1 << 20) as usize];
    for (path, f) in files {
        let mut bad = |field: &str, msg: String| {
            problems.push(Problem::new(path, None, field, msg));
        };
        let h = f.header();
        if !check_header(&h, &first, first_path, slots.len(), &mut bad) || !check(f, &mut bad) {
            continue;
        }
        let slot = &mut slots[(h.shard - 1) as usize];
        if let Some((prev, _)) = slot {
            bad(
                "shard",
                format!(
                    "shard {}/{} also given as {}",
                    h.shard,
                    h.shards,
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
        return Err(MergeError::Missing { missing, unit }.into());
    }
    Ok(slots.into_iter().flatten().map(|(_, f)| f).collect())
}

/// Checks that `files` (path, content) are all the shards of one run and adds their tallies.
pub fn merge(files: &[(PathBuf, ShardFile)]) -> Result<Merged> {
    let Some((_, first)) = files.first() else {
        return Err(MergeError::NoShards.into());
    };
    let n = first.tally.n_states();
    let expected_chunks = first.config().chunks();
    let shards = shards_in_order(files, "chunk", |f, bad| {
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
            return false;
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
            return false;
        }
        if let Some(msg) = evidence_problem(f, first, want, expected_chunks, n) {
            bad("evidence", msg);
            return false;
        }
        true
    })?;
    let mut total = Tally::new(n);
    let mut nodes: Vec<WeightedNode> = Vec::new();
    for f in shards {
        total.merge(&f.tally);
        nodes.extend(f.evidence.iter().flatten().cloned());
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
        let nodes = match (&self.header.evidence, s.evidence.is_empty()) {
            (None, true) => None,
            (Some(nodes), false) => Some(nodes.as_slice()),
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
        };
        engine::assemble(
            s,
            &self.header.config(),
            &self.header.tally,
            nodes,
            self.header.without_blocs,
        )
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
    // States per tally, from the first shard that has a point (some may be empty).
    let n = files
        .iter()
        .find_map(|(_, f)| f.tallies.first())
        .map(Tally::n_states);
    let shards = shards_in_order(files, "grid point", |f, bad| {
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
            return false;
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
            return false;
        }
        true
    })?;
    let mut header = first.clone();
    header.tallies = shards
        .iter()
        .flat_map(|f| f.tallies.iter().cloned())
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
