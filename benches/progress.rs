//! Cost of progress reporting: the same forecast with and without a progress hook advancing a
//! (hidden) `Progress` bar once per 4096-ballot chunk. Target: the two within 2% of each other.
//! (A drawn bar adds a redraw at most 10 times a second on indicatif's own schedule; measured
//! with callgrind in docs/charts-and-reports.md.)

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lobbysim::progress::Progress;
use lobbysim::{RunOptions, forecast, forecast_with_progress, scenario};

const BALLOTS: u64 = 200_000;

fn progress_overhead(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
    let s = scenario::load(&path).expect("example scenario");
    let opts = RunOptions {
        ballots: Some(BALLOTS),
        seed: Some(1),
        threads: Some(1),
        without_blocs: false,
    };
    let mut g = c.benchmark_group("progress");
    g.throughput(Throughput::Elements(BALLOTS));
    g.bench_function("forecast", |b| b.iter(|| forecast(&s, &opts).unwrap()));
    g.bench_function("forecast_with_progress", |b| {
        b.iter(|| {
            let bar = Progress::new(BALLOTS, false, false);
            forecast_with_progress(&s, &opts, &|n| bar.advance(n)).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, progress_overhead);
criterion_main!(benches);
