//! Engine benchmarks (criterion) and a summary of the performance targets.
//!
//! Groups:
//! * `engine/193` — full model (12 blocs, 2 leaders, 2 campaigns; see `lobbysim::synthetic`)
//!   on 1 and 2 threads, and `rng/193` — the raw generator filling one u32 per state (plus the
//!   global and bloc shocks) for the same ballots: the random-number limit of this model.
//! * `states` — cost growth with 50, 193, 1,000 and 10,000 states (1 thread).
//! * `real` — the real 2022 scenario `scenarios/unga-es11-4-2022.toml`, when the file exists,
//!   on 1 thread at each instruction set the CPU has (`avx512`, `avx2`, `baseline`: the
//!   portable build's code) and on 2 threads.
//!
//! After the criterion groups, a summary (medians of repeated, interleaved timings) prints
//! ballots per second at each instruction set with its ratio to the AVX-512 figure of the same
//! round, the 2-thread figure and speed-up, and the raw generator's figures (the `chacha20`
//! keystream as the engine draws it, and `rand_chacha`'s own generator). Run:
//! `cargo bench --bench engine` (add `-- --warm-up-time 1 --measurement-time 3` for a quicker
//! run; `LOBBYSIM_BENCH_SUMMARY_ONLY=1` skips the criterion groups).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput};

use lobbysim::model::Model;
use lobbysim::rng::{ChunkWords, Keystream};
use lobbysim::scenario::{self, RngKind, Scenario};
use lobbysim::simulate::{CHUNK_BALLOTS, RunConfig, Simd, simulate_chunks_with_simd};
use lobbysim::synthetic;

/// Chunks per measured run (32 × 4096 = 131,072 ballots).
const CHUNKS: u64 = 32;
const REAL: &str = "scenarios/unga-es11-4-2022.toml";

fn synthetic_scenario(n: usize) -> Scenario {
    scenario::parse(
        &synthetic::assembly(n, 1000, 1),
        Path::new("synthetic.toml"),
    )
    .expect("synthetic scenario is valid")
}

fn config(threads: usize) -> RunConfig {
    RunConfig {
        ballots: CHUNKS * CHUNK_BALLOTS,
        seed: 7,
        rng: RngKind::ChaCha8,
        threads: Some(threads),
    }
}

/// The engine on `threads` threads with the instruction set capped at `simd`.
fn run_engine(m: &Model, threads: usize, simd: Simd) -> u64 {
    let cfg = config(threads);
    simulate_chunks_with_simd(m, &cfg, 0..cfg.chunks(), simd)
        .expect("run")
        .adopted
}

/// The instruction sets to measure: those the CPU has, widest first.
fn levels() -> Vec<Simd> {
    [Simd::Avx512, Simd::Avx2, Simd::Baseline]
        .into_iter()
        .filter(|&s| s <= Simd::detect())
        .collect()
}

/// The generator alone, made by `how`: `words` u32s per ballot, sixteen ballots per fill,
/// for the same chunks and ballots as [`run_engine`] on one thread.
fn run_raw(words: usize, how: Keystream) -> u32 {
    let cfg = config(1);
    let mut buf = vec![0u32; words * 16];
    let mut acc = 0u32;
    for k in 0..cfg.chunks() {
        let mut left = cfg.chunk_len(k) as usize;
        let mut w = ChunkWords::new(cfg.rng, cfg.seed, k, how);
        while left > 0 {
            let b = left.min(16);
            w.fill(&mut buf[..words * b]);
            acc ^= buf[0];
            left -= b;
        }
    }
    acc
}

fn words(s: &Scenario) -> usize {
    1 + s.blocs.len() + s.states.len()
}

fn bench_engine(c: &mut Criterion) {
    let s = synthetic_scenario(193);
    let m = Model::new(&s);
    let mut g = c.benchmark_group("engine/193");
    g.throughput(Throughput::Elements(CHUNKS * CHUNK_BALLOTS));
    for threads in [1, 2] {
        g.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| black_box(run_engine(&m, threads, Simd::detect())))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("rng/193");
    g.throughput(Throughput::Elements(CHUNKS * CHUNK_BALLOTS));
    g.bench_function("fill", |b| {
        b.iter(|| black_box(run_raw(words(&s), Keystream::Cipher)))
    });
    g.finish();
}

fn bench_states(c: &mut Criterion) {
    let mut g = c.benchmark_group("states");
    g.throughput(Throughput::Elements(CHUNKS * CHUNK_BALLOTS));
    g.sample_size(10);
    for n in [50, 193, 1000, 10_000] {
        let m = Model::new(&synthetic_scenario(n));
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(run_engine(&m, 1, Simd::detect())))
        });
    }
    g.finish();
}

fn bench_real(c: &mut Criterion) {
    let Ok(s) = scenario::load(Path::new(REAL)) else {
        println!("{REAL} not found or invalid: real-scenario bench skipped");
        return;
    };
    let m = Model::new(&s);
    let mut g = c.benchmark_group("real");
    g.throughput(Throughput::Elements(CHUNKS * CHUNK_BALLOTS));
    for simd in levels() {
        g.bench_function(BenchmarkId::new("1-thread", simd.name()), |b| {
            b.iter(|| black_box(run_engine(&m, 1, simd)))
        });
    }
    g.bench_function(BenchmarkId::new("2-threads", Simd::detect().name()), |b| {
        b.iter(|| black_box(run_engine(&m, 2, Simd::detect())))
    });
    g.finish();
}

