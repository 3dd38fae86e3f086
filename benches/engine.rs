//! Engine benchmarks (criterion) and a summary of the performance targets.
//!
//! Groups:
//! * `engine/193` — full model (12 blocs, 2 leaders, 2 campaigns; see `lobbysim::synthetic`)
//!   on 1 and 2 threads, and `rng/193` — the raw generator filling one u32 per state (plus the
//!   global and bloc shocks) for the same ballots: the random-number limit of this model.
//! * `states` — cost growth with 50, 193, 1,000 and 10,000 states (1 thread).
//! * `real` — the real 2022 scenario `scenarios/unga-es11-4-2022.toml`, when the file exists.
//!
//! After the criterion groups, a summary (medians of repeated timings) prints ballots per
//! second, the engine's throughput as a fraction of the raw generator's, and the 2-thread
//! speed-up, and which SIMD implementation of the per-state pass ran. Run: `cargo bench --bench engine` (add `-- --warm-up-time 1 --measurement-time 3`
//! for a quicker run; `LOBBYSIM_BENCH_SUMMARY_ONLY=1` skips the criterion groups).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput};

use lobbysim::model::Model;
use lobbysim::rng::{ChunkWords, Keystream};
use lobbysim::scenario::{self, RngKind, Scenario};
use lobbysim::simulate::{CHUNK_BALLOTS, RunConfig, Simd, simulate_chunks};
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

fn run_engine(m: &Model, threads: usize) -> u64 {
    let cfg = config(threads);
    simulate_chunks(m, &cfg, 0..cfg.chunks())
        .expect("run")
        .adopted
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

/// The keystream the engine uses on this CPU.
fn keystream() -> Keystream {
    Keystream::Cipher
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
            b.iter(|| black_box(run_engine(&m, threads)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("rng/193");
    g.throughput(Throughput::Elements(CHUNKS * CHUNK_BALLOTS));
    g.bench_function("fill", |b| {
        b.iter(|| black_box(run_raw(words(&s), keystream())))
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
            b.iter(|| black_box(run_engine(&m, 1)))
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
    for threads in [1, 2] {
        g.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| black_box(run_engine(&m, threads)))
        });
    }
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
/// uses it, and `rand_chacha`'s own), the engine on 1 thread and on 2 threads back to back:
/// ratios are taken within a round (so that slow drifts of a shared machine cancel) and the
/// medians reported.
fn summary_for(label: &str, s: &Scenario) {
    const REPS: usize = 15;
    let m = Model::new(s);
    let ballots = (CHUNKS * CHUNK_BALLOTS) as f64;
    black_box(run_engine(&m, 2));
    let (mut one, mut two, mut raw, mut lib) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..REPS {
        raw.push(secs(|| {
            black_box(run_raw(words(s), keystream()));
        }));
        lib.push(secs(|| {
            black_box(run_raw(words(s), Keystream::Library));
        }));
        one.push(secs(|| {
            black_box(run_engine(&m, 1));
        }));
        two.push(secs(|| {
            black_box(run_engine(&m, 2));
        }));
    }
    let ratio = |a: &[f64], b: &[f64]| median(a.iter().zip(b).map(|(x, y)| x / y).collect());
    let (one_m, two_m, raw_m) = (
        median(one.clone()),
        median(two.clone()),
        median(raw.clone()),
    );
    println!(
        "{label}: {} states, {} blocs | 1 thread {:.2} M ballots/s | 2 threads {:.2} M/s \
         (x{:.2}) | raw generator {:.2} M ballots/s ({:.0} M u32/s) | engine/raw {:.2} \
         | rand_chacha alone {:.2} M ballots/s, engine/that {:.2}",
        s.states.len(),
        s.blocs.len(),
        ballots / one_m / 1e6,
        ballots / two_m / 1e6,
        ratio(&one, &two),
        ballots / raw_m / 1e6,
        ballots / raw_m * words(s) as f64 / 1e6,
        ratio(&raw, &one),
        ballots / median(lib.clone()) / 1e6,
        ratio(&lib, &one),
    );
}

fn summary() {
    println!(
        "\n== lobbysim performance summary (medians of 15 interleaved rounds of {CHUNKS} chunks) =="
    );
    println!(
        "targets: >= 2.0 M ballots/s on 1 thread, >= 3.5 M/s on 2, 2 threads >= 1.8x, engine/raw >= 0.45"
    );
    println!(
        "per-state pass: {}; generator: chacha20 (LOBBYSIM_SIMD=avx2 or =baseline to compare \
         narrower ones)",
        Simd::detect().name(),
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
                black_box(run_engine(&model, 1));
            });
            (n, t / (CHUNKS * CHUNK_BALLOTS) as f64 / n as f64 * 1e9)
        })
        .collect();
    let line: Vec<String> = per_state
        .iter()
        .map(|(n, ns)| format!("{n}: {ns:.2} ns"))
        .collect();
    println!(
        "cost per state-ballot (1 thread; flat = linear growth): {}",
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