/// Median wall time in seconds of `reps` calls of `f`.
fn median_secs(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[reps / 2]
}

fn secs(f: impl FnOnce()) -> f64 {
    let t0 = Instant::now();
    f();
    t0.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Throughputs and ratios from `REPS` rounds, each timing the raw generator (as the engine
/// draws it, and `rand_chacha`'s own), the engine on 1 thread at each instruction set and on
/// 2 threads at the widest, back to back: ratios are taken within a round (so that slow
/// drifts of a shared machine cancel) and the medians reported, with the range of the
/// throughputs.
fn summary_for(label: &str, s: &Scenario) {
    const REPS: usize = 15;
    let m = Model::new(s);
    let ballots = (CHUNKS * CHUNK_BALLOTS) as f64;
    let levels = levels();
    let widest = levels[0];
    black_box(run_engine(&m, 2, widest));
    let (mut two, mut raw, mut lib) = (Vec::new(), Vec::new(), Vec::new());
    let mut one: Vec<Vec<f64>> = vec![Vec::new(); levels.len()];
    for _ in 0..REPS {
        raw.push(secs(|| {
            black_box(run_raw(words(s), Keystream::Cipher));
        }));
        lib.push(secs(|| {
            black_box(run_raw(words(s), Keystream::Library));
        }));
        for (t, &simd) in one.iter_mut().zip(&levels) {
            t.push(secs(|| {
                black_box(run_engine(&m, 1, simd));
            }));
        }
        two.push(secs(|| {
            black_box(run_engine(&m, 2, widest));
        }));
    }
    let ratio = |a: &[f64], b: &[f64]| median(a.iter().zip(b).map(|(x, y)| x / y).collect());
    let rate = |t: &[f64]| {
        let mut r: Vec<f64> = t.iter().map(|t| ballots / t / 1e6).collect();
        r.sort_by(f64::total_cmp);
        format!(
            "{:.2} M ({:.2}–{:.2})",
            r[r.len() / 2],
            r[0],
            r[r.len() - 1]
        )
    };
    println!(
        "{label}: {} states, {} blocs",
        s.states.len(),
        s.blocs.len(),
    );
    for (t, simd) in one.iter().zip(&levels) {
        println!(
            "  1 thread, {:<8} {} ballots/s | x{:.2} of {}",
            simd.name(),
            rate(t),
            ratio(&one[0], t),
            widest.name()
        );
    }
    println!(
        "  2 threads, {:<7} {} ballots/s | x{:.2} of 1 thread",
        widest.name(),
        rate(&two),
        ratio(&one[0], &two)
    );
    println!(
        "  raw generator: chacha20 {} ballots/s ({:.0} M u32/s), rand_chacha {} ballots/s",
        rate(&raw),
        ballots / median(raw.clone()) * words(s) as f64 / 1e6,
        rate(&lib),
    );
}

fn summary() {
    println!(
        "\n== lobbysim performance summary (medians and ranges of 15 interleaved rounds of \
         {CHUNKS} chunks) =="
    );
    println!(
        "targets (real scenario, 1 thread): avx2 >= 2.0 M ballots/s and >= x0.75 of avx512; \
         baseline >= 1.0 M and >= x0.37 of avx512"
    );
    println!(
        "instruction sets measured: {:?} (LOBBYSIM_SIMD caps them); generator: chacha20",
        levels().iter().map(|s| s.name()).collect::<Vec<_>>()
    );
    summary_for("synthetic", &synthetic_scenario(193));
    if let Ok(s) = scenario::load(Path::new(REAL)) {
        summary_for("real", &s);
    } else {
        println!("real: {REAL} not found or invalid (skipped)");
    }
    let m = |n| Model::new(&synthetic_scenario(n));
    let per_state: Vec<(usize, f64)> = [50, 193, 1000, 10_000]
        .into_iter()
        .map(|n| {
            let model = m(n);
            let t = median_secs(3, || {
                black_box(run_engine(&model, 1, Simd::detect()));
            });
            (n, t / (CHUNKS * CHUNK_BALLOTS) as f64 / n as f64 * 1e9)
        })
        .collect();
    let line: Vec<String> = per_state
        .iter()
        .map(|(n, ns)| format!("{n}: {ns:.2} ns"))
        .collect();
    println!(
        "cost per state-ballot (1 thread, {}; flat = linear growth): {}",
        Simd::detect().name(),
        line.join(" | ")
    );
}

fn main() {
    if std::env::var_os("LOBBYSIM_BENCH_SUMMARY_ONLY").is_none() {
        let mut c = Criterion::default().configure_from_args();
        bench_engine(&mut c);
        bench_states(&mut c);
        bench_real(&mut c);
        c.final_summary();
    }
    summary();
}
